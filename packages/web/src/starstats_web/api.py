"""The typed client of the StarStats API: every byte the web app shows comes through here.

One `httpx.AsyncClient` per app; each call names its path template (the metrics label, never
the filled-in path), sends the user's JWT as a bearer token, and on auth and pairing calls
the browser's address in `X-Forwarded-For` (the API rate-limits per client IP and honours it
only from the addresses in its `STARSTATS_TRUSTED_PROXIES`). Answers are parsed into the
models generated from the API's OpenAPI document; refusals become `ApiError`s (see
`errors.py`).
"""

import time
import uuid
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import BaseModel, ValidationError

from starstats_core.logline import request_id
from starstats_web import api_models as m
from starstats_web.errors import (
    ApiEndpointMissing,
    ApiError,
    ApiRateLimited,
    ApiUnauthorized,
    ApiUnavailable,
    SharingUnavailable,
)
from starstats_web.metrics import WebMetrics

Model = TypeVar("Model", bound=BaseModel)
_tracer = trace.get_tracer("starstats_web.api")

# A gateway in front of the API answering for it, or the API's own "database unavailable".
_UNAVAILABLE = frozenset({502, 503, 504})
JOURNEY_VIEWS = frozenset(
    {"", "/glance", "/sessions", "/places", "/legs", "/ships", "/lives", "/combat", "/contracts"}
    | {"/trades", "/records"}
)


def _journey_root(token: str | None, handle: str | None) -> str:
    if handle is None:
        return "/v1/me/journey"
    return "/v1/u/{handle}/journey" if token is not None else "/v1/public/{handle}/journey"


