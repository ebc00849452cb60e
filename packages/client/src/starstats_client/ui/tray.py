"""The tray app: the system-tray icon and menu, the window and the workers wired together on
the Qt thread (`TrayController`); `ui.loop.run_tray` runs it as the `tray` command.

How threads talk to Qt: workers post frozen notices to a `queue.SimpleQueue`; a 100 ms
QTimer on the Qt thread drains it and re-renders. Signals emitted from worker threads would
be as safe (Qt queues them across threads), but the queue keeps the workers plain Python:
they import no Qt, run and are tested without a QApplication, and a burst of notices folds
into one render per tick. The Qt thread itself only writes the store for the player's own
actions (Ignore), each in one short transaction.
"""

import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from starstats_client.config import load_config, save_config
from starstats_client.errors import ClientError
from starstats_client.store import Store
from starstats_client.ui.actions import SyncActions
from starstats_client.ui.journeyview import JourneyFacts, journey_request, journey_view
from starstats_client.ui.viewmodel import (
    FactsRequest,
    LiveState,
    SettingsView,
    Snapshot,
    StoreFacts,
    build_snapshot,
    config_with,
    day_start,
    pairing_problems,
    pairing_text,
    settings_problems,
    settings_view,
)
from starstats_client.ui.window import TITLE, MainWindow, app_icon
from starstats_client.ui.workers import (
    Backfill,
    FactsRead,
    FactsReader,
    ImportAdvanced,
    JourneyRead,
    JourneyReader,
    Notice,
    Outbox,
    PairingFinished,
    TailsPolled,
    TailWorker,
    WorkerFailed,
    start_import,
    start_pairing,
)

log = logging.getLogger(__name__)

DRAIN_MS = 100
NO_TRAY = (
    "no system tray is available here (no tray host, or QT_QPA_PLATFORM=offscreen): "
    "StarStats runs as a plain window, and closing the window quits it"
)


@dataclass(frozen=True, slots=True)
class TrayServices:
    """What the composition root (the `tray` command) hands the tray."""

    database: Path
    config_path: Path
    logs: tuple[Path, ...]  # the Game.log files to tail (empty: `logs_problem` says why)
    actions: SyncActions
    backfill: Backfill | None = None
    sync_off_reason: str | None = None  # e.g. "--no-sync"; None: start the sync worker
    logs_problem: str | None = None
    tail_interval: float | None = None  # None: the tailer's default
    read_interval: float = 1.0


