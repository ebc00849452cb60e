"""Validators: every rule reports its own problem code, and nothing ever raises."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starstats_core.events import EVENT_CLASSES
from starstats_core.validators import (
    MAX_TEXT_FIELD,
    Problem,
    envelope_problems,
    event_problems,
    is_iso_timestamp,
    metadata_problems,
)
from starstats_core.wire import MAX_RAW_LINE_BYTES, EntityRef, EventMetadata

TS = "2026-05-02T21:14:23.189Z"
KEY = "3f1c2a58-1d5e-5b7a-9c1e-2f4a6b8c0d1e"
JOIN_PU: dict[str, Any] = {
    "type": "join_pu",
    "timestamp": TS,
    "address": "35.0.0.1",
    "port": 64300,
    "shard": "pub_euw1b_1_090",
    "location_id": "562954248454145",
}
LOGIN: dict[str, Any] = {
    "type": "legacy_login",
    "timestamp": TS,
    "handle": "Test_Pilot",
    "server_time": "123456789",
}
METADATA: dict[str, Any] = {
    "primary_entity": {"kind": "player", "id": "Test_Pilot", "display_name": "Test_Pilot"},
    "source": "observed",
    "confidence": 1.0,
    "group_key": "login:Test_Pilot",
}


def envelope(event: object = JOIN_PU, **overrides: object) -> dict[str, Any]:
    base: dict[str, Any] = {
        "idempotency_key": KEY,
        "raw_line": "<2026-05-02T21:14:23.189Z> [Notice] <Join PU> ...",
        "event": dict(event) if isinstance(event, dict) else event,
        "source": "live",
        "source_offset": 0,
    }
    base.update(overrides)
    return base


def codes(problems: tuple[Problem, ...]) -> set[str]:
    return {p.code for p in problems}


# -- good input --------------------------------------------------------------------------


def test_a_good_envelope_has_no_problems() -> None:
    assert envelope_problems(envelope()) == ()
    assert envelope_problems(envelope(LOGIN)) == ()


def test_a_good_envelope_with_observed_metadata_has_no_problems() -> None:
    assert envelope_problems(envelope(LOGIN, metadata=METADATA)) == ()


def test_an_envelope_without_an_event_has_no_problems() -> None:
    assert envelope_problems(envelope(None)) == ()
    assert event_problems(None) == ()


@pytest.mark.parametrize("timestamp", [TS, "2026-05-02T21:14:23+00:00", "2026-05-06 12:34:56.789"])
def test_iso_timestamps_are_accepted(timestamp: str) -> None:
    assert is_iso_timestamp(timestamp)
    assert event_problems({**LOGIN, "timestamp": timestamp}) == ()


# -- each rule and its code ------------------------------------------------------------------


@pytest.mark.parametrize("timestamp", ["", "   ", None, 17])
def test_a_missing_or_blank_timestamp_is_empty_timestamp(timestamp: object) -> None:
    problems = event_problems({**LOGIN, "timestamp": timestamp})
    assert "empty_timestamp" in codes(problems)
    assert any(p.field == "event.timestamp" for p in problems)


@pytest.mark.parametrize("timestamp", ["yesterday", "2026-05-02", "2026-13-45T99:00:00Z"])
def test_a_timestamp_that_is_not_iso_is_bad_timestamp(timestamp: str) -> None:
    assert codes(event_problems({**LOGIN, "timestamp": timestamp})) == {"bad_timestamp"}


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({**LOGIN, "handle": "   "}, "event.handle"),
        ({**LOGIN, "handle": ""}, "event.handle"),
        ({**LOGIN, "handle": 42}, "event.handle"),
        ({**JOIN_PU, "shard": ""}, "event.shard"),
        (
            {
                "type": "hud_notification",
                "timestamp": TS,
                "text": " ",
                "notification_id": 1,
            },
            "event.text",
        ),
    ],
)
def test_a_blank_required_text_field_is_empty_field(event: dict[str, Any], field: str) -> None:
    # A required text field that is not a string at all (e.g. 42) is reported the same way.
    problems = event_problems(event)
    assert codes(problems) == {"empty_field"}
    assert [p.field for p in problems] == [field]


def test_every_required_text_field_is_checked() -> None:
    for name, cls in EVENT_CLASSES.items():
        for field in cls.REQUIRED_TEXT:
            problems = event_problems({"type": name, "timestamp": TS, field: ""})
            assert Problem("empty_field", f"event.{field}", f"{field} is empty") in problems


def test_join_pu_port_zero_is_bad_port() -> None:
    problems = event_problems({**JOIN_PU, "port": 0})
    assert codes(problems) == {"bad_port"}
    assert problems[0].field == "event.port"


@pytest.mark.parametrize("type_name", ["no_such_event", "", None, 5])
def test_an_unknown_type_is_unknown_type(type_name: object) -> None:
    assert codes(event_problems({**LOGIN, "type": type_name})) == {"unknown_type"}


def test_an_event_without_type_is_unknown_type() -> None:
    event = {k: v for k, v in LOGIN.items() if k != "type"}
    assert codes(event_problems(event)) == {"unknown_type"}


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({**JOIN_PU, "port": "64300"}, "event.port"),
        ({**JOIN_PU, "port": 64300.5}, "event.port"),
        ({**LOGIN, "server_time": 42}, "event.server_time"),
        ({**LOGIN, "unexpected": "x"}, "event.unexpected"),
        ({k: v for k, v in JOIN_PU.items() if k != "address"}, "event.address"),
    ],
    ids=["str-for-int", "float-for-int", "int-for-str", "extra-field", "missing-field"],
)
def test_a_field_of_the_wrong_type_is_bad_field(event: dict[str, Any], field: str) -> None:
    problems = event_problems(event)
    assert codes(problems) == {"bad_field"}
    assert field in {p.field for p in problems}


def test_an_event_that_is_not_an_object_is_bad_event() -> None:
    assert codes(event_problems(["join_pu"])) == {"bad_event"}
    assert codes(envelope_problems(envelope("just text"))) == {"bad_event"}


def test_a_text_field_over_the_cap_is_too_long() -> None:
    problems = event_problems({**LOGIN, "handle": "h" * (MAX_TEXT_FIELD + 1)})
    assert codes(problems) == {"too_long"}
    assert problems[0].field == "event.handle"
    assert event_problems({**LOGIN, "handle": "h" * MAX_TEXT_FIELD}) == ()


def test_a_raw_line_over_sixteen_kib_is_too_long() -> None:
    problems = envelope_problems(envelope(raw_line="é" * (MAX_RAW_LINE_BYTES // 2 + 1)))
    assert codes(problems) == {"too_long"}
    assert problems[0].field == "raw_line"
    assert envelope_problems(envelope(raw_line="x" * MAX_RAW_LINE_BYTES)) == ()


@pytest.mark.parametrize("key", ["", "   ", "k" * 129, None, 12345])
def test_a_bad_idempotency_key_is_reported(key: object) -> None:
    assert codes(envelope_problems(envelope(idempotency_key=key))) == {"bad_idempotency_key"}


@pytest.mark.parametrize(
    "overrides",
    [{"raw_line": None}, {"source_offset": -1}, {"source_offset": True}, {"source": "moon"}],
    ids=["raw-line", "negative-offset", "bool-offset", "unknown-source"],
)
def test_bad_envelope_fields_are_bad_field(overrides: dict[str, object]) -> None:
    problems = envelope_problems(envelope(**overrides))
    assert codes(problems) == {"bad_field"}
    assert {p.field for p in problems} == set(overrides)


def test_an_envelope_that_is_not_an_object_is_bad_envelope() -> None:
    assert codes(envelope_problems([envelope()])) == {"bad_envelope"}
    assert codes(envelope_problems(None)) == {"bad_envelope"}


# -- metadata ----------------------------------------------------------------------------


def _metadata(**changes: Any) -> EventMetadata:
    return EventMetadata.model_validate({**METADATA, **changes})


def test_observed_metadata_with_confidence_below_one_is_invalid() -> None:
    assert codes(metadata_problems(_metadata(confidence=0.5))) == {"invalid_metadata"}
    problems = envelope_problems(envelope(LOGIN, metadata={**METADATA, "confidence": 0.5}))
    assert codes(problems) == {"invalid_metadata"}


def test_observed_metadata_with_inference_inputs_is_invalid() -> None:
    problems = metadata_problems(_metadata(inference_inputs=["a"]))
    assert codes(problems) == {"invalid_metadata"}


def test_inferred_metadata_without_inputs_is_invalid() -> None:
    assert codes(metadata_problems(_metadata(source="inferred", confidence=0.7))) == {
        "invalid_metadata"
    }
    assert codes(
        metadata_problems(_metadata(source="inferred", confidence=0.7, inference_inputs=[]))
    ) == {"invalid_metadata"}


def test_inferred_metadata_with_inputs_and_confidence_below_one_is_valid() -> None:
    good = _metadata(source="inferred", confidence=0.7, inference_inputs=["join_pu"])
    assert metadata_problems(good) == ()
    assert codes(metadata_problems(good.model_copy(update={"confidence": 1.0}))) == {
        "invalid_metadata"
    }


def test_a_confidence_outside_zero_to_one_is_invalid() -> None:
    problems = metadata_problems(_metadata(source="synthesized", confidence=1.5))
    assert codes(problems) == {"invalid_metadata"}
    assert problems[0].field == "metadata.confidence"
    assert metadata_problems(_metadata(source="synthesized", confidence=0.0)) == ()


def test_metadata_of_the_wrong_shape_is_invalid_metadata_not_an_exception() -> None:
    for bad in ({"source": "observed"}, "observed", [1, 2], {**METADATA, "extra": 1}):
        assert codes(envelope_problems(envelope(LOGIN, metadata=bad))) == {"invalid_metadata"}


def test_metadata_problems_of_none_is_empty() -> None:
    assert metadata_problems(None) == ()
    ref = EntityRef(kind="session", id="s", display_name="s")
    assert ref.kind == "session"


# -- never raises ----------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
ENVELOPE_KEYS = ("idempotency_key", "raw_line", "event", "source", "source_offset", "metadata")
EVENT_KEYS = ("type", "timestamp", "port", "handle", "text", "size", "end_timestamp")
event_like = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(EVENT_CLASSES)) | json_values},
    optional=dict.fromkeys(EVENT_KEYS[1:], json_values),
)
envelope_like = st.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys(ENVELOPE_KEYS, json_values),
        "event": event_like | json_values,
        "metadata": st.fixed_dictionaries(
            {}, optional=dict.fromkeys((*METADATA, "inference_inputs"), json_values)
        )
        | json_values,
    },
)


def _check(problems: object) -> None:
    assert isinstance(problems, tuple)
    assert all(isinstance(p, Problem) for p in problems)
    for problem in problems:
        json.dumps([problem.code, problem.field, problem.detail])


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_envelope_problems_never_raises_on_any_json_value(value: object) -> None:
    _check(envelope_problems(value))
    _check(event_problems(value))


@settings(max_examples=200, deadline=None)
@given(envelope_like)
def test_envelope_problems_never_raises_on_envelope_shaped_json(value: dict[str, Any]) -> None:
    _check(envelope_problems(value))
