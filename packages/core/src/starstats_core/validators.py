"""Sanity gates for what arrives on the wire: each returns a tuple of problems, never raises.

Upstream's rules (§3.4: timestamps, non-blank identity fields, ports, metadata consistency)
plus length caps. The server quarantines an envelope with problems instead of dropping it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from starstats_core.events import EVENT_CLASSES
from starstats_core.metadata import EventMetadata
from starstats_core.wire import MAX_RAW_LINE_BYTES

MAX_TEXT_FIELD = 4096
_ISO_MIN_LEN = 10


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason an envelope is invalid: a snake_case code, the field, a readable detail."""

    code: str
    field: str
    detail: str


def is_iso_timestamp(value: str) -> bool:
    """True for ISO-8601 date-times (`...Z`, `+00:00`, or the launcher's
    `YYYY-MM-DD HH:MM:SS.mmm`)."""
    if len(value) < _ISO_MIN_LEN or len(value) > 64:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return ("T" in value or " " in value) and ":" in value


def event_problems(event: object) -> tuple[Problem, ...]:
    """Problems with an event's wire form; `None` (no event) has none."""
    if event is None:
        return ()
    if not isinstance(event, Mapping):
        return (Problem("bad_event", "event", "event must be an object or null"),)
    type_name = event.get("type")
    cls = EVENT_CLASSES.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        return (Problem("unknown_type", "event.type", f"unknown event type {type_name!r}"),)
    problems: list[Problem] = []
    timestamp = event.get("timestamp")
    if not isinstance(timestamp, str) or not timestamp.strip():
        problems.append(Problem("empty_timestamp", "event.timestamp", "timestamp is empty"))
    elif not is_iso_timestamp(timestamp):
        problems.append(Problem("bad_timestamp", "event.timestamp", "timestamp is not ISO-8601"))
    for name, value in event.items():
        if isinstance(value, str) and len(value) > MAX_TEXT_FIELD:
            problems.append(
                Problem("too_long", f"event.{name}", f"longer than {MAX_TEXT_FIELD} characters")
            )
    for name in cls.REQUIRED_TEXT:
        value = event.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem("empty_field", f"event.{name}", f"{name} is empty"))
    port = event.get("port")
    if type_name == "join_pu" and port == 0:
        problems.append(Problem("bad_port", "event.port", "port must not be 0"))
    if type_name == "burst_summary":
        if event.get("size") == 0:
            problems.append(Problem("empty_field", "event.size", "size must not be 0"))
        end = event.get("end_timestamp")
        if not isinstance(end, str) or not is_iso_timestamp(end):
            problems.append(Problem("bad_timestamp", "event.end_timestamp", "not ISO-8601"))
    if not problems:
        try:
            cls.model_validate(dict(event))
        except ValidationError as err:
            problems.extend(
                Problem(
                    "bad_field",
                    "event." + ".".join(str(p) for p in e["loc"]),
                    str(e["msg"])[:200],
                )
                for e in err.errors(include_url=False)
            )
    return tuple(problems)


def metadata_problems(metadata: EventMetadata | None) -> tuple[Problem, ...]:
    """Upstream's consistency rules for event metadata."""
    if metadata is None:
        return ()
    problems: list[Problem] = []
    conf = metadata.confidence
    if not 0.0 <= conf <= 1.0:
        problems.append(Problem("invalid_metadata", "metadata.confidence", "not within [0, 1]"))
    if metadata.source == "observed":
        if conf != 1.0 or metadata.inference_inputs:
            problems.append(
                Problem(
                    "invalid_metadata",
                    "metadata",
                    "observed metadata needs confidence 1.0 and no inference inputs",
                )
            )
    elif metadata.source == "inferred" and (conf >= 1.0 or not metadata.inference_inputs):
        problems.append(
            Problem(
                "invalid_metadata",
                "metadata",
                "inferred metadata needs confidence below 1.0 and at least one input",
            )
        )
    return tuple(problems)


def envelope_problems(envelope: object) -> tuple[Problem, ...]:
    """Every problem with one envelope in its wire (JSON-decoded) form."""
    if not isinstance(envelope, Mapping):
        return (Problem("bad_envelope", "", "envelope must be an object"),)
    problems: list[Problem] = []
    key = envelope.get("idempotency_key")
    if not isinstance(key, str) or not key.strip() or len(key) > 128:
        problems.append(Problem("bad_idempotency_key", "idempotency_key", "1-128 characters"))
    raw = envelope.get("raw_line")
    if not isinstance(raw, str):
        problems.append(Problem("bad_field", "raw_line", "raw_line must be a string"))
    elif len(raw.encode("utf-8", "replace")) > MAX_RAW_LINE_BYTES:
        problems.append(Problem("too_long", "raw_line", f"longer than {MAX_RAW_LINE_BYTES} bytes"))
    offset = envelope.get("source_offset")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        problems.append(Problem("bad_field", "source_offset", "must be a non-negative integer"))
    source = envelope.get("source")
    if source not in ("live", "ptu", "eptu", "hotfix", "tech", "launcher", "other"):
        problems.append(Problem("bad_field", "source", f"unknown source {source!r}"))
    problems.extend(event_problems(envelope.get("event")))
    metadata = envelope.get("metadata")
    if metadata is not None:
        try:
            problems.extend(metadata_problems(EventMetadata.model_validate(metadata)))
        except ValidationError as err:
            problems.extend(
                Problem("invalid_metadata", "metadata", str(e["msg"])[:200])
                for e in err.errors(include_url=False)
            )
    return tuple(problems)
