"""`/orgs` and `/orgs/{slug}` over real HTTP with the in-memory twin of SpiceDB: creating an
org (and its refusals next to the field), members and roles, adding and removing members,
leaving, deleting, what is shared with the org, the 404 for outsiders, and CSRF."""

import re

import httpx
import pytest

from starstats_server.authz.memory import MemoryAuthorizer

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    Pilot,
    Stack,
    csrf_of,
    logged_in,
    post_form,
    sign_up_via_api,
)


@pytest.fixture
def authorizer() -> MemoryAuthorizer:
    return MemoryAuthorizer()


def members(page: httpx.Response) -> dict[str, str]:
    """handle -> role as the org page lists them."""
    found = re.search(r'<ul class="member-list"[^>]*>(.*?)</ul>', page.text, re.S)
    assert found is not None, page.text
    rows = re.findall(
        r'<span class="who">([^<]+?)(?: <span[^>]*>\(you\)</span>)?</span>\s*'
        r'<span class="role role-(\w+)">',
        found.group(1),
    )
    return dict(rows)


def make_org(stack: Stack, owner: Pilot, slug: str = "red", *mates: Pilot) -> None:
    made = stack.api("POST", "/v1/orgs", owner.token, json={"name": "Red Wing", "slug": slug})
    assert made.status_code == 201, made.text
    for mate in mates:
        added = stack.api(
            "POST", f"/v1/orgs/{slug}/members", owner.token, json={"handle": mate.handle}
        )
        assert added.status_code == 200, added.text


def test_creating_an_org_makes_me_its_owner(stack: Stack) -> None:
    owner = sign_up_via_api(stack)
    with logged_in(stack, owner) as client:
        empty = client.get("/orgs")
        assert empty.status_code == 200
        assert "You are not in any org yet." in empty.text
        done = post_form(client, "/orgs", {"name": "  Red   Wing ", "slug": "Red-Wing"}, "/orgs")
        assert done.status_code == 303
        assert done.headers["location"] == "/orgs/red-wing?notice=org_created"
        page = client.get(done.headers["location"])
        assert page.status_code == 200
        assert '<h1 class="page-title">Red Wing</h1>' in page.text
        assert "Org created. You are its owner" in page.text
        assert members(page) == {owner.handle: "owner"}
        assert 'href="/orgs/red-wing/delete"' in page.text
        assert 'href="/orgs/red-wing/leave"' not in page.text
        assert "Add a member" in page.text
        listed = client.get("/orgs")
        assert '<a class="who" href="/orgs/red-wing">Red Wing</a>' in listed.text


CREATE_REFUSALS = [
    ("Red", "", "slug", "Choose a slug"),
    ("", "red", "name", "Give the org a name."),
    ("Red", "-red-", "slug", "A slug is 3 to 40 lowercase letters"),
    ("Red", "ab", "slug", "A slug is 3 to 40 lowercase letters"),
    ("Red", "red wing", "slug", "A slug is 3 to 40 lowercase letters"),
    ("R" * 81, "red", "name", "Give the org a name: 1 to 80 printable characters."),
    ("Red\x01", "red", "name", "Give the org a name: 1 to 80 printable characters."),
    ("Red", "taken", "slug", "An org with this slug already exists. Pick another."),
]


def test_a_refused_org_is_explained_next_to_the_field(stack: Stack) -> None:
    owner = sign_up_via_api(stack)
    make_org(stack, sign_up_via_api(stack), "taken")
    with logged_in(stack, owner) as client:
        for name, slug, field, message in CREATE_REFUSALS:
            page = post_form(client, "/orgs", {"name": name, "slug": slug}, "/orgs")
            assert page.status_code in (400, 409, 422), (name, slug)
            error = re.search(rf'<p class="error" id="e-{field}">([^<]+)</p>', page.text)
            assert error is not None, (name, slug)
            assert error.group(1).startswith(message), (name, slug, error.group(1))
            assert f'value="{slug}"' in page.text
    assert stack.api("GET", "/v1/orgs", owner.token).json()["orgs"] == []


