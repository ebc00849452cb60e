"""Sharing routes: my visibility and shares (`/v1/me/...`), reading another player's stats
(`/v1/u/{handle}/...`, user token, SpiceDB `view` enforced) and public profiles
(`/v1/public/{handle}/...`, no token, only when the owner made them public).

A stats read that is not permitted is 404 `not_found`, exactly as for a handle nobody has,
so neither existence nor sharing leaks. Without SpiceDB every route here is 503
`spicedb_unavailable`; the player's own `/v1/me/*` reads keep working.
"""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from starstats_server.api.deps import State, UserPrincipal, rate_limit
from starstats_server.api.errors import error_responses
from starstats_server.api.fields import HANDLE_PATTERN, SLUG_PATTERN, HandleText, SlugText
from starstats_server.api.history import SummaryOut, TimelineOut, TimelineParams
from starstats_server.api.stats import StatsOverviewOut
from starstats_server.services import sharing

router = APIRouter(tags=["sharing"])

Handle = Annotated[str, Path(pattern=HANDLE_PATTERN, description="A player's handle")]
Slug = Annotated[str, Path(pattern=SLUG_PATTERN, description="An org's slug")]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class VisibilityIn(BaseModel):
    public: bool = Field(strict=True)


class VisibilityOut(BaseModel):
    public: bool = Field(description="Whether anyone, signed in or not, may read my stats")


class ShareIn(BaseModel):
    recipient_handle: HandleText


class OrgShareIn(BaseModel):
    org_slug: SlugText


class ShareOut(_Out):
    recipient_handle: str
    created_at: dt.datetime


class OrgShareOut(_Out):
    org_slug: str
    org_name: str
    created_at: dt.datetime


class MySharesOut(_Out):
    shares: list[ShareOut]
    org_shares: list[OrgShareOut]


class SharedWithMeItem(_Out):
    owner_handle: str
    via_org: str | None = Field(description="The org it was shared with; null when with me")
    created_at: dt.datetime


class SharedWithMeOut(BaseModel):
    shares: list[SharedWithMeItem]


class RevokedOut(BaseModel):
    revoked: str = Field(description="The handle or org slug no longer shared with")


_SHARING_ERRORS = error_responses(401, 403, 503)
_public_limit = Depends(rate_limit("public profile", lambda s: s.settings.public_rate_per_minute))


@router.get("/v1/me/visibility", response_model=VisibilityOut, responses=_SHARING_ERRORS)
async def get_visibility(state: State, principal: UserPrincipal) -> VisibilityOut:
    """Whether my stats are public."""
    return VisibilityOut(public=await sharing.visibility(state, principal))


@router.post(
    "/v1/me/visibility", response_model=VisibilityOut, responses=error_responses(400, 401, 403)
)
async def set_visibility(
    state: State, principal: UserPrincipal, body: VisibilityIn
) -> VisibilityOut:
    """Make my stats public (readable at `/v1/public/{handle}/...` by anyone) or private."""
    return VisibilityOut(public=await sharing.set_visibility(state, principal, body.public))


@router.post(
    "/v1/me/share", response_model=ShareOut, responses=error_responses(400, 401, 403, 404, 429, 503)
)
async def share(state: State, principal: UserPrincipal, body: ShareIn) -> ShareOut:
    """Let another player read my stats. Sharing again is harmless. 404
    `recipient_not_found`, 400 `cannot_share_with_self`, 429 past the per-player grant
    limit."""
    return ShareOut.model_validate(await sharing.share(state, principal, body.recipient_handle))


@router.delete(
    "/v1/me/share/{recipient_handle}",
    response_model=RevokedOut,
    responses=error_responses(401, 403, 404, 503),
)
async def unshare(
    state: State,
    principal: UserPrincipal,
    recipient_handle: Annotated[str, Path(pattern=HANDLE_PATTERN)],
) -> RevokedOut:
    """Stop sharing with a player (at once: checks are fully consistent). 404
    `share_not_found`."""
    return RevokedOut(revoked=await sharing.unshare(state, principal, recipient_handle))


@router.post(
    "/v1/me/share/org",
    response_model=OrgShareOut,
    responses=error_responses(400, 401, 403, 404, 429, 503),
)
async def share_with_org(state: State, principal: UserPrincipal, body: OrgShareIn) -> OrgShareOut:
    """Let every member of one of my orgs read my stats. 404 `org_not_found` unless I am a
    member."""
    return OrgShareOut.model_validate(await sharing.share_with_org(state, principal, body.org_slug))


