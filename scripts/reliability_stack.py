"""The real processes `scripts/reliability.py` runs and breaks: a throwaway PostgreSQL
(benchlib.py's, from `scripts/pg.sh`; stopped and started again in place), SeaweedFS with
an Object Lock bucket (bench_audit.py's helpers), the API server (`starstats-server serve`,
uvicorn, always on the same loopback port so paired clients find it again), desktop client
processes (`starstats-client run`, paired as scripts/demo.py pairs its client) and the
growing Game.log files they tail. Everything listens on 127.0.0.1 and lives in one run
folder.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

import bench_audit
import bench_ingest
import benchlib
import demo

REPO = Path(__file__).resolve().parents[1]
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "reliability-password-not-secret"  # noqa: S105 - throwaway local accounts
PY = sys.executable


class StackError(RuntimeError):
    """A process of the stack could not be started or stopped as asked."""


def _as_postgres(command: list[str]) -> list[str]:
    """pg.sh runs the cluster as `postgres` when we are root, else as us: so must we."""
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


def _ended(process: subprocess.Popen[Any], timeout: float) -> int:
    """Wait for `process`; SIGKILL it when it has not ended within `timeout` s."""
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


# -- PostgreSQL ---------------------------------------------------------------------------------
class Postgres:
    """A cluster of `scripts/pg.sh` (in `directory`); `stop()` and `start()` take it down and
    bring it back on the same port with the same options: an outage."""

    def __init__(self, url: str, directory: Path) -> None:
        self.url = url
        self.dir = directory
        self.data = directory / "data"
        self._options = self._start_options()

    def _start_options(self) -> str:
        """The server options pg.sh started it with (postmaster.opts, less binary and -D)."""
        words = shlex.split((self.data / "postmaster.opts").read_text())[1:]
        if "-D" in words:
            at = words.index("-D")
            del words[at : at + 2]
        return shlex.join(words)

    def _pg_ctl(self, *args: str) -> None:
        command = _as_postgres([str(PGBIN / "pg_ctl"), "-D", str(self.data), *args])
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise StackError(f"pg_ctl {args[-1]} failed: {done.stderr.strip()}")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def stop(self) -> None:
        """A fast shutdown: sessions are ended, open transactions rolled back."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        log = str(self.dir / "server.log")
        self._pg_ctl("-l", log, "-w", "-t", "30", "-o", self._options, "start")


@contextmanager
def throwaway_postgres() -> Iterator[Postgres]:
    """A fresh cluster for the block (benchlib.throwaway_postgres: pg.sh up, then down)."""
    try:
        with benchlib.throwaway_postgres() as (url, directory):
            assert directory is not None
            yield Postgres(url, Path(directory))
    except subprocess.CalledProcessError as err:
        raise StackError(f"scripts/pg.sh up failed: {str(err.stderr).strip()}") from None


