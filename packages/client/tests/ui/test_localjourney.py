"""`StoreJourney`: the local store's journey, kept up to date as a tailer stores a live log
in pieces and as older backups are imported, always equal to a fold of the whole store."""

from pathlib import Path

from starstats_client.importer import import_logs
from starstats_client.localjourney import StoreJourney
from starstats_client.store import Store
from starstats_client.tailer import FileTail
from starstats_core.journey import Session

from .conftest import Game, scalar


def whole_fold(database: Path) -> tuple[list[object], list[object]]:
    """A fresh fold of everything stored, for comparison."""
    with StoreJourney(database) as fresh:
        fresh.update()
        closed, current = fresh.facts()
        return list(closed), list(current)


def test_a_live_log_is_folded_piece_by_piece_and_old_backups_fold_everything_again(
    database: Path, game: Game, tmp_path: Path
) -> None:
    data = game.live.read_bytes()
    live = tmp_path / "live" / "Game.log"
    live.parent.mkdir()
    # The live log arrives in three pieces, each ending inside the session being played.
    cuts = [data.rindex(b"\n", 0, len(data) * k // 3) + 1 for k in (1, 2)] + [len(data)]
    with StoreJourney(database) as journey, Store(database) as store:
        assert not journey.update()  # nothing stored yet
        tail = FileTail(live, store, noise=store.noise_names())
        for cut in cuts:
            live.write_bytes(data[:cut])
            assert tail.poll() > 0
            assert journey.update()
            assert journey.refolds == 1  # only the new rows were folded
            assert journey.facts() == whole_fold(database)
        assert not journey.update()  # nothing new
        _closed, current = journey.facts()
        assert isinstance(current[0], Session)
        assert current[0].started_at is not None
        assert current[0].started_at >= "2026-05-02"

        import_logs(store, game.backups, noise=store.noise_names())
        assert scalar(database, "SELECT count(*) FROM events WHERE timestamp < '2026-05-02'") > 0
        assert journey.update()
        assert journey.refolds == 2  # the backups belong before what was folded
        assert journey.facts() == whole_fold(database)
        sessions = [f for f in journey.facts()[0] if isinstance(f, Session)]
        assert len(sessions) >= 2  # the backups' own sessions, closed before the live one
