"""The Journey tab with real data: the dev corpus imported by the real importer, folded by the
tray's own worker, shown on the offscreen platform and checked against core's fold of the
same files (parsed straight from them, not read back from the store)."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from starstats_client.discovery import source_for
from starstats_client.importer import import_logs
from starstats_client.localjourney import StoreJourney
from starstats_client.logfiles import parse_file, read_signature
from starstats_client.store import Store
from starstats_client.ui.actions import MemorySyncActions
from starstats_client.ui.journeytab import SESSION_HEADERS, JourneyTab
from starstats_client.ui.journeyview import RECENT_SESSIONS
from starstats_client.ui.tray import TrayController, TrayServices
from starstats_client.ui.viewmodel import display_time
from starstats_core.journey import JourneyFold, Session, add_totals, journey_document, order_key
from starstats_core.journey.story import duration, render
from starstats_core.parser import LogParser
from starstats_core.wire import idempotency_key

from ..conftest import corpus_files  # noqa: TID252 - helpers shared by every client test; tests are not an installed package
from .conftest import Game
from .test_tray_window import artifact_dirs, colours, expected_total, make_controller, settle

# The corpus's newest line is at 2026-07-30 15:14 UTC: a few minutes later, that session is
# the one being played. 2026-06-29 is a day with a long session of contracts.
LAST_DAY_NOW = datetime(2026, 7, 30, 15, 20, tzinfo=UTC)
CONTRACT_DAY_NOW = datetime(2026, 6, 29, 23, 55, tzinfo=UTC)
# A class name as the game logs it (`CRUS_Starfighter_Ion`, `AEGS_Avenger_Titan_123456789`).
RAW_CLASS = re.compile(r"\b[A-Z]{4}_[A-Za-z0-9]+_")


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Corpus:
    database: Path
    files: list[Path]


@pytest.fixture(scope="module", name="corpus")
def corpus_fixture(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    files = corpus_files()
    database = tmp_path_factory.mktemp("corpus") / "data.sqlite3"
    with Store(database) as store:
        import_logs(store, files, noise=store.noise_names())
    return Corpus(database, files)


def core_document(files: list[Path]) -> dict[str, Any]:
    """Core's fold of `files`: every event in log order (`order_key`), each cited by its
    idempotency key, folded to where the tray stops (the newest session still open)."""
    items = []
    for path in files:
        source, signature = source_for(path), read_signature(path)
        for parsed in parse_file(path, LogParser(), None):
            first_line = parsed.raw_line.split("\n", 1)[0]
            ref = idempotency_key(source, signature, parsed.offset, first_line)
            items.append((order_key(parsed.event.timestamp, parsed.offset), parsed.event, ref))
    items.sort(key=lambda item: item[0])
    fold = JourneyFold()
    closed = fold.feed((event, ref) for _, event, ref in items)
    return journey_document(fold.player(), [*closed, *fold.open_facts()])


@pytest.fixture(name="tray")
def tray_fixture(
    qtbot: QtBot, corpus: Corpus, tmp_path: Path
) -> Iterator[tuple[TrayController, Clock]]:
    clock = Clock(LAST_DAY_NOW)
    services = TrayServices(
        database=corpus.database,
        config_path=tmp_path / "config" / "config.toml",
        logs=(),
        actions=MemorySyncActions(),
        read_interval=0.05,
    )
    controller = TrayController(services, tray_available=False, clock=clock)
    qtbot.addWidget(controller.window)
    controller.start()
    yield controller, clock
    controller.shutdown()


def cell(tab: JourneyTab, row: int, header: str) -> str:
    return tab.sessions.item(row, SESSION_HEADERS.index(header)).text()


def cards(tab: JourneyTab) -> dict[str, str]:
    return {c.caption.text(): c.value.text() for c in tab.cards if not c.isHidden()}


def now_lines(tab: JourneyTab) -> dict[str, str]:
    form = tab.now_form
    return {
        form.itemAt(row, form.ItemRole.LabelRole).widget().text(): form.itemAt(
            row, form.ItemRole.FieldRole
        )
        .widget()
        .text()
        for row in range(form.rowCount())
    }


def shown_text(tab: JourneyTab) -> str:
    """Every word the tab shows."""
    table = [
        tab.sessions.item(r, c).text()
        for r in range(tab.sessions.rowCount())
        for c in range(tab.sessions.columnCount())
    ]
    return "\n".join(
        [
            tab.now_box.title(),
            *(f"{k} {v}" for k, v in now_lines(tab).items()),
            *(f"{v} {k}" for k, v in cards(tab).items()),
            tab.all_time.text(),
            *table,
            tab.story.toPlainText(),
        ]
    )


def played_on(day: str, next_day: str) -> Callable[[dict[str, Any]], bool]:
    return lambda s: s["started_at"] < next_day and (s["ended_at"] or s["started_at"]) >= day


def test_the_journey_tab_tells_the_corpus_as_cores_fold_does(
    qtbot: QtBot, tray: tuple[TrayController, Clock], corpus: Corpus, tmp_path: Path
) -> None:
    controller, _ = tray
    window = controller.window
    tab = window.journey_tab
    expected = core_document(corpus.files)
    sessions = expected["sessions"]
    assert window.tabs.tabText(0) == "Journey"
    assert window.tabs.currentWidget() is tab  # the first thing a player sees
    qtbot.waitUntil(lambda: tab.sessions.rowCount() > 0, timeout=20_000)

    # Recent sessions, newest first, as many as core's fold finds.
    assert len(sessions) > 10
    shown = min(len(sessions), RECENT_SESSIONS)
    assert tab.sessions.rowCount() == shown
    newest_first = list(reversed(sessions))[:shown]
    assert [cell(tab, r, "Started") for r in range(shown)] == [
        display_time(s["started_at"], UTC)[:16] for s in newest_first
    ]
    assert [cell(tab, r, "Played") for r in range(shown)] == [
        duration(s["seconds"]) for s in newest_first
    ]
    counted = (
        f"The {shown:,} most recent of {len(sessions):,} sessions."
        if shown < len(sessions)
        else f"{len(sessions):,} sessions."
    )
    assert tab.sessions_note.text().startswith(counted)

    # All-time totals are core's.
    totals = expected["totals"]
    assert tab.all_time.text().startswith(
        f"All time: {totals['sessions']:,} sessions, {duration(totals['play_seconds'])} played"
        f" ({duration(totals['pu_seconds'])} in the verse), {totals['quantum_legs']:,} quantum leg"
    )
    assert f"{totals['deaths']:,} deaths" in tab.all_time.text()

    # A ship the corpus flies, by its readable name, in its session's row and story.
    legs = [leg for leg in expected["legs"] if leg.get("vehicle_name")]
    assert legs, "the corpus has quantum legs with a ship"
    leg = legs[0]
    assert leg["vehicle_name"] != leg["vehicle"]
    assert " " in leg["vehicle_name"]
    row = next(r for r, s in enumerate(newest_first) if s["session_id"] == leg["session_id"])
    assert leg["vehicle_name"] in cell(tab, row, "Ships").split(", ")
    tab.select_session(row)
    story = tab.story.toPlainText()
    assert f"in the {leg['vehicle_name']}" in story

    # Each story is the very text `journey --format text` prints for that session.
    blocks = render(expected).split("\n\n")[1 : 1 + len(sessions)]
    for r, session in enumerate(newest_first):
        tab.select_session(r)
        assert tab.story.toPlainText() == blocks[sessions.index(session)]
        assert not RAW_CLASS.search(shown_text(tab)), shown_text(tab)

    # The newest line is minutes old: its session is being played.
    current = sessions[-1]
    assert tab.now_box.title() == "Playing now"
    assert now_lines(tab)["Time played"] == (
        f"{duration(current['seconds'])} ({duration(current['pu_seconds'])} in the verse)"
    )
    death = expected["deaths"][-1]
    assert now_lines(tab)["Last death"].endswith(f"({display_time(death['started_at'], UTC)[:16]})")


def test_today_is_the_clocks_day_and_follows_it(
    qtbot: QtBot, tray: tuple[TrayController, Clock], corpus: Corpus
) -> None:
    controller, clock = tray
    tab = controller.window.journey_tab
    sessions = core_document(corpus.files)["sessions"]
    for now, day, next_day in (
        (LAST_DAY_NOW, "2026-07-30T00:00:00.000Z", "2026-07-31T00:00:00.000Z"),
        (CONTRACT_DAY_NOW, "2026-06-29T00:00:00.000Z", "2026-06-30T00:00:00.000Z"),
    ):
        clock.now = now
        today = add_totals(s["totals"] for s in sessions if played_on(day, next_day)(s))
        assert today["sessions"] >= 1
        want = {
            "played": duration(today["play_seconds"]),
            "in the verse": duration(today["pu_seconds"]),
            "quantum legs": f"{today['quantum_legs']:,}",
            "deaths": f"{today['deaths']:,}",
        }
        note = f"{today['sessions']} session{'s' if today['sessions'] > 1 else ''} today"

        def shown(want: dict[str, str] = want, note: str = note) -> bool:
            picked = {k: v for k, v in cards(tab).items() if k in want}
            return picked == want and tab.today_note.text() == note

        qtbot.waitUntil(shown, timeout=20_000)
    completed = cards(tab)["contracts completed"]
    assert completed.startswith(f"{today['contracts_completed']:,}")
    assert today["contracts_completed"] > 0  # the contract day has some


def test_a_screenshot_of_the_journey_tab_is_saved(
    qtbot: QtBot, tray: tuple[TrayController, Clock], tmp_path: Path
) -> None:
    controller, _ = tray
    window = controller.window
    tab = window.journey_tab
    qtbot.waitUntil(lambda: tab.sessions.rowCount() > 0, timeout=20_000)
    qtbot.waitExposed(window)
    # The session with the longest story, so the picture shows one being read.
    view = tab.view
    assert view is not None
    longest = max(range(len(view.sessions)), key=lambda r: view.sessions[r].story.count("\n"))
    tab.select_session(longest)
    image = window.grab().toImage()
    for folder in artifact_dirs(tmp_path):
        path = folder / "tray-journey.png"
        assert image.save(str(path))
        assert path.stat().st_size > 1024
        assert len(colours(QImage(str(path)))) > 2, f"{path} is blank"


def test_the_journey_follows_the_live_log_as_the_tailer_stores_it(
    qtbot: QtBot, services: TrayServices, game: Game
) -> None:
    controller = make_controller(qtbot, services)
    try:
        settle(qtbot, controller, expected_total(services, game))
        tab = controller.window.journey_tab
        with StoreJourney(services.database) as whole:
            whole.update()
            _, current = whole.facts()
        session = current[0]
        assert isinstance(session, Session)
        assert session.started_at is not None
        assert session.started_at.startswith("2026-05-02")  # the live log's launch
        played = f"{duration(session.seconds)} ({duration(session.pu_seconds)} in the verse)"
        qtbot.waitUntil(lambda: now_lines(tab).get("Time played") == played, timeout=20_000)
        assert cell(tab, 0, "Started") == display_time(session.started_at, UTC)[:16]
    finally:
        controller.shutdown()
