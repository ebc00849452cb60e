"""`/sharing` over real HTTP against the real API with the in-memory twin of SpiceDB: the
public switch and its URL, sharing with a player and with an org, the lists, revoking after a
confirmation step, the refusals next to the field, and CSRF."""

import re
from typing import Any

import httpx
import pytest

from starstats_server.authz.memory import MemoryAuthorizer
from starstats_web import present

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    Pilot,
    Stack,
    csrf_of,
    envelopes_for,
    ingest,
    logged_in,
    post_form,
    sign_up_via_api,
)


@pytest.fixture
def authorizer() -> MemoryAuthorizer:
    return MemoryAuthorizer()


def visible(stack: Stack, viewer: Pilot | None, owner: Pilot) -> int:
    """What the API answers `viewer` (None: anybody) asking for `owner`'s stats."""
    if viewer is None:
        return stack.api("GET", f"/v1/public/{owner.handle}/stats").status_code
    return stack.api("GET", f"/v1/u/{owner.handle}/stats", viewer.token).status_code


def shares_listed(page: httpx.Response, label: str) -> list[str]:
    """The handles (or org names) in the list named `label` on the sharing page."""
    found = re.search(rf'<ul class="share-list" aria-label="{label}">(.*?)</ul>', page.text, re.S)
    if found is None:
        return []
    return re.findall(r'class="who"[^>]*>(?:<a [^>]*>)?([^<]+)<', found.group(1))


def test_the_public_switch_shows_the_public_url_and_a_visitor_reads_the_stats(
    stack: Stack,
) -> None:
    owner = sign_up_via_api(stack)
    ingest(stack, owner.token, owner.handle, envelopes_for(owner.handle, seed=11))
    url = f"{stack.web_url}/u/{owner.handle}"
    with logged_in(stack, owner) as client:
        page = client.get("/sharing")
        assert page.status_code == 200
        assert '<span class="badge">Private</span>' in page.text
        assert url not in page.text
        assert visible(stack, None, owner) == 404

        made = post_form(client, "/sharing/visibility", {"public": "true"}, "/sharing")
        assert made.status_code == 303
        assert made.headers["location"] == "/sharing?notice=now_public"
        page = client.get(made.headers["location"])
        assert "Your stats are public" in page.text
        assert f'<a href="{url}" id="public-url">{url}</a>' in page.text
        assert visible(stack, None, owner) == 200
        with stack.browser() as visitor:
            profile = visitor.get(f"/u/{owner.handle}")
        assert profile.status_code == 200
        totals = stack.api("GET", "/v1/me/journey?days=30", owner.token).json()["totals"]
        play = present.duration(totals["play_seconds"])
        assert f'<span class="value">{play}</span>' in profile.text

        private = post_form(client, "/sharing/visibility", {"public": "false"}, "/sharing")
        assert private.headers["location"] == "/sharing?notice=now_private"
        assert url not in client.get("/sharing").text
    assert visible(stack, None, owner) == 404


def test_sharing_with_a_player_lists_them_both_ways_and_revoking_asks_first(
    stack: Stack,
) -> None:
    owner, friend = sign_up_via_api(stack), sign_up_via_api(stack)
    with logged_in(stack, owner) as client:
        done = post_form(client, "/sharing/share", {"handle": friend.handle.upper()}, "/sharing")
        assert done.status_code == 303
        assert done.headers["location"] == "/sharing?notice=shared"
        page = client.get(done.headers["location"])
        assert "Shared: that player can now open your profile." in page.text
        assert shares_listed(page, "Players you share with") == [friend.handle]
        revoke = f"/sharing/share/{friend.handle}/revoke"
        assert f'href="{revoke}"' in page.text
    assert visible(stack, friend, owner) == 200

    with logged_in(stack, friend) as other:
        theirs = other.get("/sharing")
        assert shares_listed(theirs, "Players who share with you") == [owner.handle]
        assert f'href="/u/{owner.handle}"' in theirs.text
        assert other.get(f"/u/{owner.handle}").status_code == 200

    with logged_in(stack, owner) as client:
        confirm = client.get(revoke)
        assert confirm.status_code == 200
        assert f"Stop sharing with {friend.handle}?" in confirm.text
        assert visible(stack, friend, owner) == 200  # the question changed nothing
        refused = client.post(revoke, data={})
        assert refused.status_code == 403
        assert visible(stack, friend, owner) == 200
        done = client.post(revoke, data={"csrf_token": csrf_of(confirm.text)})
        assert done.headers["location"] == "/sharing?notice=share_revoked"
        assert shares_listed(client.get("/sharing"), "Players you share with") == []
        again = client.post(revoke, data={"csrf_token": csrf_of(confirm.text)})
        assert again.headers["location"] == "/sharing?notice=share_gone"
        assert client.get(revoke).headers["location"] == "/sharing?notice=share_gone"
    assert visible(stack, friend, owner) == 404
    with logged_in(stack, friend) as other:
        gone = other.get(f"/u/{owner.handle}")
        assert gone.status_code == 404
        assert "No stats visible under this handle" in gone.text
        assert "Nobody has shared their stats with you yet." in other.get("/sharing").text


