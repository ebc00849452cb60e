"""The wire format: idempotency keys, file signatures, raw-line caps and envelopes."""

import json
import uuid
from collections import Counter

import pytest

from starstats_core.events import event_from_dict
from starstats_core.parser import LogParser, ParsedEvent
from starstats_core.synth import synthesize_log
from starstats_core.validators import envelope_problems
from starstats_core.wire import (
    MAX_RAW_LINE_BYTES,
    SCHEMA_VERSION,
    EventEnvelope,
    IngestBatch,
    LogSource,
    cap_raw_line,
    file_signature,
    idempotency_key,
    to_envelope,
)

LINE = (
    "<2026-05-02T21:14:23.189Z> [Notice] <Join PU> address[35.0.0.1] port[64300] "
    "shard[pub_euw1b_1_090] locationId[562954248454145] [Team_GameServices][GIM][Matchmaking]"
)
SIG = "0123456789abcdef"


# -- idempotency keys --------------------------------------------------------------------


def test_the_idempotency_key_is_a_uuid5_string() -> None:
    key = idempotency_key(LogSource.LIVE, SIG, 1234, LINE)
    parsed = uuid.UUID(key)
    assert parsed.version == 5
    assert str(parsed) == key


def test_the_idempotency_key_is_stable_for_the_same_inputs() -> None:
    keys = {idempotency_key(LogSource.LIVE, SIG, 1234, LINE) for _ in range(3)}
    assert len(keys) == 1


BASE_ARGS: dict[str, object] = {"source": LogSource.LIVE, "signature": SIG, "offset": 1234}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("source", LogSource.PTU),
        ("signature", "fedcba9876543210"),
        ("offset", 1235),
        ("line", LINE + " "),
        ("line", LINE.replace("64300", "64301")),
    ],
    ids=["source", "signature", "offset", "trailing-space", "line"],
)
def test_the_idempotency_key_changes_with_every_input(name: str, value: object) -> None:
    base = idempotency_key(LogSource.LIVE, SIG, 1234, LINE)
    args = {**BASE_ARGS, "line": LINE, name: value}
    assert idempotency_key(**args) != base  # type: ignore[arg-type]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r", "\r\n\r\n"])
def test_the_idempotency_key_ignores_trailing_cr_and_lf(ending: str) -> None:
    assert idempotency_key(LogSource.LIVE, SIG, 7, LINE + ending) == idempotency_key(
        LogSource.LIVE, SIG, 7, LINE
    )


# -- file signatures -------------------------------------------------------------------------


def test_the_file_signature_differs_for_different_first_lines() -> None:
    one = file_signature(b'<2026-05-02T21:01:49.000Z> BackupNameAttachment=" Build(1)"\nrest')
    two = file_signature(b'<2026-05-02T21:01:49.001Z> BackupNameAttachment=" Build(1)"\nrest')
    assert one != two


def test_the_file_signature_ignores_everything_after_the_first_line() -> None:
    head = b'<2026-05-02T21:01:49.000Z> BackupNameAttachment=" Build(1)"'
    assert file_signature(head + b"\nsecond line\nthird") == file_signature(head + b"\nother")
    assert file_signature(head + b"\r\nsecond") == file_signature(head)
    assert file_signature(head + b"\n") == file_signature(head)


def test_the_file_signature_is_sixteen_hex_digits() -> None:
    signature = file_signature(b"<2026-05-02T21:01:49.000Z> first line\n")
    assert len(signature) == 16
    int(signature, 16)
    assert signature == signature.lower()


# -- raw-line caps -----------------------------------------------------------------------


def test_a_raw_line_under_the_cap_is_unchanged() -> None:
    assert cap_raw_line(LINE) == LINE
    exact = "a" * MAX_RAW_LINE_BYTES
    assert cap_raw_line(exact) == exact


def test_an_ascii_raw_line_is_cut_to_exactly_sixteen_kib() -> None:
    capped = cap_raw_line("x" * (MAX_RAW_LINE_BYTES + 500))
    assert MAX_RAW_LINE_BYTES == 16 * 1024
    assert len(capped.encode()) == MAX_RAW_LINE_BYTES


