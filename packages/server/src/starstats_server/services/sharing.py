"""Sharing a player's stats: public visibility, shares with another player or with an
organisation, and reading someone else's stats where SpiceDB says `view` (ADR 0008).

Each change is one database transaction holding the row, the SpiceDB write and the audit
row. The SpiceDB write comes before the audit append (which locks the chain's tail until
commit, so nothing slow may follow it); should the commit still fail, the tuples written are
taken back. A refused read is a 404 that looks exactly like an unknown handle, so nobody can
learn who exists or who shares with whom.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_server.audit.actions import AuditAction
from starstats_server.audit.store import Actor
from starstats_server.auth.tokens import Principal
from starstats_server.authz.port import (
    ObjectRef,
    Permission,
    Relation,
    Relationship,
    anonymous,
    anyone,
    organization,
    stats_record,
    user,
)
from starstats_server.db.tables import (
    org_members,
    org_shares,
    organizations,
    stats_shares,
    stats_visibility,
    users,
)
from starstats_server.errors import BadRequest, NotFound
from starstats_server.ratelimit import Limit
from starstats_server.services import authz, history, stats
from starstats_server.state import AppState


@dataclass(frozen=True)
class Share:
    recipient_handle: str
    created_at: datetime


@dataclass(frozen=True)
class OrgShare:
    org_slug: str
    org_name: str
    created_at: datetime


@dataclass(frozen=True)
class MyShares:
    shares: list[Share]
    org_shares: list[OrgShare]


@dataclass(frozen=True)
class SharedWithMe:
    owner_handle: str
    via_org: str | None  # the organisation's slug, or None for a direct share
    created_at: datetime


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    handle: str  # display case


def _not_found() -> NotFound:
    # The same answer for "no such player" and "not shared with you".
    # Its own code: FastAPI's `not_found` means "no such route".
    return NotFound("stats_not_found", "no stats are visible to you under this handle")


async def find_user(conn: AsyncConnection, handle: str) -> Person | None:
    row = (
        await conn.execute(
            sa.select(users.c.id, users.c.claimed_handle).where(users.c.handle == handle.lower())
        )
    ).first()
    return None if row is None else Person(row.id, row.claimed_handle)


def _insert(conn: AsyncConnection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def _check_grant_rate(state: AppState, principal: Principal) -> None:
    # Per player, not per IP: a burst of grants is the pattern upstream saw in abuse.
    state.limiter.check(
        Limit("share grant", state.settings.share_rate_per_minute), str(principal.user_id)
    )


# -- visibility -----------------------------------------------------------------------------


async def visibility(state: AppState, principal: Principal) -> bool:
    authz.authorizer(state)  # no SpiceDB, no sharing: say so rather than show a dead switch
    async with state.engine.connect() as conn:
        public = await conn.scalar(
            sa.select(stats_visibility.c.public).where(
                stats_visibility.c.user_id == principal.user_id
            )
        )
    return bool(public)


async def set_visibility(state: AppState, principal: Principal, public: bool) -> bool:
    """Make the caller's stats public (anyone may read them) or private again."""
    tuple_ = Relationship(stats_record(principal.handle), Relation.PUBLIC_VIEW, anyone())
    now = state.clock.now()
    touched: list[Relationship] = []
    try:
        async with state.audit.transaction() as tx:
            insert = _insert(tx.conn, stats_visibility)
            await tx.conn.execute(
                insert.values(
                    user_id=principal.user_id, public=public, updated_at=now
                ).on_conflict_do_update(
                    index_elements=["user_id"], set_={"public": public, "updated_at": now}
                )
            )
            if public:
                await authz.write(state, touch=[tuple_])
                touched.append(tuple_)
            else:
                await authz.write(state, delete=[tuple_])
            await tx.append(
                AuditAction.SHARE_VISIBILITY_CHANGED,
                {"public": public},
                Actor.of(principal.user_id, principal.handle),
            )
    except BaseException:
        await authz.undo(state, touched)
        raise
    return public


# -- shares with a player -------------------------------------------------------------------


async def my_shares(state: AppState, principal: Principal) -> MyShares:
    authz.authorizer(state)
    async with state.engine.connect() as conn:
        direct = await conn.execute(
            sa.select(users.c.claimed_handle, stats_shares.c.created_at)
            .join(users, users.c.id == stats_shares.c.recipient_id)
            .where(stats_shares.c.owner_id == principal.user_id)
            .order_by(users.c.handle)
        )
        shares = [Share(handle, at) for handle, at in direct]
        via_org = await conn.execute(
            sa.select(organizations.c.slug, organizations.c.name, org_shares.c.created_at)
            .join(organizations, organizations.c.id == org_shares.c.org_id)
            .where(org_shares.c.owner_id == principal.user_id)
            .order_by(organizations.c.slug)
        )
        org_list = [OrgShare(slug, name, at) for slug, name, at in via_org]
    return MyShares(shares, org_list)


