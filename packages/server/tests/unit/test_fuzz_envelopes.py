"""Fuzzing the server's side of an envelope (services/envelopes.py, pure CPU): whatever the
wire models let through, `check_envelope` never raises, and what it hands to the database
can be stored by both: a valid row's payload and metadata are JSON text without NULs or
non-finite numbers and its offset fits 64 bits; a quarantined envelope and its problems
serialise as strict JSON (what the JSON columns do) with no NUL left anywhere.

The core half (parser, wire models, validators) is packages/core/tests/test_fuzz.py."""

import json
import math
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from starstats_core.events import EVENT_CLASSES
from starstats_core.wire import EventEnvelope, LogSource
from starstats_server.services.envelopes import MAX_BIGINT, Invalid, Valid, check_envelope

TS = "2026-05-02T21:14:23.189Z"
text = st.text(max_size=30) | st.sampled_from(("\x00", "a\x00b", "NaN", "Infinity", "\\u0000"))
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
json_like = st.recursive(
    st.none() | st.booleans() | numbers | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=12,
)


@st.composite
def hostile_events(draw: st.DrawFn) -> dict[str, Any]:
    """An event of a real type: its own fields with real-ish or hostile values."""
    type_name = draw(st.sampled_from(sorted(EVENT_CLASSES)))
    event: dict[str, Any] = {"type": type_name, "timestamp": draw(st.just(TS) | text)}
    for name in EVENT_CLASSES[type_name].model_fields:
        if name not in event and draw(st.booleans()):
            event[name] = draw(json_like)
    return event


# A well-formed event whose text fields are anything (NULs, "NaN", escapes) and whose port
# is any integer: valid to core's validators, so it reaches the storage checks.
join_pu = st.fixed_dictionaries(
    {
        "type": st.just("join_pu"),
        "timestamp": st.just(TS),
        "address": text.filter(str.strip),
        "port": st.integers(min_value=1, max_value=2**70),
        "shard": text.filter(str.strip),
        "location_id": text.filter(str.strip),
    }
)
events_ = st.none() | join_pu | hostile_events()
meta_text = text
meta_json = st.recursive(
    st.none() | st.booleans() | numbers | meta_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(meta_text, children, max_size=3)
    ),
    max_leaves=8,
)
metadata = st.none() | st.fixed_dictionaries(
    {
        "primary_entity": st.fixed_dictionaries(
            {"kind": st.just("player"), "id": meta_text, "display_name": meta_text}
        ),
        "source": st.sampled_from(("observed", "inferred", "synthesized")),
        "confidence": numbers,
        "group_key": meta_text,
    },
    optional={"field_provenance": st.dictionaries(meta_text, meta_json, max_size=2)},
)
envelopes: st.SearchStrategy[dict[str, Any]] = st.builds(
    dict,
    idempotency_key=text.filter(bool),
    raw_line=text,
    event=events_,
    source=st.sampled_from([s.value for s in LogSource]),
    source_offset=st.integers(min_value=0, max_value=2**70),
    metadata=metadata,
)


def _no_nul(value: object) -> bool:
    """No NUL in any string of a JSON value, keys included."""
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, dict):
        return all(_no_nul(k) and _no_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return all(map(_no_nul, value))
    return True


@settings(max_examples=400, deadline=None)
@given(envelopes, st.sampled_from(("Fuzz_Pilot", "x", "Ünïcødé")))
def test_check_envelope_never_raises_and_yields_storable_rows(
    wire: dict[str, Any], handle: str
) -> None:
    try:
        envelope = EventEnvelope.model_validate(wire)
    except ValueError:
        return  # the batch would be refused whole (422) before any envelope is checked
    checked = check_envelope(envelope, handle)
    event(type(checked).__name__)
    if isinstance(checked, Valid):
        assert 0 <= checked.source_offset <= MAX_BIGINT
        assert "\x00" not in checked.raw_line + checked.key
        for document in (checked.payload, checked.metadata):
            if document is not None:
                parsed = json.loads(document, parse_constant=_refuse_constant)
                assert _no_nul(parsed)
        return
    assert isinstance(checked, Invalid)
    assert checked.problems
    # The quarantine's JSON columns: strict JSON, no NUL, no NaN or Infinity.
    stored = json.dumps([checked.envelope, checked.problems], allow_nan=False)
    assert _no_nul(json.loads(stored))
    assert "\x00" not in checked.key
    for problem in checked.problems:
        assert set(problem) == {"code", "field", "detail"}


def _refuse_constant(name: str) -> float:
    raise AssertionError(f"{name} in a stored JSON document")


def test_a_non_finite_confidence_is_quarantined_not_stored() -> None:
    wire = {
        "idempotency_key": "k",
        "raw_line": "r",
        "event": None,
        "source": "live",
        "source_offset": 0,
        "metadata": {
            "primary_entity": {"kind": "player", "id": "p", "display_name": "p"},
            "source": "observed",
            "confidence": math.nan,
            "group_key": "g",
        },
    }
    checked = check_envelope(EventEnvelope.model_validate(wire), "p")
    assert isinstance(checked, Invalid)
    json.dumps(checked.envelope, allow_nan=False)


@pytest.mark.parametrize(
    "where",
    [
        {"group_key": "g\x00"},
        {"primary_entity": {"kind": "player", "id": "p\x00", "display_name": "p"}},
        {"field_provenance": {"shard": "x\x00"}},
    ],
    ids=["group_key", "primary_entity.id", "field_provenance"],
)
def test_a_nul_in_metadata_is_quarantined(where: dict[str, Any]) -> None:
    wire = {
        "idempotency_key": "k",
        "raw_line": "r",
        "event": None,
        "source": "live",
        "source_offset": 0,
        "metadata": {
            "primary_entity": {"kind": "player", "id": "p", "display_name": "p"},
            "source": "observed",
            "confidence": 1.0,
            "group_key": "g",
            **where,
        },
    }
    checked = check_envelope(EventEnvelope.model_validate(wire), "p")
    assert isinstance(checked, Invalid)
    assert {p["code"] for p in checked.problems} == {"nul_character"}
