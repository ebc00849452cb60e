"""Permission checks and relationship writes as the services use them: counted, timed and
logged (`starstats_authz_checks_total{result,mode}`), with SpiceDB's failures turned into the
API's `spicedb_unavailable`.

Two modes (ADR 0008). *Advisory* (a player reading their own stats, as upstream): the answer
is recorded and a denial logged, but never blocks. *Enforced* (anyone reading someone else's
stats, managing an org): the answer decides, and an error refuses.

The database is the source of truth for sharing; `sync` rewrites SpiceDB from it (after a
fresh schema, or by `starstats-server authz sync` when an outage left them apart).
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from starstats_server.authz.port import (
    Authorizer,
    AuthzUnavailable,
    ObjectRef,
    ObjectType,
    Permission,
    Relation,
    Relationship,
    RelationshipFilter,
    anyone,
    organization,
    schema_text,
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
from starstats_server.errors import ServiceUnavailable
from starstats_server.metrics import AuthzMode, AuthzResult
from starstats_server.state import AppState

log = logging.getLogger(__name__)

_NOT_CONFIGURED = (
    "sharing needs SpiceDB, which this server is not configured to use "
    "(set SPICEDB_ENDPOINT and SPICEDB_PRESHARED_KEY)"
)
_DOWN = "SpiceDB, which decides who may see shared stats, is not answering; retry shortly"
SYNC_BATCH = 500  # tuples per WriteRelationships (SpiceDB's default limit is 1,000)


def unavailable(detail: str = _DOWN) -> ServiceUnavailable:
    return ServiceUnavailable("spicedb_unavailable", detail)


def authorizer(state: AppState) -> Authorizer:
    """The authorizer, or 503 `spicedb_unavailable` when none is configured."""
    if state.authz is None:
        raise unavailable(_NOT_CONFIGURED)
    return state.authz


async def _timed_check(
    state: AppState,
    authz: Authorizer,
    mode: AuthzMode,
    check: tuple[ObjectRef, Permission, ObjectRef],
) -> bool:
    started = time.perf_counter()
    try:
        allowed = await authz.check(*check)
    except AuthzUnavailable:
        state.metrics.authz_checks.labels(AuthzResult.ERROR.value, mode.value).inc()
        raise
    finally:
        state.metrics.authz_duration.labels(mode.value).observe(time.perf_counter() - started)
    result = AuthzResult.ALLOW if allowed else AuthzResult.DENY
    state.metrics.authz_checks.labels(result.value, mode.value).inc()
    return allowed


async def advisory_self_view(state: AppState, handle: str) -> None:
    """Would SpiceDB let `handle` view their own stats? Recorded, never enforced: a denial
    means a missing owner tuple (`authz sync` repairs it), not a reason to refuse a player
    their own numbers. Skipped without SpiceDB."""
    if state.authz is None:
        return
    check = (stats_record(handle), Permission.VIEW, user(handle))
    try:
        allowed = await _timed_check(state, state.authz, AuthzMode.ADVISORY, check)
    except AuthzUnavailable as exc:
        log.warning("advisory authz check failed: %s", exc)
        return
    if not allowed:
        # The handle is not logged: log lines must not carry who a request was for.
        log.warning("advisory authz check denied a self-read (owner tuple missing?)")


async def require(
    state: AppState, resource: ObjectRef, permission: Permission, subject: ObjectRef
) -> bool:
    """An enforced check: True or False from SpiceDB, 503 when it cannot answer."""
    authz = authorizer(state)
    try:
        return await _timed_check(state, authz, AuthzMode.ENFORCED, (resource, permission, subject))
    except AuthzUnavailable as exc:
        log.warning("enforced authz check failed: %s", exc)
        raise unavailable() from None


async def write(
    state: AppState, touch: Sequence[Relationship] = (), delete: Sequence[Relationship] = ()
) -> None:
    """Apply relationship changes or raise 503 (the caller's transaction then rolls back)."""
    authz = authorizer(state)
    try:
        await authz.write(touch=touch, delete=delete)
    except AuthzUnavailable as exc:
        log.warning("relationship write failed: %s", exc)
        raise unavailable() from None


async def undo(state: AppState, touch: Sequence[Relationship]) -> None:
    """Best effort: take back tuples written for a transaction that then failed."""
    if state.authz is None or not touch:
        return
    try:
        await state.authz.write(delete=touch)
    except AuthzUnavailable as exc:
        log.error("could not undo relationship writes (run `authz sync`): %s", exc)


async def delete_matching(state: AppState, filters: Sequence[RelationshipFilter]) -> None:
    authz = authorizer(state)
    try:
        await authz.delete_matching(filters)
    except AuthzUnavailable as exc:
        log.warning("relationship delete failed: %s", exc)
        raise unavailable() from None


def account_filters(handle: str) -> list[RelationshipFilter]:
    """Every tuple about an account: on its stats record, and naming it as a subject."""
    subject = user(handle)
    return [
        RelationshipFilter(ObjectType.STATS_RECORD, resource_id=handle.lower()),
        RelationshipFilter(ObjectType.STATS_RECORD, subject=subject),
        RelationshipFilter(ObjectType.ORGANIZATION, subject=subject),
    ]


def org_filters(slug: str) -> list[RelationshipFilter]:
    """Every tuple about an organisation: its members, and the records shared with it."""
    org = organization(slug)
    return [
        RelationshipFilter(ObjectType.ORGANIZATION, resource_id=org.id),
        RelationshipFilter(ObjectType.STATS_RECORD, relation=Relation.SHARE_WITH_ORG, subject=org),
    ]


async def owner_tuple_after_sign_up(state: AppState, handle: str) -> None:
    """`stats_record:<handle>#owner@user:<handle>`, after anything a former holder of the
    handle might have left. Sign-up never fails for this: without it only the advisory
    self-check denies, until `authz sync`."""
    if state.authz is None:
        return
    try:
        await state.authz.delete_matching(
            [RelationshipFilter(ObjectType.STATS_RECORD, resource_id=handle.lower())]
        )
        await state.authz.write(
            touch=[Relationship(stats_record(handle), Relation.OWNER, user(handle))]
        )
    except AuthzUnavailable as exc:
        log.warning("owner tuple not written at sign-up (run `authz sync`): %s", exc)


async def relationships(conn: AsyncConnection) -> AsyncIterator[Relationship]:
    """Every tuple the database implies, streamed."""
    owners = await conn.stream(sa.select(users.c.handle))
    async for (handle,) in owners:
        yield Relationship(stats_record(handle), Relation.OWNER, user(handle))
    public = await conn.stream(
        sa.select(users.c.handle)
        .join(stats_visibility, stats_visibility.c.user_id == users.c.id)
        .where(stats_visibility.c.public.is_(True))
    )
    async for (handle,) in public:
        yield Relationship(stats_record(handle), Relation.PUBLIC_VIEW, anyone())
    owner, recipient = users.alias("owner"), users.alias("recipient")
    shares = await conn.stream(
        sa.select(owner.c.handle, recipient.c.handle)
        .select_from(stats_shares)
        .join(owner, owner.c.id == stats_shares.c.owner_id)
        .join(recipient, recipient.c.id == stats_shares.c.recipient_id)
    )
    async for owner_handle, recipient_handle in shares:
        yield Relationship(
            stats_record(owner_handle), Relation.SHARE_WITH_USER, user(recipient_handle)
        )
    members = await conn.stream(
        sa.select(organizations.c.slug, users.c.handle, org_members.c.role)
        .select_from(org_members)
        .join(organizations, organizations.c.id == org_members.c.org_id)
        .join(users, users.c.id == org_members.c.user_id)
    )
    async for slug, handle, role in members:
        yield Relationship(organization(slug), Relation(role), user(handle))
    org_shared = await conn.stream(
        sa.select(users.c.handle, organizations.c.slug)
        .select_from(org_shares)
        .join(users, users.c.id == org_shares.c.owner_id)
        .join(organizations, organizations.c.id == org_shares.c.org_id)
    )
    async for handle, slug in org_shared:
        yield Relationship(stats_record(handle), Relation.SHARE_WITH_ORG, organization(slug))


async def sync(engine: AsyncEngine, authz: Authorizer) -> int:
    """TOUCH every tuple the database implies (idempotent); how many. Raises
    `AuthzUnavailable` (callers report it). Tuples SpiceDB has and the database lacks are
    left alone: every revoke deletes the tuple before its row, so none should exist."""
    written = 0
    batch: list[Relationship] = []
    async with engine.connect() as conn:
        async for tuple_ in relationships(conn):
            batch.append(tuple_)
            if len(batch) == SYNC_BATCH:
                await authz.write(touch=batch)
                written += len(batch)
                batch = []
    if batch:
        await authz.write(touch=batch)
        written += len(batch)
    return written


async def restore_schema(state: AppState) -> int | None:
    """Write schema.zed into a SpiceDB that has none, then load every relationship the
    database implies: how many, or None when the schema was there. `AuthzUnavailable` when
    SpiceDB cannot be reached."""
    authz = authorizer(state)
    if not await authz.ensure_schema(schema_text()):
        return None
    return await sync(state.engine, authz)


async def keep_schema(state: AppState, interval: float) -> None:
    """For the server's life: every `interval` seconds, restore the schema and the
    relationships if SpiceDB has lost them (a memory datastore restarted, a wiped
    database, SpiceDB down when this server started). One schema read when all is well."""
    while True:
        await asyncio.sleep(interval)
        try:
            restored = await restore_schema(state)
        except AuthzUnavailable as exc:
            log.info("authorization: SpiceDB still unavailable (%s)", exc)
            continue
        except Exception:  # a bug here must not end the loop that repairs SpiceDB
            log.exception("authorization: restoring SpiceDB's schema failed")
            continue
        if restored is not None:
            log.warning(
                "authorization: SpiceDB had no schema; wrote it and %d relationships", restored
            )
