"""The tray's view model, built from a real store filled by the real importer and tailer;
no Qt involved. Expected values are read straight from SQLite."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from starstats_client.config import Config, load_config, save_config
from starstats_client.errors import ClientError
from starstats_client.importer import ImportProgress, import_logs
from starstats_client.store import Store
from starstats_client.tailer import FileTail, TailStatus
from starstats_client.ui.actions import MemorySyncActions, PairingModuleActions, SyncActions
from starstats_client.ui.eventlog import EventLog
from starstats_client.ui.summary import summarize
from starstats_client.ui.viewmodel import (
    FactsRequest,
    LiveState,
    SettingsView,
    StoreFacts,
    build_snapshot,
    config_with,
    day_start,
    display_time,
    event_name_of,
    import_view,
    pairing_problems,
    read_facts,
    recognised_sentence,
    settings_problems,
    settings_view,
    sync_view,
    tailed_files,
)

from .conftest import NOW, Game, query, scalar

TODAY = day_start(NOW)


def facts_of(database: Path, event_type: str | None = None) -> StoreFacts:
    with Store(database) as store, EventLog(database) as log:
        return read_facts(store, log, FactsRequest(day_start=TODAY, event_type=event_type))


def tail_live(database: Path, game: Game) -> FileTail:
    with Store(database) as store:
        tail = FileTail(game.live, store, noise=store.noise_names())
        assert tail.poll() > 0
        return tail


def test_the_status_view_counts_what_the_store_holds(imported: Path, game: Game) -> None:
    tail = tail_live(imported, game)
    status = build_snapshot(facts_of(imported), LiveState(tails=(tail.status,)), UTC).status

    assert status.events_total == scalar(imported, "SELECT count(*) FROM events") > 0
    today = scalar(imported, "SELECT count(*) FROM events WHERE timestamp >= '2026-05-02'")
    assert status.events_today == today > 0
    assert today < status.events_total  # the backups are from earlier days
    newest_type, newest_time = query(
        imported, "SELECT event_type, timestamp FROM events ORDER BY timestamp DESC LIMIT 1"
    )[0]
    assert status.last_event is not None
    assert status.last_event.event_type == newest_type
    assert status.last_event.time == display_time(str(newest_time), UTC)
    (file,) = status.files
    assert file.path == str(game.live)
    assert 0 < file.offset <= game.live.stat().st_size
    assert file.error is None
    assert status.pairing == "not paired"


def test_coverage_sets_classified_events_against_unknown_lines(imported: Path) -> None:
    coverage = build_snapshot(facts_of(imported), LiveState(), UTC).status.coverage
    unknown_lines = scalar(imported, "SELECT sum(count) FROM unknown_shapes")
    assert coverage.classified == scalar(imported, "SELECT count(*) FROM events")
    assert coverage.unknown_lines == unknown_lines > 0
    assert coverage.shapes == scalar(imported, "SELECT count(*) FROM unknown_shapes")
    expected = 100 * coverage.classified / (coverage.classified + unknown_lines)
    assert coverage.percent == pytest.approx(expected)
    sentence, details = coverage.text.split("\n")
    assert sentence == recognised_sentence(coverage.classified, unknown_lines)
    assert details == (
        f"{coverage.classified:,} events recognised; {unknown_lines:,} unrecognised lines of "
        f"{coverage.shapes:,} kinds ({expected:.1f} % recognised)"
    )


@pytest.mark.parametrize(
    ("recognised", "unknown", "sentence"),
    [
        (238, 762, "1 line in 4 is something we recognise; the rest is engine chatter."),
        (40, 60, "2 lines in 5 are something we recognise; the rest is engine chatter."),
        (75, 25, "3 lines in 4 are something we recognise; the rest is engine chatter."),
        (3, 997, "1 line in 333 is something we recognise; the rest is engine chatter."),
        (997, 3, "332 lines in 333 are something we recognise; the rest is engine chatter."),
        (5, 0, "Every line read is something we recognise."),
        (0, 5, "Nothing read so far is something we recognise: it is all engine chatter."),
        (0, 0, "No log lines read yet."),
    ],
)
def test_the_coverage_sentence_says_the_share_in_words(
    recognised: int, unknown: int, sentence: str
) -> None:
    assert recognised_sentence(recognised, unknown) == sentence


@pytest.mark.parametrize("recognised", range(1, 1000, 7))
def test_the_coverage_sentence_is_close_to_the_share_it_rounds(recognised: int) -> None:
    unknown = 1000 - recognised
    sentence = recognised_sentence(recognised, unknown)
    found = re.match(r"([\d,]+) lines? in ([\d,]+) (is|are) ", sentence)
    assert found is not None, sentence
    k, n = int(found[1].replace(",", "")), int(found[2].replace(",", ""))
    share = recognised / 1000
    if 0.1 <= share <= 0.9:
        assert abs(k / n - share) <= 1 / 36  # half the widest gap between tenths' fractions
    else:  # 1 in N, or N-1 in N: N is the rounded ratio
        assert n == round(1000 / min(recognised, unknown))


def test_recent_events_come_newest_first_with_summaries(imported: Path) -> None:
    events = build_snapshot(facts_of(imported), LiveState(), UTC).events
    total = scalar(imported, "SELECT count(*) FROM events")
    assert len(events.rows) == min(200, total)
    times = [row.time for row in events.rows]
    assert times == sorted(times, reverse=True)
    assert all(row.summary for row in events.rows)
    by_type = dict(query(imported, "SELECT event_type, count(*) FROM events GROUP BY 1"))
    assert dict(events.types) == by_type
    assert events.selected is None


def test_a_type_filter_lists_only_that_type(imported: Path) -> None:
    events = build_snapshot(facts_of(imported, "actor_death"), LiveState(), UTC).events
    deaths = scalar(imported, "SELECT count(*) FROM events WHERE event_type = 'actor_death'")
    assert len(events.rows) == min(200, deaths) > 0
    assert {row.event_type for row in events.rows} == {"actor_death"}
    assert events.selected == "actor_death"


def test_summaries_name_what_a_player_knows(imported: Path) -> None:
    (payload,) = query(imported, "SELECT payload FROM events WHERE event_type = 'join_pu' LIMIT 1")
    assert summarize("join_pu", str(payload[0])).startswith("Joined PU shard ")
    (death,) = query(
        imported, "SELECT payload FROM events WHERE event_type = 'actor_death' LIMIT 1"
    )
    assert " killed by " in summarize("actor_death", str(death[0]))
    # A type without a template, or a payload missing a template's field: its fields.
    assert summarize("fleet_size", '{"type": "fleet_size", "entitlement_count": 7}') == (
        "entitlement_count=7"
    )
    assert summarize("join_pu", '{"shard": "x"}') == "shard=x"
    assert summarize("join_pu", "not json") == ""


def test_summaries_show_readable_names_never_class_names() -> None:
    control = '{"action": "Entered", "vehicle_class": "AEGS_Avenger_Titan_2741024526900"}'
    assert summarize("vehicle_control", control) == "Entered Aegis Avenger Titan"
    route = '{"vehicle_class": "CRUS_Starfighter_Ion", "destination": "Stanton1"}'
    assert (
        summarize("quantum_route", route)
        == "Quantum route: Crusader Ares Star Fighter Ion → Hurston"
    )


def test_unknown_shapes_carry_the_event_name_that_ignore_adds(imported: Path) -> None:
    rows = build_snapshot(facts_of(imported), LiveState(), UTC).unknown.rows
    named = [row for row in rows if row.event_name]
    assert named, "the synthesized logs have unknown named events"
    for row in named:
        assert f"<{row.event_name}>" in row.sample
    with Store(imported) as store:
        assert store.add_noise(named[0].event_name or "")
    after = build_snapshot(facts_of(imported), LiveState(), UTC).unknown.rows
    assert named[0].event_name not in {row.event_name for row in after}
    assert event_name_of("<2026-05-02T20:00:00.000Z> [Notice] <Odd Thing> body") == "Odd Thing"
    assert event_name_of("<2026-05-02T20:00:00.000Z> no name here") is None
    assert event_name_of("a continuation line") is None


def test_import_progress_reads_as_files_lines_and_events(database: Path, game: Game) -> None:
    seen: list[ImportProgress] = []
    with Store(database) as store:
        final = import_logs(
            store,
            game.backups,
            noise=store.noise_names(),
            on_progress=lambda p: seen.append(replace(p)),
        )
    first = import_view(LiveState(import_progress=seen[0], import_running=True))
    assert first is not None
    assert first.running
    assert first.text.startswith("Importing: files 0/2 (0 skipped), 0 lines, 0 new events")
    done = import_view(LiveState(import_progress=final))
    assert done is not None
    assert done.text == (
        f"Import finished: 2 file(s) read; files 2/2 (0 skipped), {final.lines:,} lines, "
        f"{final.events:,} new events"
    )
    assert done.done == done.total == sum(p.stat().st_size for p in game.backups)
    failed = import_view(LiveState(import_error="disk on fire"))
    assert failed is not None
    assert failed.text == "Import failed: disk on fire"
    assert import_view(LiveState()) is None


def test_the_sync_view_says_why_sync_is_off_and_shows_the_last_error(imported: Path) -> None:
    with Store(imported) as store:
        store.record_sync(error="server answered 503")
        stats, counts = store.sync_stats(), store.counts()
        store.set_sync_state("backoff")
        backing_off = store.sync_stats()
        store.set_sync_state("pairing_lost")
        lost = store.sync_stats()
    running = LiveState(paired_handle="Pilot")
    off = LiveState(sync_off_reason="not paired")
    assert sync_view(stats, counts, off, UTC).state == "off (not paired)"
    assert sync_view(stats, counts, replace(running, sync_paused=True), UTC).state == "paused"
    assert sync_view(backing_off, counts, running, UTC).state == "on (backoff)"
    assert sync_view(lost, counts, running, UTC).state == "off (pairing lost: pair again)"
    view = sync_view(stats, counts, running, UTC)
    assert (view.state, view.last_error, view.last_success) == (
        "on",
        "server answered 503",
        "never",
    )
    assert view.unsynced == counts.events == scalar(imported, "SELECT count(*) FROM events")


def test_tailed_files_show_read_errors() -> None:
    files = tailed_files([TailStatus(Path("/x/Game.log"), "sig", 10, "permission denied")])
    assert [(f.path, f.offset, f.error) for f in files] == [
        (str(Path("/x/Game.log")), 10, "permission denied")
    ]


def test_day_start_is_local_midnight_written_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert day_start(datetime(2026, 5, 2, 1, 30, tzinfo=plus_two)) == "2026-05-01T22:00:00.000Z"
    assert day_start(NOW) == "2026-05-02T00:00:00.000Z"


def test_times_are_shown_in_the_players_zone() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert display_time("2026-05-02T21:14:23.189Z", plus_two) == "2026-05-02 23:14:23"
    assert display_time("not a time", UTC) == "not a time"
    assert display_time(None, UTC) == "never"


def test_settings_survive_a_round_trip_through_config_toml(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_config(Config(extra={"theme": "nyx", "remote_sync": {"claimed_handle": "Pilot"}}), path)
    view = SettingsView(
        gamelog_path=str(tmp_path / "LIVE" / "Game.log"),
        api_url="https://api.example.org/",
        interval_secs=90,
        batch_size=500,
        archive_backups=True,
    )
    save_config(config_with(load_config(path), view), path)
    loaded = load_config(path)
    assert settings_view(loaded) == replace(view, api_url="https://api.example.org")
    assert loaded.extra["theme"] == "nyx"
    assert loaded.extra["remote_sync"]["claimed_handle"] == "Pilot"
    assert settings_view(Config()) == SettingsView()


def test_settings_problems_explain_what_cannot_be_saved() -> None:
    assert settings_problems(SettingsView(api_url="https://api.example.org")) == []
    assert settings_problems(SettingsView(api_url="http://localhost:8080")) == []
    (problem,) = settings_problems(SettingsView(api_url="http://api.example.org"))
    assert "the API URL must start with https:// (or http://localhost)" in problem
    assert settings_problems(SettingsView(gamelog_path="/games/notes.txt")) == [
        "the Game.log override must name a Game.log file"
    ]
    assert len(settings_problems(SettingsView(interval_secs=0, batch_size=0))) == 2


def test_pairing_needs_an_api_url_and_an_eight_character_code() -> None:
    assert pairing_problems("https://api.example.org", "ABCD2345") == []
    assert pairing_problems("", "ABCD2345") == ["enter the API URL first"]
    assert pairing_problems("https://api.example.org", "ABC") == [
        "a pairing code is 8 letters and digits"
    ]


@pytest.fixture(name="actions", params=["memory", "module"])
def actions_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> SyncActions:
    if request.param == "memory":
        return MemorySyncActions()
    return PairingModuleActions(tmp_path / "config.toml", data=tmp_path)


def test_unpaired_sync_actions_say_why_sync_cannot_start(actions: SyncActions) -> None:
    assert actions.paired_handle() is None
    why = actions.start()
    assert why
    assert isinstance(why, str)
    actions.wake()  # harmless with no worker
    actions.stop()
    actions.stop()  # and stopping twice too


def test_the_memory_twin_pairs_with_any_well_formed_code() -> None:
    actions = MemorySyncActions("Pilot")
    handle, device_id = actions.pair("https://api.example.org", "abcd2345")
    assert (handle, actions.paired_handle()) == ("Pilot", "Pilot")
    assert device_id
    assert actions.redeemed == [("https://api.example.org", "ABCD2345")]
    with pytest.raises(ClientError):
        actions.pair("https://api.example.org", "short")
