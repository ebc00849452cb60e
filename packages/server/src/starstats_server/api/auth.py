"""Account routes under `/v1/auth`: sign-up, login, email verification, the account view.

Sign-up, login and resend are rate-limited per client IP. `GET /v1/auth/me` accepts any
valid token, device tokens included (as upstream): a desktop client can show whose account
it is paired to.
"""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Response
from pydantic import BaseModel, Field

from starstats_server.api.deps import AnyPrincipal, State, UserPrincipal, rate_limit
from starstats_server.api.errors import error_responses
from starstats_server.api.fields import Text
from starstats_server.metrics import AuthAction
from starstats_server.services import accounts, sessions
from starstats_server.services.accounts import MAX_EMAIL_LENGTH, MAX_PASSWORD_BYTES

router = APIRouter(prefix="/v1/auth", tags=["auth"])

# Lengths are checked twice on purpose: the schema caps what is parsed at all (characters),
# the service states the rule (bytes for passwords) with its own error code.
Email = Annotated[Text, Field(max_length=MAX_EMAIL_LENGTH)]
Password = Annotated[Text, Field(max_length=MAX_PASSWORD_BYTES)]


class SignupRequest(BaseModel):
    email: Email
    password: Password
    claimed_handle: Annotated[Text, Field(max_length=256)]


class LoginRequest(BaseModel):
    email: Email
    password: Password


class AuthResponse(BaseModel):
    token: str = Field(description="User JWT (RS256), valid for one hour")
    user_id: uuid.UUID
    claimed_handle: str
    totp_required: bool = Field(description="Always false: TOTP is not offered yet")


class VerifyEmailRequest(BaseModel):
    token: Annotated[Text, Field(max_length=256)]


class EmailVerified(BaseModel):
    verified: Literal[True]
    email: str
    claimed_handle: str


class ResendResponse(BaseModel):
    sent: bool = Field(description="Whether the mail server accepted the message")


class DeleteAccountRequest(BaseModel):
    password: Password


class Me(BaseModel):
    user_id: uuid.UUID
    email: str
    claimed_handle: str
    email_verified: bool
    pending_email: str | None = Field(description="Always null: email change is not offered yet")
    rsi_verified: bool
    totp_enabled: bool
    staff_roles: list[str]


def _auth_response(session: accounts.Session) -> AuthResponse:
    return AuthResponse(
        token=session.token,
        user_id=session.user_id,
        claimed_handle=session.claimed_handle,
        totp_required=False,
    )


@router.post(
    "/signup",
    response_model=AuthResponse,
    responses=error_responses(400, 409, 413, 429),
    dependencies=[
        Depends(
            rate_limit(
                "signup", lambda s: s.settings.auth_rate_per_minute, action=AuthAction.SIGNUP
            )
        )
    ],
)
async def signup(state: State, body: SignupRequest, background: BackgroundTasks) -> AuthResponse:
    """Create an account and send the verification email. Errors: `invalid_email`,
    `password_too_short`, `password_too_long`, `missing_handle`, `invalid_handle` (400);
    `email_taken`, `handle_taken` (409)."""
    session = await accounts.sign_up(
        state,
        body.email,
        body.password,
        body.claimed_handle,
        send_later=lambda mail: background.add_task(accounts.deliver, state, mail),
    )
    return _auth_response(session)


@router.post(
    "/login",
    response_model=AuthResponse,
    responses=error_responses(400, 401, 413, 429),
    dependencies=[
        Depends(
            rate_limit("login", lambda s: s.settings.auth_rate_per_minute, action=AuthAction.LOGIN)
        )
    ],
)
async def login(state: State, body: LoginRequest) -> AuthResponse:
    """Exchange email and password for a user token; 401 `invalid_credentials` otherwise."""
    return _auth_response(await accounts.log_in(state, body.email, body.password))


@router.post("/email/verify", response_model=EmailVerified, responses=error_responses(400, 413))
async def verify_email(state: State, body: VerifyEmailRequest) -> EmailVerified:
    """Confirm the address with the token from the verification email (single use, 24 h);
    400 `invalid_or_expired` otherwise."""
    done = await accounts.verify_email(state, body.token)
    return EmailVerified(verified=True, email=done.email, claimed_handle=done.claimed_handle)


@router.post(
    "/email/resend",
    response_model=ResendResponse,
    responses=error_responses(401, 403, 409, 429),
    dependencies=[Depends(rate_limit("email_resend", lambda s: s.settings.auth_rate_per_minute))],
)
async def resend_verification(state: State, principal: UserPrincipal) -> ResendResponse:
    """Send a new verification email (the previous link stops working); 409
    `already_verified` when there is nothing to verify."""
    return ResendResponse(sent=await accounts.resend_verification(state, principal.user_id))


@router.post(
    "/logout",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403),
)
async def logout(state: State, principal: UserPrincipal) -> Response:
    """Revoke this user token now rather than at its expiry: every later request with it is
    401. Other sessions of the account and its devices are unaffected. Device tokens get 403
    (revoke the device instead)."""
    await sessions.logout(state, principal)
    return Response(status_code=204)


@router.get("/me", response_model=Me, responses=error_responses(401))
async def get_me(state: State, principal: AnyPrincipal) -> Me:
    """The account behind the token (user or device token); 401 `user_not_found` when the
    account no longer exists."""
    account = await accounts.get_account(state, principal.user_id)
    return Me(
        user_id=account.user_id,
        email=account.email,
        claimed_handle=account.claimed_handle,
        email_verified=account.email_verified,
        pending_email=None,
        rsi_verified=False,
        totp_enabled=False,
        staff_roles=[],
    )


@router.delete(
    "/me",
    status_code=204,
    response_class=Response,
    responses=error_responses(400, 401, 403, 413, 429),
    dependencies=[Depends(rate_limit("delete_account", lambda s: s.settings.auth_rate_per_minute))],
)
async def delete_me(state: State, principal: UserPrincipal, body: DeleteAccountRequest) -> Response:
    """Delete my account for good, after confirming the password: events, rollups, devices,
    shares, memberships and the orgs I own. Every token of the account stops working. 403
    `wrong_password` for a wrong password (not 401: the session itself is fine); 503
    `spicedb_unavailable` when SpiceDB is configured but cannot remove my sharing tuples
    (nothing is deleted then)."""
    await accounts.delete_account(state, principal.user_id, body.password)
    return Response(status_code=204)
