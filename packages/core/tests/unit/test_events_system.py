"""Events produced outside the line classifier: server rules (remote_match) and bursts."""

from starstats_core.events import event_from_dict
from starstats_core.events.system import BurstSummary, RemoteMatch
from starstats_core.validators import event_problems

TS = "2026-05-17T14:02:30.000Z"


def test_a_burst_summary_round_trips_and_validates() -> None:
    wire = {
        "type": "burst_summary",
        "timestamp": TS,
        "rule_id": "vehicle_stowed_burst",
        "size": 12,
        "end_timestamp": "2026-05-17T14:02:31.500Z",
        "anchor_body_sample": "[STOWING ON UNREGISTER] LandingArea_Pad",
    }
    assert event_from_dict(wire) == BurstSummary(
        timestamp=TS,
        rule_id="vehicle_stowed_burst",
        size=12,
        end_timestamp="2026-05-17T14:02:31.500Z",
        anchor_body_sample="[STOWING ON UNREGISTER] LandingArea_Pad",
    )
    assert event_problems(wire) == ()


def test_an_empty_burst_or_one_with_a_bad_end_time_is_refused() -> None:
    wire = {
        "type": "burst_summary",
        "timestamp": TS,
        "rule_id": " ",
        "size": 0,
        "end_timestamp": "yesterday",
    }
    codes = {(p.code, p.field) for p in event_problems(wire)}
    assert ("empty_field", "event.rule_id") in codes
    assert ("empty_field", "event.size") in codes
    assert ("bad_timestamp", "event.end_timestamp") in codes


def test_a_remote_match_keeps_its_fields_and_needs_a_rule_id() -> None:
    good = {
        "type": "remote_match",
        "timestamp": TS,
        "rule_id": "r1",
        "event_name": "Some New Shell",
        "fields": {"ship": "AEGS_Gladius"},
    }
    assert event_from_dict(good) == RemoteMatch(
        timestamp=TS, rule_id="r1", event_name="Some New Shell", fields={"ship": "AEGS_Gladius"}
    )
    assert event_problems(good) == ()
    bad = {**good, "rule_id": ""}
    assert [p.code for p in event_problems(bad)] == ["empty_field"]
