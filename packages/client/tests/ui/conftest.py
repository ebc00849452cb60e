"""Fixtures for the tray tests: a Star Citizen channel folder with synthesized backup logs
and a live Game.log, a store filled by the real importer, and tray services around them.

Qt needs a platform before the first QApplication exists; offscreen works without a display
(tooling-facts §6). Set here, at import, because pytest-qt creates the app lazily later.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from starstats_client.importer import ProgressCallback, import_logs
from starstats_client.store import Store
from starstats_client.ui.actions import MemorySyncActions
from starstats_client.ui.tray import TrayServices
from starstats_core.synth import Era, synthesize_log

# The live log's day; the backups are from the two days before it.
NOW = datetime(2026, 5, 2, 23, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Game:
    live: Path
    backups: tuple[Path, ...]


def write_log(path: Path, seed: int, start: datetime, era: Era, lines: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = synthesize_log(
        seed=seed, sessions=1, era=era, start=start, lines_per_session=lines, crlf=True
    )
    path.write_bytes("".join(text).encode())
    return path


@pytest.fixture(name="game")
def game_fixture(tmp_path: Path) -> Game:
    channel = tmp_path / "game" / "LIVE"
    backups = tuple(
        write_log(
            channel / "logbackups" / f"Game Build(1) 0{day} May 26 (20 00 00).log",
            seed=40 + day,
            start=datetime(2026, 5, 2, 20, 0, tzinfo=UTC) - timedelta(days=3 - day),
            era=Era.LEGACY_4_1,
            lines=2500,
        )
        for day in (1, 2)
    )
    live = write_log(
        channel / "Game.log", 50, datetime(2026, 5, 2, 20, 0, tzinfo=UTC), Era.MODERN_4_7, 3000
    )
    return Game(live, backups)


@pytest.fixture(name="database")
def database_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "data.sqlite3"
    Store(path).close()
    return path


@pytest.fixture(name="imported")
def imported_fixture(database: Path, game: Game) -> Path:
    """The database with both backups imported by the real importer."""
    with Store(database) as store:
        import_logs(store, game.backups, noise=store.noise_names())
    return database


def query(database: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Read the store straight from SQLite, not through the code under test."""
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


def scalar(database: Path, sql: str, *params: object) -> int:
    value = query(database, sql, *params)[0][0]
    assert isinstance(value, int)
    return value


@pytest.fixture(name="services")
def services_fixture(tmp_path: Path, imported: Path, game: Game) -> TrayServices:
    def backfill(store: Store, report: ProgressCallback) -> None:
        import_logs(store, game.backups, noise=store.noise_names(), on_progress=report)

    return TrayServices(
        database=imported,
        config_path=tmp_path / "config" / "config.toml",
        logs=(game.live,),
        actions=MemorySyncActions(),
        backfill=backfill,
        tail_interval=0.05,
        read_interval=0.05,
    )
