"""User accounts: sign-up, login, email verification and the account view.

Passwords are hashed with argon2id in a worker thread; verification mail goes out through
`state.mailer` only after the transaction that stored its token has committed, and a mail
failure never fails the action that triggered it. Sign-up, login (both outcomes) and email
verification are written to the audit log; the user's email address never is.
"""

import logging
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_server.audit.actions import AuditAction
from starstats_server.audit.store import Actor
from starstats_server.auth.passwords import MIN_PASSWORD_BYTES, hash_password, verify_password
from starstats_server.db.engine import reading
from starstats_server.db.tables import (
    event_day_counts,
    event_distinct_values,
    event_sequences,
    event_type_counts,
    events,
    handle_totals,
    journey_facts,
    journey_missions,
    journey_sessions,
    journey_state,
    journey_sums,
    journey_values,
    organizations,
    quarantined_events,
    users,
)
from starstats_server.errors import BadRequest, Conflict, Forbidden, Unauthorized
from starstats_server.mailer import Mail
from starstats_server.metrics import AuthAction
from starstats_server.services import authz
from starstats_server.state import AppState

log = logging.getLogger(__name__)

# RFC 5321's limits on a forward path and its local part; also keep junk out of the table.
MAX_EMAIL_LENGTH = 254
MAX_EMAIL_LOCAL_LENGTH = 64
# argon2 pre-hashes its input, but a cap keeps a megabyte "password" from costing anything.
MAX_PASSWORD_BYTES = 1024
MAX_HANDLE_LENGTH = 64
EMAIL_VERIFICATION_TTL = timedelta(hours=24)
VERIFY_SUBJECT = "Verify your StarStats email"

_VERIFY_TOKEN = re.compile(r"[0-9a-f]{64}")  # secrets.token_hex(32)
_HANDLE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Upstream's rule (an `@`, a non-empty local part, a dotted domain not starting with `.`),
# narrowed to ASCII atoms: the address goes into a mail header, so no whitespace, commas,
# quotes or angle brackets may reach it. International domains must be given in punycode.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class Session:
    """A signed-in user: the user token and who it is for."""

    token: str
    user_id: uuid.UUID
    claimed_handle: str


@dataclass(frozen=True)
class VerifiedEmail:
    email: str
    claimed_handle: str


@dataclass(frozen=True)
class Account:
    user_id: uuid.UUID
    email: str
    claimed_handle: str
    email_verified: bool


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _plausible_email(email: str) -> bool:
    return (
        len(email) <= MAX_EMAIL_LENGTH
        and len(email.partition("@")[0]) <= MAX_EMAIL_LOCAL_LENGTH
        and _EMAIL.fullmatch(email) is not None
    )


def _check_email(email: str) -> None:
    if not _plausible_email(email):
        raise BadRequest("invalid_email", "email must look like name@example.com")


def _check_password(password: str) -> None:
    size = len(password.encode())
    if size < MIN_PASSWORD_BYTES:
        raise BadRequest(
            "password_too_short", f"password must be at least {MIN_PASSWORD_BYTES} bytes"
        )
    if size > MAX_PASSWORD_BYTES:
        raise BadRequest(
            "password_too_long", f"password must be at most {MAX_PASSWORD_BYTES} bytes"
        )


def _check_handle(handle: str) -> None:
    if not handle:
        raise BadRequest("missing_handle", "claimed_handle is required")
    if _HANDLE.fullmatch(handle) is None:
        raise BadRequest(
            "invalid_handle",
            f"claimed_handle must be 1-{MAX_HANDLE_LENGTH} of A-Z, a-z, 0-9, _ and -",
        )


