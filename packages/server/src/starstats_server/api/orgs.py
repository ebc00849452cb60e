"""Organisation routes under `/v1/orgs` (user tokens). Permissions are SpiceDB's, enforced:
a non-member sees 404 `org_not_found` as for an unknown slug; a member without the right
gets 403 `not_org_admin`."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from starstats_server.api.deps import State, UserPrincipal
from starstats_server.api.errors import error_responses
from starstats_server.api.fields import HANDLE_PATTERN, HandleText, SlugText, Text
from starstats_server.api.sharing import Slug
from starstats_server.services import orgs
from starstats_server.services.orgs import MAX_NAME, Role

router = APIRouter(prefix="/v1/orgs", tags=["orgs"])


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrgIn(BaseModel):
    name: Annotated[Text, Field(min_length=1, max_length=MAX_NAME)]
    slug: SlugText


class MemberIn(BaseModel):
    handle: HandleText
    role: Role = Field(Role.MEMBER, description="member or admin (400 invalid_role for owner)")


class OrgOut(_Out):
    slug: str
    name: str
    created_at: dt.datetime
    my_role: Role


class OrgListOut(BaseModel):
    orgs: list[OrgOut]


class MemberOut(_Out):
    handle: str
    role: Role
    added_at: dt.datetime


class OrgDetailOut(_Out):
    slug: str
    name: str
    created_at: dt.datetime
    my_role: Role
    members: list[MemberOut]
    shared_by: list[str] = Field(description="Members who shared their stats with the org")


@router.post(
    "", status_code=201, response_model=OrgOut, responses=error_responses(400, 401, 403, 409, 503)
)
async def create_org(state: State, principal: UserPrincipal, body: OrgIn) -> OrgOut:
    """Create an org; I become its owner. 409 `slug_taken`, 400 `invalid_slug` or
    `invalid_name`."""
    return OrgOut.model_validate(await orgs.create(state, principal, body.name, body.slug))


@router.get("", response_model=OrgListOut, responses=error_responses(401, 403, 503))
async def my_orgs(state: State, principal: UserPrincipal) -> OrgListOut:
    """The orgs I belong to, with my role."""
    return OrgListOut(orgs=[OrgOut.model_validate(o) for o in await orgs.mine(state, principal)])


@router.get("/{slug}", response_model=OrgDetailOut, responses=error_responses(401, 403, 404, 503))
async def get_org(state: State, principal: UserPrincipal, slug: Slug) -> OrgDetailOut:
    """An org I belong to: its members and who shared their stats with it."""
    return OrgDetailOut.model_validate(await orgs.detail(state, principal, slug))


@router.delete(
    "/{slug}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404, 503),
)
async def delete_org(state: State, principal: UserPrincipal, slug: Slug) -> Response:
    """Delete an org (its owner only), with its memberships and the shares with it."""
    await orgs.delete(state, principal, slug)
    return Response(status_code=204)


@router.post(
    "/{slug}/members",
    response_model=MemberOut,
    responses=error_responses(400, 401, 403, 404, 503),
)
async def set_member(
    state: State, principal: UserPrincipal, slug: Slug, body: MemberIn
) -> MemberOut:
    """Add a player, or change a member's role (admins and the owner). 404
    `user_not_found`; 400 `invalid_role`, `owner_role_fixed`."""
    return MemberOut.model_validate(
        await orgs.set_member(state, principal, slug, body.handle, body.role)
    )


@router.delete(
    "/{slug}/members/{handle}",
    status_code=204,
    response_class=Response,
    responses=error_responses(400, 401, 403, 404, 503),
)
async def remove_member(
    state: State,
    principal: UserPrincipal,
    slug: Slug,
    handle: Annotated[str, Path(pattern=HANDLE_PATTERN)],
) -> Response:
    """Remove a member (admins and the owner), or leave (my own handle). Their share with
    the org ends too. 400 `owner_cannot_leave`, 404 `member_not_found`."""
    await orgs.remove_member(state, principal, slug, handle)
    return Response(status_code=204)
