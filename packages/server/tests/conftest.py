"""Server test fixtures. Every test that takes `client` (or `app`, `settings`, `db_url`) runs
twice: on SQLite and on a real PostgreSQL 15 that this file starts itself
(`scripts/pg.sh`). Set STARSTATS_TEST_SKIP_POSTGRES=1 to skip the PostgreSQL half on a
machine without it; CI never sets it, so there a missing PostgreSQL fails the suite."""

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from starstats_server.app import create_app
from starstats_server.clock import ManualClock
from starstats_server.db.engine import create_engine
from starstats_server.db.migrate import upgrade_to_head
from starstats_server.settings import Settings

REPO = Path(__file__).resolve().parents[3]
PG_SCRIPT = REPO / "scripts" / "pg.sh"
TEST_PASSWORD = "correct horse battery staple"


def _run_async(coro_fn: Callable[[], object]) -> None:
    import asyncio

    asyncio.run(coro_fn())  # type: ignore[arg-type]


def _migrate(url: str) -> None:
    async def _go() -> None:
        engine = create_engine(url)
        try:
            await upgrade_to_head(engine)
        finally:
            await engine.dispose()

    _run_async(_go)


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
    if os.environ.get("STARSTATS_TEST_SKIP_POSTGRES") == "1":
        pytest.skip("STARSTATS_TEST_SKIP_POSTGRES=1: PostgreSQL half skipped")
    result = subprocess.run(
        ["bash", str(PG_SCRIPT), "up"], check=False, capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.fail(f"could not start PostgreSQL via scripts/pg.sh: {result.stderr.strip()}")
    directory, url = result.stdout.split()
    server = PgServer(directory, url)
    server.admin("CREATE DATABASE template_migrated")
    _migrate(server.database_url("template_migrated"))
    yield server
    subprocess.run(["bash", str(PG_SCRIPT), "down", directory], check=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "migrated.db"
    _migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database of the test's backend."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "starstats.db"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    pg: PgServer = request.getfixturevalue("pg_server")
    name = "t_" + uuid.uuid4().hex[:16]
    pg.admin(f"CREATE DATABASE {name} TEMPLATE template_migrated")
    yield pg.database_url(name)
    pg.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RSA key for the whole session (generating one per test costs ~0.1 s)."""
    from starstats_server.auth.keys import load_signing_key

    path = tmp_path_factory.mktemp("keys") / "jwt-key.pem"
    load_signing_key(path, autogen=True)
    return path


@pytest.fixture
def settings(db_url: str, key_file: Path, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        jwt_key_file=key_file,
        jwt_issuer="http://testserver",
        auto_migrate=False,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def app(settings: Settings, clock: ManualClock) -> FastAPI:
    return create_app(settings, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass(frozen=True)
class TestUser:
    id: uuid.UUID
    handle: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_user(app: FastAPI, db_url: str) -> Callable[..., TestUser]:
    """Creates a user row directly (no sign-up route) and mints a user token for it.

    It writes through its own short-lived engine in its own event loop, never through the
    app's pool: pooled asyncpg connections belong to the loop that opened them, and the app
    may be served from another loop (TestClient's portal, or a uvicorn thread)."""
    import asyncio

    import sqlalchemy as sa

    from starstats_server.auth.passwords import hash_password
    from starstats_server.db.tables import users

    state = app.state.starstats
    password_hash = hash_password(TEST_PASSWORD)  # once per test, not once per user

    def _make(
        handle: str = "TestPilot", email: str | None = None, verified: bool = True
    ) -> TestUser:
        user_id = uuid.uuid4()
        email = email or f"{handle.lower()}@example.com"
        now = state.clock.now()

        async def _insert() -> None:
            engine = create_engine(db_url)
            try:
                async with engine.begin() as conn:
                    await conn.execute(
                        sa.insert(users).values(
                            id=user_id,
                            email=email.lower(),
                            password_hash=password_hash,
                            handle=handle.lower(),
                            claimed_handle=handle,
                            created_at=now,
                            updated_at=now,
                            email_verified_at=now if verified else None,
                        )
                    )
            finally:
                await engine.dispose()

        asyncio.run(_insert())
        token, _ = state.tokens.mint(user_id, handle, now)
        return TestUser(user_id, handle, email, token)

    return _make


@dataclass(frozen=True)
class LiveServer:
    url: str


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    """The app served by uvicorn over real HTTP on a free loopback port, in a thread."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive(), "uvicorn exited during start-up"
        assert time.monotonic() < deadline, "uvicorn did not start in 15 s"
        time.sleep(0.02)
    yield LiveServer(f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=15)
