"""The outbox as it goes on the wire: pending events packed into `IngestBatch` bodies that
stay within the server's limits, and a preview of the next body (the player can see exactly
what would be sent).
"""

import json
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from starstats_client.store import OutboxEvent
from starstats_core.wire import MAX_BATCH_BYTES, SCHEMA_VERSION


def uuid7(now_ms: int | None = None) -> str:
    """A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then 74 random bits. Batch ids sort
    by creation time in the server's audit log."""
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    value = (ms & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


@dataclass(frozen=True, slots=True)
class Batch:
    """One `POST /v1/ingest` body and the outbox events in it. `unsendable` are events of
    the outbox slice that cannot be put on the wire at all (key, why): quarantine them."""

    batch_id: str
    handle: str
    events: tuple[OutboxEvent, ...]
    body: bytes
    unsendable: tuple[tuple[str, str], ...] = ()

    @property
    def keys(self) -> list[str]:
        return [event.idempotency_key for event in self.events]


def _envelope_json(event: OutboxEvent) -> bytes:
    envelope = event.envelope()  # validates: source, key length, offset
    # metadata is left out rather than sent as null: the server stamps observed metadata.
    text = envelope.model_dump_json(exclude={"metadata"} if envelope.metadata is None else None)
    return text.encode()


def build_batch(
    outbox: Sequence[OutboxEvent],
    handle: str,
    *,
    max_bytes: int = MAX_BATCH_BYTES,
    batch_id: str | None = None,
) -> Batch:
    """The batch of the leading events of `outbox` whose body stays within `max_bytes`
    (always at least one event: a single event over the limit is the server's to refuse).
    The body is exactly `IngestBatch` JSON (schema_version, batch_id, game_build null,
    claimed_handle, events), assembled from each envelope's JSON so its size is known."""
    batch_id = batch_id if batch_id is not None else uuid7()
    head = (
        f'{{"schema_version":{SCHEMA_VERSION},"batch_id":{json.dumps(batch_id)},'
        f'"game_build":null,"claimed_handle":{json.dumps(handle, ensure_ascii=False)},'
        '"events":['
    ).encode()
    tail = b"]}"
    size = len(head) + len(tail)
    parts: list[bytes] = []
    events: list[OutboxEvent] = []
    unsendable: list[tuple[str, str]] = []
    for event in outbox:
        try:
            part = _envelope_json(event)
        except (ValueError, TypeError) as err:  # damaged row: bad JSON, unknown source...
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            unsendable.append((event.idempotency_key, f"local unsendable: {first}"))
            continue
        grows = len(part) + (1 if parts else 0)
        if parts and size + grows > max_bytes:
            break
        parts.append(part)
        events.append(event)
        size += grows
    return Batch(
        batch_id=batch_id,
        handle=handle,
        events=tuple(events),
        body=head + b",".join(parts) + tail,
        unsendable=tuple(unsendable),
    )
