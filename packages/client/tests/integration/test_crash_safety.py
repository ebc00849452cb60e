"""`starstats-client run` in a real subprocess, SIGKILLed at random points while the log
grows, then restarted: at the end every event is stored exactly once (the one-shot parse
is the oracle). SIGTERM and SIGINT end it cleanly with exit code 0."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import duplicates, oracle, stored, synth_log  # noqa: TID252 - helpers shared by unit and integration tests; tests are not an installed package

pytestmark = pytest.mark.slow


class Client:
    """The `run` command as the player starts it, on one Game.log and one data folder."""

    def __init__(self, root: Path) -> None:
        self.log = root / "LIVE" / "Game.log"
        self.log.parent.mkdir(parents=True)
        self.data = root / "data"
        self.env = {
            **os.environ,
            "HOME": str(root / "home"),
            "STARSTATS_CONFIG_DIR": str(root / "config"),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "starstats_client", "run", "--no-sync"]
        command += ["--gamelog", str(self.log), "--data-dir", str(self.data)]
        self.proc = subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def signal(self, sig: signal.Signals) -> tuple[int, str]:
        assert self.proc is not None
        self.proc.send_signal(sig)
        _, err = self.proc.communicate(timeout=15)
        return self.proc.returncode, err.decode()

    def offset(self) -> int:
        database = self.data / "data.sqlite3"
        if not database.exists():
            return -1
        try:
            with sqlite3.connect(database, timeout=5) as db:
                row = db.execute(
                    "SELECT byte_offset FROM tail_cursors WHERE path = ?", (str(self.log),)
                ).fetchone()
        except sqlite3.OperationalError:  # not migrated yet
            return -1
        return -1 if row is None else int(row[0])

    def wait_for(self, offset: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while self.offset() != offset:
            assert time.monotonic() < deadline, f"cursor {self.offset()} never reached {offset}"
            time.sleep(0.05)

    def stop(self) -> None:
        """Leave nothing running when a test fails half-way."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.communicate()

    def append(self, data: bytes) -> None:
        with self.log.open("ab") as f:
            f.write(data)


@pytest.fixture(name="client")
def client_fixture(tmp_path: Path) -> Iterator[Client]:
    client = Client(tmp_path)
    yield client
    client.stop()


def test_sigkill_at_random_points_neither_loses_nor_duplicates_events(client: Client) -> None:
    rng = random.Random(2026)
    data = synth_log(41, sessions=4, lines=20_000)
    client.append(data[:50_000])
    written, kills = 50_000, 0
    client.start()
    while kills < 12 and written < len(data):
        alive_until = time.monotonic() + rng.uniform(0.3, 1.0)
        while time.monotonic() < alive_until and written < len(data):
            burst = rng.choice([rng.randint(1, 300), rng.randint(1, 20_000), 60_000])
            client.append(data[written : written + burst])
            written += burst
            time.sleep(rng.uniform(0.02, 0.1))
        client.signal(signal.SIGKILL)
        kills += 1
        client.start()
    assert kills >= 8, "the log ran out before enough kills: make it longer"
    client.append(data[written:])
    client.wait_for(len(data))
    code, err = client.signal(signal.SIGTERM)
    assert code == 0, err
    assert "sync is off" in err
    rows = stored(client.data / "data.sqlite3")
    assert not duplicates(rows)
    assert rows == oracle(data)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_ends_run_cleanly_with_everything_committed(
    client: Client, sig: signal.Signals
) -> None:
    data = synth_log(42, sessions=1, lines=2000)
    client.start()
    client.append(data)
    client.wait_for(len(data))
    code, err = client.signal(sig)
    assert code == 0, err
    assert "Traceback" not in err
    assert stored(client.data / "data.sqlite3") == oracle(data)


def _catches(pid: int, sig: signal.Signals) -> bool:
    """Has process `pid` installed a handler for `sig` (Linux: SigCgt in /proc/PID/status)?"""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    ("sig", "after"),
    [(signal.SIGTERM, None)]
    + [(sig, after) for sig in (signal.SIGINT, signal.SIGTERM) for after in (0.25, 0.5, 1.0)],
)
def test_a_signal_during_start_up_ends_run_cleanly(
    client: Client, sig: signal.Signals, after: float | None
) -> None:
    """A stop asked for while the client imports, migrates and starts (a supervisor or the
    tray stopping it at once) is a clean stop too: exit 0, no traceback, nothing half-done.
    `None`: the first moment the process catches SIGTERM at all (its interpreter has booted
    and run the entry point's first line; before that no program can catch it). Python
    catches SIGINT itself from its first instant, so that moment is only known for SIGTERM."""
    data = synth_log(43, sessions=1, lines=500)
    client.append(data)
    client.start()
    assert client.proc is not None
    if after is None:
        deadline = time.monotonic() + 10
        while not _catches(client.proc.pid, sig):
            assert time.monotonic() < deadline, "the client never caught the signal"
            time.sleep(0.001)
    else:
        time.sleep(after)
    code, err = client.signal(sig)
    assert code == 0, err
    assert "Traceback" not in err
    database = client.data / "data.sqlite3"
    rows = stored(database) if database.exists() else []
    assert not duplicates(rows)
    assert rows in ([], oracle(data))  # a stop before the first poll stores nothing
