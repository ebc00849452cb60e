"""Ingest: one batch from a player's client is checked (size, schema version, handle), each
envelope validated with core's validators, and the batch stored in one transaction.

Invalid envelopes are quarantined with their problems, never dropped. Keys already stored
for the handle (or already quarantined) count as duplicates, so a replayed batch changes
nothing. Validation and serialisation run before the handle's sequence lock is taken, so the
lock is held only for the lookups and the bulk inserts. Every batch, replays included, is
recorded as `ingest.batch_processed` in the audit log in the same transaction, as its last
statement (the chain's tail lock is then held only for that insert and the commit).
"""

import json
import logging
import re
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple, NoReturn
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_core.wire import (
    MAX_BATCH_EVENTS,
    SUPPORTED_SCHEMA_VERSIONS,
    IngestBatch,
    IngestResponse,
)
from starstats_server.audit.actions import AuditAction
from starstats_server.audit.store import Actor
from starstats_server.auth.tokens import Principal
from starstats_server.db import bulk, journey, rollups
from starstats_server.db.collector import collector_paused
from starstats_server.errors import (
    BadRequest,
    Forbidden,
    PayloadTooLarge,
    ServiceError,
    Unprocessable,
)
from starstats_server.metrics import BatchRejection, EventRejection
from starstats_server.services.envelopes import Invalid, Valid, check_envelope
from starstats_server.state import AppState

log = logging.getLogger(__name__)

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# -- batch-level checks ---------------------------------------------------------------------
def _refuse(state: AppState, reason: BatchRejection, error: ServiceError) -> NoReturn:
    state.metrics.batches_rejected.labels(reason=reason.value).inc()
    raise error


def _check_head(state: AppState, schema_version: object, event_count: int | None) -> None:
    """The refusals that win over any other problem with the body: too many events (413),
    then an unsupported schema version (400)."""
    if event_count is not None and event_count > MAX_BATCH_EVENTS:
        _refuse(
            state,
            BatchRejection.TOO_MANY_EVENTS,
            PayloadTooLarge(
                "too_many_events",
                f"{event_count} events in one batch; at most {MAX_BATCH_EVENTS}",
            ),
        )
    if (
        isinstance(schema_version, int)
        and not isinstance(schema_version, bool)
        and schema_version not in SUPPORTED_SCHEMA_VERSIONS
    ):
        first, last = SUPPORTED_SCHEMA_VERSIONS[0], SUPPORTED_SCHEMA_VERSIONS[-1]
        _refuse(
            state,
            BatchRejection.BAD_SCHEMA,
            BadRequest(
                "unsupported_schema_version",
                f"got {schema_version}, server speaks {first}..{last}",
            ),
        )


def _describe(errors: Iterable[Any]) -> str:
    listed = list(errors)
    parts = [
        f"{'.'.join(str(p) for p in e.get('loc', ())) or 'body'}: {e.get('msg', 'invalid')}"
        for e in listed[:5]
    ]
    more = f" (+{len(listed) - 5} more)" if len(listed) > 5 else ""
    return "; ".join(parts) + more


