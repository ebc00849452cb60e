"""The event catalogue: every type has a model, every model a type, and every kind of
event that comes from Game.log lines is actually produced by the parser somewhere."""

import pytest

from starstats_core.events import EVENT_CLASSES, EventType, event_from_dict, event_to_dict
from starstats_core.parser import LogParser, ParsedEvent
from starstats_core.synth import synthesize_log

from .conftest import corpus_files

# Made by other producers, never by classifying one Game.log line: crash folders
# (game_crash), the RSI Launcher log (launcher_activity), server-published rules
# (remote_match), client burst collapsing (burst_summary) and derived/paired events
# (location_changed, shop_request_timed_out, travel_to_contract_location).
NOT_FROM_LINES = frozenset(
    {
        "game_crash",
        "launcher_activity",
        "remote_match",
        "burst_summary",
        "location_changed",
        "shop_request_timed_out",
        "travel_to_contract_location",
    }
)

# Line types that have a rule but that neither the synthesizer writes nor the real corpus
# holds. Their shapes are known only from peers' regexes and docs (spec peers-and-gamelog
# §4 table), so the rules are covered by hand-written lines in the test_classify_* modules.
KNOWN_UNPRODUCED = frozenset(
    {
        # `<[ActorState] Dead> ... Actor 'X' [id] ejected from zone 'Y'`: ≈4.5-4.6 only,
        # "not in our corpus" (SC Bridge's parser-patterns.csv); synth's eras are 4.1, 4.7+.
        "actor_ejected",
        # `<Debug Hostility Events> ... Fake hit FROM A TO B`: 4.1.1-4.3 lines quoted by
        # AquaRex/skynatbs; not in our corpus, not written by synth.
        "hostile_hit",
        # `Logged an incap.! nickname: ..., causes: [...]`: 4.0-4.1 (all-slain); not in
        # our corpus, and synth's legacy era does not write it.
        "incap_logged",
        # `<MED BED HEAL> Actor: ...`: "not in our corpus" (all-slain, SC Bridge samples).
        "med_bed_heal",
        # `Logged a start of a status effect! ...`: 4.1 (skynatbs); not in our corpus.
        "status_effect",
        # `SendShopBuyRequest` / `SendStandardItemBuyRequest`: "format only; not in corpus"
        # (QuantumWake docs); synth trades only commodities.
        "shop_buy_request",
        # `RmShopFlowResponse ... result[Success]`: the response to the above, same story.
        "shop_flow_response",
        # `SendShopSellRequest` / `SendStandardItemSellRequest`: item sales, shape from the
        # 4.x lines peers quote; not in our corpus, synth trades only commodities.
        "shop_sell_request",
    }
)
LINE_TYPES = frozenset(EVENT_CLASSES) - NOT_FROM_LINES


def _parse(data: bytes) -> list[ParsedEvent]:
    parser = LogParser()
    events = parser.feed(data)
    events += parser.finish()
    return events


@pytest.fixture(scope="module", name="synth_types")
def synth_types_fixture() -> set[str]:
    data = "".join(synthesize_log(seed=3, sessions=4, lines_per_session=4_000)).encode()
    return {p.event.type for p in _parse(data)}


@pytest.fixture(scope="module", name="corpus_types")
def corpus_types_fixture() -> set[str]:
    found: set[str] = set()
    for path in corpus_files():
        found |= {p.event.type for p in _parse(path.read_bytes())}
    return found


def test_every_event_type_has_a_model_and_every_model_a_type() -> None:
    assert {t.value for t in EventType} == set(EVENT_CLASSES)
    assert len(EventType) == len(EVENT_CLASSES)


@pytest.mark.parametrize("name", sorted(EVENT_CLASSES))
def test_every_model_is_tagged_with_its_own_type(name: str) -> None:
    cls = EVENT_CLASSES[name]
    assert cls.model_fields["type"].default == name
    schema = cls.model_json_schema(mode="serialization")
    assert {"type", "timestamp"} <= set(schema["properties"])
    assert "timestamp" in schema["required"]
    assert isinstance(cls.REQUIRED_TEXT, tuple)
    assert set(cls.REQUIRED_TEXT) <= set(cls.model_fields)


def test_the_exclusion_lists_name_real_types() -> None:
    assert set(EVENT_CLASSES) >= NOT_FROM_LINES
    assert LINE_TYPES >= KNOWN_UNPRODUCED


def test_every_produced_event_has_a_json_form_with_type_and_timestamp(
    synth_types: set[str],
) -> None:
    data = "".join(synthesize_log(seed=4, sessions=2, lines_per_session=2_000)).encode()
    events = _parse(data)
    assert events
    for parsed in events:
        form = event_to_dict(parsed.event)
        assert form["type"] == parsed.event.type
        assert isinstance(form["timestamp"], str)
        assert form["timestamp"]
        assert event_from_dict(form) == parsed.event
    assert synth_types


def test_every_line_type_is_produced_by_synth_or_the_real_corpus(
    synth_types: set[str], corpus_types: set[str]
) -> None:
    missing = LINE_TYPES - KNOWN_UNPRODUCED - synth_types - corpus_types
    assert not missing, f"line event types never produced: {sorted(missing)}"


def test_known_unproduced_types_are_really_unproduced(
    synth_types: set[str], corpus_types: set[str]
) -> None:
    # When synth or the corpus starts producing one of these, drop it from the set.
    assert not KNOWN_UNPRODUCED & (synth_types | corpus_types)


def test_types_made_outside_line_classification_never_come_from_lines(
    synth_types: set[str], corpus_types: set[str]
) -> None:
    assert not NOT_FROM_LINES & (synth_types | corpus_types)