@pytest.mark.parametrize("char", ["é", "✓", "🚀"])
@pytest.mark.parametrize("prefix", range(4))
def test_a_multibyte_raw_line_is_cut_on_a_character_boundary(char: str, prefix: int) -> None:
    raw = "a" * prefix + char * MAX_RAW_LINE_BYTES
    capped = cap_raw_line(raw)
    data = capped.encode("utf-8")  # would raise on a split character
    assert len(data) <= MAX_RAW_LINE_BYTES
    assert len(data) > MAX_RAW_LINE_BYTES - len(char.encode())
    assert raw.startswith(capped)
    assert "\ufffd" not in capped


# -- envelopes ---------------------------------------------------------------------------


@pytest.fixture(scope="module", name="parsed_log")
def parsed_log_fixture() -> tuple[bytes, list[ParsedEvent]]:
    data = "".join(synthesize_log(seed=21, sessions=2, lines_per_session=2_500)).encode()
    parser = LogParser()
    events = parser.feed(data)
    events += parser.finish()
    return data, events


def test_every_parsed_event_round_trips_through_an_ingest_batch(
    parsed_log: tuple[bytes, list[ParsedEvent]],
) -> None:
    data, events = parsed_log
    assert len({p.event.type for p in events}) > 20  # both eras, many kinds
    signature = file_signature(data)
    envelopes = [to_envelope(p, LogSource.LIVE, signature) for p in events]
    batch = IngestBatch(
        schema_version=SCHEMA_VERSION,
        batch_id="batch-1",
        claimed_handle="Synth_Pilot",
        events=envelopes,
    )
    wire = batch.model_dump_json()
    back = IngestBatch.model_validate_json(wire)
    assert back == batch
    assert len(back.events) == len(events)
    for parsed, envelope in zip(events, back.events, strict=True):
        assert envelope.event is not None
        assert event_from_dict(envelope.event) == parsed.event
        assert envelope.source_offset == parsed.offset
        assert envelope.raw_line == parsed.raw_line
        assert envelope.source is LogSource.LIVE
    for raw in json.loads(wire)["events"]:
        assert envelope_problems(raw) == ()


def test_envelope_keys_are_unique_within_a_log_and_use_the_first_line(
    parsed_log: tuple[bytes, list[ParsedEvent]],
) -> None:
    data, events = parsed_log
    signature = file_signature(data)
    keys = Counter(to_envelope(p, LogSource.LIVE, signature).idempotency_key for p in events)
    assert max(keys.values()) == 1
    stitched = [p for p in events if "\n" in p.raw_line]
    assert stitched  # synth writes multi-line notifications
    for parsed in stitched:
        first = parsed.raw_line.split("\n", 1)[0]
        envelope = to_envelope(parsed, LogSource.LIVE, signature)
        assert envelope.idempotency_key == idempotency_key(
            LogSource.LIVE, signature, parsed.offset, first
        )


def test_a_long_raw_line_is_capped_in_the_envelope() -> None:
    line = LINE.replace("shard[pub_euw1b_1_090]", "shard[" + "s" * 20_000 + "]")
    parser = LogParser()
    (parsed,) = parser.feed(line.encode() + b"\n")
    envelope = to_envelope(parsed, LogSource.PTU, SIG)
    assert len(envelope.raw_line.encode()) == MAX_RAW_LINE_BYTES
    assert parsed.raw_line.startswith(envelope.raw_line)
    assert envelope.idempotency_key == idempotency_key(LogSource.PTU, SIG, 0, line)


def test_an_envelope_validates_from_its_own_json() -> None:
    parser = LogParser()
    (parsed,) = parser.feed(LINE.encode() + b"\n")
    envelope = to_envelope(parsed, LogSource.LIVE, SIG)
    again = EventEnvelope.model_validate_json(envelope.model_dump_json())
    assert again == envelope
    assert again.event is not None
    assert again.event["type"] == "join_pu"
    assert again.event["port"] == 64300


@pytest.mark.parametrize(
    ("channel", "source"),
    [
        ("LIVE", LogSource.LIVE),
        ("ptu", LogSource.PTU),
        ("EPTU", LogSource.EPTU),
        ("TECH-PREVIEW", LogSource.TECH),
        ("tech_preview", LogSource.TECH),
        ("HOTFIX", LogSource.HOTFIX),
        ("Something-Else", LogSource.OTHER),
    ],
)
def test_install_channels_map_to_log_sources(channel: str, source: LogSource) -> None:
    assert LogSource.from_channel(channel) is source
