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
