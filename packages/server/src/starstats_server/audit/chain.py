"""The hash chain, pure: the canonical form of an audit record, its hash, the check of one
row against the previous one, and the mirror's object key and body. No I/O.

    row_hash = SHA-256(prev_hash || canonical(record))

`record` is the JSON object of every column but the two hashes (`seq`, `occurred_at`,
`actor_sub`, `actor_handle`, `action`, `payload`) and `canonical` is
`json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` encoded as
UTF-8, with `occurred_at` as RFC 3339 UTC text with microseconds and `Z`. The first row's
`prev_hash` is 32 zero bytes. docs/audit.md states this for independent verifiers.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from json.encoder import encode_basestring
from typing import Any, NamedTuple

GENESIS_HASH = bytes(32)
HASH_SIZE = 32
# A JSON value the chain can hold so that parsing its canonical text and writing it again
# gives the same bytes in any language: no floats (their text form differs between
# encoders), objects keyed by strings only.
JsonValue = None | bool | int | str | list[Any] | dict[str, Any]


def _refuse_unstable(value: object, path: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_unstable(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"audit payload {path}: key {key!r} is not a string")
            _refuse_unstable(item, f"{path}.{key}")
        return
    raise TypeError(f"audit payload {path}: {type(value).__name__} has no stable JSON form")


def canonical_json(value: dict[str, Any]) -> str:
    """`value` as canonical JSON text (sorted keys at every depth, no whitespace, non-ASCII
    kept as is). Floats and non-string keys are refused: see `JsonValue`."""
    _refuse_unstable(value, "payload")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def occurred_at_text(moment: datetime) -> str:
    """RFC 3339 in UTC with exactly six fraction digits and `Z`: 2026-05-04T10:00:00.000000Z."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def canonical_record(  # noqa: PLR0917 - called per row in the verifier's hot loop
    seq: int,
    occurred_at: str,
    actor_sub: str | None,
    actor_handle: str | None,
    action: str,
    payload_json: str,
) -> bytes:
    """The canonical bytes of one record, from its columns and its payload's canonical text.

    Built by concatenation, keys in sorted order, because verification does this for every
    row; it equals `json.dumps(record, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False).encode()` (a property test holds it to that)."""
    return (
        f'{{"action":{encode_basestring(action)},"actor_handle":{_text(actor_handle)},'
        f'"actor_sub":{_text(actor_sub)},"occurred_at":"{occurred_at}",'
        f'"payload":{payload_json},"seq":{seq}}}'
    ).encode()


def chain_hash(prev_hash: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(prev_hash + canonical).digest()


class AuditRow(NamedTuple):
    """One stored row, with the payload as the canonical text the database keeps."""

    seq: int
    occurred_at: datetime
    actor_sub: str | None
    actor_handle: str | None
    action: str
    payload_json: str
    prev_hash: bytes
    row_hash: bytes

    def canonical(self) -> bytes:
        return canonical_record(
            self.seq,
            occurred_at_text(self.occurred_at),
            self.actor_sub,
            self.actor_handle,
            self.action,
            self.payload_json,
        )


def new_row(
    prev_seq: int,
    prev_hash: bytes,
    *,
    occurred_at: datetime,
    actor_sub: str | None,
    actor_handle: str | None,
    action: str,
    payload: dict[str, Any],
) -> AuditRow:
    """The row that extends a chain whose tail is (`prev_seq`, `prev_hash`)."""
    seq = prev_seq + 1
    payload_json = canonical_json(payload)
    canonical = canonical_record(
        seq, occurred_at_text(occurred_at), actor_sub, actor_handle, action, payload_json
    )
    return AuditRow(
        seq,
        occurred_at,
        actor_sub,
        actor_handle,
        action,
        payload_json,
        prev_hash,
        chain_hash(prev_hash, canonical),
    )


class BreakReason(StrEnum):
    MISSING = "missing"  # the row with this seq is absent (deleted)
    OUT_OF_ORDER = "out_of_order"  # a seq at or below one already seen
    LINK = "link"  # prev_hash is not the previous row's row_hash
    CHANGED = "changed"  # row_hash is not the hash of the row's content
    TRUNCATED = "truncated"  # rows after the last one are missing (the head says so)
    UNANCHORED = "unanchored"  # a row beyond the head the database recorded


class Break(NamedTuple):
    """Where and why a chain stops being valid: the first seq that cannot be trusted."""

    seq: int
    reason: BreakReason

    def describe(self) -> str:
        return {
            BreakReason.MISSING: f"seq {self.seq} is missing (deleted)",
            BreakReason.OUT_OF_ORDER: f"seq {self.seq} appears out of order",
            BreakReason.LINK: f"seq {self.seq}: prev_hash does not match the previous row",
            BreakReason.CHANGED: f"seq {self.seq}: row_hash does not match its content",
            BreakReason.TRUNCATED: f"seq {self.seq} and later are missing (cut off the end)",
            BreakReason.UNANCHORED: f"seq {self.seq} lies beyond the recorded head",
        }[self.reason]


class ChainCheck:
    """Checks rows one after another in seq order, starting after (`seq`, `row_hash`)."""

    def __init__(self, after_seq: int = 0, after_hash: bytes = GENESIS_HASH) -> None:
        self.last_seq = after_seq
        self.last_hash = after_hash

    def check(self, row: AuditRow) -> Break | None:
        """None when `row` extends the chain (then it becomes the tail), else the break."""
        return self.check_rows((row,))

    def check_rows(self, rows: Iterable[Sequence[Any]]) -> Break | None:
        """`check` for many rows (sequences in `AuditRow` field order, such as driver
        records) up to the first break: the verifier's inner loop, kept free of calls it
        can do without."""
        last_seq, last_hash = self.last_seq, self.last_hash
        sha256 = hashlib.sha256
        found = None
        for seq, at, sub, handle, action, payload_json, prev_hash, row_hash in rows:
            if seq != last_seq + 1:
                if seq > last_seq + 1:
                    found = Break(last_seq + 1, BreakReason.MISSING)
                else:
                    found = Break(seq, BreakReason.OUT_OF_ORDER)
                break
            if prev_hash != last_hash:
                found = Break(seq, BreakReason.LINK)
                break
            canonical = canonical_record(
                seq, occurred_at_text(at), sub, handle, action, payload_json
            )
            if sha256(last_hash + canonical).digest() != row_hash:
                found = Break(seq, BreakReason.CHANGED)
                break
            last_seq, last_hash = seq, row_hash
        self.last_seq, self.last_hash = last_seq, last_hash
        return found


# -- the mirror's objects --------------------------------------------------------------------
def mirror_key(seq: int, occurred_at: datetime) -> str:
    """`audit/YYYY/MM/DD/{seq}.json`, the day of `occurred_at` in UTC."""
    day = occurred_at.astimezone(UTC)
    return f"audit/{day.year:04d}/{day.month:02d}/{day.day:02d}/{seq}.json"


def mirror_body(row: AuditRow) -> bytes:
    """One NDJSON line: the columns in upstream's order, hashes as lowercase hex. The same
    row always gives the same bytes, so a mirrored object can be compared byte for byte."""
    return (
        f'{{"seq":{row.seq},"occurred_at":"{occurred_at_text(row.occurred_at)}",'
        f'"actor_sub":{_text(row.actor_sub)},"actor_handle":{_text(row.actor_handle)},'
        f'"action":{encode_basestring(row.action)},"payload":{row.payload_json},'
        f'"prev_hash_hex":"{row.prev_hash.hex()}","row_hash_hex":"{row.row_hash.hex()}"}}\n'
    ).encode()