def decode_batch(state: AppState, body: bytes) -> IngestBatch:
    """The batch in `body`, strictly validated against the wire schema; refusals are
    `BadRequest` (not JSON, unsupported schema version), `PayloadTooLarge` (too many events)
    or `Unprocessable` (anything else that breaks the schema)."""
    try:
        batch = IngestBatch.model_validate_json(body, strict=True)
    except ValidationError as err:
        errors = err.errors(include_url=False)
        if any(e["type"] == "json_invalid" for e in errors):
            _refuse(
                state,
                BatchRejection.MALFORMED_JSON,
                BadRequest("malformed_json", "request body is not valid JSON"),
            )
        # Slow path, for refused bodies only: a batch of a future schema version or with too
        # many events gets that answer, not a list of schema errors.
        try:
            head = json.loads(body)
        except ValueError:
            head = None
        if isinstance(head, dict):
            events = head.get("events")
            _check_head(
                state, head.get("schema_version"), len(events) if isinstance(events, list) else None
            )
        _refuse(
            state, BatchRejection.INVALID_BODY, Unprocessable("invalid_request", _describe(errors))
        )
    _check_head(state, batch.schema_version, len(batch.events))
    if _CONTROL.search(batch.batch_id):
        _refuse(
            state,
            BatchRejection.INVALID_BODY,
            Unprocessable("invalid_request", "batch_id: must not contain control characters"),
        )
    for field, text in (("batch_id", batch.batch_id), ("game_build", batch.game_build or "")):
        # JSON can carry lone surrogates; they have no UTF-8 form for the audit record.
        if not _is_unicode(text):
            _refuse(
                state,
                BatchRejection.INVALID_BODY,
                Unprocessable("invalid_request", f"{field}: must be valid Unicode text"),
            )
    return batch


