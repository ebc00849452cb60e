"""Test infrastructure shared by the server tests and the end-to-end tests: a throwaway
PostgreSQL 15 (`scripts/pg.sh`), an ASGI app served by uvicorn in a thread, the signing key,
free ports.

Only the standard library and pytest are imported at module level (server modules inside
the fixtures that need them): the client-only test run
(a venv without any server library) loads this file too.
"""

import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PG_SCRIPT = Path(__file__).resolve().parent / "scripts" / "pg.sh"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


FreePort = Callable[[], int]


@pytest.fixture
def free_port() -> FreePort:
    """Call it for a loopback TCP port nothing listens on (right now)."""
    return _free_port


@dataclass
class PgServer:
    dir: str
    url: str  # postgresql://postgres@127.0.0.1:PORT/app

    def admin(self, sql: str) -> None:
        subprocess.run(
            ["psql", self.url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
            check=True,
            capture_output=True,
        )

    def database_url(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL 15 cluster for the session. STARSTATS_TEST_SKIP_POSTGRES=1 skips the
    tests that need it (CI never sets it, so there a missing PostgreSQL fails them)."""
    if os.environ.get("STARSTATS_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("STARSTATS_TEST_SKIP_POSTGRES=1: PostgreSQL half skipped")
    result = subprocess.run(
        ["bash", str(PG_SCRIPT), "up"], check=False, capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.fail(f"could not start PostgreSQL via scripts/pg.sh: {result.stderr.strip()}")
    directory, url = result.stdout.split()
    yield PgServer(directory, url)
    subprocess.run(["bash", str(PG_SCRIPT), "down", directory], check=False)


class UvicornThread:
    """`app` served over real HTTP on 127.0.0.1:`port` by uvicorn in a thread; `stop()` and
    `start()` again serve on the same port."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.app = app
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> "UvicornThread":
        import uvicorn

        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive(), "uvicorn exited during start-up"
            assert time.monotonic() < deadline, "uvicorn did not start in 30 s"
            time.sleep(0.02)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "uvicorn did not stop"
        self._server = self._thread = None


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RSA signing key for the whole session (generating one costs ~0.1 s)."""
    from starstats_server.auth.keys import load_signing_key

    path = tmp_path_factory.mktemp("keys") / "jwt-key.pem"
    load_signing_key(path, autogen=True)
    return path


@pytest.fixture(scope="session")
def uvicorn_thread() -> type[UvicornThread]:
    """The `UvicornThread` class (test modules cannot import from a conftest)."""
    return UvicornThread
