"""The local store: SQLite schema, row shapes and the `Store` that owns all SQL."""

from starstats_client.store.database import Clock, Store, utc_now
from starstats_client.store.rows import (
    Checkpoint,
    Cursor,
    EventRow,
    OutboxEvent,
    ShapeCount,
    StoreCounts,
    SyncStats,
    UnknownShape,
)
from starstats_client.store.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Checkpoint",
    "Clock",
    "Cursor",
    "EventRow",
    "OutboxEvent",
    "ShapeCount",
    "Store",
    "StoreCounts",
    "SyncStats",
    "UnknownShape",
    "utc_now",
]
