"""The tray window on the offscreen Qt platform, driven like a player would: real store,
real tailer and importer threads, real widgets; only pairing uses the in-memory twin."""

import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QTableWidget
from pytestqt.qtbot import QtBot
from typer.testing import CliRunner

from starstats_client import app as client
from starstats_client.cli import app
from starstats_client.config import load_config
from starstats_client.credentials import MemoryTokenStore
from starstats_client.store import Store
from starstats_client.ui.actions import (
    MemorySyncActions,
    PairingModuleActions,
    SyncWorkerHandle,
)
from starstats_client.ui.tray import NO_TRAY, TrayController, TrayServices
from starstats_client.ui.viewmodel import display_time, recognised_sentence

from ..conftest import oracle, stored  # noqa: TID252 - helpers shared by every client test; tests are not an installed package
from .conftest import NOW, Game, query, scalar

ARTIFACTS_ENV = "STARSTATS_ARTIFACTS_DIR"


def make_controller(
    qtbot: QtBot, services: TrayServices, *, tray: bool | None = False
) -> TrayController:
    controller = TrayController(services, tray_available=tray, clock=lambda: NOW)
    qtbot.addWidget(controller.window)
    controller.start()
    return controller


@pytest.fixture(name="controller")
def controller_fixture(qtbot: QtBot, services: TrayServices) -> Iterator[TrayController]:
    controller = make_controller(qtbot, services)
    yield controller
    controller.shutdown()


def expected_total(services: TrayServices, game: Game) -> int:
    """Backups already imported, plus the live log once the tailer has read it."""
    backups = scalar(
        services.database, "SELECT count(*) FROM events WHERE timestamp < '2026-05-02'"
    )
    return backups + len(oracle(game.live.read_bytes()))


def settle(qtbot: QtBot, controller: TrayController, total: int) -> None:
    """Wait until the window shows every event of the backups and the live log."""

    def settled() -> bool:
        snapshot = controller.snapshot
        return (
            snapshot is not None
            and snapshot.status.events_total == total
            and bool(snapshot.status.files)
            and snapshot.status.files[0].offset > 0
        )

    qtbot.waitUntil(settled, timeout=20_000)


def column(table: QTableWidget, index: int) -> list[str]:
    return [table.item(row, index).text() for row in range(table.rowCount())]


def test_the_status_tab_shows_real_counts(
    qtbot: QtBot, controller: TrayController, services: TrayServices, game: Game
) -> None:
    total = expected_total(services, game)
    settle(qtbot, controller, total)
    tab = controller.window.status_tab
    database = services.database
    today = scalar(database, "SELECT count(*) FROM events WHERE timestamp >= '2026-05-02'")
    assert tab.events_total.text() == f"{total:,}"
    assert tab.events_today.text() == f"{today:,}"
    assert today == len(oracle(game.live.read_bytes()))
    newest = query(
        database, "SELECT event_type, timestamp FROM events ORDER BY timestamp DESC, id DESC"
    )[0]
    assert tab.last_event.text() == f"{newest[0]} at {display_time(str(newest[1]), UTC)}"
    assert column(tab.files, 0) == [str(game.live)]
    assert int(column(tab.files, 1)[0].replace(",", "")) > 0
    assert tab.sync_state.text() == "off (not paired)"
    assert tab.pairing.text() == "not paired"
    assert tab.sync_error.text() == "none"
    assert tab.outbox.text() == f"{total:,} unsynced, 0 quarantined"
    shapes = scalar(database, "SELECT count(*) FROM unknown_shapes")
    unknown_lines = scalar(database, "SELECT sum(count) FROM unknown_shapes")
    sentence, details = tab.coverage.text().split("\n")
    assert sentence == recognised_sentence(total, unknown_lines)
    assert sentence.endswith(" something we recognise; the rest is engine chatter.")
    assert "%" not in sentence
    assert "classified" not in tab.coverage.text()
    assert details.startswith(f"{total:,} events recognised; {unknown_lines:,} unrecognised")
    assert f"lines of {shapes:,} kinds" in details
    assert controller.window.tabs.tabText(3) == f"Unknown lines ({shapes:,})"


def test_the_events_tab_lists_recent_events_and_filters_by_type(
    qtbot: QtBot, controller: TrayController, services: TrayServices, game: Game
) -> None:
    settle(qtbot, controller, expected_total(services, game))
    tab = controller.window.events_tab
    qtbot.waitUntil(lambda: tab.table.rowCount() == 200)
    types = {tab.type_filter.itemData(i) for i in range(tab.type_filter.count())}
    assert {"", "actor_death", "hud_notification", "join_pu"} <= types
    tab.type_filter.setCurrentIndex(tab.type_filter.findData("join_pu"))
    joins = scalar(services.database, "SELECT count(*) FROM events WHERE event_type = 'join_pu'")
    qtbot.waitUntil(lambda: set(column(tab.table, 1)) == {"join_pu"})
    assert tab.table.rowCount() == joins
    assert all(text.startswith("Joined PU shard ") for text in column(tab.table, 2))
    assert tab.type_filter.currentData() == "join_pu"
    tab.type_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 200)