class TrayController(QObject):
    """Owns the window, the tray icon and the workers; every method runs on the Qt thread.
    `finished` is emitted once the player quits (tray Quit, or closing a tray-less window)."""

    finished = Signal()

    def __init__(
        self,
        services: TrayServices,
        *,
        tray_available: bool | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    ) -> None:
        super().__init__()
        self.services = services
        self._clock = clock
        available = (
            QSystemTrayIcon.isSystemTrayAvailable() if tray_available is None else tray_available
        )
        self.window = MainWindow(hide_on_close=available)
        self.outbox: Outbox = queue.SimpleQueue()
        self.reader = FactsReader(services.database, self.outbox, interval=services.read_interval)
        self.journey_reader = JourneyReader(
            services.database, self.outbox, interval=services.read_interval
        )
        self.tail_worker = (
            TailWorker(
                services.database,
                services.logs,
                self.outbox,
                interval=services.tail_interval,
                on_events=services.actions.wake,
            )
            if services.logs
            else None
        )
        self.live = LiveState(
            sync_off_reason=services.sync_off_reason or "not started",
            paired_handle=services.actions.paired_handle(),
            problem=services.logs_problem,
        )
        self.facts: StoreFacts | None = None
        self.snapshot: Snapshot | None = None
        self.journey: JourneyFacts | None = None
        self._journey_minute: str | None = None  # "Playing now" ends with time, not a notice
        self._event_type: str | None = None
        self._stopped = False
        self._told_hidden = False
        self._quit_requested = False
        self._quitting = False
        self.pause_action = QAction("Pause sync", self)
        self.pause_action.triggered.connect(self.toggle_pause)
        self.tray = self._make_tray() if available else None
        if self.tray is None:
            log.warning(NO_TRAY)
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self.drain)
        self._connect_window()
        self._load_settings()

    # -- lifecycle --------------------------------------------------------------------------
    def _make_tray(self) -> QSystemTrayIcon:
        tray = QSystemTrayIcon(app_icon(), self)
        menu = QMenu()
        menu.addAction("Show", self.show_window)
        menu.addAction(self.pause_action)
        menu.addSeparator()
        menu.addAction("Quit", self.quit)
        self._menu = menu  # QSystemTrayIcon does not take ownership of its menu
        tray.setContextMenu(menu)
        tray.setToolTip(TITLE)
        tray.activated.connect(self._tray_activated)
        return tray

    def _connect_window(self) -> None:
        window = self.window
        window.shown_changed.connect(self._shown_changed)
        window.closed.connect(self.quit)
        window.status_tab.import_requested.connect(self.start_import)
        window.status_tab.import_button.setEnabled(self.services.backfill is not None)
        window.events_tab.filter_changed.connect(self.filter_events)
        window.unknown_tab.ignore_requested.connect(self.ignore)
        window.settings_tab.save_requested.connect(self.save_settings)
        window.settings_tab.pair_requested.connect(self.pair)

    def start(self, *, show: bool = True) -> None:
        for reader in (self.reader, self.journey_reader):
            reader.set_active(False)  # until the window is shown
        self.reader.request(self._request())
        self.journey_reader.request(journey_request(self._clock()))
        self.reader.start()
        self.journey_reader.start()
        if self.tail_worker is not None:
            self.tail_worker.start()
        self._start_sync()
        self._timer.start()
        self._update_tray()
        if self.tray is not None:
            self.tray.show()
        if show or self.tray is None:
            self.show_window()

    def shutdown(self) -> None:
        """Stop the workers and the timer (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self._timer.stop()
        self.reader.stop()
        self.journey_reader.stop()
        if self.tail_worker is not None:
            self.tail_worker.stop()
        self.services.actions.stop()
        if self.tray is not None:
            self.tray.hide()

    def request_quit(self) -> None:
        """Quit at the next drain: safe to call from a signal handler, which may run
        between any two Python bytecodes, even inside a Qt slot."""
        self._quit_requested = True

    def quit(self) -> None:
        if self._quitting:
            return  # closing the window below calls back here
        self._quitting = True
        self.window.close_for_good()
        self.shutdown()
        self.finished.emit()

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_window()

    def _shown_changed(self, shown: bool) -> None:
        self.reader.set_active(shown)
        self.journey_reader.set_active(shown)
        if not shown and self.tray is not None and not self._told_hidden and not self._quitting:
            self._told_hidden = True
            self.tray.showMessage(TITLE, "Still running in the tray; Quit is in its menu.")

    # -- notices from the workers -----------------------------------------------------------
    def drain(self) -> int:
        """Apply every notice waiting in the outbox; returns how many there were."""
        if self._quit_requested:
            self.quit()
            return 0
        handled = 0
        while True:
            try:
                notice = self.outbox.get_nowait()
            except queue.Empty:
                break
            self._apply(notice)
            handled += 1
        self.reader.request(self._request())  # a new day is a new request
        self.journey_reader.request(journey_request(self._clock()))
        if handled:
            self._render()
        elif self.journey is not None and self._clock().strftime("%H:%M") != self._journey_minute:
            self._render_journey()
        return handled

    def _apply(self, notice: Notice) -> None:
        match notice:
            case TailsPolled(statuses):
                self.live = replace(self.live, tails=statuses)
            case FactsRead(facts):
                self.facts = facts
            case JourneyRead(journey):
                self.journey = journey
            case ImportAdvanced(progress, finished, error):
                self.live = replace(
                    self.live,
                    import_progress=progress or self.live.import_progress,
                    import_running=not finished,
                    import_error=error,
                )
                if finished:
                    self.reader.request(self._request(), force=True)
                    self.journey_reader.request(journey_request(self._clock()), force=True)
            case PairingFinished(handle, _, error):
                self._paired(handle, error)
            case WorkerFailed(worker, error):
                self.live = replace(self.live, problem=f"{worker}: {error}")

    def _render(self) -> None:
        self._update_tray()
        self._render_journey()
        if self.facts is None:
            return
        self.snapshot = build_snapshot(self.facts, self.live, self._clock().tzinfo or UTC)
        self.window.show_snapshot(self.snapshot)

    def _render_journey(self) -> None:
        if self.journey is None:
            return
        now = self._clock()
        self._journey_minute = now.strftime("%H:%M")
        self.window.show_journey(journey_view(self.journey, now, now.tzinfo or UTC))

    def _update_tray(self) -> None:
        live = self.live
        off = live.sync_off_reason is not None and not live.sync_paused
        self.pause_action.setEnabled(not off)
        if off:
            self.pause_action.setText(f"Sync off ({live.sync_off_reason})")
        else:
            self.pause_action.setText("Resume sync" if live.sync_paused else "Pause sync")
        if self.tray is not None:
            files = ", ".join(t.path.parent.name for t in live.tails) or "nothing"
            self.tray.setToolTip(f"{TITLE}: tailing {files}; {pairing_text(live.paired_handle)}")

    def _request(self) -> FactsRequest:
        return FactsRequest(day_start=day_start(self._clock()), event_type=self._event_type)

    # -- the player's actions ---------------------------------------------------------------
    def toggle_pause(self) -> None:
        if self.live.sync_paused:
            self.live = replace(self.live, sync_paused=False)
            self._start_sync()
        else:
            self.services.actions.stop()
            self.live = replace(self.live, sync_paused=True)
        self._render()

    def _start_sync(self) -> None:
        """(Re)start the sync worker unless sync is switched off or paused."""
        if self.services.sync_off_reason is not None or self.live.sync_paused:
            return
        self.live = replace(self.live, sync_off_reason=self.services.actions.start())

    def filter_events(self, event_type: str) -> None:
        self._event_type = event_type or None
        self.reader.request(self._request())

    def ignore(self, event_name: str) -> None:
        tab = self.window.unknown_tab
        # The tailer's parsers hold the noise list they were built with: stop it first (so
        # no poll re-adds the shapes being forgotten) and start it again with the new list.
        if self.tail_worker is not None:
            self.tail_worker.stop()
        try:
            with Store(self.services.database) as store:
                added = store.add_noise(event_name)
        except ClientError as err:
            tab.message.setText(f"could not ignore {event_name}: {err}")
            return
        finally:
            if self.tail_worker is not None:
                self.tail_worker.start()
        tab.message.setText(
            f"Ignoring <{event_name}>: its lines are no longer counted as unknown."
            if added
            else f"<{event_name}> was already ignored."
        )
        self.reader.request(self._request(), force=True)

    def start_import(self) -> None:
        if self.services.backfill is None or self.live.import_running:
            return
        self.live = replace(self.live, import_running=True, import_error=None, import_progress=None)
        start_import(self.services.database, self.services.backfill, self.outbox)
        self._render()

    def save_settings(self, view: SettingsView) -> None:
        tab = self.window.settings_tab
        problems = settings_problems(view)
        if problems:
            tab.show_message("Not saved: " + "; ".join(problems) + ".", error=True)
            return
        path = self.services.config_path
        try:
            save_config(config_with(load_config(path), view), path)
        except ClientError as err:
            tab.show_message(f"Not saved: {err}", error=True)
            return
        tab.show_message(f"Saved to {path}. A new Game.log path applies from the next start.")

    def pair(self, api_url: str, code: str) -> None:
        tab = self.window.settings_tab
        problems = pairing_problems(api_url, code)
        if problems:
            tab.show_message("Cannot pair: " + "; ".join(problems) + ".", error=True)
            return
        tab.set_pairing("pairing…", busy=True)
        tab.show_message("")
        start_pairing(self.services.actions, api_url, code, self.outbox)

    def _paired(self, handle: str | None, error: str | None) -> None:
        tab = self.window.settings_tab
        if error is not None or handle is None:
            tab.show_message(f"Pairing failed: {error}", error=True)
        else:
            self.live = replace(self.live, paired_handle=handle)
            tab.show_message(f"Paired as {handle}.")
            tab.code.clear()
            self._start_sync()  # a worker for the new pairing (and token)
        tab.set_pairing(_sentence(pairing_text(self.live.paired_handle)))

    def _load_settings(self) -> None:
        tab = self.window.settings_tab
        tab.set_pairing(_sentence(pairing_text(self.live.paired_handle)))
        try:
            tab.load(settings_view(load_config(self.services.config_path)))
        except ClientError as err:
            tab.show_message(f"Settings not loaded: {err}", error=True)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]  # not str.capitalize: it would lower the handle
