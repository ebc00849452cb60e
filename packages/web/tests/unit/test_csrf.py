"""CSRF tokens: an HMAC of the browser's own cookie value under the server's secret, checked
together with the Origin (or Referer) of the post; the secret is kept in a 0600 file."""

import stat
from pathlib import Path

import pytest
from starlette.requests import Request

from starstats_web.csrf import KEY_FILE_NAME, CsrfGuard, load_secret
from starstats_web.errors import SettingsError
from starstats_web.settings import WebSettings

ORIGIN = "https://stats.example"
GUARD = CsrfGuard(b"s" * 48, ORIGIN, secure=True)


def post(cookie: str | None = None, **headers: str) -> Request:
    raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    if cookie is not None:
        raw.append((b"cookie", f"{GUARD.cookie}={cookie}".encode()))
    return Request({"type": "http", "method": "POST", "path": "/auth/login", "headers": raw})


def test_a_same_origin_post_with_the_matching_token_passes() -> None:
    token = GUARD.token_for("browser-value")
    assert GUARD.refusal(post("browser-value", origin=ORIGIN), token) is None


def test_without_origin_the_referer_decides() -> None:
    token = GUARD.token_for("v")
    assert GUARD.refusal(post("v", referer=f"{ORIGIN}/auth/login?next=/x"), token) is None
    refused = GUARD.refusal(post("v", referer="https://evil.example/page"), token)
    assert refused == "posted from https://evil.example, not https://stats.example"


def test_a_post_from_another_origin_is_refused_even_with_a_valid_token() -> None:
    token = GUARD.token_for("v")
    assert GUARD.refusal(post("v", origin="https://evil.example"), token) is not None
    assert GUARD.refusal(post("v", origin="null"), token) is not None  # sandboxed frames
    assert GUARD.refusal(post("v", origin="http://stats.example"), token) is not None


def test_a_missing_or_wrong_token_is_refused() -> None:
    assert GUARD.refusal(post("v", origin=ORIGIN), None) == "missing or wrong CSRF token"
    assert GUARD.refusal(post("v", origin=ORIGIN), "") is not None
    assert GUARD.refusal(post("v", origin=ORIGIN), GUARD.token_for("other")) is not None


def test_a_post_without_the_cookie_is_refused() -> None:
    assert GUARD.refusal(post(None, origin=ORIGIN), GUARD.token_for("v")) == "no CSRF cookie"


def test_a_token_made_under_another_secret_is_refused() -> None:
    forged = CsrfGuard(b"x" * 48, ORIGIN, secure=True).token_for("v")
    assert GUARD.refusal(post("v", origin=ORIGIN), forged) is not None


def test_over_https_the_cookie_has_the_host_prefix() -> None:
    assert GUARD.cookie == "__Host-starstats_csrf"
    assert CsrfGuard(b"s" * 48, "http://127.0.0.1:3000", secure=False).cookie == "starstats_csrf"


def test_a_new_browser_gets_one_value_per_request() -> None:
    request = post(None)
    first = GUARD.browser_value(request)
    assert GUARD.browser_value(request) == first
    assert GUARD.browser_value(post(None)) != first
    assert GUARD.token(request) == GUARD.token_for(first)


def test_the_secret_file_is_created_0600_and_reused(tmp_path: Path) -> None:
    settings = WebSettings(web_data_dir=tmp_path / "web")
    first = load_secret(settings)
    path = tmp_path / "web" / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert load_secret(settings) == first


def test_a_configured_secret_wins_and_touches_no_file(tmp_path: Path) -> None:
    settings = WebSettings(web_data_dir=tmp_path / "web", csrf_secret="k" * 40)
    assert load_secret(settings) == b"k" * 40
    assert not (tmp_path / "web").exists()


def test_a_short_secret_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE_NAME).write_text("short\n")
    with pytest.raises(SettingsError, match="fewer than 32"):
        load_secret(WebSettings(web_data_dir=tmp_path))
