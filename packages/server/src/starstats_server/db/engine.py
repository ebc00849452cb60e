"""Engine construction: the async engine for a URL, with SQLite made safe for concurrent use."""

import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


def async_url(url: str) -> str:
    """`url` with the async driver named: `postgresql://` -> asyncpg, `sqlite://` -> aiosqlite."""
    scheme, rest = url.split(":", 1)
    if scheme in ("postgres", "postgresql"):
        return "postgresql+asyncpg:" + rest
    if scheme == "sqlite":
        return "sqlite+aiosqlite:" + rest
    return url


def create_engine(url: str) -> AsyncEngine:
    """An async engine for `url` (`sqlite+aiosqlite:///file` or `postgresql+asyncpg://...`).

    For SQLite the data directory is created, the file runs in WAL mode (readers never block
    the writer), and every transaction starts with BEGIN IMMEDIATE: pysqlite's deferred BEGIN
    lets two transactions read and then both try to write, and the loser fails with
    "database is locked" instead of waiting for the busy timeout.
    """
    url = async_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def reading(engine: AsyncEngine) -> AsyncConnection:
    """A pooled connection for reads of one statement each. On PostgreSQL it runs without a
    transaction (AUTOCOMMIT): asyncpg would send a BEGIN before the first statement and a
    ROLLBACK when the connection goes back to the pool, two round trips that a read of one
    statement does not need (on a busy machine each costs about as much as the query).
    SQLite keeps its own BEGIN IMMEDIATE set-up (above), which AUTOCOMMIT would undo."""
    if engine.dialect.name != "postgresql":
        return engine.connect()
    autocommit = _autocommit.get(engine)
    if autocommit is None:
        # Made once per engine: making it (an OptionEngine) per read cost ~0.2 ms, as much
        # as a small query, twice per request (the token check and the read).
        autocommit = _autocommit[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return autocommit.connect()


_autocommit: "weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine]" = weakref.WeakKeyDictionary()
