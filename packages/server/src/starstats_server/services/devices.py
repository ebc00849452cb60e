"""Paired devices: revocation checks on every device-token request."""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from starstats_server.db.tables import devices
from starstats_server.errors import Unauthorized
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
