"""Where to send the browser after logging in: the `next` parameter, only when it is a path
on this site. Anything else (`//evil.example`, `https://…`, backslashes, which browsers read
as slashes, control characters, which they strip) falls back to the dashboard, so a link to
our login page can never forward a player to a look-alike site."""

from urllib.parse import urlencode, urlsplit

DEFAULT = "/dashboard"
MAX_LENGTH = 2048


def safe_next(raw: str | None, default: str = DEFAULT) -> str:
    """`raw` when it is a same-site relative path (with optional query), else `default`."""
    if not raw or len(raw) > MAX_LENGTH:
        return default
    if not raw.startswith("/") or raw.startswith("//"):
        return default
    if "\\" in raw or any(ord(c) < 0x21 or ord(c) == 0x7F for c in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw


def login_url(next_path: str, *, expired: bool = False) -> str:
    """The login page that comes back to `next_path` afterwards; `expired` adds the notice
    that the session ended (rather than never existed)."""
    params = {}
    target = safe_next(next_path)
    if target != DEFAULT:
        params["next"] = target
    if expired:
        params["notice"] = "session_expired"
    return "/auth/login" + ("?" + urlencode(params) if params else "")
