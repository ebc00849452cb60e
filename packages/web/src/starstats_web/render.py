"""Page rendering: the Jinja2 environment (autoescaped, strict about undefined names), the
static-file URLs with a content hash (cached for a year, refreshed by each change), and the
page timing metric labelled by template."""

import hashlib
import time
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from starstats_web import present
from starstats_web.csrf import CsrfGuard
from starstats_web.metrics import WebMetrics
from starstats_web.security import STARTED_KEY
from starstats_web.session import session_token, view_of
from starstats_web.version import __version__

STATIC = files("starstats_web") / "static"


@dataclass(frozen=True)
class Notice:
    kind: str  # info, success, warning, danger: the banner's colour
    text: str


# `?notice=<key>` after a redirect shows one of these; never text taken from the URL.
NOTICES = {
    "welcome": Notice(
        "success", "Welcome aboard! We sent you an email: open its link to confirm your address."
    ),
    "logged_out": Notice("info", "You are logged out."),
    "session_expired": Notice("info", "Your session ended. Log in again to carry on."),
    "verification_sent": Notice("success", "A new verification link is on its way."),
    "already_verified": Notice("info", "Your email address is already verified."),
    "mail_failed": Notice(
        "warning", "The verification email could not be sent right now. Try again later."
    ),
    "resend_rate_limited": Notice("warning", "Too many requests: wait a minute and try again."),
    "revoked": Notice("success", "Device revoked: its next upload will be refused."),
    "device_gone": Notice("info", "That device is not paired (any more)."),
    "now_public": Notice("success", "Your stats are public: anyone with the link can read them."),
    "now_private": Notice(
        "success",
        "Your stats are private again: only the players and orgs you share with see them.",
    ),
    "shared": Notice("success", "Shared: that player can now open your profile."),
    "share_revoked": Notice("success", "Share revoked: that player can no longer see your stats."),
    "share_gone": Notice("info", "Your stats were not shared there (any more)."),
    "org_shared": Notice("success", "Shared with the org: its members can now open your profile."),
    "org_share_revoked": Notice(
        "success", "No longer shared with that org: its members cannot see your stats any more."
    ),
    "org_created": Notice("success", "Org created. You are its owner: add members below."),
    "org_deleted": Notice("success", "The org is deleted, with its memberships and shares."),
    "org_gone": Notice("info", "That org does not exist (any more), or you are not in it."),
    "member_saved": Notice("success", "Member saved."),
    "member_removed": Notice("success", "Member removed; their share with the org ended too."),
    "member_gone": Notice("info", "That player is not a member of the org (any more)."),
    "owner_stays": Notice(
        "warning", "The owner cannot leave or be removed: delete the org instead."
    ),
    "not_org_admin": Notice("warning", "Only the org's admins and its owner can do that."),
    "left_org": Notice("success", "You left the org; your share with it ended too."),
    "account_deleted": Notice(
        "success", "Your account and everything it held are deleted. Fly safe, pilot."
    ),
}


def _static_versions() -> dict[str, str]:
    versions = {}
    for entry in STATIC.iterdir():
        if entry.is_file():
            versions[entry.name] = hashlib.sha256(entry.read_bytes()).hexdigest()[:12]
    return versions


class Pages:
    """Renders templates into responses, with what every page needs in its context."""

    def __init__(self, metrics: WebMetrics, guard: CsrfGuard) -> None:
        self.metrics = metrics
        self.guard = guard
        self.env = Environment(
            loader=PackageLoader("starstats_web", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        versions = _static_versions()
        self.env.globals["static"] = lambda name: f"/static/{name}?v={versions.get(name, '0')}"
        self.env.globals["version"] = __version__
        self.env.filters.update(
            count=present.count,
            duration=present.duration,
            utc=present.utc,
            iso=present.iso,
            day=present.day,
        )

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status: int = 200,
    ) -> HTMLResponse:
        token = session_token(request)
        viewer = view_of(token) if token else None
        html = self.env.get_template(template).render(
            {
                "csrf_token": self.guard.token(request),
                "viewer": viewer,
                "path": request.url.path,
                "notice": NOTICES.get(request.query_params.get("notice", "")),
                **(context or {}),
            }
        )
        started = request.scope.get("state", {}).get(STARTED_KEY)
        if started is not None:
            self.metrics.page_render.labels(route=template).observe(time.perf_counter() - started)
        return HTMLResponse(html, status_code=status)
