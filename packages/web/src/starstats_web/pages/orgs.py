"""`/orgs`: the orgs I belong to and creating one; `/orgs/{slug}`: its members and roles,
adding a member or changing a role (admins and the owner), removing a member, leaving,
deleting the org (its owner), each destructive step after a confirmation page, and the
members who shared their stats with the org. A non-member gets the 404 an unknown slug gets.
"""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from starstats_web import api_models as m
from starstats_web import names
from starstats_web.errors import ApiEndpointMissing, ApiError, SharingUnavailable
from starstats_web.pages.auth import FormErrors
from starstats_web.pages.deps import State, Token, csrf_protected
from starstats_web.state import WebState

router = APIRouter(prefix="/orgs")

SLUG_HINT = "3 to 40 lowercase letters, digits and hyphens; not starting or ending with one."
MANAGERS = frozenset({m.Role.owner, m.Role.admin})


def _to(slug: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"/orgs/{slug}?notice={notice}", status_code=303)


def _gone() -> RedirectResponse:
    return RedirectResponse("/orgs?notice=org_gone", status_code=303)


# -- my orgs, and creating one ---------------------------------------------------------------
async def _list_page(
    request: Request,
    state: WebState,
    token: str,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    try:
        orgs: list[m.OrgOut] | None = (await state.api.orgs(token)).orgs
    except (SharingUnavailable, ApiEndpointMissing):
        orgs = None
    return state.pages.render(
        request,
        "orgs.html",
        {
            "orgs": orgs or [],
            "unavailable": orgs is None,
            "errors": errors or FormErrors(),
            "values": values or {},
        },
        status=status,
    )


@router.get("")
async def orgs_page(request: Request, state: State, token: Token) -> Response:
    return await _list_page(request, state, token)


def _create_errors(exc: ApiError) -> FormErrors | None:
    name_text = "Give the org a name: 1 to 80 printable characters."
    messages = {
        "invalid_slug": ("slug", f"A slug is {SLUG_HINT}"),
        "slug_taken": ("slug", "An org with this slug already exists. Pick another."),
        "invalid_name": ("name", name_text),
    }
    if exc.code in messages:
        where, text = messages[exc.code]
        return FormErrors(fields={where: text})
    if exc.code == "invalid_request":  # the schema's checks: "<field>: <why>"
        if exc.detail.startswith("name"):
            return FormErrors(fields={"name": name_text})
        return FormErrors(fields={"slug": f"A slug is {SLUG_HINT}"})
    return None


@router.post("", dependencies=[Depends(csrf_protected())])
async def create_org(
    request: Request,
    *,
    state: State,
    token: Token,
    name: Annotated[str, Form()] = "",
    slug: Annotated[str, Form()] = "",
) -> Response:
    values = {"name": name.strip(), "slug": slug.strip()}
    errors = FormErrors()
    if not values["name"]:
        errors.fields["name"] = "Give the org a name."
    if not values["slug"]:
        errors.fields["slug"] = "Choose a slug: it is the org's address, /orgs/<slug>."
    if errors.fields:
        return await _list_page(request, state, token, errors=errors, values=values, status=400)
    try:
        created = await state.api.create_org(token, values["name"], values["slug"])
    except ApiError as exc:
        found = _create_errors(exc)
        if found is None:
            raise
        return await _list_page(
            request, state, token, errors=found, values=values, status=exc.status
        )
    return _to(created.slug, "org_created")


# -- one org -----------------------------------------------------------------------------------
async def _org_or_none(state: WebState, token: str, slug: str) -> m.OrgDetailOut | None:
    """The org, or None when it is not there for me (unknown slug or not a member)."""
    if not names.is_slug(slug):
        return None
    try:
        return await state.api.org(token, slug)
    except ApiError as exc:
        if exc.status != 404:
            raise
        return None


def _missing(request: Request, state: WebState) -> Response:
    return state.pages.render(
        request,
        "errors/not_found.html",
        {
            "status": 404,
            "heading": "No org here",
            "message": "No org with this address exists, or you are not one of its members.",
            "back": ("/orgs", "Back to your orgs"),
        },
        status=404,
    )


async def _org_page(
    request: Request,
    state: WebState,
    token: str,
    org: m.OrgDetailOut,
    *,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    me = await state.api.me(token)
    mine = me.claimed_handle.lower()
    return state.pages.render(
        request,
        "org.html",
        {
            "org": org,
            "me_handle": mine,
            "can_manage": org.my_role in MANAGERS,
            "is_owner": org.my_role is m.Role.owner,
            "i_share": any(h.lower() == mine for h in org.shared_by),
            "errors": errors or FormErrors(),
            "values": values or {"role": "member"},
        },
        status=status,
    )


@router.get("/{slug}")
async def org_page(request: Request, state: State, token: Token, slug: str) -> Response:
    org = await _org_or_none(state, token, slug)
    if org is None:
        return _missing(request, state)
    return await _org_page(request, state, token, org)


def _member_errors(exc: ApiError, handle: str) -> FormErrors | None:
    fields = {
        "user_not_found": f"No player has the handle “{handle}”.",
        "invalid_request": "A handle is 1 to 64 letters, digits, underscores or hyphens.",
    }
    forms = {
        "owner_role_fixed": "The owner's role cannot be changed.",
        "invalid_role": "A member's role is member or admin.",
        "not_org_admin": "Only the org's admins and its owner can add members or change roles.",
    }
    if exc.code in fields:
        return FormErrors(fields={"handle": fields[exc.code]})
    if exc.code in forms:
        return FormErrors(form=forms[exc.code])
    return None


@router.post("/{slug}/members", dependencies=[Depends(csrf_protected())])
async def set_member(
    request: Request,
    *,
    state: State,
    token: Token,
    slug: str,
    handle: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "member",
) -> Response:
    """Add a player with a role, or change a member's role (the same API call)."""
    org = await _org_or_none(state, token, slug)
    if org is None:
        return _gone()
    handle = handle.strip()
    values = {"handle": handle, "role": role}
    errors = None
    status = 400
    if not handle:
        errors = FormErrors(fields={"handle": "Enter the handle of the player to add."})
    elif not names.is_handle(handle):
        errors = FormErrors(
            fields={"handle": "A handle is 1 to 64 letters, digits, underscores or hyphens."}
        )
    elif role not in (m.Role.member.value, m.Role.admin.value):
        errors = FormErrors(form="A member's role is member or admin.")
    else:
        try:
            await state.api.set_member(token, org.slug, handle, m.Role(role))
        except ApiError as exc:
            if exc.status == 404 and exc.code != "user_not_found":
                return _gone()
            errors = _member_errors(exc, handle)
            if errors is None:
                raise
            status = exc.status
    if errors is not None:
        return await _org_page(
            request, state, token, org, errors=errors, values=values, status=status
        )
    return _to(org.slug, "member_saved")


@router.get("/{slug}/members/{handle}/remove")
async def confirm_remove(
    request: Request, state: State, token: Token, slug: str, handle: str
) -> Response:
    org = await _org_or_none(state, token, slug)
    if org is None:
        return _missing(request, state)
    found = [x for x in org.members if x.handle.lower() == handle.lower()]
    if not found:
        return _to(org.slug, "member_gone")
    member = found[0]
    return state.pages.render(
        request,
        "confirm.html",
        {
            "title": f"Remove {member.handle} from {org.name}?",
            "text": (
                f"{member.handle} stops being a member of {org.name}: they no longer see the "
                "stats shared with the org, and their own share with it ends. They can be "
                "added again later."
            ),
            "action": f"/orgs/{org.slug}/members/{quote(member.handle, safe='')}/remove",
            "button": "Remove member",
            "cancel": f"/orgs/{org.slug}",
        },
    )


def _refusal(slug: str, exc: ApiError) -> RedirectResponse:
    """Where a refused membership change sends the browser, or the error re-raised."""
    if exc.code == "member_not_found":
        return _to(slug, "member_gone")
    if exc.code == "owner_cannot_leave":
        return _to(slug, "owner_stays")
    if exc.code == "not_org_admin":
        return _to(slug, "not_org_admin")
    if exc.code == "org_not_found":
        return _gone()
    raise exc


@router.post("/{slug}/members/{handle}/remove", dependencies=[Depends(csrf_protected())])
async def remove_member(state: State, token: Token, slug: str, handle: str) -> Response:
    if not names.is_slug(slug):
        return _gone()
    if not names.is_handle(handle):
        return _to(slug, "member_gone")
    try:
        await state.api.remove_member(token, slug, handle)
    except ApiError as exc:
        return _refusal(slug, exc)
    return _to(slug, "member_removed")


@router.get("/{slug}/leave")
async def confirm_leave(request: Request, state: State, token: Token, slug: str) -> Response:
    org = await _org_or_none(state, token, slug)
    if org is None:
        return _missing(request, state)
    if org.my_role is m.Role.owner:
        return _to(org.slug, "owner_stays")
    return state.pages.render(
        request,
        "confirm.html",
        {
            "title": f"Leave {org.name}?",
            "text": (
                f"You stop being a member of {org.name}: you no longer see the stats its "
                "members share with it, and your own share with it ends. An admin can add "
                "you again."
            ),
            "action": f"/orgs/{org.slug}/leave",
            "button": "Leave org",
            "cancel": f"/orgs/{org.slug}",
        },
    )


@router.post("/{slug}/leave", dependencies=[Depends(csrf_protected())])
async def leave(state: State, token: Token, slug: str) -> Response:
    if not names.is_slug(slug):
        return _gone()
    me = await state.api.me(token)
    try:
        await state.api.remove_member(token, slug, me.claimed_handle)
    except ApiError as exc:
        if exc.code == "member_not_found":
            return _gone()
        return _refusal(slug, exc)
    return RedirectResponse("/orgs?notice=left_org", status_code=303)


@router.get("/{slug}/delete")
async def confirm_delete(request: Request, state: State, token: Token, slug: str) -> Response:
    org = await _org_or_none(state, token, slug)
    if org is None:
        return _missing(request, state)
    if org.my_role is not m.Role.owner:
        return _to(org.slug, "not_org_admin")
    others = len(org.members) - 1
    return state.pages.render(
        request,
        "confirm.html",
        {
            "title": f"Delete {org.name}?",
            "text": (
                f"The org {org.name} ({org.slug}) is deleted for good, with its "
                f"{others} other member{'s' if others != 1 else ''} and every share with it: "
                "nobody sees stats through it any more. Players' own stats stay as they are."
            ),
            "action": f"/orgs/{org.slug}/delete",
            "button": "Delete org",
            "cancel": f"/orgs/{org.slug}",
        },
    )


@router.post("/{slug}/delete", dependencies=[Depends(csrf_protected())])
async def delete_org(state: State, token: Token, slug: str) -> Response:
    if not names.is_slug(slug):
        return _gone()
    try:
        await state.api.delete_org(token, slug)
    except ApiError as exc:
        return _refusal(slug, exc)
    return RedirectResponse("/orgs?notice=org_deleted", status_code=303)
