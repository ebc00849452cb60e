"""The `tray` command's event loop: the store created or migrated once, the Qt application,
the controller, and SIGINT/SIGTERM turned into a clean quit."""

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QApplication

from starstats_client.store import Store
from starstats_client.ui.tray import TrayController, TrayServices


def run_tray(services: TrayServices, *, show_window: bool = True, backfill: bool = False) -> int:
    """Run the tray until the player quits (or SIGINT/SIGTERM); returns the exit code."""
    Store(services.database).close()  # create or migrate it here, not in racing workers
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    controller = TrayController(services)
    app.setQuitOnLastWindowClosed(controller.tray is None)
    controller.finished.connect(app.quit)
    controller.start(show=show_window)
    if backfill:
        controller.start_import()
    try:
        with _quit_on_signals(controller):
            return app.exec()
    finally:
        controller.shutdown()


@contextmanager
def _quit_on_signals(controller: TrayController) -> Iterator[None]:
    """Ctrl-C in the terminal quits cleanly: the handler runs at the next Python call,
    which the drain timer guarantees within DRAIN_MS."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [signal.SIGINT, signal.SIGTERM]
    previous = {sig: signal.signal(sig, lambda *_: controller.request_quit()) for sig in wanted}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
