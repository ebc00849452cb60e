"""Device pairing: a signed-in user asks for a short code, the desktop client redeems it once
for a long-lived device token.

Why guessing codes is infeasible. A code is 8 symbols from a 31-symbol alphabet, drawn with
`secrets`: 31**8 = 852,891,037,441 (about 8.5e11) codes. A code lives 10 minutes. Redeeming is
limited to `redeem_rate_per_minute` (10) attempts per client IP, and failed redemptions are
capped at `GLOBAL_FAILED_REDEEMS_PER_MINUTE` (300) per minute across all IPs, so however many
addresses an attacker has, at most 300 * 10 = 3,000 guesses fall within one code's lifetime:
a chance of 3,000 / 8.5e11 = 3.5e-9 of hitting a given live code. Over a whole year the cap
allows 300 * 60 * 24 * 365 = 1.6e8 guesses; with 100 codes live at every moment that is
1.6e8 * 100 / 8.5e11 = 0.019 expected hits per year, and a hit pairs a device to a stranger's
account only in the minutes before that stranger redeems it themselves.

The price of the global cap: someone spending it blocks all redemptions for up to a minute
(429 with Retry-After). That is a nuisance, not a breach, and needs 30+ addresses to sustain.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_server.audit.actions import AuditAction
from starstats_server.audit.store import Actor
from starstats_server.db.tables import device_pairings, devices, users
from starstats_server.errors import (
    BadRequest,
    Conflict,
    Gone,
    NotFound,
    ServiceError,
    Unauthorized,
)
from starstats_server.metrics import AuthAction
from starstats_server.ratelimit import Limit
from starstats_server.state import AppState

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no I, L, O, 0, 1: read aloud and typed
CODE_LENGTH = 8
PAIRING_TTL = timedelta(minutes=10)
DEFAULT_LABEL = "Desktop client"
MAX_PENDING_CODES = 5
GLOBAL_FAILED_REDEEMS_PER_MINUTE = 300
_FAILED_REDEEMS = Limit("failed_redeem", GLOBAL_FAILED_REDEEMS_PER_MINUTE)
_EVERYONE = "*"  # the global budget has one key for all clients
_INSERT_ATTEMPTS = 5


@dataclass(frozen=True)
class Pairing:
    code: str
    expires_at: datetime
    label: str


@dataclass(frozen=True)
class PairedDevice:
    token: str
    device_id: uuid.UUID
    label: str
    claimed_handle: str


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def start_pairing(state: AppState, user_id: uuid.UUID, label: str | None) -> Pairing:
    """A fresh single-use code for `user_id`, valid for `PAIRING_TTL`."""
    label = (label or "").strip() or DEFAULT_LABEL
    if not label.isprintable():
        raise BadRequest("invalid_label", "label must not contain control characters")
    now = state.clock.now()
    expires_at = now + PAIRING_TTL
    for _ in range(_INSERT_ATTEMPTS):
        code = new_code()
        try:
            async with state.audit.transaction() as tx:
                conn = tx.conn
                found = await conn.execute(
                    sa.select(users.c.claimed_handle).where(users.c.id == user_id)
                )
                handle = found.scalar_one_or_none()
                if handle is None:
                    raise Unauthorized(
                        "the account for this token no longer exists", code="user_not_found"
                    )
                await _limit_pending(conn, user_id, now)
                await conn.execute(
                    sa.insert(device_pairings).values(
                        code=code,
                        user_id=user_id,
                        label=label,
                        created_at=now,
                        expires_at=expires_at,
                    )
                )
                # Never the code itself: it is a live credential for ten minutes.
                await tx.append(
                    AuditAction.DEVICE_PAIRING_STARTED,
                    {"label": label, "expires_at": expires_at.isoformat()},
                    Actor.of(user_id, handle),
                )
        except IntegrityError:
            continue  # the code is taken (about one chance in 1e11 per live code): draw again
        return Pairing(code=code, expires_at=expires_at, label=label)
    raise RuntimeError("could not draw an unused pairing code")  # pragma: no cover


async def _limit_pending(conn: AsyncConnection, user_id: uuid.UUID, now: datetime) -> None:
    """Drop the user's expired unused codes, and refuse a new one while
    `MAX_PENDING_CODES` are still live: each live code is a target for guessing, so a user
    (or a stolen user token) cannot fill the code space."""
    unused = sa.and_(device_pairings.c.user_id == user_id, device_pairings.c.redeemed_at.is_(None))
    await conn.execute(
        sa.delete(device_pairings).where(unused, device_pairings.c.expires_at <= now)
    )
    live = await conn.scalar(sa.select(sa.func.count()).select_from(device_pairings).where(unused))
    if (live or 0) >= MAX_PENDING_CODES:
        raise Conflict(
            "too_many_pending_codes",
            f"{MAX_PENDING_CODES} pairing codes are already waiting; use one or let them expire",
        )


def normalise_code(raw: str) -> str:
    """The code as stored (trimmed, upper case), or `invalid_code` if it cannot be one."""
    code = raw.strip().upper()
    if len(code) != CODE_LENGTH or not set(code) <= set(CODE_ALPHABET):
        raise BadRequest(
            "invalid_code", f"a pairing code is {CODE_LENGTH} characters from {CODE_ALPHABET}"
        )
    return code


async def _claim(
    conn: AsyncConnection, code: str, now: datetime, device_id: uuid.UUID
) -> sa.Row[uuid.UUID, str] | None:
    """Mark `code` redeemed by `device_id` if it is live; its (user_id, label) if so."""
    result = await conn.execute(
        sa.update(device_pairings)
        .where(
            device_pairings.c.code == code,
            device_pairings.c.redeemed_at.is_(None),
            device_pairings.c.expires_at > now,
        )
        .values(redeemed_at=now, device_id=device_id)
        .returning(device_pairings.c.user_id, device_pairings.c.label)
    )
    return result.first()


async def _why_unclaimable(conn: AsyncConnection, code: str) -> ServiceError:
    found = (
        await conn.execute(
            sa.select(device_pairings.c.redeemed_at).where(device_pairings.c.code == code)
        )
    ).first()
    if found is None:
        return NotFound("unknown_code", "no pairing code like this exists")
    if found.redeemed_at is not None:
        return Conflict("already_redeemed", "this pairing code was already used")
    return Gone("expired", "this pairing code has expired; start pairing again")


async def redeem_pairing(state: AppState, raw_code: str) -> PairedDevice:
    """Turn a live code into a device and its token, exactly once.

    The conditional UPDATE is the claim: of two concurrent redemptions only one sees the row
    still unredeemed and unexpired (PostgreSQL re-checks the WHERE after waiting for the
    other's row lock; SQLite runs writers one at a time), and the device row is inserted in
    the same transaction, so a device exists if and only if its code was claimed.
    """
    with state.metrics.auth_attempt(AuthAction.REDEEM):
        code = normalise_code(raw_code)
        state.limiter.ensure_available(_FAILED_REDEEMS, _EVERYONE)
        now = state.clock.now()
        device_id = uuid.uuid4()
        async with state.audit.transaction() as tx:
            conn = tx.conn
            claimed = await _claim(conn, code, now, device_id)
            if claimed is None:
                refusal = await _why_unclaimable(conn, code)
            else:
                user_id, label = claimed
                await conn.execute(
                    sa.insert(devices).values(
                        id=device_id, user_id=user_id, label=label, created_at=now
                    )
                )
                handle = (
                    await conn.execute(
                        sa.select(users.c.claimed_handle).where(users.c.id == user_id)
                    )
                ).scalar_one()
                await tx.append(
                    AuditAction.DEVICE_PAIRED,
                    {"device_id": str(device_id), "label": label},
                    Actor.of(user_id, handle),
                )
        if claimed is None:
            state.limiter.spend(_FAILED_REDEEMS, _EVERYONE)
            raise refusal
        token, _ = state.tokens.mint(user_id, handle, now, device_id=device_id)
        return PairedDevice(token=token, device_id=device_id, label=label, claimed_handle=handle)
