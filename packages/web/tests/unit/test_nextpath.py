"""The `next` parameter after logging in only ever leads to a path on this site."""

import pytest

from starstats_web.nextpath import DEFAULT, login_url, safe_next


@pytest.mark.parametrize(
    "target",
    [
        "/dashboard",
        "/devices",
        "/dashboard?days=7&type=join_pu",
        "/dashboard?since=2026-05-01#activity",
        "/%2F%2Fevil.example",  # percent-encoded slashes stay a path on this site
    ],
)
def test_a_path_on_this_site_is_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/dashboard",
        "///evil.example",
        "https://evil.example/",
        "http://127.0.0.1:3000/dashboard",  # even our own origin: only relative paths
        "javascript:alert(1)",
        "dashboard",
        "/\\evil.example",
        "\\\\evil.example",
        "/dash\\board",
        "/\t/evil.example",  # browsers drop tabs and newlines: this would become //evil
        "/\n/evil.example",
        "/ /evil.example",
        "/x\x00",
        "/" + "a" * 5000,
    ],
)
def test_anything_else_falls_back_to_the_dashboard(target: str | None) -> None:
    assert safe_next(target) == DEFAULT


def test_the_login_url_carries_next_encoded() -> None:
    assert login_url("/devices") == "/auth/login?next=%2Fdevices"
    assert login_url("/dashboard?days=7&type=x") == (
        "/auth/login?next=%2Fdashboard%3Fdays%3D7%26type%3Dx"
    )


def test_the_login_url_omits_next_for_the_default_or_a_foreign_target() -> None:
    assert login_url("/dashboard") == "/auth/login"
    assert login_url("//evil.example") == "/auth/login"


def test_the_login_url_can_say_the_session_ended() -> None:
    assert login_url("/dashboard", expired=True) == "/auth/login?notice=session_expired"
    assert login_url("/devices", expired=True) == (
        "/auth/login?next=%2Fdevices&notice=session_expired"
    )
