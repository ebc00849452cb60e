"""`/devices`: pair a desktop client (a code to type into it), the paired devices with what
each recently uploaded, and revoking one (after a confirmation step)."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from starstats_web import api_models as m
from starstats_web import present
from starstats_web.errors import ApiEndpointMissing, ApiError, ApiUnavailable
from starstats_web.metrics import AuthAction, AuthOutcome
from starstats_web.pages.deps import ClientIp, State, Token, csrf_protected
from starstats_web.state import WebState

router = APIRouter(prefix="/devices")

MAX_LABEL_LENGTH = 100
HISTORY_ROWS = 5


async def _history(
    state: WebState, token: str, device: m.DeviceOut
) -> list[m.IngestBatchOut] | None:
    """The device's latest upload batches, or None when this API keeps no ingest history
    (an older server): the page then says so instead of failing."""
    try:
        found = await state.api.ingest_history(token, device_id=device.id, limit=HISTORY_ROWS)
    except ApiEndpointMissing:
        return None
    return found.batches


async def _page(
    request: Request,
    state: WebState,
    token: str,
    *,
    pairing: m.PairingStarted | None = None,
    pair_error: str | None = None,
    label: str = "",
    status: int = 200,
) -> Response:
    devices = (await state.api.devices(token)).devices
    histories = await asyncio.gather(*(_history(state, token, d) for d in devices))
    now = datetime.now(UTC)
    return state.pages.render(
        request,
        "devices.html",
        {
            "devices": list(zip(devices, histories, strict=True)),
            "pairing": pairing,
            "pair_error": pair_error,
            "label": label,
            "api_url": state.settings.public_api_base,
            "remaining": present.remaining(pairing.expires_at, now) if pairing else None,
        },
        status=status,
    )


@router.get("")
async def devices_page(request: Request, state: State, token: Token) -> Response:
    return await _page(request, state, token)


@router.post("/pair", dependencies=[Depends(csrf_protected(AuthAction.PAIR))])
async def start_pairing(
    request: Request,
    *,
    state: State,
    token: Token,
    ip: ClientIp,
    label: Annotated[str, Form()] = "",
) -> Response:
    label = label.strip()
    if len(label) > MAX_LABEL_LENGTH:
        state.metrics.record_auth(AuthAction.PAIR, AuthOutcome.REJECTED)
        error = f"Keep the name under {MAX_LABEL_LENGTH} characters."
        return await _page(request, state, token, pair_error=error, label=label, status=400)
    try:
        started = await state.api.start_pairing(token, label or None, client_ip=ip)
    except ApiUnavailable:
        state.metrics.record_auth(AuthAction.PAIR, AuthOutcome.ERROR)
        raise
    except ApiError as exc:
        if exc.status == 401:
            raise
        state.metrics.record_auth(AuthAction.PAIR, AuthOutcome.REJECTED)
        error = (
            "Five pairing codes are already waiting. Use one, or wait ten minutes for them "
            "to expire."
            if exc.code == "too_many_pending_codes"
            else f"Pairing could not start: {exc.detail or exc.code}."
        )
        return await _page(request, state, token, pair_error=error, label=label, status=409)
    state.metrics.record_auth(AuthAction.PAIR, AuthOutcome.OK)
    return await _page(request, state, token, pairing=started)


async def _device(state: WebState, token: str, device_id: uuid.UUID) -> m.DeviceOut | None:
    found = [d for d in (await state.api.devices(token)).devices if d.id == device_id]
    return found[0] if found else None


@router.get("/{device_id}/revoke")
async def confirm_revoke(
    request: Request, state: State, token: Token, device_id: uuid.UUID
) -> Response:
    device = await _device(state, token, device_id)
    if device is None:
        return RedirectResponse("/devices?notice=device_gone", status_code=303)
    return state.pages.render(request, "revoke.html", {"device": device})


@router.post("/{device_id}/revoke", dependencies=[Depends(csrf_protected(AuthAction.REVOKE))])
async def revoke(state: State, token: Token, device_id: uuid.UUID) -> Response:
    try:
        await state.api.revoke_device(token, device_id)
    except ApiError as exc:
        if exc.code != "device_not_found" or isinstance(exc, ApiEndpointMissing):
            raise
        return RedirectResponse("/devices?notice=device_gone", status_code=303)
    state.metrics.record_auth(AuthAction.REVOKE, AuthOutcome.OK)
    return RedirectResponse("/devices?notice=revoked", status_code=303)