def _error_of(response: httpx.Response) -> tuple[str, str]:
    """(code, detail) from the API's `{"error", "detail"}` body, else from the status."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("detail") or "")
    return f"http_{response.status_code}", response.reason_phrase


def _segment(name: str, value: str) -> str:
    """`value` as one path segment: percent-encoded, never empty nor a dot segment (a
    handle typed into a form must not walk to another API route)."""
    if value in ("", ".", ".."):
        raise ApiError(422, "invalid_request", f"{name}: not a valid path segment")
    return quote(value, safe="")


def _retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("retry-after", "")
    return int(value) if value.isdigit() else None


class ApiClient:
    """Calls the API on behalf of one browser (or of nobody: `token=None`)."""

    def __init__(self, http: httpx.AsyncClient, metrics: WebMetrics | None = None) -> None:
        self.http = http
        self.metrics = metrics or WebMetrics()

    async def _call(
        self,
        method: str,
        template: str,
        *,
        token: str | None = None,
        client_ip: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        **path: str,
    ) -> httpx.Response:
        headers = {"Accept": "application/json"}
        rid = request_id.get()
        if rid is not None:  # the API logs the browser request's id with its own lines
            headers["X-Request-ID"] = rid
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if client_ip is not None:
            headers["X-Forwarded-For"] = client_ip
        query = {k: v for k, v in (params or {}).items() if v is not None}
        url = template.format(**{k: _segment(k, v) for k, v in path.items()})
        began = time.perf_counter()
        status = "unreachable"
        # A client span named by the template; its traceparent makes the API continue the
        # browser request's trace.
        with _tracer.start_as_current_span(
            f"{method} {template}",
            kind=SpanKind.CLIENT,
            attributes={"http.request.method": method, "url.template": template},
        ) as span:
            propagate.inject(headers)
            try:
                response = await self.http.request(
                    method, url, headers=headers, json=json, params=query
                )
                status = str(response.status_code)
                span.set_attribute("http.response.status_code", response.status_code)
            except httpx.TransportError as exc:
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                raise ApiUnavailable(f"{method} {template}: {type(exc).__name__}: {exc}") from exc
            finally:
                self.metrics.api_call.labels(endpoint=template, status=status).observe(
                    time.perf_counter() - began
                )
        if response.is_success:
            return response
        code, detail = _error_of(response)
        status_code = response.status_code
        if status_code == 503 and code == "spicedb_unavailable":
            raise SharingUnavailable(status_code, code, detail)
        if status_code in _UNAVAILABLE:
            raise ApiUnavailable(f"{method} {template}: {status_code} {code}")
        if status_code == 401:
            raise ApiUnauthorized(status_code, code, detail)
        if status_code == 429:
            raise ApiRateLimited(status_code, code, detail, _retry_after(response))
        if status_code in (404, 405) and code in ("not_found", "method_not_allowed"):
            raise ApiEndpointMissing(status_code, code, detail)
        raise ApiError(status_code, code, detail)

    async def _get(self, model: type[Model], template: str, **kwargs: Any) -> Model:
        return _parsed(model, await self._call("GET", template, **kwargs))

    # -- accounts ----------------------------------------------------------------------------
    async def signup(
        self, email: str, password: str, handle: str, *, client_ip: str | None
    ) -> m.AuthResponse:
        body = _body(m.SignupRequest, email=email, password=password, claimed_handle=handle)
        response = await self._call("POST", "/v1/auth/signup", json=body, client_ip=client_ip)
        return _parsed(m.AuthResponse, response)

    async def login(self, email: str, password: str, *, client_ip: str | None) -> m.AuthResponse:
        body = _body(m.LoginRequest, email=email, password=password)
        response = await self._call("POST", "/v1/auth/login", json=body, client_ip=client_ip)
        return _parsed(m.AuthResponse, response)

    async def verify_email(self, token: str, *, client_ip: str | None) -> m.EmailVerified:
        body = _body(m.VerifyEmailRequest, token=token)
        response = await self._call("POST", "/v1/auth/email/verify", json=body, client_ip=client_ip)
        return _parsed(m.EmailVerified, response)

    async def resend_verification(self, token: str, *, client_ip: str | None) -> m.ResendResponse:
        response = await self._call(
            "POST", "/v1/auth/email/resend", token=token, client_ip=client_ip
        )
        return _parsed(m.ResendResponse, response)

    async def logout(self, token: str) -> None:
        """Revoke the session's token at the API (204): a copy of the cookie is useless from
        now on, not only when the token expires."""
        await self._call("POST", "/v1/auth/logout", token=token)

    async def me(self, token: str) -> m.Me:
        return await self._get(m.Me, "/v1/auth/me", token=token)

    async def delete_account(self, token: str, password: str, *, client_ip: str | None) -> None:
        """Delete the account for good (204). A wrong password is a 403 `wrong_password`
        (`ApiError`); a 401 means the session itself ended."""
        body = _body(m.DeleteAccountRequest, password=password)
        await self._call("DELETE", "/v1/auth/me", token=token, client_ip=client_ip, json=body)

    # -- devices -----------------------------------------------------------------------------
    async def start_pairing(
        self, token: str, label: str | None, *, client_ip: str | None
    ) -> m.PairingStarted:
        body = _body(m.StartPairingRequest, label=label or None)
        response = await self._call(
            "POST",
            "/v1/auth/devices/start",
            token=token,
            client_ip=client_ip,
            json=body,
        )
        return _parsed(m.PairingStarted, response)

    async def devices(self, token: str) -> m.DeviceList:
        return await self._get(m.DeviceList, "/v1/auth/devices", token=token)

    async def revoke_device(self, token: str, device_id: uuid.UUID) -> None:
        await self._call(
            "DELETE", "/v1/auth/devices/{device_id}", token=token, device_id=str(device_id)
        )

    async def ingest_history(
        self, token: str, *, device_id: uuid.UUID | None = None, limit: int = 20
    ) -> m.IngestHistoryOut:
        params = {"device_id": str(device_id) if device_id else None, "limit": limit}
        return await self._get(
            m.IngestHistoryOut, "/v1/me/ingest-history", token=token, params=params
        )

    # -- history -----------------------------------------------------------------------------
    async def events(
        self,
        token: str,
        *,
        before_seq: int | None = None,
        after_seq: int | None = None,
        event_type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
    ) -> m.EventPageOut:
        params = {
            "before_seq": before_seq,
            "after_seq": after_seq,
            "event_type": event_type,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "limit": limit,
        }
        return await self._get(m.EventPageOut, "/v1/me/events", token=token, params=params)

    async def summary(self, token: str) -> m.SummaryOut:
        return await self._get(m.SummaryOut, "/v1/me/summary", token=token)

    # -- journey (docs/journey.md): facts folded from the stored events -------------------
    # One method for the views that share a shape of call; `view` is one of `JOURNEY_VIEWS`,
    # so the metrics label stays a fixed template. Whose journey: mine (no `handle`), another
    # player's shared with me (`handle` and my token) or a public player's (`handle`, no token;
    # the API rate-limits those per client IP, so the browser's address goes along).
    async def journey(
        self,
        token: str | None,
        view: str,
        model: type[Model],
        *,
        handle: str | None = None,
        client_ip: str | None = None,
        **params: Any,
    ) -> Model:
        if view not in JOURNEY_VIEWS:
            raise ValueError(f"not a journey view: {view!r}")
        query = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in params.items()}
        template = _journey_root(token, handle) + view
        who = {} if handle is None else {"handle": handle}
        return await self._get(
            model, template, token=token, client_ip=client_ip, params=query, **who
        )

    async def journey_session(
        self,
        token: str | None,
        session_id: str,
        *,
        handle: str | None = None,
        client_ip: str | None = None,
    ) -> m.SessionStoryOut:
        """404 `session_not_found` (an `ApiError`) for a session that is not the player's;
        404 `stats_not_found` for a `handle` unknown or not shared."""
        who = {} if handle is None else {"handle": handle}
        return await self._get(
            m.SessionStoryOut,
            _journey_root(token, handle) + "/sessions/{session_id}",
            token=token,
            client_ip=client_ip,
            session_id=session_id,
            **who,
        )

    # -- sharing: mine -----------------------------------------------------------------------
    async def visibility(self, token: str) -> m.VisibilityOut:
        return await self._get(m.VisibilityOut, "/v1/me/visibility", token=token)

    async def set_visibility(self, token: str, public: bool) -> m.VisibilityOut:
        body = _body(m.VisibilityIn, public=public)
        response = await self._call("POST", "/v1/me/visibility", token=token, json=body)
        return _parsed(m.VisibilityOut, response)

    async def share(self, token: str, recipient_handle: str) -> m.ShareOut:
        """404 `recipient_not_found`, 400 `cannot_share_with_self`, 429 past the per-player
        grant limit."""
        body = _body(m.ShareIn, recipient_handle=recipient_handle)
        response = await self._call("POST", "/v1/me/share", token=token, json=body)
        return _parsed(m.ShareOut, response)

    async def unshare(self, token: str, recipient_handle: str) -> m.RevokedOut:
        """404 `share_not_found` when there was no share."""
        response = await self._call(
            "DELETE",
            "/v1/me/share/{recipient_handle}",
            token=token,
            recipient_handle=recipient_handle,
        )
        return _parsed(m.RevokedOut, response)

    async def share_with_org(self, token: str, org_slug: str) -> m.OrgShareOut:
        """404 `org_not_found` unless a member, 429 past the per-player grant limit."""
        body = _body(m.OrgShareIn, org_slug=org_slug)
        response = await self._call("POST", "/v1/me/share/org", token=token, json=body)
        return _parsed(m.OrgShareOut, response)

    async def unshare_org(self, token: str, org_slug: str) -> m.RevokedOut:
        response = await self._call(
            "DELETE", "/v1/me/share/org/{org_slug}", token=token, org_slug=org_slug
        )
        return _parsed(m.RevokedOut, response)

    async def my_shares(self, token: str) -> m.MySharesOut:
        return await self._get(m.MySharesOut, "/v1/me/shares", token=token)

    async def shared_with_me(self, token: str) -> m.SharedWithMeOut:
        return await self._get(m.SharedWithMeOut, "/v1/me/shared-with-me", token=token)

    # -- sharing: another player's summary ----------------------------------------------------
    # A handle that is unknown or not shared with the caller is the same 404 `stats_not_found`.
    async def user_summary(self, token: str, handle: str) -> m.SummaryOut:
        return await self._get(m.SummaryOut, "/v1/u/{handle}/summary", token=token, handle=handle)

    # Public profiles take no token; the API rate-limits them per client IP, so the browser's
    # address goes along as on the auth calls.
    async def public_summary(self, handle: str, *, client_ip: str | None) -> m.SummaryOut:
        return await self._get(
            m.SummaryOut, "/v1/public/{handle}/summary", client_ip=client_ip, handle=handle
        )

    # -- organisations -------------------------------------------------------------------------
    async def create_org(self, token: str, name: str, slug: str) -> m.OrgOut:
        """201; 400 `invalid_slug` / `invalid_name`, 409 `slug_taken`."""
        body = _body(m.OrgIn, name=name, slug=slug)
        response = await self._call("POST", "/v1/orgs", token=token, json=body)
        return _parsed(m.OrgOut, response)

    async def orgs(self, token: str) -> m.OrgListOut:
        return await self._get(m.OrgListOut, "/v1/orgs", token=token)

    async def org(self, token: str, slug: str) -> m.OrgDetailOut:
        """404 `org_not_found` for a non-member as for an unknown slug."""
        return await self._get(m.OrgDetailOut, "/v1/orgs/{slug}", token=token, slug=slug)

    async def delete_org(self, token: str, slug: str) -> None:
        """204; 403 `not_org_admin` unless the owner."""
        await self._call("DELETE", "/v1/orgs/{slug}", token=token, slug=slug)

    async def set_member(self, token: str, slug: str, handle: str, role: m.Role) -> m.MemberOut:
        """Add a player or change a member's role; 404 `user_not_found`, 400
        `owner_role_fixed` / `invalid_role`, 403 `not_org_admin`."""
        body = _body(m.MemberIn, handle=handle, role=role)
        response = await self._call(
            "POST", "/v1/orgs/{slug}/members", token=token, json=body, slug=slug
        )
        return _parsed(m.MemberOut, response)

    async def remove_member(self, token: str, slug: str, handle: str) -> None:
        """204; the caller's own handle leaves the org. 400 `owner_cannot_leave`, 404
        `member_not_found`, 403 `not_org_admin`."""
        await self._call(
            "DELETE", "/v1/orgs/{slug}/members/{handle}", token=token, slug=slug, handle=handle
        )

    # -- ops ---------------------------------------------------------------------------------
    async def health(self) -> m.Health:
        return await self._get(m.Health, "/healthz")


def _body(model: type[Model], **fields: Any) -> dict[str, Any]:
    """A request body checked against the API's schema before it is sent; what the API
    would refuse with 422 is refused here the same way (`invalid_request`, naming the field)."""
    try:
        return model.model_validate(fields).model_dump(mode="json")
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise ApiError(422, "invalid_request", f"{where}: {exc.errors()[0]['msg']}") from None


def _parsed(model: type[Model], response: httpx.Response) -> Model:
    """The body as `model`; a body that breaks the contract is the API's fault (a 502-like
    error for us), not the user's."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        path = response.request.url.path
        raise ApiError(
            response.status_code, "bad_response", f"{path}: not a {model.__name__}: {exc}"
        ) from None
