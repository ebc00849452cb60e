"""FastAPI dependencies: the app state, the authenticated principal, client-IP rate limits."""

from collections.abc import Callable, Coroutine
from ipaddress import ip_address
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from starstats_server.auth.tokens import Principal, TokenType
from starstats_server.errors import Forbidden, TooManyRequests, Unauthorized
from starstats_server.metrics import AuthAction, AuthOutcome
from starstats_server.ratelimit import Limit
from starstats_server.services import devices as device_service
from starstats_server.services import sessions as session_service
from starstats_server.settings import Settings
from starstats_server.state import AppState

_bearer = HTTPBearer(auto_error=False, scheme_name="BearerAuth")


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.starstats
    return state


State = Annotated[AppState, Depends(get_state)]


async def current_principal(
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The verified token's principal. A device token is refused on the first request after
    its device was revoked, a user token after it was logged out (both checked on every
    call, not cached)."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("missing or malformed bearer token")
    principal = state.tokens.verify(credentials.credentials)
    if principal.token_type is TokenType.DEVICE:
        if principal.device_id is None:  # verify() refuses these; never rely on an assert
            raise Unauthorized("device token without a device id")
        await device_service.check_device_active(state, principal.user_id, principal.device_id)
    else:
        await session_service.check_token_active(state, principal)
    return principal


async def user_principal(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    """Only user tokens: account and pairing management is not for devices."""
    if principal.token_type is not TokenType.USER:
        raise Forbidden("user_token_required", "this route needs a user token, not a device token")
    return principal


AnyPrincipal = Annotated[Principal, Depends(current_principal)]
UserPrincipal = Annotated[Principal, Depends(user_principal)]


def _trusted(address: str, settings: Settings) -> bool:
    if settings.trust_forwarded_for:
        return True
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.trusted_proxies)


def client_address(request: Request, state: AppState) -> str:
    """The caller's IP for rate limits. A request from a trusted proxy is counted against
    the address it forwards: X-Forwarded-For read from the right, past every trusted hop
    (each proxy appends its peer), so a client cannot pick its own address by sending the
    header itself. Anyone else is counted by the connection's address."""
    peer = request.client.host if request.client else "unknown"
    settings = state.settings
    if not _trusted(peer, settings):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    hops = [hop for hop in hops if hop]
    for hop in reversed(hops):
        if not _trusted(hop, settings):
            return hop
    return hops[0] if hops else peer  # every hop trusted: the first is the client


def rate_limit(
    name: str,
    per_minute: Callable[[AppState], int],
    *,
    action: AuthAction | None = None,
) -> Callable[[Request], Coroutine[Any, Any, None]]:
    """A dependency that counts one request against `name` for the client's IP; a refusal is
    recorded as `rate_limited` for `action` when one is given."""

    async def _check(request: Request) -> None:
        state = get_state(request)
        try:
            state.limiter.check(Limit(name, per_minute(state)), client_address(request, state))
        except TooManyRequests:
            if action is not None:
                state.metrics.record_auth(action, AuthOutcome.RATE_LIMITED)
            raise

    return _check
