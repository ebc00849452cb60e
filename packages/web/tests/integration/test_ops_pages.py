"""What every response carries (security headers), the error pages (404, a dead API as a
clear 503, never a traceback), liveness/readiness, and the Prometheus metrics."""

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from starstats_web.app import create_app
from starstats_web.security import CONTENT_SECURITY_POLICY
from starstats_web.session import COOKIE
from starstats_web.settings import WebSettings

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    PASSWORD,
    Stack,
    csrf_of,
    logged_in,
    post_form,
    sign_up_via_api,
)


def assert_secure_headers(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_pages_static_files_and_errors_all_carry_the_security_headers(stack: Stack) -> None:
    with stack.browser() as client:
        login = client.get("/auth/login")
        assert login.headers["cache-control"] == "no-store"
        css = client.get("/static/app.css")
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        linked = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{12})"', login.text)
        assert linked is not None
        cached = client.get(linked.group(1))
        assert cached.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "immutable" not in css.headers.get("cache-control", "")  # unversioned URL
        for response in (login, css, client.get("/nowhere"), client.get("/healthz")):
            assert_secure_headers(response)


def test_the_pages_link_only_same_origin_scripts_and_styles(stack: Stack) -> None:
    with stack.browser() as client:
        html = client.get("/auth/signup").text
    assert "<script>" not in html
    assert "<style" not in html
    assert " style=" not in html
    assert '<script src="/static/app.js?v=' in html
    assert '<link rel="stylesheet" href="/static/app.css?v=' in html


def test_an_unknown_page_is_a_friendly_404(stack: Stack) -> None:
    with stack.browser() as client:
        response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Nothing at these coordinates" in response.text
    assert "Traceback" not in response.text


def test_a_bad_parameter_is_a_friendly_400(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        response = client.get("/devices/not-a-uuid/revoke")
    assert response.status_code == 400
    assert "That link has a bad parameter" in response.text


def test_a_dead_api_is_a_clear_503_not_a_traceback(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client, stack.browser() as anonymous:
        token = csrf_of(client.get("/devices").text)
        stack.servers[1].stop()  # the API
        for response in (
            client.get("/dashboard"),
            client.get("/devices"),
            client.post("/devices/pair", data={"csrf_token": token}),
            post_form(
                anonymous,
                "/auth/login",
                {"email": pilot.email, "password": PASSWORD},
                "/auth/login",  # the login form itself needs no API
            ),
        ):
            assert response.status_code == 503
            assert "The StarStats API is unreachable" in response.text
            assert response.headers["retry-after"] == "30"
            assert "Traceback" not in response.text
            assert_secure_headers(response)
        assert client.get("/healthz").json()["status"] == "ok"
        assert client.get("/readyz").status_code == 503
        stack.servers[1].start()
        assert client.get("/readyz").json()["status"] == "ok"
        assert client.get("/dashboard").status_code == 200


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.mark.parametrize("api_overrides", [{"auth_rate_per_minute": 3}])
def test_metrics_count_auth_outcomes_and_time_pages_by_template(
    stack: Stack, api_overrides: dict[str, Any]
) -> None:
    pilot = sign_up_via_api(stack)
    wrong = {"email": pilot.email, "password": "wrong password"}
    right = {"email": pilot.email, "password": PASSWORD}
    with stack.browser() as first, stack.browser() as other, stack.browser() as client:
        post_form(first, "/auth/login", wrong, "/auth/login")
        first.post("/auth/login", data=right)  # no CSRF token: refused here, not at the API
        post_form(client, "/auth/login", right, "/auth/login")
        post_form(other, "/auth/login", wrong, "/auth/login")
        post_form(other, "/auth/login", wrong, "/auth/login")  # the API's 4th from this address
        client.get("/dashboard")
        client.get("/activity")
        client.get(f"/devices/{'0' * 8}-0000-0000-0000-{'0' * 12}/revoke")
        text = client.get("/api/metrics").text
    found = samples(text)

    def auth(action: str, outcome: str) -> float:
        key = ("starstats_web_auth_attempts_total", (("action", action), ("outcome", outcome)))
        return found.get(key, 0.0)

    assert auth("login", "rejected") == 2
    assert auth("login", "csrf") == 1
    assert auth("login", "ok") == 1
    assert auth("login", "rate_limited") == 1
    routes = {
        dict(labels)["route"]
        for (name, labels) in found
        if name == "starstats_web_page_render_duration_seconds_count"
    }
    assert {"auth/login.html", "dashboard.html", "activity.html", "errors/forbidden.html"} <= routes
    assert all(not route.startswith("/") for route in routes)  # templates, never raw paths
    endpoints = {
        dict(labels)["endpoint"]
        for (name, labels) in found
        if name == "starstats_web_api_call_duration_seconds_count"
    }
    assert {"/v1/auth/login", "/v1/me/events", "/v1/auth/devices"} <= endpoints
    assert pilot.handle not in text
    assert pilot.email not in text


def test_a_huge_form_post_is_refused_before_it_is_read(stack: Stack) -> None:
    with stack.browser() as client:
        token = csrf_of(client.get("/auth/login").text)
        body = {"csrf_token": token, "email": "x" * 100_000, "password": "y"}
        response = client.post("/auth/login", data=body)
    assert response.status_code == 413
    assert "Too much at once" in response.text


def test_an_api_url_pointing_at_the_wrong_server_is_a_500_page_not_a_traceback(
    stack: Stack, tmp_path: Path, uvicorn_thread: Any
) -> None:
    """STARSTATS_API_URL set to a server that is not the API (here: the web app itself).
    Its answers are not the API's, so the page cannot be built: a plain 500 page."""
    pilot = sign_up_via_api(stack)
    settings = WebSettings(
        api_url=stack.web_url, cookie_secure=False, web_data_dir=tmp_path / "web"
    )
    wrong = uvicorn_thread(create_app(settings)).start()
    try:
        with httpx.Client(base_url=wrong.url, cookies={COOKIE: pilot.token}) as client:
            response = client.get("/dashboard")
    finally:
        wrong.stop()
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Traceback" not in response.text
    assert_secure_headers(response)