def test_ignore_adds_the_selected_shapes_event_name_to_the_noise_list(
    qtbot: QtBot, controller: TrayController, services: TrayServices, game: Game
) -> None:
    settle(qtbot, controller, expected_total(services, game))
    tab = controller.window.unknown_tab
    snapshot = controller.snapshot
    assert snapshot is not None
    assert tab.table.rowCount() == len(snapshot.unknown.rows) > 0
    assert not tab.ignore_button.isEnabled()  # nothing selected yet
    row = next(i for i, r in enumerate(snapshot.unknown.rows) if r.event_name)
    name = snapshot.unknown.rows[row].event_name
    tab.select_row(row)
    assert tab.selected_name() == name
    assert tab.ignore_button.isEnabled()
    qtbot.mouseClick(tab.ignore_button, Qt.MouseButton.LeftButton)
    with Store(services.database) as store:
        assert (name, "user") in store.noise_list()
    qtbot.waitUntil(lambda: name not in column(tab.table, 1))
    assert tab.message.text() == f"Ignoring <{name}>: its lines are no longer counted as unknown."
    assert controller.tail_worker is not None
    assert controller.tail_worker.running  # started again, with the new noise list


def test_the_pairing_form_calls_the_pair_action_with_the_code_and_api_url(
    qtbot: QtBot, controller: TrayController, services: TrayServices
) -> None:
    actions = services.actions
    assert isinstance(actions, MemorySyncActions)
    tab = controller.window.settings_tab
    assert tab.pairing.text() == "Not paired"
    qtbot.keyClicks(tab.api_url, "https://api.example.org")
    qtbot.keyClicks(tab.code, "abcd2345")
    qtbot.mouseClick(tab.pair_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.pairing.text() == "Paired as MemoryPilot")
    assert actions.redeemed == [("https://api.example.org", "ABCD2345")]
    assert tab.message.text() == "Paired as MemoryPilot."
    assert tab.pair_button.isEnabled()
    assert tab.code.text() == ""
    status = controller.window.status_tab
    qtbot.waitUntil(lambda: status.pairing.text() == "paired as MemoryPilot")
    assert status.sync_state.text() == "on"


def test_the_pairing_form_refuses_an_unsafe_api_url_without_calling_out(
    qtbot: QtBot, controller: TrayController, services: TrayServices
) -> None:
    tab = controller.window.settings_tab
    qtbot.keyClicks(tab.api_url, "http://api.example.org")
    qtbot.keyClicks(tab.code, "ABCD2345")
    qtbot.mouseClick(tab.pair_button, Qt.MouseButton.LeftButton)
    assert tab.message.text().startswith("Cannot pair: ")
    assert "the API URL must start with https:// (or http://localhost)" in tab.message.text()
    assert isinstance(services.actions, MemorySyncActions)
    assert services.actions.redeemed == []


class _Redeem(BaseHTTPRequestHandler):
    """The server as the client sees it over HTTP: code ABCD2345 pairs, any other is
    unknown, and ingest answers 503 (the real server is tested with the server)."""

    codes: list[str] = []  # noqa: RUF012 - one server per test; the handler class records
    token = "eyJhbGciOiJub25lIn0.eyJwcmVmZXJyZWRfdXNlcm5hbWUiOiJIdHRwUGlsb3QifQ."

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "code" in body:
            type(self).codes.append(body["code"])
        status, answer = (
            200,
            {
                "token": _Redeem.token,
                "device_id": "0b7c1f8e-6f43-4c59-9a51-2a7f3c1d9e10",
                "label": "Desktop client",
                "claimed_handle": "HttpPilot",
            },
        )
        if self.path != "/v1/auth/devices/redeem":  # ingest: the server is having a bad day
            status, answer = 503, {"error": "unavailable", "detail": "try again later"}
        elif body.get("code") != "ABCD2345":
            status, answer = 404, {"error": "unknown_code", "detail": "no such code"}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(name="redeem_url")