def test_an_admin_adds_members_and_changes_roles(stack: Stack) -> None:
    owner, mate, newcomer = (sign_up_via_api(stack) for _ in range(3))
    make_org(stack, owner, "red", mate)
    with logged_in(stack, owner) as client:
        page = client.get("/orgs/red")
        assert members(page) == {owner.handle: "owner", mate.handle: "member"}
        done = post_form(
            client, "/orgs/red/members", {"handle": mate.handle, "role": "admin"}, "/orgs/red"
        )
        assert done.headers["location"] == "/orgs/red?notice=member_saved"
        assert members(client.get("/orgs/red"))[mate.handle] == "admin"
    with logged_in(stack, mate) as client:
        page = client.get("/orgs/red")
        assert "Add a member" in page.text  # an admin now
        assert 'href="/orgs/red/leave"' in page.text
        assert 'href="/orgs/red/delete"' not in page.text
        done = post_form(client, "/orgs/red/members", {"handle": newcomer.handle}, "/orgs/red")
        assert done.status_code == 303
        assert members(client.get("/orgs/red"))[newcomer.handle] == "member"
        # Not even an admin removes the owner.
        kick = post_form(client, f"/orgs/red/members/{owner.handle}/remove", {}, "/orgs/red")
        assert kick.headers["location"] == "/orgs/red?notice=owner_stays"
        assert "The owner cannot leave or be removed" in client.get(kick.headers["location"]).text


MEMBER_REFUSALS = [
    ("", "member", 400, "Enter the handle of the player to add."),
    ("no such!", "member", 400, "A handle is 1 to 64 letters"),
    ("Nobody_Here", "member", 404, "No player has the handle “Nobody_Here”."),
    ("OWNER", "admin", 400, "The owner's role cannot be changed."),
    ("Mate", "owner", 400, "A member's role is member or admin."),
]


def test_a_refused_member_change_is_explained(stack: Stack) -> None:
    owner = sign_up_via_api(stack, "Owner")
    make_org(stack, owner, "red", sign_up_via_api(stack, "Mate"))
    with logged_in(stack, owner) as client:
        for handle, role, status, message in MEMBER_REFUSALS:
            data = {"handle": handle, "role": role}
            page = post_form(client, "/orgs/red/members", data, "/orgs/red")
            assert page.status_code == status, handle
            assert message in page.text.replace("&#39;", "'"), handle
    assert len(stack.api("GET", "/v1/orgs/red", owner.token).json()["members"]) == 2


def test_a_plain_member_sees_no_management_and_cannot_manage(stack: Stack) -> None:
    owner, mate, other = (sign_up_via_api(stack) for _ in range(3))
    make_org(stack, owner, "red", mate)
    with logged_in(stack, mate) as client:
        page = client.get("/orgs/red")
        assert page.status_code == 200
        assert "Add a member" not in page.text
        assert "/remove" not in page.text
        token = csrf_of(page.text)
        refused = client.post(
            "/orgs/red/members", data={"csrf_token": token, "handle": other.handle}
        )
        assert refused.status_code == 403
        assert "Only the org&#39;s admins and its owner can add members" in refused.text
        kick = client.post(f"/orgs/red/members/{owner.handle}/remove", data={"csrf_token": token})
        assert kick.headers["location"] == "/orgs/red?notice=not_org_admin"
        delete = client.post("/orgs/red/delete", data={"csrf_token": token})
        assert delete.headers["location"] == "/orgs/red?notice=not_org_admin"
        assert client.get("/orgs/red/delete").headers["location"] == (
            "/orgs/red?notice=not_org_admin"
        )
    assert len(stack.api("GET", "/v1/orgs/red", owner.token).json()["members"]) == 2


def test_removing_a_member_asks_first(stack: Stack) -> None:
    owner, mate = sign_up_via_api(stack), sign_up_via_api(stack)
    make_org(stack, owner, "red", mate)
    path = f"/orgs/red/members/{mate.handle}/remove"
    with logged_in(stack, owner) as client:
        page = client.get("/orgs/red")
        assert f'href="{path}"' in page.text
        confirm = client.get(path)
        assert f"Remove {mate.handle} from Red Wing?" in confirm.text
        assert mate.handle in members(client.get("/orgs/red"))
        assert client.post(path, data={}).status_code == 403
        done = client.post(path, data={"csrf_token": csrf_of(confirm.text)})
        assert done.headers["location"] == "/orgs/red?notice=member_removed"
        assert members(client.get("/orgs/red")) == {owner.handle: "owner"}
        again = client.post(path, data={"csrf_token": csrf_of(confirm.text)})
        assert again.headers["location"] == "/orgs/red?notice=member_gone"
        assert client.get(path).headers["location"] == "/orgs/red?notice=member_gone"
    with logged_in(stack, mate) as client:
        assert client.get("/orgs/red").status_code == 404


