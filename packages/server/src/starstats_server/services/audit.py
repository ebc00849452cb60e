"""A user's view of the audit log: their own entries, and their ingest batches as the log
recorded them (upstream's ingest history). Both are keyed by the user id (`actor_sub`), so a
renamed handle keeps its history."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starstats_server.audit import store
from starstats_server.state import AppState


@dataclass(frozen=True)
class EntryPage:
    """Entries newest first; `next_before` is the `before_seq` of the next (older) page,
    None when there is none."""

    entries: list[store.Entry]
    next_before: int | None


@dataclass(frozen=True)
class IngestBatchRecord:
    seq: int
    occurred_at: datetime
    batch_id: str
    game_build: str | None
    device_id: uuid.UUID | None
    total: int
    accepted: int
    duplicate: int
    rejected: int


async def my_entries(
    state: AppState, user_id: uuid.UUID, before_seq: int | None, limit: int
) -> EntryPage:
    async with state.engine.connect() as conn:
        found = await store.entries_of(conn, str(user_id), before_seq, limit + 1)
    page = found[:limit]
    return EntryPage(page, page[-1].seq if len(found) > limit else None)


def _count(payload: dict[str, Any], field: str) -> int:
    value = payload.get(field)
    return value if isinstance(value, int) else 0


def _batch(seq: int, occurred_at: datetime, payload: dict[str, Any]) -> IngestBatchRecord:
    device = payload.get("device_id")
    build = payload.get("game_build")
    return IngestBatchRecord(
        seq=seq,
        occurred_at=occurred_at,
        batch_id=str(payload.get("batch_id", "")),
        game_build=build if isinstance(build, str) else None,
        device_id=uuid.UUID(device) if isinstance(device, str) else None,
        total=_count(payload, "total"),
        accepted=_count(payload, "accepted"),
        duplicate=_count(payload, "duplicate"),
        rejected=_count(payload, "rejected"),
    )


async def ingest_history(
    state: AppState,
    user_id: uuid.UUID,
    device_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[IngestBatchRecord]:
    """The user's processed batches, newest first, of one device when given."""
    async with state.engine.connect() as conn:
        rows = await store.batches_of(conn, str(user_id), device_id, limit, offset)
    return [_batch(*row) for row in rows]