def redeem_url_fixture() -> Iterator[str]:
    _Redeem.codes.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redeem)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(
    "case",
    [
        ("abcd2345", "Paired as HttpPilot", "Paired as HttpPilot."),
        ("WXYZ2345", "Not paired", "Pairing failed: no such pairing code"),
    ],
    ids=["known-code", "unknown-code"],
)
def test_pairing_over_real_http_with_the_default_action(
    qtbot: QtBot,
    services: TrayServices,
    tmp_path: Path,
    redeem_url: str,
    case: tuple[str, str, str],
) -> None:
    code, pairing, message = case
    tokens = MemoryTokenStore()  # the OS keyring of whoever runs the tests stays untouched
    data, config_path = services.database.parent, services.config_path

    def start_worker() -> tuple[SyncWorkerHandle | None, str]:  # as the `tray` command does
        return client.start_sync(load_config(config_path), data, tokens=tokens)

    actions = PairingModuleActions(config_path, data=data, tokens=tokens, start_worker=start_worker)
    controller = make_controller(qtbot, replace(services, actions=actions))
    paired = pairing != "Not paired"
    try:
        tab, status = controller.window.settings_tab, controller.window.status_tab
        qtbot.waitUntil(lambda: status.sync_state.text() == "off (not paired)")
        qtbot.keyClicks(tab.api_url, redeem_url)
        qtbot.keyClicks(tab.code, code)
        qtbot.mouseClick(tab.pair_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(tab.pair_button.isEnabled, timeout=20_000)
        if paired:  # the new pairing's worker runs, and meets the 503
            qtbot.waitUntil(lambda: status.sync_state.text() == "on (backoff)", timeout=20_000)
            assert status.sync_error.text() != "none"
    finally:
        controller.shutdown()
    assert not [t for t in threading.enumerate() if t.name == "starstats-sync" and t.is_alive()]
    assert _Redeem.codes == [code.upper()]
    assert tab.pairing.text() == pairing
    assert tab.message.text().startswith(message)
    assert actions.paired_handle() == ("HttpPilot" if paired else None)
    assert tokens.tokens == ({redeem_url: _Redeem.token} if paired else {})


def test_save_writes_the_settings_to_config_toml(
    qtbot: QtBot, controller: TrayController, services: TrayServices, game: Game
) -> None:
    tab = controller.window.settings_tab
    tab.gamelog.setText(str(game.live))
    tab.api_url.setText("https://api.example.org/")
    tab.interval.setValue(120)
    tab.batch.setValue(300)
    tab.archive.setChecked(True)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.text().startswith(f"Saved to {services.config_path}.")
    saved = load_config(services.config_path)
    assert saved.gamelog_path == game.live
    assert saved.archive_backups is True
    assert saved.extra["remote_sync"] == {
        "api_url": "https://api.example.org",
        "interval_secs": 120,
        "batch_size": 300,
    }
    tab.api_url.setText("ftp://api.example.org")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.text().startswith("Not saved: ")
    assert "the API URL must start with https://" in tab.message.text()
    assert load_config(services.config_path) == saved


def test_closing_the_window_hides_it_to_the_tray_and_quit_ends_everything(
    qtbot: QtBot, services: TrayServices
) -> None:
    controller = make_controller(qtbot, services, tray=True)
    window, tray = controller.window, controller.tray
    assert tray is not None
    assert tray.isVisible()
    qtbot.waitExposed(window)
    menu = tray.contextMenu()
    assert [a.text() for a in menu.actions()] == ["Show", "Sync off (not paired)", "", "Quit"]
    window.close()
    assert window.isHidden()
    assert controller.reader.running  # hidden, not quit
    menu.actions()[0].trigger()  # Show
    assert window.isVisible()
    with qtbot.waitSignal(controller.finished, timeout=5_000):
        menu.actions()[3].trigger()  # Quit
    assert window.isHidden()
    assert not controller.reader.running
    assert controller.tail_worker is not None
    assert not controller.tail_worker.running


def test_without_a_tray_closing_the_window_quits(
    qtbot: QtBot, services: TrayServices, caplog: pytest.LogCaptureFixture
) -> None:
    if QSystemTrayIcon.isSystemTrayAvailable():
        pytest.skip("this display has a system tray; the fallback needs one without")
    with caplog.at_level(logging.WARNING):
        controller = TrayController(services, clock=lambda: NOW)  # detects: none offscreen
    qtbot.addWidget(controller.window)
    assert controller.tray is None
    assert NO_TRAY in caplog.text
    controller.start(show=False)
    assert controller.window.isVisible()  # no tray to hide in: the window is the app
    finished: list[bool] = []
    controller.finished.connect(lambda: finished.append(True))
    controller.window.close()
    assert finished == [True]  # once, though quitting closes the window again
    assert controller.window.isHidden()
    assert not controller.reader.running


def test_pause_in_the_tray_menu_pauses_sync(qtbot: QtBot, services: TrayServices) -> None:
    actions = MemorySyncActions(paired=True)
    controller = make_controller(qtbot, replace(services, actions=actions), tray=True)
    try:
        status = controller.window.status_tab
        qtbot.waitUntil(lambda: status.sync_state.text() == "on")
        assert actions.running
        controller.pause_action.trigger()
        assert not actions.running
        assert status.sync_state.text() == "paused"
        assert controller.pause_action.text() == "Resume sync"
        controller.pause_action.trigger()
        assert actions.running
        assert status.sync_state.text() == "on"
        assert controller.pause_action.text() == "Pause sync"
    finally:
        controller.shutdown()
    assert not actions.running


def test_an_unpaired_tray_offers_no_pause(qtbot: QtBot, services: TrayServices) -> None:
    controller = make_controller(qtbot, services, tray=True)
    try:
        assert controller.pause_action.text() == "Sync off (not paired)"
        assert not controller.pause_action.isEnabled()
    finally:
        controller.shutdown()


def test_no_sync_disables_the_pause_item(qtbot: QtBot, services: TrayServices) -> None:
    controller = make_controller(qtbot, replace(services, sync_off_reason="--no-sync"), tray=True)
    try:
        assert controller.pause_action.text() == "Sync off (--no-sync)"
        assert not controller.pause_action.isEnabled()
    finally:
        controller.shutdown()


def test_an_import_shows_its_progress_in_files_lines_and_events(
    qtbot: QtBot, tmp_path: Path, services: TrayServices, game: Game
) -> None:
    fresh = tmp_path / "fresh" / "data.sqlite3"
    Store(fresh).close()
    controller = make_controller(qtbot, replace(services, database=fresh, logs=()))
    try:
        tab = controller.window.status_tab
        qtbot.waitUntil(lambda: controller.snapshot is not None)
        assert tab.import_text.text() == ""
        qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
        assert tab.import_text.text().startswith("Importing")
        assert not tab.import_button.isEnabled()  # one import at a time
        qtbot.waitUntil(lambda: "finished" in tab.import_text.text(), timeout=30_000)
        events = len(stored(fresh))
        qtbot.waitUntil(lambda: tab.events_total.text() == f"{events:,}")
    finally:
        controller.shutdown()
    assert events == sum(len(oracle(p.read_bytes(), finish=True)) for p in game.backups)
    text = tab.import_text.text()
    assert text.startswith("Import finished: 2 file(s) read; files 2/2 (0 skipped), ")
    assert text.endswith(f" lines, {events:,} new events")
    assert tab.import_button.isEnabled()


def artifact_dirs(tmp_path: Path) -> list[Path]:
    dirs = [tmp_path / "artifacts"]
    if os.environ.get(ARTIFACTS_ENV):
        dirs.append(Path(os.environ[ARTIFACTS_ENV]))
    for folder in dirs:
        folder.mkdir(parents=True, exist_ok=True)
    return dirs


def colours(image: QImage) -> set[int]:
    step = 7
    return {
        image.pixel(x, y)
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    }


def test_a_screenshot_of_each_tab_is_saved(
    qtbot: QtBot, controller: TrayController, services: TrayServices, game: Game, tmp_path: Path
) -> None:
    settle(qtbot, controller, expected_total(services, game))
    window = controller.window
    qtbot.waitExposed(window)
    dirs = artifact_dirs(tmp_path)
    # The Journey tab's picture is taken with the real corpus (test_tray_journey.py).
    for tab, name in [
        (window.status_tab, "status"),
        (window.events_tab, "events"),
        (window.unknown_tab, "unknown"),
        (window.settings_tab, "settings"),
    ]:
        window.tabs.setCurrentWidget(tab)
        image = window.grab().toImage()
        for folder in dirs:
            path = folder / f"tray-{name}.png"
            assert image.save(str(path))
            assert path.stat().st_size > 1024
            assert len(colours(QImage(str(path)))) > 2, f"{path} is blank"


def test_the_tray_command_tails_until_the_app_quits(
    qapp: QApplication, tmp_path: Path, game: Game, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STARSTATS_CONFIG_DIR", str(tmp_path / "config"))
    data = tmp_path / "cli-data"
    expected = oracle(game.live.read_bytes())

    def quit_when_tailed() -> None:
        database = data / "data.sqlite3"
        if database.exists() and len(stored(database)) == len(expected):
            qapp.quit()

    poll = QTimer()
    poll.timeout.connect(quit_when_tailed)
    poll.start(100)
    QTimer.singleShot(30_000, qapp.quit)  # a bound, should the tailer never get there
    try:
        result = CliRunner().invoke(
            app, ["tray", "--gamelog", str(game.live), "--data-dir", str(data), "--no-sync"]
        )
    finally:
        poll.stop()
        qapp.setQuitOnLastWindowClosed(True)
    assert result.exit_code == 0, result.output
    assert stored(data / "data.sqlite3") == expected
