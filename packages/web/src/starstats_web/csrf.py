"""Cross-site request forgery protection for every state-changing form.

A per-browser random value lives in its own HttpOnly cookie; each form carries
HMAC-SHA256(secret, value) as `csrf_token`. A post is accepted only when that token matches
the cookie and, when the browser says where the post came from (`Origin`, else `Referer`),
that is this site's origin. Another site can make the browser send the cookie (SameSite=Lax
even blocks that for posts) but can neither read it nor compute the token without the
secret, and browsers always name the foreign origin on a cross-site post.
Over https the cookie takes the `__Host-` prefix, so a sibling subdomain cannot plant one.
"""

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request

from starstats_web.errors import SettingsError
from starstats_web.settings import WebSettings

FIELD = "csrf_token"
KEY_FILE_NAME = "csrf-secret"
COOKIE_MAX_AGE = 30 * 24 * 3600  # outlives any session; a new browser value costs nothing
_STATE_KEY = "csrf_new_value"  # request.state: a value minted on this request


def load_secret(settings: WebSettings) -> bytes:
    """STARSTATS_CSRF_SECRET, else the secret in `<web_data_dir>/csrf-secret`, created with
    mode 0600 on first start."""
    if settings.csrf_secret is not None:
        return settings.csrf_secret.get_secret_value().encode()
    path = settings.web_data_dir / KEY_FILE_NAME
    try:
        if not path.exists():
            _create(path)
        secret = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot use CSRF secret file {path}: {exc}") from None
    if len(secret) < 32:
        raise SettingsError(f"CSRF secret file {path} holds fewer than 32 characters")
    return secret.encode()


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two web servers starting at once must not overwrite each other's secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")


@dataclass(frozen=True)
class CsrfGuard:
    secret: bytes
    origin: str  # scheme://host[:port], as browsers send it
    secure: bool

    @property
    def cookie(self) -> str:
        return "__Host-starstats_csrf" if self.secure else "starstats_csrf"

    def token_for(self, value: str) -> str:
        digest = hmac.new(self.secret, b"csrf\x00" + value.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def browser_value(self, request: Request) -> str:
        """This browser's value: from its cookie, or minted now (the response sets it)."""
        value = request.cookies.get(self.cookie)
        if value and len(value) <= 128:
            return value
        minted: str | None = getattr(request.state, _STATE_KEY, None)
        if minted is None:
            minted = secrets.token_urlsafe(32)
            setattr(request.state, _STATE_KEY, minted)
        return minted

    def token(self, request: Request) -> str:
        """The token forms on this page carry."""
        return self.token_for(self.browser_value(request))

    def refusal(self, request: Request, submitted: str | None) -> str | None:
        """Why this post must be refused, or None when it is genuine."""
        source = request.headers.get("origin")
        if source is None and request.headers.get("referer"):
            parts = urlsplit(request.headers["referer"])
            source = f"{parts.scheme}://{parts.netloc}"
        if source is not None and source != self.origin:
            return f"posted from {source}, not {self.origin}"
        value = request.cookies.get(self.cookie)
        if not value:
            return "no CSRF cookie"
        if not submitted or not hmac.compare_digest(self.token_for(value), submitted):
            return "missing or wrong CSRF token"
        return None


def minted_value(request_state: dict[str, object]) -> str | None:
    """The browser value minted while handling this request (raw ASGI `scope["state"]`)."""
    value = request_state.get(_STATE_KEY)
    return value if isinstance(value, str) else None
