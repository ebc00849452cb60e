"""The parser checked against the synthesizer's ground truth.

`synth` counts what it writes (see `synth.TRUTH_MARKERS`); the parser must find exactly
that. Where the two count different things the documented relation is asserted instead,
with the reason beside it.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from starstats_core.events.session import LegacyLogin, SessionEnd
from starstats_core.parser import LogParser, ParsedEvent, ParseStats
from starstats_core.synth import Era, synthesize_log

HANDLE = "Truth_Pilot-7"
START = datetime(2026, 5, 2, 20, 0, tzinfo=UTC)
SESSIONS = 3

# Truth keys that are exactly one parsed event each: one marker line, one event.
ONE_TO_ONE = (
    "actor_death",
    "vehicle_destruction",
    "join_pu",
    "legacy_login",
    "player_death",
    "quantum_arrived",
    "quantum_route",
    "location_inventory_requested",
    "attachment_received",
)


@dataclass(frozen=True)
class Parsed:
    events: list[ParsedEvent]
    stats: ParseStats
    truth: Counter[str]
    data: bytes


def _parse(era: Era | None, seed: int, *, crlf: bool = True) -> Parsed:
    truth: Counter[str] = Counter()
    text = "".join(
        synthesize_log(
            seed=seed,
            sessions=SESSIONS,
            era=era,
            start=START,
            handle=HANDLE,
            lines_per_session=3_000,
            crlf=crlf,
            truth=truth,
        )
    )
    data = text.encode()
    parser = LogParser()
    events = parser.feed(data)
    events += parser.finish()
    return Parsed(events, parser.stats, truth, data)


CASES = {
    "mixed": (None, 11),
    "legacy": (Era.LEGACY_4_1, 12),
    "modern": (Era.MODERN_4_7, 13),
}


@pytest.fixture(scope="module", name="logs")
def logs_fixture() -> dict[str, Parsed]:
    return {name: _parse(era, seed) for name, (era, seed) in CASES.items()}


@pytest.fixture(params=sorted(CASES), name="log")
def log_fixture(request: pytest.FixtureRequest, logs: dict[str, Parsed]) -> Parsed:
    return logs[request.param]


def test_the_synthesized_logs_hold_the_events_under_test(logs: dict[str, Parsed]) -> None:
    # Guards the other tests against passing vacuously on an empty or one-era log.
    legacy, modern = logs["legacy"].truth, logs["modern"].truth
    assert legacy["actor_death"] > 0
    assert legacy["vehicle_destruction"] > 0
    assert modern["hud_added"] > 0
    assert modern["quantum_target_selected"] > 0
    assert modern["incapacitated"] > 0
    assert logs["mixed"].truth["actor_death"] > 0
    assert logs["mixed"].truth["hud_added"] > 0


@pytest.mark.parametrize("key", ONE_TO_ONE)
def test_one_event_per_marker_line(log: Parsed, key: str) -> None:
    assert log.stats.events[key] == log.truth[key]


def test_every_quantum_target_line_is_a_target_selection(log: Parsed) -> None:
    # Both marker shells ("selected" and "fuel requested") count under one truth key. A
    # destination `MISSION_QT_Quantum_Beacon_<n>` would be diverted to
    # mission_quantum_destination_selected instead; synth picks destinations from a fixed
    # list of planets and stations, so there are no such diversions.
    assert log.stats.events["mission_quantum_destination_selected"] == 0
    assert log.stats.events["quantum_target_selected"] == log.truth["quantum_target_selected"]


def test_every_added_notification_is_exactly_one_hud_event(log: Parsed) -> None:
    events = log.stats.events
    hud_events = (
        events["hud_notification"] + events["player_incapacitated"] + events["blueprint_received"]
    )
    assert hud_events == log.truth["hud_added"]
    assert events["player_incapacitated"] == log.truth["incapacitated"]
    assert log.stats.duplicates == 0  # synth never repeats an Added line


def test_session_end_counts_quits_and_fast_shutdowns(log: Parsed) -> None:
    assert log.stats.events["session_end"] == log.truth["system_quit"] + log.truth["fast_shutdown"]
    kinds = Counter(p.event.kind for p in log.events if isinstance(p.event, SessionEnd))
    assert kinds == {"system_quit": log.truth["system_quit"], "fast_shutdown": SESSIONS}


def test_each_session_gives_one_session_started(log: Parsed) -> None:
    assert log.stats.events["session_started"] == SESSIONS
    assert log.truth["join_pu"] == SESSIONS


def test_the_login_event_carries_the_synthesized_handle(log: Parsed) -> None:
    handles = {p.event.handle for p in log.events if isinstance(p.event, LegacyLogin)}
    assert handles == {HANDLE}


def test_context_establisher_done_lines_are_events(log: Parsed) -> None:
    assert log.stats.events["context_established"] == log.truth["context_established"]


def test_line_counts_match_the_truth(log: Parsed) -> None:
    stats, truth = log.stats, log.truth
    assert stats.lines == truth["lines"]
    assert stats.lines == log.data.count(b"\n")
    assert stats.blank == 0
    # synth's `continuation_lines` also counts the `<ts> : "` closing line of each
    # multi-line notification; that line has a timestamp, so for the parser it is a
    # structured line (stitched into the notification). Only untimestamped lines are
    # continuations to the parser.
    assert stats.continuation == truth["untimestamped_lines"]
    assert stats.structured == truth["lines"] - truth["untimestamped_lines"]


def test_noise_is_the_noise_lines_that_no_rule_classified(log: Parsed) -> None:
    # The noise list only applies to lines no rule classifies. Of the 24 noise names, only
    # `Context Establisher Done` has a rule, and synth counts those lines in both
    # `noise_lines` and `context_established`; every one of them becomes an event. So the
    # parser's noise is exactly the rest (not >= noise_lines: it is smaller by those).
    assert log.stats.noise == log.truth["noise_lines"] - log.truth["context_established"]
    assert log.stats.noise <= log.truth["noise_lines"]


def test_the_parser_accounting_balances_and_no_rule_failed(log: Parsed) -> None:
    stats = log.stats
    assert stats.lines == stats.structured + stats.continuation + stats.blank
    assert stats.structured == (
        stats.event_lines + stats.silent + stats.noise + stats.unknown_lines
    )
    assert stats.rule_errors == 0
    assert stats.truncated_lines == 0
    assert sum(stats.events.values()) == len(log.events)
    # `chatter_lines` (filler that is not noise) has no exact counterpart: some chatter is
    # classified (e.g. fleet size), and many unknown lines are header or episode lines.
    assert stats.unknown_lines > 0


def test_modern_hud_queue_listings_and_lifecycle_lines_are_silent(
    logs: dict[str, Parsed],
) -> None:
    modern = logs["modern"]
    listing_lines = sum(
        1
        for line in modern.data.decode().splitlines()
        if "<UpdateNotificationItem>" in line or line.split(">", 1)[-1].startswith('    "')
    )
    assert listing_lines > 0
    assert modern.stats.silent == listing_lines
    assert logs["legacy"].stats.silent == 0


def test_lf_and_crlf_logs_give_the_same_events() -> None:
    crlf = _parse(Era.MODERN_4_7, 5, crlf=True)
    lf = _parse(Era.MODERN_4_7, 5, crlf=False)
    assert [p.event for p in crlf.events] == [p.event for p in lf.events]
    assert crlf.truth == lf.truth
    assert crlf.stats.events == lf.stats.events


def test_event_offsets_point_at_their_raw_lines(logs: dict[str, Parsed]) -> None:
    mixed = logs["mixed"]
    for parsed in mixed.events:
        first_line = parsed.raw_line.split("\n", 1)[0]
        assert mixed.data[parsed.offset :].startswith(first_line.encode()), parsed
