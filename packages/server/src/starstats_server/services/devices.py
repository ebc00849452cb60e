"""Paired devices: listing and revoking them, and the revocation check on every device-token
request."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from starstats_server.audit.actions import AuditAction
from starstats_server.audit.store import Actor
from starstats_server.db.tables import devices, users
from starstats_server.errors import NotFound, Unauthorized
from starstats_server.state import AppState

# last_seen_at is a hint for the devices page, not an audit trail: one write per device per
# minute keeps a busy client from turning every request into a write.
LAST_SEEN_GRANULARITY = timedelta(minutes=1)


async def check_device_active(state: AppState, user_id: uuid.UUID, device_id: uuid.UUID) -> None:
    """Refuse a device token whose device is gone or revoked; refresh `last_seen_at`."""
    now = state.clock.now()
    async with state.engine.begin() as conn:
        row = (
            await conn.execute(
                sa.select(devices.c.revoked_at, devices.c.last_seen_at).where(
                    devices.c.id == device_id, devices.c.user_id == user_id
                )
            )
        ).first()
        if row is None or row.revoked_at is not None:
            raise Unauthorized("token rejected: device revoked")
        if row.last_seen_at is None or now - row.last_seen_at >= LAST_SEEN_GRANULARITY:
            await conn.execute(
                sa.update(devices).where(devices.c.id == device_id).values(last_seen_at=now)
            )


@dataclass(frozen=True)
class Device:
    id: uuid.UUID
    label: str
    created_at: datetime
    last_seen_at: datetime | None


async def list_devices(state: AppState, user_id: uuid.UUID) -> list[Device]:
    """The user's active (not revoked) devices, newest first."""
    async with state.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(devices.c.id, devices.c.label, devices.c.created_at, devices.c.last_seen_at)
            .where(devices.c.user_id == user_id, devices.c.revoked_at.is_(None))
            .order_by(devices.c.created_at.desc(), devices.c.id.desc())
        )
        return [Device(r.id, r.label, r.created_at, r.last_seen_at) for r in rows]


async def revoke_device(state: AppState, user_id: uuid.UUID, device_id: uuid.UUID) -> None:
    """Revoke one of the user's devices; its token is refused from its next request on.
    Revoking an already revoked device is a no-op; another user's device is `NotFound`."""
    async with state.audit.transaction() as tx:
        row = (
            await tx.conn.execute(
                sa.select(devices.c.revoked_at, users.c.claimed_handle)
                .join(users, users.c.id == devices.c.user_id)
                .where(devices.c.id == device_id, devices.c.user_id == user_id)
            )
        ).first()
        if row is None:
            raise NotFound("device_not_found", "no such device on this account")
        if row.revoked_at is None:
            await tx.conn.execute(
                sa.update(devices)
                .where(devices.c.id == device_id)
                .values(revoked_at=state.clock.now())
            )
            await tx.append(
                AuditAction.DEVICE_REVOKED,
                {"device_id": str(device_id)},
                Actor.of(user_id, row.claimed_handle),
            )