@router.delete(
    "/v1/me/share/org/{org_slug}",
    response_model=RevokedOut,
    responses=error_responses(401, 403, 404, 503),
)
async def unshare_org(state: State, principal: UserPrincipal, org_slug: Slug) -> RevokedOut:
    """Stop sharing with an org. 404 `share_not_found`."""
    return RevokedOut(revoked=await sharing.unshare_org(state, principal, org_slug))


@router.get("/v1/me/shares", response_model=MySharesOut, responses=_SHARING_ERRORS)
async def my_shares(state: State, principal: UserPrincipal) -> MySharesOut:
    """Whom my stats are shared with: players, and orgs."""
    return MySharesOut.model_validate(await sharing.my_shares(state, principal))


@router.get("/v1/me/shared-with-me", response_model=SharedWithMeOut, responses=_SHARING_ERRORS)
async def shared_with_me(state: State, principal: UserPrincipal) -> SharedWithMeOut:
    """Players whose stats I may read, directly or through an org of mine; newest first."""
    found = await sharing.shared_with_me(state, principal)
    return SharedWithMeOut(shares=[SharedWithMeItem.model_validate(s) for s in found])


_VIEW_ERRORS = error_responses(401, 403, 404)
# The timelines check `days` (400 invalid_days) before anything else.
_TIMELINE_ERRORS = error_responses(400, 401, 403, 404)


@router.get("/v1/u/{handle}/summary", response_model=SummaryOut, responses=_VIEW_ERRORS)
async def user_summary(state: State, principal: UserPrincipal, handle: Handle) -> SummaryOut:
    """Another player's event counts, when they share with me (directly, through an org of
    mine, or publicly); 404 `not_found` otherwise. Audited as `share.viewed`."""
    return SummaryOut.model_validate(await sharing.summary_of(state, principal, handle))


@router.get("/v1/u/{handle}/timeline", response_model=TimelineOut, responses=_TIMELINE_ERRORS)
async def user_timeline(
    state: State,
    principal: UserPrincipal,
    handle: Handle,
    params: Annotated[TimelineParams, Query()],
) -> TimelineOut:
    """Another player's events per day, as `/v1/me/timeline`; 404 `not_found` unless
    shared with me."""
    return TimelineOut.model_validate(
        await sharing.timeline_of(state, principal, handle, params.days)
    )


@router.get("/v1/u/{handle}/stats", response_model=StatsOverviewOut, responses=_VIEW_ERRORS)
async def user_stats(state: State, principal: UserPrincipal, handle: Handle) -> StatsOverviewOut:
    """Another player's stat strip, as `/v1/me/stats`; 404 `not_found` unless shared."""
    return StatsOverviewOut.model_validate(await sharing.stats_of(state, principal, handle))


_PUBLIC_ERRORS = error_responses(404, 429)


@router.get(
    "/v1/public/{handle}/summary",
    response_model=SummaryOut,
    responses=_PUBLIC_ERRORS,
    dependencies=[_public_limit],
)
async def public_summary(state: State, handle: Handle) -> SummaryOut:
    """A public player's event counts; no token. 404 `not_found` unless public."""
    return SummaryOut.model_validate(await sharing.summary_of(state, None, handle))


@router.get(
    "/v1/public/{handle}/timeline",
    response_model=TimelineOut,
    responses=error_responses(400, 404, 429),
    dependencies=[_public_limit],
)
async def public_timeline(
    state: State, handle: Handle, params: Annotated[TimelineParams, Query()]
) -> TimelineOut:
    """A public player's events per day; no token. 404 `not_found` unless public."""
    return TimelineOut.model_validate(await sharing.timeline_of(state, None, handle, params.days))


@router.get(
    "/v1/public/{handle}/stats",
    response_model=StatsOverviewOut,
    responses=_PUBLIC_ERRORS,
    dependencies=[_public_limit],
)
async def public_stats(state: State, handle: Handle) -> StatsOverviewOut:
    """A public player's stat strip; no token. 404 `not_found` unless public."""
    return StatsOverviewOut.model_validate(await sharing.stats_of(state, None, handle))