def _is_unicode(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _check_identity(state: AppState, principal: Principal, batch: IngestBatch) -> None:
    if not batch.claimed_handle.strip():
        _refuse(
            state,
            BatchRejection.EMPTY_HANDLE,
            BadRequest("missing_claimed_handle", "claimed_handle is blank"),
        )
    if batch.claimed_handle.translate(_ASCII_LOWER) != principal.handle.translate(_ASCII_LOWER):
        log.warning(
            "ingest refused, handle mismatch: sub=%s token_handle=%r claimed=%r",
            principal.user_id,
            principal.handle,
            batch.claimed_handle,
        )
        _refuse(
            state,
            BatchRejection.HANDLE_MISMATCH,
            Forbidden("handle_mismatch", "claimed_handle does not match authenticated identity"),
        )


def classify(
    checked: Iterable[Valid | Invalid], stored: set[str], quarantined: set[str]
) -> tuple[list[Valid], list[Invalid], int]:
    """Split a batch into new events, new quarantine entries and the duplicate count, in
    batch order. A key already stored (or stored earlier in this batch) is a duplicate; an
    invalid envelope whose key is already quarantined is a duplicate too, so replays of a
    batch with bad envelopes change nothing either."""
    taken = set(stored)
    held = set(quarantined)
    new: list[Valid] = []
    bad: list[Invalid] = []
    duplicate = 0
    for item in checked:
        if item.key in taken:
            duplicate += 1
        elif isinstance(item, Valid):
            taken.add(item.key)
            new.append(item)
        elif item.key in held:
            duplicate += 1
        else:
            held.add(item.key)
            bad.append(item)
    return new, bad, duplicate


# -- the use case -----------------------------------------------------------------------------
class _Prepared(NamedTuple):
    """A decoded, checked batch: only what the transaction needs. The validated models are
    gone by then, so batches waiting on the database hold no containers for the garbage
    collector to scan again and again."""

    batch_id: str
    claimed_handle: str
    game_build: str | None
    checked: list[Valid | Invalid]
    keys: list[str]
    invalid_keys: list[str]
    # The payload of each valid event with a time, by idempotency key, for the journey fold
    # (plain dicts: the fold's models are built while folding, not held while waiting).
    folded: dict[str, dict[str, Any]]


def prepare_batch(state: AppState, principal: Principal, body: bytes) -> _Prepared:
    """Decode and check a batch and every envelope in it (CPU only, no I/O)."""
    batch = decode_batch(state, body)
    _check_identity(state, principal, batch)
    checked = [check_envelope(envelope, batch.claimed_handle) for envelope in batch.events]
    folded: dict[str, dict[str, Any]] = {}
    if state.settings.journey_at_ingest:
        for envelope, item in zip(batch.events, checked, strict=True):
            if isinstance(item, Valid) and item.event_timestamp is not None and envelope.event:
                folded[item.key] = envelope.event
    return _Prepared(
        batch_id=batch.batch_id,
        claimed_handle=batch.claimed_handle,
        game_build=batch.game_build,
        checked=checked,
        keys=list(dict.fromkeys(item.key for item in checked)),
        invalid_keys=list(dict.fromkeys(item.key for item in checked if isinstance(item, Invalid))),
        folded=folded,
    )


class _Stored(NamedTuple):
    accepted: int
    duplicate: int
    rejected: int


def _audit_payload(batch: _Prepared, principal: Principal, result: _Stored) -> dict[str, Any]:
    """What `ingest.batch_processed` records (upstream's fields): no event content."""
    return {
        "batch_id": batch.batch_id,
        "claimed_handle": batch.claimed_handle,
        "game_build": batch.game_build,
        "device_id": None if principal.device_id is None else str(principal.device_id),
        "total": len(batch.checked),
        **result._asdict(),
    }


async def _store(
    conn: AsyncConnection,
    batch: _Prepared,
    handle: str,
    device_id: UUID | None,
    received_at: datetime,
) -> _Stored:
    """Lock the handle's sequence, drop what is already stored, number and write the rest."""
    last_seq = await bulk.lock_sequence(conn, handle)
    stored = await bulk.stored_keys(conn, handle, batch.keys)
    held = await bulk.quarantined_keys(conn, handle, batch.invalid_keys)
    new, bad, duplicate = classify(batch.checked, stored, held)
    claimed, batch_id = batch.claimed_handle, batch.batch_id
    rows = [
        bulk.EventRow(handle, seq, claimed, *item, batch_id, device_id, received_at)
        for seq, item in enumerate(new, start=last_seq + 1)
    ]
    # Before the insert, so the session rule's neighbour lookups see only stored events.
    await rollups.record_batch(conn, handle, rows)
    await bulk.insert_events(conn, rows)
    items = [
        journey.New(
            (row.event_timestamp, row.source_offset, row.seq),
            row.event_type,
            payload,
            row.idempotency_key,
        )
        for row in rows
        if row.event_timestamp is not None
        and (payload := batch.folded.get(row.idempotency_key)) is not None
    ]
    if items:
        # After the insert: a batch of older events refolds from the stored ones.
        await conn.run_sync(journey.record_batch, handle, items)
    await bulk.insert_quarantined(
        conn,
        [
            bulk.QuarantineRow(
                handle, batch_id, item.key, item.envelope, item.problems, device_id, received_at
            )
            for item in bad
        ],
    )
    if new:
        await bulk.set_last_seq(conn, handle, last_seq + len(new))
    return _Stored(len(new), duplicate, len(bad))


async def ingest(state: AppState, principal: Principal, body: bytes) -> IngestResponse:
    """Store one batch for the token's handle (see the module docstring)."""
    began = time.perf_counter()
    with collector_paused():
        batch = prepare_batch(state, principal, body)
    async with state.audit.transaction() as tx:
        result = await _store(
            tx.conn, batch, principal.handle.lower(), principal.device_id, state.clock.now()
        )
        # Last: the audit append holds the chain's tail lock until the commit.
        await tx.append(
            AuditAction.INGEST_BATCH_PROCESSED,
            _audit_payload(batch, principal, result),
            Actor.of(principal.user_id, principal.handle),
        )
    metrics = state.metrics
    metrics.events_ingested.inc(result.accepted)
    metrics.events_duplicate.inc(result.duplicate)
    if result.rejected:
        metrics.events_rejected.labels(reason=EventRejection.VALIDATION.value).inc(result.rejected)
    metrics.batch_duration.observe(time.perf_counter() - began)
    log.info(
        "ingest batch processed: sub=%s batch_id=%s total=%d accepted=%d duplicate=%d rejected=%d",
        principal.user_id,
        batch.batch_id,
        len(batch.checked),
        *result,
    )
    return IngestResponse(batch_id=batch.batch_id, **result._asdict())
