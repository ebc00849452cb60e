"""Logging out: a user token revoked before it expires, and the check every user-token
request makes. Device tokens are revoked with their device (services/devices.py)."""

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from starstats_server.audit.actions import AuditAction
from starstats_server.audit.store import Actor
from starstats_server.auth.tokens import Principal
from starstats_server.db.engine import reading
from starstats_server.db.tables import revoked_tokens, users
from starstats_server.errors import Unauthorized
from starstats_server.state import AppState


async def logout(state: AppState, principal: Principal) -> None:
    """Revoke the token `principal` came with (idempotent), purge revocations of tokens
    that have expired anyway, and audit it, in one transaction."""
    if principal.token_id is None:
        return  # a token minted before revocation existed: it expires within the hour
    now = state.clock.now()
    async with state.audit.transaction() as tx:
        insert = (postgresql.insert if tx.conn.dialect.name == "postgresql" else sqlite.insert)(
            revoked_tokens
        )
        await tx.conn.execute(
            insert.values(
                jti=principal.token_id,
                user_id=principal.user_id,
                expires_at=principal.expires_at,
                revoked_at=now,
            ).on_conflict_do_nothing(index_elements=["jti"])
        )
        await tx.conn.execute(sa.delete(revoked_tokens).where(revoked_tokens.c.expires_at < now))
        await tx.append(
            AuditAction.USER_LOGGED_OUT, {}, Actor.of(principal.user_id, principal.handle)
        )


@functools.cache
def _token_statement(has_jti: bool) -> Any:
    """`check_token_active`'s statement, built once (every authenticated request runs it):
    whether the user exists, and whether the token id `jti` was revoked."""
    revoked: Any = sa.literal(False)
    if has_jti:
        jti = sa.bindparam("jti", type_=revoked_tokens.c.jti.type)
        revoked = sa.select(sa.literal(1)).where(revoked_tokens.c.jti == jti).exists()
    user_id = sa.bindparam("user_id", type_=users.c.id.type)
    return sa.select(revoked.label("revoked")).where(users.c.id == user_id)


async def check_token_active(state: AppState, principal: Principal) -> None:
    """`Unauthorized` when the user token was revoked by logging out, or its account was
    deleted (its handle may since belong to someone else). One indexed lookup."""
    params: dict[str, Any] = {"user_id": principal.user_id}
    if principal.token_id is not None:
        params["jti"] = principal.token_id
    async with reading(state.engine) as conn:
        statement = _token_statement(principal.token_id is not None)
        row = (await conn.execute(statement, params)).first()
    if row is None:
        raise Unauthorized("the account for this token no longer exists", code="user_not_found")
    if row.revoked:
        raise Unauthorized("token was revoked by logging out")
