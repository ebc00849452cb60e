"""One envelope of an ingest batch, checked: a row ready to store (payload and metadata as
JSON text, observed metadata stamped when missing) or the problems to quarantine it with.

Pure CPU: no I/O, no clock. Core's validators decide what an envelope means; this module adds
what storing it needs (NUL characters, non-finite numbers, 64-bit offsets).
"""

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

import pydantic_core

from starstats_core.events import event_from_dict
from starstats_core.metadata import observed_metadata
from starstats_core.validators import Problem, envelope_problems
from starstats_core.wire import EventEnvelope

MAX_BIGINT = 2**63 - 1
RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})"
)


def parse_rfc3339(text: object) -> datetime | None:
    """`text` as an aware UTC datetime when it is an RFC 3339 date-time with an offset, else
    None (the launcher's zone-less `YYYY-MM-DD HH:MM:SS.mmm` included)."""
    if not isinstance(text, str):
        return None
    if len(text) == 24 and text[10] == "T" and text[23] == "Z" and text[19] == ".":
        # The game's own form, `2026-05-02T21:14:23.189Z`: nearly every event.
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    if RFC3339.fullmatch(text) is None:
        return None
    try:
        # Python's parser takes at most 6 fractional digits; RFC 3339 allows more.
        head, dot, rest = text.partition(".")
        if dot:
            digits = len(rest) - len(rest.lstrip("0123456789"))
            text = f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
        return datetime.fromisoformat(text.replace("z", "Z")).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


class Valid(NamedTuple):
    """An envelope ready to store; the fields between `seq` and `batch_id` of `EventRow`."""

    key: str
    event_type: str
    event_timestamp: datetime | None
    log_source: str
    source_offset: int
    raw_line: str
    payload: str
    metadata: str | None


class Invalid(NamedTuple):
    key: str  # NUL characters replaced, so the key can be stored and looked up
    envelope: dict[str, Any]
    problems: list[dict[str, str]]


def _json_text(value: object) -> str:
    return pydantic_core.to_json(value).decode()


def _unstorable(value: object) -> set[str]:
    """What in a JSON value neither database can store: NUL characters (PostgreSQL text and
    jsonb refuse them) and non-finite numbers (not JSON)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                found.add("nul")
        elif isinstance(item, float):
            if not math.isfinite(item):
                found.add("non_finite")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found


def _json_problems(field: str, text: str) -> list[Problem]:
    """What in the JSON `text` of `field` cannot be stored. The cheap substring tests nearly
    always say no; only then is the text parsed back and walked (the parsed value, not the
    model: a model's fields are not walked)."""
    if "\\u0000" not in text and "NaN" not in text and "Infinity" not in text:
        return []
    found = _unstorable(pydantic_core.from_json(text, allow_inf_nan=True))
    problems = []
    if "nul" in found:
        problems.append(Problem("nul_character", field, "contains a NUL character"))
    if "non_finite" in found:
        problems.append(Problem("bad_number", field, "contains NaN or Infinity"))
    return problems


def _storage_problems(envelope: EventEnvelope, payload: str, metadata: str | None) -> list[Problem]:
    """Problems core's validators do not look for because they are about storing the
    envelope, not about what it means."""
    problems: list[Problem] = []
    if "\x00" in envelope.idempotency_key:
        problems.append(Problem("nul_character", "idempotency_key", "contains a NUL character"))
    if "\x00" in envelope.raw_line:
        problems.append(Problem("nul_character", "raw_line", "contains a NUL character"))
    if envelope.source_offset > MAX_BIGINT:
        problems.append(Problem("bad_field", "source_offset", "larger than 2^63-1"))
    problems.extend(_json_problems("event", payload))
    if metadata is not None:
        problems.extend(_json_problems("metadata", metadata))
    return problems


def _sanitised(value: Any) -> Any:
    """`value` with NULs replaced and non-finite numbers nulled, for the quarantine."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {_sanitised(k): _sanitised(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_sanitised(v) for v in value]
    return value


def _invalid(envelope: EventEnvelope, problems: Iterable[Problem]) -> Invalid:
    return Invalid(
        key=_sanitised(envelope.idempotency_key),
        envelope=_sanitised(envelope.model_dump(mode="json")),
        problems=[
            {"code": p.code, "field": _sanitised(p.field), "detail": _sanitised(p.detail)}
            for p in problems
        ],
    )


def check_envelope(envelope: EventEnvelope, claimed_handle: str) -> Valid | Invalid:
    """Validate one envelope and make its row: stored as sent, with observed metadata
    stamped when it has none and carries an event."""
    event = envelope.event
    metadata = envelope.metadata
    wire = {
        "idempotency_key": envelope.idempotency_key,
        "raw_line": envelope.raw_line,
        "event": event,
        "source": envelope.source.value,
        "source_offset": envelope.source_offset,
        "metadata": metadata,
    }
    problems = envelope_problems(wire)
    if problems:
        return _invalid(envelope, problems)
    payload = _json_text(event)
    if metadata is not None:
        metadata_text: str | None = metadata.model_dump_json(exclude_none=True)
    elif event is not None:
        stamped = observed_metadata(event_from_dict(event), claimed_handle)
        metadata_text = stamped.model_dump_json(exclude_none=True)
    else:
        metadata_text = None
    storage = _storage_problems(envelope, payload, metadata_text)
    if storage:
        return _invalid(envelope, storage)
    return Valid(
        key=envelope.idempotency_key,
        event_type="unknown" if event is None else str(event["type"]),
        event_timestamp=None if event is None else parse_rfc3339(event.get("timestamp")),
        log_source=envelope.source.value,
        source_offset=envelope.source_offset,
        raw_line=envelope.raw_line,
        payload=payload,
        metadata=metadata_text,
    )
