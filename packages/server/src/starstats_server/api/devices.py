"""Device routes under `/v1/auth/devices`: pairing (start with a user token, redeem with
nothing but the code) and managing paired devices (user tokens only)."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response
from pydantic import BaseModel, Field

from starstats_server.api.deps import State, UserPrincipal, rate_limit
from starstats_server.api.errors import error_responses
from starstats_server.api.fields import Text
from starstats_server.metrics import AuthAction
from starstats_server.services import devices as device_service
from starstats_server.services import pairing

router = APIRouter(prefix="/v1/auth/devices", tags=["devices"])

MAX_LABEL_LENGTH = 100


class StartPairingRequest(BaseModel):
    label: Annotated[Text, Field(max_length=MAX_LABEL_LENGTH)] | None = None


class PairingStarted(BaseModel):
    code: str = Field(description="8 characters; type it into the desktop client")
    expires_at: datetime
    label: str


class RedeemRequest(BaseModel):
    code: Annotated[Text, Field(max_length=64)]


class DeviceRedeemed(BaseModel):
    token: str = Field(description="Device JWT (RS256), valid for 90 days unless revoked")
    device_id: uuid.UUID
    label: str
    claimed_handle: str


class DeviceOut(BaseModel):
    id: uuid.UUID
    label: str
    created_at: datetime
    last_seen_at: datetime | None = Field(description="Updated at most once a minute")


class DeviceList(BaseModel):
    devices: list[DeviceOut]


@router.post(
    "/start", response_model=PairingStarted, responses=error_responses(400, 401, 403, 409, 413)
)
async def start_pairing(
    state: State,
    principal: UserPrincipal,
    body: Annotated[StartPairingRequest | None, Body()] = None,
) -> PairingStarted:
    """A single-use pairing code, valid for 10 minutes (blank label: `Desktop client`)."""
    label = body.label if body is not None else None
    started = await pairing.start_pairing(state, principal.user_id, label)
    return PairingStarted(code=started.code, expires_at=started.expires_at, label=started.label)


@router.post(
    "/redeem",
    response_model=DeviceRedeemed,
    responses=error_responses(400, 404, 409, 410, 413, 429),
    dependencies=[
        Depends(
            rate_limit(
                "redeem", lambda s: s.settings.redeem_rate_per_minute, action=AuthAction.REDEEM
            )
        )
    ],
)
async def redeem_pairing(state: State, body: RedeemRequest) -> DeviceRedeemed:
    """Exchange a pairing code (case-insensitive) for a device token, once. Errors:
    `invalid_code` (400), `unknown_code` (404), `already_redeemed` (409), `expired` (410),
    `rate_limited` (429, per IP and for failed redemptions across all clients)."""
    paired = await pairing.redeem_pairing(state, body.code)
    return DeviceRedeemed(
        token=paired.token,
        device_id=paired.device_id,
        label=paired.label,
        claimed_handle=paired.claimed_handle,
    )


@router.get("", response_model=DeviceList, responses=error_responses(401, 403))
async def list_devices(state: State, principal: UserPrincipal) -> DeviceList:
    """The account's active devices, newest first."""
    found = await device_service.list_devices(state, principal.user_id)
    return DeviceList(
        devices=[
            DeviceOut(id=d.id, label=d.label, created_at=d.created_at, last_seen_at=d.last_seen_at)
            for d in found
        ]
    )


# The `uuid` convertor keeps `/start` and `/redeem` from matching this route, so a DELETE
# there is a 405 (wrong method), not a 422 (bad id); any other non-UUID id is a plain 404.
@router.delete(
    "/{device_id:uuid}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404),
)
async def revoke_device(state: State, principal: UserPrincipal, device_id: uuid.UUID) -> Response:
    """Revoke a device: its token is refused from its next request on. Revoking twice is
    fine; 404 `device_not_found` for an unknown device or another account's."""
    await device_service.revoke_device(state, principal.user_id, device_id)
    return Response(status_code=204)
