"""Fuzzing core with hostile input (hypothesis, fixed budgets, well under a minute in all).

What unit/test_parser_properties.py and unit/test_validators.py already prove is not repeated
(short arbitrary bytes, chunking invariance on real-shaped logs, validators over small JSON
values). This file feeds what an attacker or a broken disk would:

* the parser: NUL runs, invalid UTF-8 (lone continuation bytes, overlongs, surrogates
  encoded as UTF-8, truncated sequences), lone CRs and every CR/LF mix, lines over the 1 MiB
  cap, an unterminated line that never ends, all cut into random chunks that split CRLF
  pairs and multi-byte characters. It never raises; the line accounting balances; every
  event starts a line, carries text that can be encoded, and makes an envelope the wire
  models and the validators accept as data;
* the wire models: arbitrary bytes, arbitrary JSON and batch-shaped JSON with hostile values
  (NULs, escapes, huge and non-finite numbers, deep nesting) into
  `IngestBatch.model_validate_json`, strict (as the server reads it) and lax: the only
  exception is pydantic's `ValidationError`, and what validates survives a round trip;
* the validators: each event type with its own field names holding hostile values, metadata
  with non-finite confidences, any text as a timestamp: they return `Problem`s, never raise.
"""

import json
import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from starstats_core import parser as parser_module
from starstats_core.events import EVENT_CLASSES
from starstats_core.linekinds import MAX_LINE
from starstats_core.parser import LogParser, ParsedEvent, ParseStats
from starstats_core.validators import (
    Problem,
    envelope_problems,
    event_problems,
    is_iso_timestamp,
    metadata_problems,
)
from starstats_core.wire import (
    MAX_RAW_LINE_BYTES,
    EventEnvelope,
    EventMetadata,
    IngestBatch,
    LogSource,
    file_signature,
    to_envelope,
)

# -- the parser -------------------------------------------------------------------------------

TS = b"<2026-05-02T21:14:23.189Z>"
# Lines the classifier cares about, so hostile bytes land inside real candidates too.
HEADS = (
    TS + b" [Notice] <Join PU> address[35.0.0.1] port[64300] shard[pub_euw1b_1_090] "
    b"locationId[562954248454145] [Team_GameServices][GIM][Matchmaking]",
    TS + b" [Notice] <Actor Death> CActor::Kill: 'Victim_1' [100000000001] in zone 'rs' "
    b"killed by 'Killer_2' [100000000002] using 'w' [Class w] with damage type 'Bullet' "
    b"from direction x: 0.1, y: 0.2, z: 0.3 [Team_ActorTech][Actor]",
    TS + b' [Notice] <SHUDEvent_OnNotification> Added notification "New Objective: Go',
    TS + b" [Notice] <Legacy login response> [CIG-net] User Login Success - Handle[P_1] "
    b"- Time[123456789] [Team_GameServices][Login]",
    TS + b" Log started on Sat May  2 21:01:51 2026",
    TS + b" [Notice] <Foo Bar> value 1 for thing 7 [Team_X]",
    TS,
    b"<",
    b" continuation",
)
ENDINGS = (b"\n", b"\r\n", b"\r", b"\r\r\n", b"\n\r", b"\r\n\r\n", b"\n\n")
HOSTILE = (
    b"\x00",
    b"\x00" * 64,
    b"\x80",  # a continuation byte with no lead
    b"\xbf\xbf",
    b"\xc0\xaf",  # an overlong '/'
    b"\xe0\x80\xaf",  # an overlong, three bytes
    b"\xed\xa0\x80",  # a UTF-16 surrogate encoded as UTF-8
    b"\xf4\x90\x80\x80",  # past U+10FFFF
    b"\xf0\x9f\x98",  # a truncated four-byte sequence
    b"\xff\xfe",
    "é€😀".encode(),  # real multi-byte characters, to be split by chunking
    b"[SPAM 3]",
    b"<<<>>>",
    b"[",
    b"]",
    b'"',
)
pieces = st.sampled_from(HEADS + ENDINGS + HOSTILE) | st.binary(max_size=16)
hostile_logs = st.lists(pieces, max_size=120).map(b"".join)