# -- SeaweedFS ----------------------------------------------------------------------------------
class ObjectStore:
    """SeaweedFS (`weed mini`, its fixed ports on 127.0.0.1, data in `directory`) with the
    Object Lock bucket that `audit init-bucket` makes, via bench_audit.py. `stop()` and
    `start()` again keep the bucket and its objects."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self._process: subprocess.Popen[bytes] | None = None
        self.env = bench_audit._s3_env()

    def start(self) -> None:
        try:
            self._process = bench_audit._start_seaweedfs(self.dir)
        except SystemExit as err:  # its port is taken, or no `weed` binary
            raise StackError(str(err)) from None
        try:
            bench_audit._init_bucket()  # waits until S3 answers; then only checks the bucket
        except Exception as err:
            raise StackError(f"SeaweedFS did not come up: {err}") from err

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            _ended(process, 20)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @staticmethod
    def port_answers() -> bool:
        """Something listens on weed mini's fixed S3 port (ours, or another one's)."""
        with socket.socket() as probe:
            probe.settimeout(0.5)
            return probe.connect_ex(("127.0.0.1", bench_audit.S3_PORT)) == 0


# -- the API server ----------------------------------------------------------------------------
class ApiServer:
    """`starstats-server serve` (migrate, then uvicorn) on PostgreSQL with the audit mirror,
    on one loopback port for its whole life; its JSON log lines go to `log`."""

    def __init__(self, folder: Path, database_url: str, extra_env: dict[str, str]) -> None:
        self.port = bench_ingest._free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "server.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "STARSTATS_DATA_DIR": str(folder / "data"),
            "STARSTATS_JWT_KEY_FILE": str(folder / "jwt-key.pem"),  # the same key after restarts
            "STARSTATS_JWT_KEY_AUTOGEN": "true",
            "STARSTATS_JWT_ISSUER": self.url,
            # Sign-ups and pairings of the run all come from 127.0.0.1.
            "STARSTATS_AUTH_RATE_PER_MINUTE": "10000",
            "STARSTATS_REDEEM_RATE_PER_MINUTE": "10000",
            **extra_env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [PY, "-m", "starstats_server", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--log-level", "warning"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our interpreter and package
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            demo._wait_ready(self.url, self.process, timeout=60, path="/healthz")
        except SystemExit as err:
            raise StackError(f"the API server did not start: {err}; see {self.log}") from None

    def stop(self, *, kill: bool = False) -> int | None:
        """SIGKILL (`kill`: a crash) or SIGINT (uvicorn's graceful shutdown)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        process.send_signal(signal.SIGKILL if kill else signal.SIGINT)
        return _ended(process, 30)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)

    def metric(self, name: str) -> float | None:
        try:
            return bench_audit._metric(self.url, name)
        except httpx.HTTPError:
            return None

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """`starstats-server ARGS` with the server's settings (audit verify, ...)."""
        return subprocess.run(  # noqa: S603 - our interpreter and package
            [PY, "-m", "starstats_server", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def sign_up(server: ApiServer, handle: str) -> str:
    """A new account for `handle`; its user token (1 h)."""
    body = {
        "email": f"{handle.lower()}@example.com",
        "password": PASSWORD,
        "claimed_handle": handle,
    }
    with server.http() as api:
        response = api.post("/v1/auth/signup", json=body)
    if response.status_code != 200:
        raise StackError(f"sign-up of {handle}: {response.status_code} {response.text}")
    return str(response.json()["token"])


# -- the desktop client -------------------------------------------------------------------------
@dataclass
class ClientProcess:
    """One installation of the desktop client under `root` (its own data and config
    folders, the device token in a 0600 file there), tailing `root/LIVE/Game.log`.
    `extra_env` is added to every process of it (libfaketime for the clock-skew runs)."""

    name: str
    handle: str
    root: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    data: Path | None = None  # default root/data; a tiny filesystem for the disk-full runs
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def __post_init__(self) -> None:
        if self.data is None:
            self.data = self.root / "data"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.config_dir.mkdir(parents=True, exist_ok=True)

    @property
    def log(self) -> Path:
        return self.root / "LIVE" / "Game.log"

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    @property
    def database(self) -> Path:
        assert self.data is not None
        return self.data / "data.sqlite3"

    @property
    def stderr_path(self) -> Path:
        return self.root / "client.stderr"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "STARSTATS_DATA_DIR": str(self.data),
            "STARSTATS_CONFIG_DIR": str(self.config_dir),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def pair(self, server: ApiServer, user_token: str, *, batch_size: int) -> None:
        """`[remote_sync] batch_size` first, then `starstats-client pair` with a code from
        the API, exactly as scripts/demo.py pairs its client (pairing keeps the setting)."""
        from starstats_client.config import Config, save_config

        save_config(
            Config(extra={"remote_sync": {"batch_size": batch_size}}),
            self.config_dir / "config.toml",
        )
        headers = {"Authorization": f"Bearer {user_token}"}
        with server.http() as api:
            try:
                demo._pair_client(api, headers, server.url, self.env())
            except subprocess.CalledProcessError as err:
                raise StackError(f"pairing {self.name} failed ({err.returncode})") from None

    def start(self) -> None:
        command = [PY, "-m", "starstats_client", "run", "--gamelog", str(self.log)]
        with self.stderr_path.open("ab") as err:
            self.process = subprocess.Popen(  # noqa: S603 - our interpreter and package
                command, env=self.env(), stdout=subprocess.DEVNULL, stderr=err
            )
        self.starts += 1

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no handler runs; a commit or a batch may be half done."""
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()

    def stop(self, timeout: float = 20) -> int | None:
        """SIGTERM (the client's own clean stop); its exit code."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            _wait_until_it_catches(process, signal.SIGTERM)
            process.send_signal(signal.SIGTERM)
        return _ended(process, timeout)

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def outbox(self) -> tuple[int, int, int]:
        """(events, pending, quarantined) read straight from its SQLite; (-1, -1, -1) when
        it cannot be read right now."""
        try:
            with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=2) as db:
                row = db.execute(
                    "SELECT count(*), sum(sync_state = 0), sum(sync_state = 2) FROM events"
                ).fetchone()
        except sqlite3.Error:
            return -1, -1, -1
        return int(row[0]), int(row[1] or 0), int(row[2] or 0)

    def integrity(self) -> str:
        """`PRAGMA integrity_check` of its database ("ok" when intact); call it stopped."""
        try:
            with sqlite3.connect(self.database, timeout=5) as db:
                rows = db.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.Error as err:
            return f"cannot check: {err}"
        return "; ".join(str(row[0]) for row in rows)


# -- the game's log -----------------------------------------------------------------------------
class LogWriter:
    """Appends a synthesized Game.log (core's synthesizer; launches back to back, the
    timestamps starting at `start`) to `path`, `rate` lines a second in ten chunks, like a
    game writing while it runs; at most `limit` lines. `stop()` ends it on a line end."""

    def __init__(
        self, path: Path, *, seed: int, handle: str, start: datetime, rate: int, limit: int
    ) -> None:
        self.path = path
        self.seed, self.handle, self.start_at = seed, handle, start
        self.rate, self.limit = rate, limit
        self.lines = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"log {path}", daemon=True)

    def start(self) -> LogWriter:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        from starstats_core.synth import synthesize_log

        lines = synthesize_log(
            seed=self.seed, sessions=10_000, start=self.start_at, handle=self.handle
        )
        per_chunk = max(1, self.rate // 10)
        try:
            with self.path.open("a", encoding="utf-8", newline="") as log:
                while not self._stop.is_set() and self.lines < self.limit:
                    chunk = [next(lines) for _ in range(min(per_chunk, self.limit - self.lines))]
                    log.write("".join(chunk))
                    log.flush()
                    self.lines += len(chunk)
                    self._stop.wait(0.1)
        except BaseException as err:  # reported by the scenario: its log is then short
            self.error = err


def wait_for(
    condition: Callable[[], object],
    timeout: float,
    *,
    every: float = 0.25,
    stop: Callable[[], object] | None = None,
) -> float | None:
    """Poll `condition()` until true: the seconds it took, or None after `timeout` (or as
    soon as `stop()` is true)."""
    began = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - began
        if time.monotonic() - began > timeout or (stop is not None and stop()):
            return None
        time.sleep(every)


def tail_text(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def _wait_until_it_catches(process: subprocess.Popen[bytes], sig: int, limit: float = 5.0) -> None:
    """Wait (at most `limit` s) until `process` has a handler for `sig`: from then on the
    client stops cleanly whatever it is doing (starstats_client.early_stop). Before it, the
    interpreter is still booting (~25 ms), a window no program can cover. Linux's
    /proc/PID/status says; elsewhere this does not wait."""
    status = Path(f"/proc/{process.pid}/status")
    deadline = time.monotonic() + limit
    while process.poll() is None and time.monotonic() < deadline:
        try:
            caught = next(
                (int(line.split()[1], 16) for line in status.read_text().splitlines()
                 if line.startswith("SigCgt:")),
                0,
            )  # fmt: skip
        except OSError:
            return
        if caught >> (sig - 1) & 1:
            return
        time.sleep(0.005)