def test_leaving_an_org(stack: Stack) -> None:
    owner, mate = sign_up_via_api(stack), sign_up_via_api(stack)
    make_org(stack, owner, "red", mate)
    with logged_in(stack, owner) as client:
        assert client.get("/orgs/red/leave").headers["location"] == "/orgs/red?notice=owner_stays"
    with logged_in(stack, mate) as client:
        confirm = client.get("/orgs/red/leave")
        assert "Leave Red Wing?" in confirm.text
        done = client.post("/orgs/red/leave", data={"csrf_token": csrf_of(confirm.text)})
        assert done.headers["location"] == "/orgs?notice=left_org"
        assert "You left the org" in client.get(done.headers["location"]).text
        assert client.get("/orgs/red").status_code == 404
        again = client.post("/orgs/red/leave", data={"csrf_token": csrf_of(confirm.text)})
        assert again.headers["location"] == "/orgs?notice=org_gone"


def test_deleting_an_org_asks_first_and_ends_its_shares(stack: Stack) -> None:
    owner, mate = sign_up_via_api(stack), sign_up_via_api(stack)
    make_org(stack, owner, "red", mate)
    shared = stack.api("POST", "/v1/me/share/org", mate.token, json={"org_slug": "red"})
    assert shared.status_code == 200
    with logged_in(stack, owner) as client:
        confirm = client.get("/orgs/red/delete")
        assert "Delete Red Wing?" in confirm.text
        assert "1 other member and every share" in confirm.text
        assert client.post("/orgs/red/delete", data={}).status_code == 403
        assert client.get("/orgs/red").status_code == 200
        done = client.post("/orgs/red/delete", data={"csrf_token": csrf_of(confirm.text)})
        assert done.headers["location"] == "/orgs?notice=org_deleted"
        assert "You are not in any org yet." in client.get("/orgs").text
        assert client.get("/orgs/red/delete").status_code == 404
    assert stack.api("GET", f"/v1/u/{mate.handle}/stats", owner.token).status_code == 404


def test_what_members_share_with_the_org_is_listed_and_can_be_shared_from_here(
    stack: Stack,
) -> None:
    owner, mate = sign_up_via_api(stack), sign_up_via_api(stack)
    make_org(stack, owner, "red", mate)
    with logged_in(stack, mate) as client:
        page = client.get("/orgs/red")
        assert "No member shares their stats with the org yet." in page.text
        done = post_form(
            client, "/sharing/org", {"org_slug": "red", "back": "/orgs/red"}, "/orgs/red"
        )
        assert done.headers["location"] == "/orgs/red?notice=org_shared"
        page = client.get("/orgs/red")
        assert f'<a class="who" href="/u/{mate.handle}">{mate.handle}</a>' in page.text
        assert 'href="/sharing/org/red/revoke"' in page.text
        # A foreign `back` is ignored.
        done = post_form(
            client, "/sharing/org", {"org_slug": "red", "back": "//evil.example"}, "/orgs/red"
        )
        assert done.headers["location"] == "/sharing?notice=org_shared"
    with logged_in(stack, owner) as client:
        assert client.get(f"/u/{mate.handle}").status_code == 200


def test_outsiders_and_unknown_slugs_get_the_same_404(stack: Stack) -> None:
    owner, outsider = sign_up_via_api(stack), sign_up_via_api(stack)
    make_org(stack, owner, "red")
    with logged_in(stack, outsider) as client:
        texts = []
        for path in ("/orgs/red", "/orgs/blue", "/orgs/x"):
            page = client.get(path)
            assert page.status_code == 404, path
            assert "No org here" in page.text
            texts.append(page.text)
        assert texts[0] == texts[1] == texts[2]
        for path in (
            "/orgs/red/leave",
            "/orgs/red/delete",
            f"/orgs/red/members/{owner.handle}/remove",
        ):
            assert client.get(path).status_code == 404, path
        token = csrf_of(client.get("/orgs").text)
        post = client.post("/orgs/red/members", data={"csrf_token": token, "handle": "x"})
        assert post.headers["location"] == "/orgs?notice=org_gone"
        delete = client.post("/orgs/red/delete", data={"csrf_token": token})
        assert delete.headers["location"] == "/orgs?notice=org_gone"
    assert stack.api("GET", "/v1/orgs/red", owner.token).status_code == 200


def test_org_forms_need_their_csrf_token(stack: Stack) -> None:
    owner = sign_up_via_api(stack)
    with logged_in(stack, owner) as client:
        client.get("/orgs")
        refused = client.post("/orgs", data={"name": "Red", "slug": "red"})
        assert refused.status_code == 403
    assert stack.api("GET", "/v1/orgs", owner.token).json()["orgs"] == []