async def shared_with_me(state: AppState, principal: Principal) -> list[SharedWithMe]:
    """Players whose stats the caller may read: shared directly, or with an organisation
    the caller belongs to (their own excluded). Newest first."""
    authz.authorizer(state)
    owner = users.alias("owner")
    direct = (
        sa.select(owner.c.claimed_handle, sa.null().label("slug"), stats_shares.c.created_at)
        .join(owner, owner.c.id == stats_shares.c.owner_id)
        .where(stats_shares.c.recipient_id == principal.user_id)
    )
    via_org = (
        sa.select(owner.c.claimed_handle, organizations.c.slug, org_shares.c.created_at)
        .join(owner, owner.c.id == org_shares.c.owner_id)
        .join(organizations, organizations.c.id == org_shares.c.org_id)
        .join(org_members, org_members.c.org_id == org_shares.c.org_id)
        .where(org_members.c.user_id == principal.user_id, owner.c.id != principal.user_id)
    )
    union = sa.union_all(direct, via_org).subquery()
    async with state.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(union).order_by(union.c.created_at.desc(), union.c.claimed_handle)
        )
        return [SharedWithMe(handle, slug, at) for handle, slug, at in rows]


async def share(state: AppState, principal: Principal, recipient_handle: str) -> Share:
    """Let `recipient_handle` read the caller's stats. Sharing again changes nothing."""
    authz.authorizer(state)
    _check_grant_rate(state, principal)
    now = state.clock.now()
    touched: list[Relationship] = []
    try:
        async with state.audit.transaction() as tx:
            recipient = await find_user(tx.conn, recipient_handle)
            if recipient is None:
                raise NotFound("recipient_not_found", "no player has this handle")
            if recipient.id == principal.user_id:
                raise BadRequest("cannot_share_with_self", "your stats are already yours")
            inserted = await tx.conn.execute(
                _insert(tx.conn, stats_shares)
                .values(owner_id=principal.user_id, recipient_id=recipient.id, created_at=now)
                .on_conflict_do_nothing(index_elements=["owner_id", "recipient_id"])
            )
            created_at = now
            if inserted.rowcount == 0:
                created_at = (
                    await tx.conn.scalar(
                        sa.select(stats_shares.c.created_at).where(
                            stats_shares.c.owner_id == principal.user_id,
                            stats_shares.c.recipient_id == recipient.id,
                        )
                    )
                    or now
                )
            tuple_ = Relationship(
                stats_record(principal.handle), Relation.SHARE_WITH_USER, user(recipient.handle)
            )
            await authz.write(state, touch=[tuple_])
            if inserted.rowcount:
                touched.append(tuple_)
                await tx.append(
                    AuditAction.SHARE_GRANTED,
                    {"recipient_handle": recipient.handle},
                    Actor.of(principal.user_id, principal.handle),
                )
    except BaseException:
        await authz.undo(state, touched)
        raise
    return Share(recipient.handle, created_at)


async def unshare(state: AppState, principal: Principal, recipient_handle: str) -> str:
    """Stop sharing with `recipient_handle`; 404 `share_not_found` when there was no share."""
    authz.authorizer(state)
    async with state.audit.transaction() as tx:
        recipient = await find_user(tx.conn, recipient_handle)
        removed = 0
        if recipient is not None:
            removed = (
                await tx.conn.execute(
                    sa.delete(stats_shares).where(
                        stats_shares.c.owner_id == principal.user_id,
                        stats_shares.c.recipient_id == recipient.id,
                    )
                )
            ).rowcount
        if recipient is None or not removed:
            raise NotFound("share_not_found", "your stats are not shared with this handle")
        # Revoked in SpiceDB before the commit: if this fails, the share stays as it was.
        await authz.write(
            state,
            delete=[
                Relationship(
                    stats_record(principal.handle),
                    Relation.SHARE_WITH_USER,
                    user(recipient.handle),
                )
            ],
        )
        await tx.append(
            AuditAction.SHARE_REVOKED,
            {"recipient_handle": recipient.handle},
            Actor.of(principal.user_id, principal.handle),
        )
    return recipient.handle


# -- shares with an organisation ------------------------------------------------------------