SHARE_REFUSALS = [
    ("", 400, "Enter the handle of the player to share with."),
    ("bad handle!", 400, "A handle is 1 to 64 letters, digits, underscores or hyphens."),
    ("Nobody_Here", 404, "No player has the handle “Nobody_Here”."),
    ("SELF", 400, "That is your own handle: your stats are already yours."),
]


def test_a_refused_share_is_explained_next_to_the_field(stack: Stack) -> None:
    owner = sign_up_via_api(stack, "Self")
    with logged_in(stack, owner) as client:
        for typed, status, message in SHARE_REFUSALS:
            page = post_form(client, "/sharing/share", {"handle": typed}, "/sharing")
            assert page.status_code == status, typed
            assert f'<p class="error" id="e-handle">{message}</p>' in page.text, typed
            assert f'value="{typed}"' in page.text
            assert 'aria-invalid="true"' in page.text
    assert stack.api("GET", "/v1/me/shares", owner.token).json()["shares"] == []


@pytest.mark.parametrize("api_overrides", [{"share_rate_per_minute": 2}])
def test_sharing_too_often_is_explained(stack: Stack, api_overrides: dict[str, Any]) -> None:
    owner = sign_up_via_api(stack)
    others = [sign_up_via_api(stack) for _ in range(3)]
    with logged_in(stack, owner) as client:
        for other in others[:2]:
            done = post_form(client, "/sharing/share", {"handle": other.handle}, "/sharing")
            assert done.status_code == 303
        page = post_form(client, "/sharing/share", {"handle": others[2].handle}, "/sharing")
    assert page.status_code == 429
    assert re.search(r"Try again in \d+ seconds\.", page.text)
    assert shares_listed(page, "Players you share with") == sorted(
        (o.handle for o in others[:2]), key=str.lower
    )


def test_sharing_with_an_org_from_the_select_and_revoking_it(stack: Stack) -> None:
    owner, mate = sign_up_via_api(stack), sign_up_via_api(stack)
    created = stack.api("POST", "/v1/orgs", owner.token, json={"name": "Red Wing", "slug": "red"})
    assert created.status_code == 201, created.text
    added = stack.api("POST", "/v1/orgs/red/members", owner.token, json={"handle": mate.handle})
    assert added.status_code == 200, added.text
    with logged_in(stack, owner) as client:
        page = client.get("/sharing")
        assert '<option value="red">Red Wing (red)</option>' in page.text
        done = post_form(client, "/sharing/org", {"org_slug": "red"}, "/sharing")
        assert done.headers["location"] == "/sharing?notice=org_shared"
        page = client.get("/sharing")
        assert shares_listed(page, "Orgs you share with") == ["Red Wing"]
        assert "Your stats are shared with every org you are in." in page.text
        assert '<option value="red">' not in page.text
        not_mine = post_form(client, "/sharing/org", {"org_slug": "blue"}, "/sharing")
        assert not_mine.status_code == 400
        assert "You are not a member of that org (any more)." in not_mine.text
        nothing = post_form(client, "/sharing/org", {"org_slug": ""}, "/sharing")
        assert "Choose one of your orgs." in nothing.text
    assert visible(stack, mate, owner) == 200
    with logged_in(stack, mate) as other:
        theirs = other.get("/sharing")
        assert shares_listed(theirs, "Players who share with you") == [owner.handle]
        assert 'through <a href="/orgs/red">red</a>' in theirs.text

    with logged_in(stack, owner) as client:
        confirm = client.get("/sharing/org/red/revoke")
        assert "Stop sharing with Red Wing?" in confirm.text
        done = client.post("/sharing/org/red/revoke", data={"csrf_token": csrf_of(confirm.text)})
        assert done.headers["location"] == "/sharing?notice=org_share_revoked"
        assert shares_listed(client.get("/sharing"), "Orgs you share with") == []
        assert client.get("/sharing/org/red/revoke").headers["location"] == (
            "/sharing?notice=share_gone"
        )
    assert visible(stack, mate, owner) == 404


def test_a_player_in_no_org_is_pointed_at_the_orgs_page(stack: Stack) -> None:
    with logged_in(stack, sign_up_via_api(stack)) as client:
        page = client.get("/sharing")
    assert "You are not in any org yet." in page.text
    assert 'href="/orgs"' in page.text


def test_sharing_forms_need_their_csrf_token(stack: Stack) -> None:
    owner, friend = sign_up_via_api(stack), sign_up_via_api(stack)
    with logged_in(stack, owner) as client:
        client.get("/sharing")
        for path, data in [
            ("/sharing/visibility", {"public": "true"}),
            ("/sharing/share", {"handle": friend.handle}),
            ("/sharing/org", {"org_slug": "red"}),
        ]:
            refused = client.post(path, data=data)
            assert refused.status_code == 403, path
            assert "That form could not be accepted" in refused.text
        token = csrf_of(client.get("/sharing").text)
        foreign = client.post(
            "/sharing/visibility",
            data={"csrf_token": token, "public": "true"},
            headers={"Origin": "https://evil.example"},
        )
        assert foreign.status_code == 403
    assert visible(stack, None, owner) == 404
    assert visible(stack, friend, owner) == 404


def test_sharing_pages_need_a_session(stack: Stack) -> None:
    with stack.browser() as client:
        response = client.get("/sharing")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/login?next=%2Fsharing"
