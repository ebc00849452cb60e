"""Wire format, schema version 2: `IngestBatch` -> `POST /v1/ingest` -> `IngestResponse`.

Idempotency keys are UUIDv5 over source channel, file signature, byte offset and line, so an
identical line at the same offset of a later launch (after rotation) is a new event, unlike
upstream's key without the signature.
"""

import hashlib
import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from starstats_core.events import event_to_dict
from starstats_core.metadata import EntityKind, EntityRef, EventMetadata, observed_metadata
from starstats_core.parser import ParsedEvent

# The metadata models live in metadata.py; they are part of the wire format, so re-exported.
__all__ = [
    "MAX_BATCH_BYTES",
    "MAX_BATCH_EVENTS",
    "MAX_RAW_LINE_BYTES",
    "SCHEMA_VERSION",
    "EntityKind",
    "EntityRef",
    "EventEnvelope",
    "EventMetadata",
    "IngestBatch",
    "IngestResponse",
    "LogSource",
    "cap_raw_line",
    "file_signature",
    "idempotency_key",
    "to_envelope",
]

SCHEMA_VERSION = 2
SUPPORTED_SCHEMA_VERSIONS = range(1, SCHEMA_VERSION + 1)
MAX_RAW_LINE_BYTES = 16 * 1024
MAX_BATCH_EVENTS = 1000
MAX_BATCH_BYTES = 4 * 1024 * 1024
_NAMESPACE = uuid.NAMESPACE_OID


class LogSource(StrEnum):
    """Which channel (install folder) or producer a line came from."""

    LIVE = "live"
    PTU = "ptu"
    EPTU = "eptu"
    HOTFIX = "hotfix"
    TECH = "tech"
    LAUNCHER = "launcher"
    OTHER = "other"

    @classmethod
    def from_channel(cls, channel: str) -> "LogSource":
        """The source for an install channel folder name (`LIVE`, `TECH-PREVIEW`, ...)."""
        folded = channel.strip().lower().replace("_", "-")
        if folded in ("tech-preview", "techpreview", "tech"):
            return cls.TECH
        try:
            return cls(folded)
        except ValueError:
            return cls.OTHER


class EventEnvelope(BaseModel):
    """One event as sent: the event's wire form plus where it came from.

    `event` is kept as a plain object here so that one bad event can be quarantined on its
    own (validators.envelope_problems) instead of failing the whole batch.
    """

    model_config = ConfigDict(extra="ignore")

    idempotency_key: str = Field(min_length=1, max_length=128)
    raw_line: str
    event: dict[str, Any] | None
    source: LogSource
    source_offset: int = Field(ge=0)
    metadata: EventMetadata | None = None


class IngestBatch(BaseModel):
    """Body of `POST /v1/ingest` (JSON)."""

    model_config = ConfigDict(extra="ignore")

    schema_version: int
    batch_id: str = Field(min_length=1, max_length=64)
    game_build: str | None = Field(default=None, max_length=64)
    claimed_handle: str = Field(max_length=64)
    events: list[EventEnvelope]


class IngestResponse(BaseModel):
    """What the server did with each envelope of a batch."""

    batch_id: str
    accepted: int
    duplicate: int
    rejected: int


def file_signature(first_line: bytes) -> str:
    """A short id for one game launch's log, from its first line.

    The first line of every Game.log is `<timestamp> BackupNameAttachment=...` with a
    millisecond timestamp, so it differs for each launch and survives rotation into
    logbackups/ unchanged.
    """
    head = first_line.split(b"\n", 1)[0].rstrip(b"\r")
    return hashlib.sha256(head).hexdigest()[:16]


def idempotency_key(source: LogSource, signature: str, offset: int, line: str) -> str:
    """UUIDv5 over `{source}:{signature}:{offset}:{line}` (line without its CR/LF)."""
    line = line.rstrip("\r\n")
    return str(uuid.uuid5(_NAMESPACE, f"{source.value}:{signature}:{offset}:{line}"))


def cap_raw_line(raw: str) -> str:
    """`raw` cut to `MAX_RAW_LINE_BYTES` of UTF-8 (on a character boundary)."""
    data = raw.encode("utf-8", "replace")
    if len(data) <= MAX_RAW_LINE_BYTES:
        return raw
    return data[:MAX_RAW_LINE_BYTES].decode("utf-8", "ignore")


def to_envelope(
    parsed: ParsedEvent, source: LogSource, signature: str, handle: str | None = None
) -> EventEnvelope:
    """The wire envelope for a parsed event from the file with `signature`; with the player's
    `handle`, stamped with observed metadata (schema v2)."""
    first_line = parsed.raw_line.split("\n", 1)[0]
    return EventEnvelope(
        idempotency_key=idempotency_key(source, signature, parsed.offset, first_line),
        raw_line=cap_raw_line(parsed.raw_line),
        event=event_to_dict(parsed.event),
        source=source,
        source_offset=parsed.offset,
        metadata=None if handle is None else observed_metadata(parsed.event, handle),
    )