async def share_with_org(state: AppState, principal: Principal, slug: str) -> OrgShare:
    """Let every member of an organisation the caller belongs to read the caller's stats."""
    authz.authorizer(state)
    _check_grant_rate(state, principal)
    now = state.clock.now()
    touched: list[Relationship] = []
    try:
        async with state.audit.transaction() as tx:
            org = (
                await tx.conn.execute(
                    sa.select(organizations.c.id, organizations.c.slug, organizations.c.name)
                    .join(org_members, org_members.c.org_id == organizations.c.id)
                    .where(
                        organizations.c.slug == slug.lower(),
                        org_members.c.user_id == principal.user_id,
                    )
                )
            ).first()
            if org is None:
                raise NotFound("org_not_found", "you are not a member of an org with this slug")
            inserted = await tx.conn.execute(
                _insert(tx.conn, org_shares)
                .values(owner_id=principal.user_id, org_id=org.id, created_at=now)
                .on_conflict_do_nothing(index_elements=["owner_id", "org_id"])
            )
            tuple_ = Relationship(
                stats_record(principal.handle), Relation.SHARE_WITH_ORG, organization(org.slug)
            )
            await authz.write(state, touch=[tuple_])
            if inserted.rowcount:
                touched.append(tuple_)
                await tx.append(
                    AuditAction.SHARE_ORG_GRANTED,
                    {"org_slug": org.slug},
                    Actor.of(principal.user_id, principal.handle),
                )
            created_at = await tx.conn.scalar(
                sa.select(org_shares.c.created_at).where(
                    org_shares.c.owner_id == principal.user_id, org_shares.c.org_id == org.id
                )
            )
    except BaseException:
        await authz.undo(state, touched)
        raise
    return OrgShare(org.slug, org.name, created_at or now)


async def unshare_org(state: AppState, principal: Principal, slug: str) -> str:
    authz.authorizer(state)
    async with state.audit.transaction() as tx:
        org_id = await tx.conn.scalar(
            sa.select(organizations.c.id).where(organizations.c.slug == slug.lower())
        )
        removed = 0
        if org_id is not None:
            removed = (
                await tx.conn.execute(
                    sa.delete(org_shares).where(
                        org_shares.c.owner_id == principal.user_id, org_shares.c.org_id == org_id
                    )
                )
            ).rowcount
        if not removed:
            raise NotFound("share_not_found", "your stats are not shared with this org")
        await authz.write(
            state,
            delete=[
                Relationship(
                    stats_record(principal.handle), Relation.SHARE_WITH_ORG, organization(slug)
                )
            ],
        )
        await tx.append(
            AuditAction.SHARE_ORG_REVOKED,
            {"org_slug": slug.lower()},
            Actor.of(principal.user_id, principal.handle),
        )
    return slug.lower()


# -- reading someone else's stats -----------------------------------------------------------


async def _visible_owner(state: AppState, viewer: Principal | None, handle: str) -> Person:
    """The owner of `handle`'s stats when SpiceDB lets `viewer` (None: signed out) view
    them, audited as `share.viewed`; else the 404 an unknown handle gets. SpiceDB is asked
    before the database, so an outage answers 503 for every handle alike."""
    authz.authorizer(state)
    subject: ObjectRef = anonymous() if viewer is None else user(viewer.handle)
    allowed = await authz.require(state, stats_record(handle), Permission.VIEW, subject)
    async with state.engine.connect() as conn:
        owner = await find_user(conn, handle) if allowed else None
    if owner is None:
        raise _not_found()
    if viewer is None or viewer.user_id != owner.id:
        async with state.audit.transaction() as tx:
            await tx.append(
                AuditAction.SHARE_VIEWED,
                # Which route, not which grant: a signed-in reader of a public profile
                # comes through /v1/u like one it was shared with.
                {"owner_handle": owner.handle, "route": "public" if viewer is None else "user"},
                None if viewer is None else Actor.of(viewer.user_id, viewer.handle),
            )
    return owner


async def visible_handle(state: AppState, viewer: Principal | None, handle: str) -> str:
    """The stored (lower-case) handle whose stats `viewer` may read through `handle`, with
    the same checks, answers and audit as every other cross-user view."""
    return (await _visible_owner(state, viewer, handle)).handle.lower()


async def summary_of(state: AppState, viewer: Principal | None, handle: str) -> history.Summary:
    owner = await _visible_owner(state, viewer, handle)
    return await history.summary(state, owner.handle)


async def timeline_of(
    state: AppState, viewer: Principal | None, handle: str, days: int
) -> history.Timeline:
    history.timeline_window(state, days)  # a bad `days` is a 400 before anything is read
    owner = await _visible_owner(state, viewer, handle)
    return await history.timeline(state, owner.handle, days)


async def stats_of(state: AppState, viewer: Principal | None, handle: str) -> stats.StatsOverview:
    owner = await _visible_owner(state, viewer, handle)
    return await stats.overview(state, owner.handle)
