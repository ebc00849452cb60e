"""End-to-end fixtures: the real server app served by uvicorn on a loopback port (a SQLite
file, or a throwaway PostgreSQL from scripts/pg.sh), accounts made through the API, a client
data folder filled by the client's importer from a synthesized Game.log, and pairing through
the client code. Set STARSTATS_TEST_SKIP_POSTGRES=1 to skip the PostgreSQL runs."""

import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from keyring.backends import fail
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from starstats_client.importer import import_logs
from starstats_client.pairing import Pairing, pair
from starstats_client.store import Store
from starstats_core.synth import synthesize_log
from starstats_server.app import create_app
from starstats_server.settings import Settings

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


# -- the server --------------------------------------------------------------------------------
@dataclass
class Hit:
    """One `/v1/ingest` request as the gate saw it."""

    at: float  # time.monotonic() on arrival
    status: int
    traceparent: str


@dataclass
class Gate:
    """An ASGI "proxy" in front of the real app: records every /v1/ingest answer, and
    refuses the next `refuse` of them with 429 + `Retry-After` (ingest itself is not
    rate-limited, so this stands in for a rate-limiting reverse proxy)."""

    app: ASGIApp
    refuse: int = 0
    retry_after: str = "1"
    hits: list[Hit] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/ingest":
            await self.app(scope, receive, send)
            return
        arrived = time.monotonic()
        headers = dict(scope["headers"])
        trace = headers.get(b"traceparent", b"").decode()
        if self.refuse > 0:
            self.refuse -= 1
            self.hits.append(Hit(arrived, 429, trace))
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"retry-after", self.retry_after.encode()),
                    ],
                }
            )
            body = b'{"error":"rate_limited","detail":"slow down"}'
            await send({"type": "http.response.body", "body": body})
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        self.hits.append(Hit(arrived, status, trace))

    @property
    def statuses(self) -> list[int]:
        return [hit.status for hit in self.hits]


class Server:
    """The StarStats API on 127.0.0.1:`port`, in a uvicorn thread; `stop()` and `start()`
    again serve a fresh app over the same database on the same port."""

    def __init__(self, settings: Settings, serving: Any) -> None:
        self.settings = settings
        self.gate = Gate(create_app(settings))
        self._serving = serving(self.gate)
        self.port: int = self._serving.port
        self.url: str = self._serving.url

    def start(self) -> None:
        self.gate.app = create_app(self.settings)  # as after a real restart
        self._serving.start()

    def stop(self) -> None:
        self._serving.stop()

    def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        with httpx.Client(base_url=self.url, timeout=60) as http:
            return http.request(method, path, headers=headers, **kw)


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """The server's database; tests that also run on PostgreSQL parametrize it indirectly."""
    return str(request.param)


@pytest.fixture
def server(
    backend: str,
    request: pytest.FixtureRequest,
    key_file: Path,
    tmp_path: Path,
    uvicorn_thread: Any,
) -> Iterator[Server]:
    if backend == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'server.db'}"
        pg = None
    else:
        pg = request.getfixturevalue("pg_server")
        name = "e2e_" + uuid.uuid4().hex[:12]
        pg.admin(f"CREATE DATABASE {name}")
        database_url = pg.database_url(name)
    settings = Settings(
        data_dir=tmp_path / "server",
        database_url=database_url,
        jwt_key_file=key_file,
        jwt_issuer="http://127.0.0.1",
        auto_migrate=True,
    )
    running = Server(settings, uvicorn_thread)
    running.start()
    yield running
    running.stop()
    if pg is not None:
        pg.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# -- accounts and the client -------------------------------------------------------------------
@dataclass(frozen=True)
class Account:
    handle: str
    token: str  # user JWT (1 h)


@pytest.fixture
def account(server: Server) -> Account:
    handle = "Pilot" + uuid.uuid4().hex[:6]
    response = server.api(
        "POST",
        "/v1/auth/signup",
        json={
            "email": f"{handle.lower()}@example.com",
            "password": PASSWORD,
            "claimed_handle": handle,
        },
    )
    assert response.status_code == 200, response.text
    return Account(handle, response.json()["token"])


@dataclass(frozen=True)
class Client:
    """One installation of the desktop client: its data folder and config.toml."""

    data: Path
    config_path: Path

    @property
    def database(self) -> Path:
        return self.data / "data.sqlite3"

    def counts(self) -> tuple[int, int, int]:
        """(events, unsynced, quarantined), read straight from SQLite."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            row = db.execute(
                "SELECT count(*), sum(sync_state = 0), sum(sync_state = 2) FROM events"
            ).fetchone()
        return int(row[0]), int(row[1] or 0), int(row[2] or 0)

    def env(self) -> dict[str, str]:
        """The environment for a `python -m starstats_client` subprocess of this client."""
        return {
            **os.environ,
            "STARSTATS_DATA_DIR": str(self.data),
            "STARSTATS_CONFIG_DIR": str(self.config_path.parent),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PYTHONUNBUFFERED": "1",
        }


@pytest.fixture(autouse=True)
def no_os_keyring() -> Iterator[None]:
    """Like this CI box (no Secret Service): the token goes to the 0600 file fallback."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def _synth_store(folder: Path, *, seed: int, sessions: int, lines: int) -> Path:
    """A client database holding the events of a synthesized log, via the real importer."""
    log = folder / "Game.log"
    with log.open("w", encoding="utf-8", newline="") as f:
        f.writelines(synthesize_log(seed=seed, sessions=sessions, lines_per_session=lines))
    database = folder / "data.sqlite3"
    with Store(database) as store:  # closing folds the WAL into the file: copies are whole
        import_logs(store, [log], noise=store.noise_names())
    log.unlink()
    return database


@pytest.fixture(scope="session")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """≥ 100,000 events (about a million synthesized lines), imported once per session."""
    database = _synth_store(tmp_path_factory.mktemp("big"), seed=11, sessions=4, lines=230_000)
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM events").fetchone()[0] >= 100_000
    return database


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few thousand events."""
    return _synth_store(tmp_path_factory.mktemp("small"), seed=5, sessions=2, lines=20_000)


MakeClient = Callable[..., Client]


@pytest.fixture
def make_client(tmp_path: Path) -> MakeClient:
    """A client folder whose store starts as a copy of `template` (None: empty)."""
    count = 0

    def make(template: Path | None = None, **sync: Any) -> Client:
        nonlocal count
        count += 1
        root = tmp_path / f"client{count}"
        client = Client(root / "data", root / "config" / "config.toml")
        client.data.mkdir(parents=True)
        if template is not None:
            shutil.copyfile(template, client.database)
        if sync:
            from starstats_client.config import Config, save_config

            save_config(Config(extra={"remote_sync": sync}), client.config_path)
        return client

    return make


def pair_client(server: Server, account: Account, client: Client) -> Pairing:
    """Start pairing on the website's API, then redeem the code through the client code."""
    started = server.api("POST", "/v1/auth/devices/start", account.token, json={"label": "e2e"})
    assert started.status_code == 200, started.text
    code = started.json()["code"]
    return pair(server.url, code, data=client.data, config_path=client.config_path)


def summary_total(server: Server, account: Account) -> int:
    response = server.api("GET", "/v1/me/summary", account.token)
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.05)
