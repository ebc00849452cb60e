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
