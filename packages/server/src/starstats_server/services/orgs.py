"""Organisations: create one, see it, manage its members, delete it (ADR 0008).

Who may do what is SpiceDB's answer (`view`, `manage_members`, `manage_org` on
`organization:<slug>`), enforced: a non-member gets the 404 an unknown slug gets; a member
without the right gets 403. Rows and tuples change in one transaction as in sharing.py.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_server.audit.actions import AuditAction
from starstats_server.audit.store import Actor
from starstats_server.auth.tokens import Principal
from starstats_server.authz.port import (
    Permission,
    Relation,
    Relationship,
    organization,
    stats_record,
    user,
)
from starstats_server.db.tables import org_members, org_shares, organizations, users
from starstats_server.errors import BadRequest, Conflict, Forbidden, NotFound
from starstats_server.services import authz
from starstats_server.services.sharing import find_user
from starstats_server.state import AppState

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,38}[a-z0-9]")
MAX_NAME = 80


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


@dataclass(frozen=True)
class Org:
    slug: str
    name: str
    created_at: datetime
    my_role: Role


@dataclass(frozen=True)
class Member:
    handle: str
    role: Role
    added_at: datetime


@dataclass(frozen=True)
class OrgDetail:
    slug: str
    name: str
    created_at: datetime
    my_role: Role
    members: list[Member]
    shared_by: list[str]  # members who shared their stats with the org


@dataclass(frozen=True)
class _OrgRow:
    id: uuid.UUID
    slug: str
    name: str
    created_at: datetime


def _org_not_found() -> NotFound:
    return NotFound("org_not_found", "no org with this slug is visible to you")


def _check_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if SLUG.fullmatch(slug) is None:
        raise BadRequest(
            "invalid_slug", "slug must be 3-40 of a-z, 0-9 and -, not starting or ending with -"
        )
    return slug


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise BadRequest("invalid_name", f"name must be 1-{MAX_NAME} printable characters")
    return name


async def _load(conn: AsyncConnection, slug: str) -> _OrgRow | None:
    row = (
        await conn.execute(
            sa.select(
                organizations.c.id,
                organizations.c.slug,
                organizations.c.name,
                organizations.c.created_at,
            ).where(organizations.c.slug == slug.lower())
        )
    ).first()
    return None if row is None else _OrgRow(row.id, row.slug, row.name, row.created_at)


async def _role_of(conn: AsyncConnection, org_id: uuid.UUID, user_id: uuid.UUID) -> Role | None:
    role = await conn.scalar(
        sa.select(org_members.c.role).where(
            org_members.c.org_id == org_id, org_members.c.user_id == user_id
        )
    )
    return None if role is None else Role(role)


async def _permitted(
    state: AppState, principal: Principal, slug: str, permission: Permission
) -> _OrgRow:
    """The org when SpiceDB grants `permission`; 404 for a non-member, 403 for a member
    without the right. SpiceDB is asked first, so an outage is 503 for every slug alike."""
    authz.authorizer(state)
    me = user(principal.handle)
    target = organization(slug)
    granted = await authz.require(state, target, permission, me)
    member = granted or (
        permission is not Permission.VIEW
        and await authz.require(state, target, Permission.VIEW, me)
    )
    async with state.engine.connect() as conn:
        org = await _load(conn, slug) if member else None
    if org is None:
        raise _org_not_found()
    if not granted:
        raise Forbidden("not_org_admin", f"only the org's admins and owner may {permission}")
    return org


async def create(state: AppState, principal: Principal, name: str, slug: str) -> Org:
    authz.authorizer(state)
    slug = _check_slug(slug)
    name = _check_name(name)
    now = state.clock.now()
    org_id = uuid.uuid4()
    owner_tuple = Relationship(organization(slug), Relation.OWNER, user(principal.handle))
    touched: list[Relationship] = []
    try:
        async with state.audit.transaction() as tx:
            if await _load(tx.conn, slug) is not None:
                raise Conflict("slug_taken", "an org with this slug already exists")
            await tx.conn.execute(
                sa.insert(organizations).values(
                    id=org_id, slug=slug, name=name, owner_id=principal.user_id, created_at=now
                )
            )
            await tx.conn.execute(
                sa.insert(org_members).values(
                    org_id=org_id, user_id=principal.user_id, role=Role.OWNER, added_at=now
                )
            )
            await authz.write(state, touch=[owner_tuple])
            touched.append(owner_tuple)
            await tx.append(
                AuditAction.ORG_CREATED,
                {"org_slug": slug},
                Actor.of(principal.user_id, principal.handle),
            )
    except IntegrityError:
        await authz.undo(state, touched)
        raise Conflict("slug_taken", "an org with this slug already exists") from None
    except BaseException:
        await authz.undo(state, touched)
        raise
    return Org(slug, name, now, Role.OWNER)


async def mine(state: AppState, principal: Principal) -> list[Org]:
    authz.authorizer(state)
    async with state.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(
                organizations.c.slug,
                organizations.c.name,
                organizations.c.created_at,
                org_members.c.role,
            )
            .join(org_members, org_members.c.org_id == organizations.c.id)
            .where(org_members.c.user_id == principal.user_id)
            .order_by(organizations.c.slug)
        )
        return [Org(slug, name, at, Role(role)) for slug, name, at, role in rows]


async def detail(state: AppState, principal: Principal, slug: str) -> OrgDetail:
    org = await _permitted(state, principal, slug, Permission.VIEW)
    async with state.engine.connect() as conn:
        member_rows = await conn.execute(
            sa.select(users.c.claimed_handle, org_members.c.role, org_members.c.added_at)
            .join(users, users.c.id == org_members.c.user_id)
            .where(org_members.c.org_id == org.id)
            .order_by(org_members.c.added_at, users.c.handle)
        )
        members = [Member(handle, Role(role), at) for handle, role, at in member_rows]
        shared = await conn.execute(
            sa.select(users.c.claimed_handle)
            .join(org_shares, org_shares.c.owner_id == users.c.id)
            .where(org_shares.c.org_id == org.id)
            .order_by(users.c.handle)
        )
        shared_by = [handle for (handle,) in shared]
        my_role = await _role_of(conn, org.id, principal.user_id)
    if my_role is None:  # SpiceDB said yes but the row is gone: trust the database
        raise _org_not_found()
    return OrgDetail(org.slug, org.name, org.created_at, my_role, members, shared_by)


def _role_tuples(
    slug: str, handle: str, keep: Role | None
) -> tuple[list[Relationship], list[Relationship]]:
    """(touch, delete) so that `handle` holds exactly role `keep` (None: no role)."""
    touch: list[Relationship] = []
    delete: list[Relationship] = []
    for role in (Role.ADMIN, Role.MEMBER):
        tuple_ = Relationship(organization(slug), Relation(role.value), user(handle))
        (touch if role is keep else delete).append(tuple_)
    return touch, delete


async def set_member(
    state: AppState, principal: Principal, slug: str, handle: str, role: Role
) -> Member:
    """Add a player to the org, or change their role (member or admin; the owner's role
    cannot be given or changed)."""
    if role is Role.OWNER:
        raise BadRequest("invalid_role", "role must be member or admin; an org has one owner")
    org = await _permitted(state, principal, slug, Permission.MANAGE_MEMBERS)
    now = state.clock.now()
    touched: list[Relationship] = []
    try:
        async with state.audit.transaction() as tx:
            person = await find_user(tx.conn, handle)
            if person is None:
                raise NotFound("user_not_found", "no player has this handle")
            current = await _role_of(tx.conn, org.id, person.id)
            if current is Role.OWNER:
                raise BadRequest("owner_role_fixed", "the owner's role cannot be changed")
            if current is None:
                await tx.conn.execute(
                    sa.insert(org_members).values(
                        org_id=org.id, user_id=person.id, role=role, added_at=now
                    )
                )
            else:
                await tx.conn.execute(
                    sa.update(org_members)
                    .where(org_members.c.org_id == org.id, org_members.c.user_id == person.id)
                    .values(role=role)
                )
            touch, delete = _role_tuples(org.slug, person.handle, role)
            await authz.write(state, touch=touch, delete=delete)
            touched = touch if current is None else []
            if current is not role:
                action = (
                    AuditAction.ORG_MEMBER_ADDED
                    if current is None
                    else AuditAction.ORG_MEMBER_ROLE_CHANGED
                )
                await tx.append(
                    action,
                    {"org_slug": org.slug, "member_handle": person.handle, "role": role.value},
                    Actor.of(principal.user_id, principal.handle),
                )
            added_at = await tx.conn.scalar(
                sa.select(org_members.c.added_at).where(
                    org_members.c.org_id == org.id, org_members.c.user_id == person.id
                )
            )
    except BaseException:
        await authz.undo(state, touched)
        raise
    return Member(person.handle, role, added_at or now)


async def remove_member(state: AppState, principal: Principal, slug: str, handle: str) -> None:
    """Remove a member (admins and the owner), or leave (anyone but the owner). Their
    share with the org ends with their membership."""
    leaving = handle.lower() == principal.handle.lower()
    permission = Permission.VIEW if leaving else Permission.MANAGE_MEMBERS
    org = await _permitted(state, principal, slug, permission)
    async with state.audit.transaction() as tx:
        person = await find_user(tx.conn, handle)
        current = None if person is None else await _role_of(tx.conn, org.id, person.id)
        if person is None or current is None:
            raise NotFound("member_not_found", "this player is not a member of the org")
        if current is Role.OWNER:
            raise BadRequest("owner_cannot_leave", "the owner cannot leave; delete the org")
        await tx.conn.execute(
            sa.delete(org_members).where(
                org_members.c.org_id == org.id, org_members.c.user_id == person.id
            )
        )
        shared = (
            await tx.conn.execute(
                sa.delete(org_shares).where(
                    org_shares.c.org_id == org.id, org_shares.c.owner_id == person.id
                )
            )
        ).rowcount
        _, delete = _role_tuples(org.slug, person.handle, None)
        if shared:
            delete.append(
                Relationship(
                    stats_record(person.handle), Relation.SHARE_WITH_ORG, organization(org.slug)
                )
            )
        await authz.write(state, delete=delete)
        await tx.append(
            AuditAction.ORG_MEMBER_REMOVED,
            {"org_slug": org.slug, "member_handle": person.handle},
            Actor.of(principal.user_id, principal.handle),
        )


async def delete(state: AppState, principal: Principal, slug: str) -> None:
    """Delete the org (its owner only), its memberships and every share with it."""
    org = await _permitted(state, principal, slug, Permission.MANAGE_ORG)
    async with state.audit.transaction() as tx:
        await tx.conn.execute(sa.delete(organizations).where(organizations.c.id == org.id))
        await authz.delete_matching(state, authz.org_filters(org.slug))
        await tx.append(
            AuditAction.ORG_DELETED,
            {"org_slug": org.slug},
            Actor.of(principal.user_id, principal.handle),
        )
