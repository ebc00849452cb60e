"""Server test fixtures. Every test that takes `client` (or `app`, `settings`, `db_url`) runs
twice: on SQLite and on a real PostgreSQL 15 that the test session starts itself (the root
conftest's `pg_server`, via `scripts/pg.sh`). Set STARSTATS_TEST_SKIP_POSTGRES=1 to skip the
PostgreSQL half on a machine without it; CI never sets it, so there a missing PostgreSQL fails
the suite."""

import asyncio
import functools
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from starstats_server.app import create_app
from starstats_server.clock import ManualClock
from starstats_server.db.engine import create_engine
from starstats_server.db.migrate import upgrade_to_head
from starstats_server.settings import Settings

TEST_PASSWORD = "correct horse battery staple"


@functools.cache
def hashed_test_password() -> str:
    """TEST_PASSWORD's argon2id hash, made once per run: every user a test makes directly
    shares it (verifying it is what the tests exercise, not the salt)."""
    from starstats_server.auth.passwords import hash_password

    return hash_password(TEST_PASSWORD)


def _migrate(url: str) -> None:
    async def _go() -> None:
        engine = create_engine(url)
        try:
            await upgrade_to_head(engine)
        finally:
            await engine.dispose()

    asyncio.run(_go())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "migrated.db"
    _migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server: Any) -> str:
    """The name of a migrated database that each PostgreSQL test copies (fast)."""
    pg_server.admin("CREATE DATABASE template_migrated")
    _migrate(pg_server.database_url("template_migrated"))
    return "template_migrated"


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
    pg = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    name = "t_" + uuid.uuid4().hex[:16]
    pg.admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield pg.database_url(name)
    pg.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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

    from starstats_server.db.tables import users

    state = app.state.starstats
    password_hash = hashed_test_password()

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


@pytest.fixture
def live_server(app: FastAPI, uvicorn_thread: Any) -> Iterator[Any]:
    """The app served by uvicorn over real HTTP on a free loopback port (`.url`)."""
    server = uvicorn_thread(app).start()
    yield server
    server.stop()
