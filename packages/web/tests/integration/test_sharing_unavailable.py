"""An API without SpiceDB (the default configuration here): sharing, orgs and profiles
answer 503 `spicedb_unavailable`, and the web app explains that instead of failing, while
the player's own pages keep working."""

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    Stack,
    csrf_of,
    logged_in,
    post_form,
    sign_up_via_api,
)

EXPLAINED = "is not available on this server"


def test_the_sharing_and_orgs_pages_explain_instead_of_failing(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    assert stack.api("GET", "/v1/me/visibility", pilot.token).json()["error"] == (
        "spicedb_unavailable"
    )
    with logged_in(stack, pilot) as client:
        sharing = client.get("/sharing")
        assert sharing.status_code == 200
        assert f"Sharing {EXPLAINED}" in sharing.text
        assert 'action="/sharing/share"' not in sharing.text
        orgs = client.get("/orgs")
        assert orgs.status_code == 200
        assert f"Orgs {EXPLAINED}" in orgs.text
        assert 'action="/orgs"' not in orgs.text
        assert client.get("/dashboard").status_code == 200
        assert client.get("/devices").status_code == 200
        assert client.get("/settings").status_code == 200


def test_actions_and_profiles_get_a_503_page_that_says_why(stack: Stack) -> None:
    pilot, other = sign_up_via_api(stack), sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        for path, data in [
            ("/sharing/visibility", {"public": "true"}),
            ("/sharing/share", {"handle": other.handle}),
            ("/sharing/org", {"org_slug": "red"}),
            ("/orgs", {"name": "Red", "slug": "red"}),
            (f"/sharing/share/{other.handle}/revoke", {}),
        ]:
            page = post_form(client, path, data, "/dashboard")
            assert page.status_code == 503, path
            assert f"Sharing {EXPLAINED}" in page.text, path
        for path in (f"/u/{other.handle}", "/orgs/red", f"/sharing/share/{other.handle}/revoke"):
            page = client.get(path)
            assert page.status_code == 503, path
            assert f"Sharing {EXPLAINED}" in page.text
    with stack.browser() as visitor:
        page = visitor.get(f"/u/{other.handle}")
        assert page.status_code == 503
        assert f"Sharing {EXPLAINED}" in page.text
        assert 'href="/auth/login"' in page.text


def test_an_account_can_be_deleted_without_spicedb(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        confirm = client.get("/settings/delete")
        done = client.post(
            "/settings/delete",
            data={"password": "correct horse battery staple", "csrf_token": csrf_of(confirm.text)},
        )
    assert done.headers["location"] == "/auth/login?notice=account_deleted"
