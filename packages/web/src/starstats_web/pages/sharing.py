"""`/sharing`: who may read my stats. The public switch (with the public URL), shares with
players and with my orgs (each revoked after a confirmation step), and the players who
shared with me. On an API without SpiceDB the page says sharing is unavailable there."""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from starstats_web import api_models as m
from starstats_web import names, present
from starstats_web.errors import (
    ApiEndpointMissing,
    ApiError,
    ApiRateLimited,
    SharingUnavailable,
)
from starstats_web.nextpath import safe_next
from starstats_web.pages.auth import FormErrors
from starstats_web.pages.deps import State, Token, csrf_protected
from starstats_web.state import WebState

router = APIRouter(prefix="/sharing")

HANDLE_HINT = "A handle is 1 to 64 letters, digits, underscores or hyphens."


@dataclass(frozen=True)
class SharedWithMe:
    """One player whose stats I may read, and every way they reach me."""

    handle: str
    direct: bool
    orgs: list[str]
    since: datetime  # the newest of those shares


@dataclass
class SharingView:
    me: m.Me | None = None
    public: bool = False
    shares: list[m.ShareOut] = field(default_factory=list)
    org_shares: list[m.OrgShareOut] = field(default_factory=list)
    orgs: list[m.OrgOut] = field(default_factory=list)  # mine, not yet shared with
    member_of: int = 0
    shared_with_me: list[SharedWithMe] = field(default_factory=list)
    unavailable: bool = False


def group_shared_with_me(items: list[m.SharedWithMeItem]) -> list[SharedWithMe]:
    """One row per player (direct and org shares together), newest share first."""
    rows: dict[str, SharedWithMe] = {}
    for item in items:
        key = item.owner_handle.lower()
        row = rows.get(key) or SharedWithMe(item.owner_handle, False, [], item.created_at)
        rows[key] = SharedWithMe(
            row.handle,
            row.direct or item.via_org is None,
            row.orgs + ([item.via_org] if item.via_org and item.via_org not in row.orgs else []),
            max(row.since, item.created_at),
        )
    return sorted(rows.values(), key=lambda r: (-r.since.timestamp(), r.handle.lower()))


def public_url(state: WebState, handle: str) -> str:
    return f"{state.settings.origin}/u/{quote(handle, safe='')}"


async def load(state: WebState, token: str) -> SharingView:
    try:
        me, visibility, shares, mine, orgs = await asyncio.gather(
            state.api.me(token),
            state.api.visibility(token),
            state.api.shared_with_me(token),
            state.api.my_shares(token),
            state.api.orgs(token),
        )
    except (SharingUnavailable, ApiEndpointMissing):
        # Without SpiceDB (or on an API from before sharing) the page explains, not fails.
        return SharingView(unavailable=True)
    shared_slugs = {s.org_slug for s in mine.org_shares}
    return SharingView(
        me=me,
        public=visibility.public,
        shares=mine.shares,
        org_shares=mine.org_shares,
        orgs=[o for o in orgs.orgs if o.slug not in shared_slugs],
        member_of=len(orgs.orgs),
        shared_with_me=group_shared_with_me(shares.shares),
    )


