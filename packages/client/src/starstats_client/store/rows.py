"""The store's row shapes: what goes in (events, cursors, shape counts) and what comes out
(outbox events, counts, sync statistics). Plain values, separate from domain events."""

import json
from dataclasses import dataclass, field
from typing import NamedTuple

from starstats_core.wire import EventEnvelope, LogSource


class EventRow(NamedTuple):
    """One event as stored (a tuple: bulk inserts build one per event)."""

    idempotency_key: str
    event_type: str
    timestamp: str
    source: str
    source_offset: int
    file_signature: str
    raw_line: str  # PII-scrubbed, capped like on the wire
    payload: str  # the event's wire form, JSON


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where reading one launch's log resumes. Every event of the bytes before `offset`
    is stored; `finished` means the end of input was processed too (pending events
    flushed), so a file no longer than `offset` has nothing new."""

    file_signature: str
    source: LogSource
    path: str
    offset: int
    finished: bool = False


@dataclass(frozen=True, slots=True)
class ShapeCount:
    """More occurrences of an unknown line shape, with a scrubbed sample line."""

    shape: str
    count: int
    sample: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What reading some bytes of one launch's log produced: its events, the cursor after
    them and the unknown-shape counts they add. Stored in one transaction, or not at all."""

    events: list[EventRow]
    cursor: Cursor
    shapes: list[ShapeCount]


@dataclass(frozen=True, slots=True)
class UnknownShape:
    shape: str
    count: int
    sample: str
    first_seen: str
    last_seen: str


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """A stored event waiting to be sent."""

    idempotency_key: str
    event_type: str
    timestamp: str
    source: str
    source_offset: int
    raw_line: str
    payload: str

    def envelope(self) -> EventEnvelope:
        """The wire envelope (metadata is stamped by the sender, who knows the handle)."""
        return EventEnvelope(
            idempotency_key=self.idempotency_key,
            raw_line=self.raw_line,
            event=json.loads(self.payload),
            source=LogSource(self.source),
            source_offset=self.source_offset,
        )


@dataclass(frozen=True, slots=True)
class StoreCounts:
    events: int
    by_type: dict[str, int] = field(default_factory=dict)
    unsynced: int = 0
    quarantined: int = 0
    unknown_shapes: int = 0


@dataclass(frozen=True, slots=True)
class SyncStats:
    last_attempt_at: str | None = None
    last_success_at: str | None = None
    last_error: str | None = None
    batches_sent: int = 0
    events_accepted: int = 0
    events_duplicate: int = 0
    events_rejected: int = 0
    state: str | None = None  # the sync worker's last state (sync.SyncState), None: never ran
    last_trace_id: str | None = None  # W3C trace id of the last request sent