def cut(data: bytes, points: Sequence[int]) -> list[bytes]:
    """`data` in pieces at `points` (positions, any order, repeats make empty chunks)."""
    bounds = [0, *sorted(min(p, len(data)) for p in points), len(data)]
    return [data[a:b] for a, b in pairwise(bounds)]


def run_chunks(chunks: Sequence[bytes]) -> tuple[list[ParsedEvent], ParseStats]:
    parser = LogParser()
    events: list[ParsedEvent] = []
    for chunk in chunks:
        events += parser.feed(chunk)
    events += parser.finish()
    return events, parser.stats


def assert_balanced(stats: ParseStats) -> None:
    assert stats.lines == stats.structured + stats.continuation + stats.blank
    assert stats.structured == stats.event_lines + stats.silent + stats.noise + stats.unknown_lines
    assert min(stats.continuation, stats.blank, stats.unknown_lines, stats.duplicates) >= 0
    assert stats.rule_errors == 0


def physical_lines(data: bytes) -> int:
    """Lines as the parser counts them: LF ends a line; CR alone does not."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def assert_events_are_sound(events: Sequence[ParsedEvent], data: bytes) -> None:
    signature = file_signature(data)
    envelopes = []
    for parsed in events:
        assert 0 <= parsed.offset < len(data)
        assert parsed.offset == 0 or data[parsed.offset - 1] == ord("\n"), "not a line start"
        parsed.raw_line.encode("utf-8")  # decoded with replacement: always encodable
        envelope = to_envelope(parsed, LogSource.LIVE, signature, "Fuzz_Pilot")
        assert len(envelope.raw_line.encode()) <= MAX_RAW_LINE_BYTES
        wire = envelope.model_dump(mode="json")
        problems = envelope_problems(wire)
        # What the parser makes is data the server takes: only a field over the text cap
        # (a line near 1 MiB cut into one field) may be refused, and then quarantined.
        assert {p.code for p in problems} <= {"too_long"}, problems
        envelopes.append(wire)
    batch = {
        "schema_version": 2,
        "batch_id": "fuzz",
        "claimed_handle": "Fuzz_Pilot",
        "events": envelopes,
    }
    IngestBatch.model_validate_json(json.dumps(batch), strict=True)


@settings(max_examples=300, deadline=None)
@given(hostile_logs, st.lists(st.integers(min_value=0, max_value=4000), max_size=40))
def test_hostile_bytes_in_random_chunks_never_raise_and_every_line_is_accounted(
    data: bytes, points: list[int]
) -> None:
    events, stats = run_chunks(cut(data, points))
    assert_balanced(stats)
    assert stats.lines == physical_lines(data)
    assert sum(stats.events.values()) == len(events)
    assert stats.truncated_lines == 0  # nothing here comes near the 1 MiB cap
    assert_events_are_sound(events, data)
    whole_events, whole_stats = run_chunks([data])
    assert [(e.event, e.raw_line, e.offset) for e in events] == [
        (e.event, e.raw_line, e.offset) for e in whole_events
    ]
    assert stats == whole_stats


CANDIDATES = HEADS[:5]  # the heads whose lines the classifier reads one by one


class HugeLog:
    """A log with a line over the cap. Its bytes stay out of the repr: hypothesis prints
    each failing example's repr, and refuses a megabyte of it with a warning, which this
    suite turns into an error that would hide the failure. (A plain class: hypothesis's
    pretty-printer shows every field of a dataclass, `repr=False` or not.)"""

    def __init__(self, data: bytes, over: int, candidate: bool, shape: str) -> None:
        self.data = data
        self.over = over  # lines over the cap
        self.candidate = candidate  # the huge line is read one by one (so cut and counted)
        self.shape = shape

    def __repr__(self) -> str:
        return f"HugeLog({self.shape}, over={self.over}, candidate={self.candidate})"


@st.composite
def huge_line_logs(draw: st.DrawFn) -> HugeLog:
    """A few normal lines around one line of 1 to 2.5 MiB (a real line's start, then
    hostile filler), how many of its lines are over the cap, and whether the huge one is a
    candidate (read one by one, so cut and counted)."""
    head = draw(st.sampled_from(HEADS))
    filler = draw(st.sampled_from((b"x", b"\x00", b"\xff", b"[Team_X]", "é".encode(), b"\r")))
    size = draw(st.integers(min_value=MAX_LINE - 64, max_value=MAX_LINE * 5 // 2))
    huge = head + filler * ((size - len(head)) // len(filler) + 1)
    before = draw(st.lists(st.sampled_from(HEADS), max_size=3))
    after = draw(st.lists(st.sampled_from(HEADS), max_size=3))
    ending = draw(st.sampled_from((b"\n", b"\r\n", b"")))
    rows = [*before, huge, *after]
    data = b"\n".join(rows) + ending
    over = sum(1 for row in data.split(b"\n") if len(row) > MAX_LINE)
    shape = f"{head[:40]!r} + {filler!r} to {size:,} bytes, {len(before)}+{len(after)} around"
    return HugeLog(data, over, head in CANDIDATES, shape)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.data_too_large])
@given(huge_line_logs(), st.lists(st.integers(min_value=0, max_value=3 << 20), max_size=6))
def test_lines_over_the_cap_are_cut_counted_and_never_fatal(
    log: HugeLog, points: list[int]
) -> None:
    data, over, candidate = log.data, log.over, log.candidate
    events, stats = run_chunks(cut(data, points))
    assert_balanced(stats)
    assert stats.lines == physical_lines(data)
    # A line over the cap is cut (and counted) when it is decoded: always for a candidate,
    # which is read one by one; for others only when something reads them (an unknown
    # shape's sample), never more than there are.
    if candidate:
        assert stats.truncated_lines == over
    else:
        assert stats.truncated_lines <= over
    for parsed in events:
        assert len(parsed.raw_line.encode("utf-8", "replace")) <= 3 * MAX_LINE
    assert_events_are_sound(events, data)


def test_a_notification_never_stitches_past_one_line_cap() -> None:
    """An open notification followed by a line of a megabyte of invalid bytes (each decoded
    to a 3-byte U+FFFD): the notification ends before that line, counted, and no event's
    raw line grows past what one cut line can decode to. Hypothesis found this shape."""
    head = HEADS[[h.endswith(b"New Objective: Go") for h in HEADS].index(True)]
    data = head + b"\n<" + b"\xff" * (MAX_LINE + 10) + b"\n" + head + b'"\n'
    for points in ([], [len(head) + 5, MAX_LINE // 2, MAX_LINE + 7]):
        events, stats = run_chunks(cut(data, points))
        assert_balanced(stats)
        assert stats.lines == physical_lines(data)
        assert events, "the notification was dropped"
        for parsed in events:
            assert len(parsed.raw_line.encode("utf-8", "replace")) <= 3 * MAX_LINE


RUNAWAY = 512  # the parser's cap on an unterminated line (64 MiB), shrunk for the test


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(HEADS + HOSTILE) | st.binary(max_size=64), max_size=60).map(b"".join),
    st.lists(st.integers(min_value=0, max_value=4000), max_size=30),
    st.sampled_from((b"", b"\n", b"\r\n")),
)
def test_an_unterminated_line_that_never_ends_is_flushed_not_hoarded(
    body: bytes, points: list[int], ending: bytes
) -> None:
    """Bytes without any LF beyond the cap are processed as a line (and counted as cut)
    rather than held: memory stays bounded, and the accounting still balances."""
    data = body.replace(b"\n", b"\r") + ending
    with mock.patch.object(parser_module, "_MAX_PARTIAL", RUNAWAY):
        parser = LogParser()
        events: list[ParsedEvent] = []
        for chunk in cut(data, points):
            events += parser.feed(chunk)
            # The unterminated tail kept between feeds is bounded by the cap (or by the
            # chunk that just arrived, whose tail is kept whole once).
            assert sum(map(len, parser._partial)) <= max(RUNAWAY, len(chunk))
        events += parser.finish()
        stats = parser.stats
    assert_balanced(stats)
    # Every flush of a runaway line adds one line and one cut; nothing else does.
    assert physical_lines(data) <= stats.lines <= physical_lines(data) + stats.truncated_lines
    assert sum(stats.events.values()) == len(events)
    for parsed in events:
        parsed.raw_line.encode("utf-8")


# -- the wire models --------------------------------------------------------------------------

hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        (
            "",
            " ",
            "\x00",
            "a\x00b",
            "\u2028",
            "\ufeff",
            "💥" * 20,
            "x" * 300,
            "'; DROP TABLE users; --",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "live",
            "2026-05-02T21:14:23.189Z",
        )
    ),
)
hostile_numbers = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2),
    st.integers(min_value=-(2**64), max_value=-(2**63) + 2),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from((0, -0.0, 1.0, 1e308, 5e-324, 10**40)),
)
hostile_scalars = st.none() | st.booleans() | hostile_numbers | hostile_text
hostile_json = st.recursive(
    hostile_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4)
    ),
    max_leaves=20,
)


def _deep(depth: int, leaf: str = "0") -> str:
    return "[" * depth + leaf + "]" * depth


envelope_shaped = st.fixed_dictionaries(
    {},
    optional={
        "idempotency_key": hostile_text | hostile_json,
        "raw_line": hostile_text | hostile_json,
        "event": st.fixed_dictionaries(
            {"type": st.sampled_from(sorted(EVENT_CLASSES)) | hostile_text},
            optional={"timestamp": hostile_text, "port": hostile_numbers},
        )
        | hostile_json,
        "source": st.sampled_from([s.value for s in LogSource]) | hostile_text,
        "source_offset": hostile_numbers | hostile_text,
        "metadata": hostile_json,
    },
)
batch_shaped = st.fixed_dictionaries(
    {},
    optional={
        "schema_version": st.sampled_from((1, 2, 3, 0, -1, 2.0, "2", True)) | hostile_numbers,
        "batch_id": hostile_text | hostile_json,
        "game_build": hostile_text | st.none(),
        "claimed_handle": hostile_text | hostile_json,
        "events": st.lists(envelope_shaped, max_size=5) | hostile_json,
    },
)


def _as_json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")


@st.composite
def mangled(draw: st.DrawFn, documents: st.SearchStrategy[bytes]) -> bytes:
    """A JSON document with a few bytes inserted, deleted or replaced."""
    data = bytearray(draw(documents))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        action = draw(st.sampled_from(("insert", "delete", "replace")))
        byte = draw(st.sampled_from(b'\x00\xff\x80"\\{}[],:0e-\n'))
        if action == "insert" or not data:
            data.insert(at, byte)
        elif action == "delete":
            del data[min(at, len(data) - 1)]
        else:
            data[min(at, len(data) - 1)] = byte
    return bytes(data)


batch_documents = batch_shaped.map(_as_json)
wire_inputs = st.one_of(
    st.binary(max_size=300),
    hostile_json.map(_as_json),
    batch_documents,
    mangled(batch_documents),
    st.sampled_from(
        (
            b"",
            b"null",
            b"{}",
            b"[]",
            b'{"schema_version": 2}',
            b'{"schema_version": NaN}',
            b'{"schema_version": 1e400}',
            b'{"schema_version": 2, "schema_version": 3}',
            b'{"batch_id": "\\ud800"}',
            b'{"batch_id": "\\udc00x"}',
            b'{"batch_id": "\\u0000"}',
            b'{"events": ' + _deep(10_000).encode() + b"}",
            b'{"events": [{"event": {"a": ' + _deep(150).encode() + b"}}]}",
            b'{"batch_id": "' + b"x" * 100_000 + b'"}',
            b'{"schema_version": ' + b"9" * 5000 + b"}",
            b"\xef\xbb\xbf{}",
        )
    ),
)


@settings(max_examples=400, deadline=None)
@given(wire_inputs)
def test_any_body_into_ingest_batch_raises_only_a_validation_error(body: bytes) -> None:
    for strict in (True, False):
        try:
            batch = IngestBatch.model_validate_json(body, strict=strict)
        except ValidationError:
            continue
        # What validates is a batch the server can echo and a client can re-send.
        again = IngestBatch.model_validate_json(batch.model_dump_json(), strict=strict)
        assert again == batch


@settings(max_examples=200, deadline=None)
@given(envelope_shaped.map(_as_json) | mangled(envelope_shaped.map(_as_json)))
def test_any_body_into_an_envelope_raises_only_a_validation_error(body: bytes) -> None:
    try:
        envelope = EventEnvelope.model_validate_json(body, strict=True)
    except ValidationError:
        return
    # A parsed envelope is data for the validators: problems, never an exception.
    _check(envelope_problems(envelope.model_dump(mode="json")))


# -- the validators ---------------------------------------------------------------------------


def _check(problems: object) -> None:
    assert isinstance(problems, tuple)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert isinstance(problem.code, str)
        assert problem.code
        assert isinstance(problem.field, str)
        assert isinstance(problem.detail, str)


# Hostile values, including what only Python (not JSON) can hold: lone surrogates, bytes,
# non-finite floats, tuples, sets.
python_values = st.one_of(
    hostile_json,
    st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=4),
    st.text(min_size=4090, max_size=4100),
    st.binary(max_size=8),
    st.sampled_from((math.nan, math.inf, -math.inf)),
    st.tuples(hostile_scalars),
    st.frozensets(st.integers(), max_size=2),
)


@st.composite
def typed_events(draw: st.DrawFn) -> dict[Any, Any]:
    """An event of a real type whose own fields (some, all, or more) hold hostile values."""
    type_name = draw(st.sampled_from(sorted(EVENT_CLASSES)))
    fields = [name for name in EVENT_CLASSES[type_name].model_fields if name != "type"]
    event: dict[Any, Any] = {"type": type_name}
    for name in draw(st.lists(st.sampled_from(fields), unique=True)) if fields else []:
        event[name] = draw(python_values)
    if draw(st.booleans()):
        event["timestamp"] = draw(st.sampled_from(("2026-05-02T21:14:23.189Z",)) | python_values)
    extra_key = draw(st.none() | st.integers() | st.text(max_size=5) | st.binary(max_size=3))
    if extra_key is not None:
        event[extra_key] = draw(python_values)
    return event


@settings(max_examples=400, deadline=None)
@given(typed_events())
def test_event_problems_never_raise_on_real_types_with_hostile_fields(
    event: dict[Any, Any],
) -> None:
    _check(event_problems(event))
    envelope = {
        "idempotency_key": "k",
        "raw_line": "r",
        "event": event,
        "source": "live",
        "source_offset": 0,
    }
    _check(envelope_problems(envelope))


@settings(max_examples=200, deadline=None)
@given(
    st.builds(
        EventMetadata,
        primary_entity=st.fixed_dictionaries(
            {
                "kind": st.sampled_from(("player", "vehicle", "system")),
                "id": st.text(max_size=5),
                "display_name": st.text(max_size=5),
            }
        ),
        source=st.sampled_from(("observed", "inferred", "synthesized")),
        confidence=st.floats(allow_nan=True, allow_infinity=True),
        group_key=st.text(max_size=8),
        inference_inputs=st.none() | st.lists(st.text(max_size=4), max_size=3),
    )
)
def test_metadata_problems_never_raise_even_on_non_finite_confidence(
    metadata: EventMetadata,
) -> None:
    problems = metadata_problems(metadata)
    _check(problems)
    if not 0.0 <= metadata.confidence <= 1.0:  # NaN included
        assert any(p.field == "metadata.confidence" for p in problems)


@settings(max_examples=300, deadline=None)
@given(python_values | st.text() | st.from_regex(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d.*"))
def test_any_value_as_a_timestamp_is_a_problem_or_none(value: object) -> None:
    if isinstance(value, str):
        assert isinstance(is_iso_timestamp(value), bool)
    event = {"type": "join_pu", "timestamp": value}
    _check(event_problems(event))
    _check(envelope_problems({"event": {"type": "burst_summary", "end_timestamp": value}}))