async def _page(
    request: Request,
    state: WebState,
    token: str,
    *,
    share_errors: FormErrors | None = None,
    org_errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    view = await load(state, token)
    return state.pages.render(
        request,
        "sharing.html",
        {
            "view": view,
            "public_url": public_url(state, view.me.claimed_handle) if view.me else "",
            "share_errors": share_errors or FormErrors(),
            "org_errors": org_errors or FormErrors(),
            "values": values or {},
        },
        status=status,
    )


def _wait(exc: ApiRateLimited) -> str:
    after = f"{exc.retry_after} seconds" if exc.retry_after else "a minute"
    return f"You shared with many players or orgs in the last minute. Try again in {after}."


@router.get("")
async def sharing_page(request: Request, state: State, token: Token) -> Response:
    return await _page(request, state, token)


@router.post("/visibility", dependencies=[Depends(csrf_protected())])
async def set_visibility(
    state: State, token: Token, public: Annotated[str, Form()] = ""
) -> Response:
    made = await state.api.set_visibility(token, public == "true")
    return RedirectResponse(
        f"/sharing?notice={'now_public' if made.public else 'now_private'}", status_code=303
    )


@router.post("/share", dependencies=[Depends(csrf_protected())])
async def share(
    request: Request, *, state: State, token: Token, handle: Annotated[str, Form()] = ""
) -> Response:
    handle = handle.strip()
    values = {"handle": handle}
    problem = None
    if not handle:
        problem = "Enter the handle of the player to share with."
    elif not names.is_handle(handle):
        problem = HANDLE_HINT
    if problem is not None:
        errors = FormErrors(fields={"handle": problem})
        return await _page(request, state, token, share_errors=errors, values=values, status=400)
    try:
        await state.api.share(token, handle)
    except ApiRateLimited as exc:
        errors = FormErrors(form=_wait(exc))
        return await _page(request, state, token, share_errors=errors, values=values, status=429)
    except ApiError as exc:
        messages = {
            "recipient_not_found": f"No player has the handle “{handle}”.",
            "cannot_share_with_self": "That is your own handle: your stats are already yours.",
            "invalid_request": HANDLE_HINT,
        }
        if exc.code not in messages:
            raise
        errors = FormErrors(fields={"handle": messages[exc.code]})
        return await _page(
            request, state, token, share_errors=errors, values=values, status=exc.status
        )
    return RedirectResponse("/sharing?notice=shared", status_code=303)


@router.get("/share/{handle}/revoke")
async def confirm_unshare(request: Request, state: State, token: Token, handle: str) -> Response:
    shares = (await state.api.my_shares(token)).shares if names.is_handle(handle) else []
    found = [s for s in shares if s.recipient_handle.lower() == handle.lower()]
    if not found:
        return RedirectResponse("/sharing?notice=share_gone", status_code=303)
    who = found[0].recipient_handle
    return state.pages.render(
        request,
        "confirm.html",
        {
            "title": f"Stop sharing with {who}?",
            "text": (
                f"{who} has been able to read your stats since {present.day(found[0].created_at)}. "
                "From now on they get the same “no stats visible” page as anyone else "
                "(unless your stats are public, or you share with an org of theirs)."
            ),
            "action": f"/sharing/share/{quote(who, safe='')}/revoke",
            "button": "Stop sharing",
            "cancel": "/sharing",
        },
    )


@router.post("/share/{handle}/revoke", dependencies=[Depends(csrf_protected())])
async def unshare(state: State, token: Token, handle: str) -> Response:
    if not names.is_handle(handle):
        return RedirectResponse("/sharing?notice=share_gone", status_code=303)
    try:
        await state.api.unshare(token, handle)
    except ApiError as exc:
        if exc.code != "share_not_found":
            raise
        return RedirectResponse("/sharing?notice=share_gone", status_code=303)
    return RedirectResponse("/sharing?notice=share_revoked", status_code=303)


@router.post("/org", dependencies=[Depends(csrf_protected())])
async def share_with_org(
    request: Request,
    *,
    state: State,
    token: Token,
    org_slug: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """Share with one of my orgs, from the sharing page's select or an org page's button
    (`back`: where to return, a path on this site)."""
    slug = org_slug.strip()
    problem = None
    if not slug:
        problem = "Choose one of your orgs."
    elif not names.is_slug(slug):
        problem = "That is not one of your orgs."
    else:
        try:
            await state.api.share_with_org(token, slug)
        except ApiRateLimited as exc:
            problem = _wait(exc)
        except ApiError as exc:
            if exc.code not in ("org_not_found", "invalid_request"):
                raise
            problem = "You are not a member of that org (any more)."
    if problem is not None:
        errors = FormErrors(form=problem)
        return await _page(request, state, token, org_errors=errors, status=400)
    target = safe_next(back, default="/sharing")
    separator = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{separator}notice=org_shared", status_code=303)


@router.get("/org/{slug}/revoke")
async def confirm_unshare_org(request: Request, state: State, token: Token, slug: str) -> Response:
    shares = (await state.api.my_shares(token)).org_shares if names.is_slug(slug) else []
    found = [s for s in shares if s.org_slug == slug.lower()]
    if not found:
        return RedirectResponse("/sharing?notice=share_gone", status_code=303)
    org = found[0]
    return state.pages.render(
        request,
        "confirm.html",
        {
            "title": f"Stop sharing with {org.org_name}?",
            "text": (
                f"The members of {org.org_name} ({org.org_slug}) have been able to read your "
                f"stats since {present.day(org.created_at)}. From now on they no longer can "
                "(unless your stats are public, or you share with them one by one)."
            ),
            "action": f"/sharing/org/{org.org_slug}/revoke",
            "button": "Stop sharing with the org",
            "cancel": "/sharing",
        },
    )


@router.post("/org/{slug}/revoke", dependencies=[Depends(csrf_protected())])
async def unshare_org(state: State, token: Token, slug: str) -> Response:
    if not names.is_slug(slug):
        return RedirectResponse("/sharing?notice=share_gone", status_code=303)
    try:
        await state.api.unshare_org(token, slug)
    except ApiError as exc:
        if exc.code != "share_not_found":
            raise
        return RedirectResponse("/sharing?notice=share_gone", status_code=303)
    return RedirectResponse("/sharing?notice=org_share_revoked", status_code=303)
