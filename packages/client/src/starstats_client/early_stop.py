"""A stop asked for while `starstats-client run` is still starting.

Python ends a process on SIGTERM by default, so a service manager, the tray or a test harness
that stops the client in the second it takes to import, migrate and start syncing would kill
it (exit -15) instead of stopping it. `install` runs first thing, before the heavy imports,
and only remembers the request; the tailer's own handlers take over once it runs, see that
a stop was already asked for, and end at once, cleanly (exit 0). Standard library only: this
module must load in milliseconds.
"""

import os
import signal
import sys
import threading
from collections.abc import Sequence

requested = threading.Event()


def _remember(signum: int, frame: object) -> None:
    if not requested.is_set():
        requested.set()
        return
    # Asked twice: start-up is stuck (a locked database, a keyring prompt); stop as Python
    # would have.
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def install(argv: Sequence[str] | None = None) -> None:
    """Remember a SIGINT or SIGTERM from now on, for the `run` command only (every other
    command keeps Python's default: stopped where it is). A second one stops as usual."""
    args = sys.argv if argv is None else argv
    if len(args) < 2 or args[1] != "run":
        return
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _remember)
