"""The Journey tab's view model without Qt: a live log cut in the middle of play, imported by
the real importer and folded from the store, told as "Playing now" or as the last session
depending on how old its last line is."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from starstats_client.importer import import_logs
from starstats_client.localjourney import StoreJourney
from starstats_client.store import Store
from starstats_client.ui.journeyview import (
    LIVE_SECONDS,
    JourneyFacts,
    journey_request,
    journey_view,
    read_journey,
)
from starstats_core.journey import Session, Stint, Stop
from starstats_core.journey.story import duration

from .conftest import Game


@pytest.fixture(name="mid_play")
def mid_play_fixture(
    database: Path, game: Game, tmp_path: Path
) -> tuple[JourneyFacts, list[object]]:
    """The live log up to the middle of its session (a ship flown, a place reached)."""
    data = game.live.read_bytes()
    cut = tmp_path / "cut" / "Game.log"
    cut.parent.mkdir()
    cut.write_bytes(data[: data.rindex(b"\n", 0, len(data) // 2) + 1])
    with Store(database) as store:
        import_logs(store, [cut], noise=store.noise_names())
    with StoreJourney(database) as journey:
        facts = read_journey(journey, journey_request(datetime(2026, 5, 2, 21, 0, tzinfo=UTC)))
        _, current = journey.facts()
    return facts, list(current)


def last_line(current: list[object]) -> datetime:
    session = current[0]
    assert isinstance(session, Session)
    assert session.ended_at is not None
    return datetime.fromisoformat(session.ended_at)


def test_a_session_whose_last_line_is_recent_is_being_played(
    mid_play: tuple[JourneyFacts, list[object]],
) -> None:
    facts, current = mid_play
    stop = next(f for f in current if isinstance(f, Stop))
    stint = next(f for f in current if isinstance(f, Stint))
    view = journey_view(facts, last_line(current) + timedelta(minutes=1), UTC)
    lines = dict(view.now)
    assert view.heading == "Playing now"
    assert lines["Where"] == f"{stop.name} for {duration(stop.seconds)}"
    assert lines["Ship"] == f"{stint.name}, at the controls for {duration(stint.seconds)}"
    assert "_" not in stint.name  # a readable name, not the class
    assert lines["Playing as"] == "Synth_Pilot"


def test_a_session_silent_for_longer_is_the_last_session(
    mid_play: tuple[JourneyFacts, list[object]],
) -> None:
    facts, current = mid_play
    later = last_line(current) + timedelta(seconds=LIVE_SECONDS + 60)
    view = journey_view(facts, later, UTC)
    lines = dict(view.now)
    assert view.heading == f"Last session (last line {last_line(current):%Y-%m-%d %H:%M})"
    assert lines["Where"].endswith(" (last seen)")
    assert lines["Ship"].endswith(" (last seen)")
    assert "Played as" in lines


def test_an_empty_store_says_what_to_do(database: Path) -> None:
    with StoreJourney(database) as journey:
        facts = read_journey(journey, journey_request(datetime(2026, 5, 2, 21, 0, tzinfo=UTC)))
    view = journey_view(facts, datetime(2026, 5, 2, 21, 0, tzinfo=UTC), UTC)
    assert view.heading == "No sessions yet"
    assert "import your backup logs" in view.all_time
    assert view.sessions == ()