def _verification_mail(state: AppState, to: str, handle: str, token: str) -> Mail:
    link = f"{state.settings.web_link_origin}/auth/verify?token={token}"
    hours = int(EMAIL_VERIFICATION_TTL.total_seconds() // 3600)
    body = (
        f"Hello {handle},\n\n"
        f"Confirm your StarStats email address by opening this link "
        f"(valid for {hours} hours):\n\n{link}\n\n"
        "If you did not create a StarStats account, ignore this email.\n"
    )
    return Mail(to=to, subject=VERIFY_SUBJECT, body=body)


async def deliver(state: AppState, mail: Mail) -> bool:
    """Send `mail`; a failure is logged and reported as False, never raised."""
    try:
        return await state.mailer.send(mail)
    except Exception:
        # The Mailer contract says "never raises"; should an adapter break it, the account
        # (already committed) must still be returned to the caller.
        log.exception("mailer raised instead of reporting failure")
        return False


async def _taken(conn: AsyncConnection, email: str, handle: str) -> Conflict | None:
    if (await conn.execute(sa.select(users.c.id).where(users.c.email == email))).first():
        return Conflict("email_taken", "an account with this email already exists")
    if (await conn.execute(sa.select(users.c.id).where(users.c.handle == handle))).first():
        return Conflict("handle_taken", "this handle is already claimed")
    return None


async def sign_up(
    state: AppState,
    email: str,
    password: str,
    claimed_handle: str,
    send_later: Callable[[Mail], None] | None = None,
) -> Session:
    """Create an account (emails and handles unique case-insensitively), send the
    verification mail, and return a user token. With `send_later`, the mail is handed to it
    (the route sends it after the response, so a slow mail server never delays sign-up)."""
    with state.metrics.auth_attempt(AuthAction.SIGNUP):
        email = normalise_email(email)
        handle = claimed_handle.strip()
        _check_email(email)
        _check_password(password)
        _check_handle(handle)
        password_hash = await anyio.to_thread.run_sync(hash_password, password)
        user_id = uuid.uuid4()
        verify_token = secrets.token_hex(32)
        now = state.clock.now()
        try:
            async with state.audit.transaction() as tx:
                taken = await _taken(tx.conn, email, handle.lower())
                if taken is not None:
                    raise taken
                await tx.conn.execute(
                    sa.insert(users).values(
                        id=user_id,
                        email=email,
                        password_hash=password_hash,
                        handle=handle.lower(),
                        claimed_handle=handle,
                        created_at=now,
                        updated_at=now,
                        email_verification_token=verify_token,
                        email_verification_expires_at=now + EMAIL_VERIFICATION_TTL,
                    )
                )
                # No email in the audit log: its mirror cannot be erased for years.
                await tx.append(AuditAction.USER_SIGNED_UP, {}, Actor.of(user_id, handle))
        except IntegrityError:
            # A concurrent sign-up took the email or handle between our check and insert.
            async with state.engine.connect() as conn:
                taken = await _taken(conn, email, handle.lower())
            if taken is None:
                raise
            raise taken from None
    await authz.owner_tuple_after_sign_up(state, handle)
    mail = _verification_mail(state, email, handle, verify_token)
    if send_later is None:
        await deliver(state, mail)
    else:
        send_later(mail)
    token, _ = state.tokens.mint(user_id, handle, now)
    return Session(token=token, user_id=user_id, claimed_handle=handle)


async def log_in(state: AppState, email: str, password: str) -> Session:
    """A user token for matching credentials; the same 401 (after the same argon2 work) for
    an unknown email and a wrong password."""
    with state.metrics.auth_attempt(AuthAction.LOGIN):
        email = normalise_email(email)
        row = None
        if _plausible_email(email):  # no account can have another; skip the lookup
            async with state.engine.connect() as conn:
                row = (
                    await conn.execute(
                        sa.select(users.c.id, users.c.password_hash, users.c.claimed_handle).where(
                            users.c.email == email
                        )
                    )
                ).first()
        stored = None if row is None else row.password_hash
        ok = await anyio.to_thread.run_sync(verify_password, stored, password)
        if row is None or not ok:
            # An unknown address is recorded without actor or address: the log must not
            # become a list of emails tried (or of passwords typed into the email field).
            reason = "unknown_account" if row is None else "wrong_password"
            actor = None if row is None else Actor.of(row.id, row.claimed_handle)
            await _record(
                state,
                AuditAction.USER_LOGIN_FAILED,
                {"method": "password", "reason": reason},
                actor,
            )
            raise Unauthorized("email or password is wrong", code="invalid_credentials")
        await _record(
            state,
            AuditAction.USER_LOGGED_IN,
            {"method": "password"},
            Actor.of(row.id, row.claimed_handle),
        )
        token, _ = state.tokens.mint(row.id, row.claimed_handle, state.clock.now())
        return Session(token=token, user_id=row.id, claimed_handle=row.claimed_handle)


async def _record(
    state: AppState, action: AuditAction, payload: dict[str, Any], actor: Actor | None
) -> None:
    """An audit row in a transaction of its own, for actions that change nothing else."""
    async with state.audit.transaction() as tx:
        await tx.append(action, payload, actor)


async def verify_email(state: AppState, token: str) -> VerifiedEmail:
    """Mark the address of the account holding `token` verified; the token is single use."""
    token = token.strip()
    now = state.clock.now()
    row = None
    if _VERIFY_TOKEN.fullmatch(token):
        async with state.audit.transaction() as tx:
            row = (
                await tx.conn.execute(
                    sa.update(users)
                    .where(
                        users.c.email_verification_token == token,
                        users.c.email_verification_expires_at > now,
                    )
                    .values(
                        email_verified_at=now,
                        email_verification_token=None,
                        email_verification_expires_at=None,
                        updated_at=now,
                    )
                    .returning(users.c.id, users.c.email, users.c.claimed_handle)
                )
            ).first()
            if row is not None:
                await tx.append(
                    AuditAction.USER_EMAIL_VERIFIED, {}, Actor.of(row.id, row.claimed_handle)
                )
    if row is None:
        raise BadRequest("invalid_or_expired", "verification token is unknown or expired")
    return VerifiedEmail(email=row.email, claimed_handle=row.claimed_handle)


def _user_gone() -> Unauthorized:
    return Unauthorized("the account for this token no longer exists", code="user_not_found")


async def _contact(conn: AsyncConnection, user_id: uuid.UUID) -> sa.Row[Any, Any, Any]:
    """The user's email, handle and verification time; `user_not_found` when gone."""
    row = (
        await conn.execute(
            sa.select(users.c.email, users.c.claimed_handle, users.c.email_verified_at).where(
                users.c.id == user_id
            )
        )
    ).first()
    if row is None:
        raise _user_gone()
    return row


async def resend_verification(state: AppState, user_id: uuid.UUID) -> bool:
    """Issue a fresh verification token (the old one stops working) and mail it; whether
    the mail server accepted the message."""
    verify_token = secrets.token_hex(32)
    now = state.clock.now()
    async with state.engine.begin() as conn:
        row = await _contact(conn, user_id)
        if row.email_verified_at is not None:
            raise Conflict("already_verified", "this email address is already verified")
        await conn.execute(
            sa.update(users)
            .where(users.c.id == user_id)
            .values(
                email_verification_token=verify_token,
                email_verification_expires_at=now + EMAIL_VERIFICATION_TTL,
                updated_at=now,
            )
        )
    return await deliver(
        state, _verification_mail(state, row.email, row.claimed_handle, verify_token)
    )


async def get_account(state: AppState, user_id: uuid.UUID) -> Account:
    async with reading(state.engine) as conn:
        row = await _contact(conn, user_id)
    return Account(
        user_id=user_id,
        email=row.email,
        claimed_handle=row.claimed_handle,
        email_verified=row.email_verified_at is not None,
    )


# Everything stored under the handle rather than the user id (so no cascade reaches it).
_BY_HANDLE = (
    events,
    quarantined_events,
    event_sequences,
    event_day_counts,
    event_type_counts,
    event_distinct_values,
    handle_totals,
    journey_sessions,
    journey_facts,
    journey_state,
    journey_values,
    journey_sums,
    journey_missions,
)


async def delete_account(state: AppState, user_id: uuid.UUID, password: str) -> int:
    """Delete the account after the password is confirmed: its events and rollups, devices,
    pairings, shares, memberships and the orgs it owns; its tuples in SpiceDB first (a
    stale share must never outlive the account: a new player could claim the handle). How
    many events were deleted. The audit log keeps `user.account_deleted` and the account's
    earlier rows; it holds no email."""
    async with state.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(users.c.password_hash, users.c.claimed_handle).where(
                    users.c.id == user_id
                )
            )
        ).first()
    if row is None:
        raise _user_gone()
    if not await anyio.to_thread.run_sync(verify_password, row.password_hash, password):
        # 403, not 401: a client that treats 401 as "session over" must not log out on a typo.
        raise Forbidden("wrong_password", "the password is wrong; nothing was deleted")
    handle = row.claimed_handle
    async with state.audit.transaction() as tx:
        owned = await tx.conn.execute(
            sa.select(organizations.c.slug).where(organizations.c.owner_id == user_id)
        )
        filters = authz.account_filters(handle)
        for (slug,) in owned:
            filters.extend(authz.org_filters(slug))
        if state.authz is not None:  # without SpiceDB there is nothing to remove there
            await authz.delete_matching(state, filters)
        deleted = 0
        for table in _BY_HANDLE:
            result = await tx.conn.execute(sa.delete(table).where(table.c.handle == handle.lower()))
            if table is events:
                deleted = result.rowcount
        await tx.conn.execute(sa.delete(users).where(users.c.id == user_id))
        await tx.append(
            AuditAction.USER_ACCOUNT_DELETED, {"events_deleted": deleted}, Actor.of(user_id, handle)
        )
    return deleted
