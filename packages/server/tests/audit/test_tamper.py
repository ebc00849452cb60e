"""Tampering with the audit log behind the triggers' back, as a database superuser could, on
both backends: `starstats-server audit verify` names the first seq that can no longer be
trusted and exits 1; an intact log exits 0."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from starstats_server.audit.chain import new_row
from starstats_server.cli import app as cli
from starstats_server.db.tables import audit_head, audit_log

runner = CliRunner()
ROWS = 8


@pytest.fixture
def verify_cli(db_url: str, tmp_path: Path) -> Callable[..., Any]:
    def _run(*args: str) -> Any:
        env = {"DATABASE_URL": db_url, "STARSTATS_DATA_DIR": str(tmp_path / "data")}
        return runner.invoke(cli, ["audit", "verify", *args], env=env)

    return _run


@pytest.fixture
def chain(audit_db: Any) -> list[Any]:
    return audit_db.fill(ROWS)


def _broken_at(result: Any) -> str:
    assert result.exit_code == 1, result.output
    return str(result.stdout.strip().splitlines()[-1])


def test_an_intact_chain_verifies_and_exits_0(
    chain: list[Any], verify_cli: Callable[..., Any]
) -> None:
    result = verify_cli()
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"audit chain intact: seq 1..{ROWS}"
    assert f"verified {ROWS:,} rows" in result.stderr


def test_a_flipped_payload_byte_is_found_at_its_seq(
    chain: list[Any], audit_db: Any, verify_cli: Callable[..., Any]
) -> None:
    audit_db.payload_replace(4, '"n":3', '"n":8')
    assert _broken_at(verify_cli()) == (
        "audit chain BROKEN: seq 4: row_hash does not match its content"
    )


def test_a_changed_actor_is_found_at_its_seq(
    chain: list[Any], audit_db: Any, verify_cli: Callable[..., Any]
) -> None:
    audit_db.tamper("UPDATE audit_log SET actor_handle = 'Mallory' WHERE seq = 6")
    assert _broken_at(verify_cli()) == (
        "audit chain BROKEN: seq 6: row_hash does not match its content"
    )


def test_a_deleted_middle_row_is_found_missing(
    chain: list[Any], audit_db: Any, verify_cli: Callable[..., Any]
) -> None:
    audit_db.tamper("DELETE FROM audit_log WHERE seq = 3")
    assert _broken_at(verify_cli()) == "audit chain BROKEN: seq 3 is missing (deleted)"


def test_rows_cut_off_the_end_are_found_through_the_head(
    chain: list[Any], audit_db: Any, verify_cli: Callable[..., Any]
) -> None:
    audit_db.tamper("DELETE FROM audit_log WHERE seq >= 7")
    assert _broken_at(verify_cli()) == (
        "audit chain BROKEN: seq 7 and later are missing (cut off the end)"
    )


def test_two_swapped_rows_are_found_at_the_first(
    chain: list[Any], audit_db: Any, verify_cli: Callable[..., Any]
) -> None:
    audit_db.tamper(
        "UPDATE audit_log SET seq = -5 WHERE seq = 5",
        "UPDATE audit_log SET seq = 5 WHERE seq = 6",
        "UPDATE audit_log SET seq = 6 WHERE seq = -5",
    )
    assert _broken_at(verify_cli()) == (
        "audit chain BROKEN: seq 5: prev_hash does not match the previous row"
    )


def test_a_row_inserted_in_the_middle_is_found_where_the_chain_no_longer_links(
    chain: list[Any], audit_db: Any, verify_cli: Callable[..., Any]
) -> None:
    """The forger even hashes the new row correctly onto seq 3; the old seq 4, moved up to
    seq 5, still links to seq 3's hash, not to the forgery's."""
    forged = new_row(
        3,
        chain[2].row_hash,
        occurred_at=chain[2].occurred_at,
        actor_sub=None,
        actor_handle=None,
        action="test.filled",
        payload={"n": 99},
    )
    values = forged._asdict()
    values["payload"] = values.pop("payload_json")
    audit_db.tamper(
        "UPDATE audit_log SET seq = -seq WHERE seq > 3",
        "UPDATE audit_log SET seq = 1 - seq WHERE seq < 0",
        sa.insert(audit_log).values(values),
        sa.update(audit_head).values(last_seq=ROWS + 1),
    )
    assert [row.seq for row in audit_db.rows()] == list(range(1, ROWS + 2))
    assert _broken_at(verify_cli()) == (
        "audit chain BROKEN: seq 5: prev_hash does not match the previous row"
    )


def test_a_row_appended_behind_the_triggers_back_is_found_beyond_the_head(
    chain: list[Any], audit_db: Any, verify_cli: Callable[..., Any]
) -> None:
    forged = new_row(
        ROWS,
        chain[-1].row_hash,
        occurred_at=chain[-1].occurred_at,
        actor_sub=None,
        actor_handle=None,
        action="test.filled",
        payload={"n": 99},
    )
    audit_db.insert_rows([forged], guarded=False)
    assert _broken_at(verify_cli()) == (
        f"audit chain BROKEN: seq {ROWS + 1} lies beyond the recorded head"
    )


def test_verify_from_a_seq_checks_its_link_to_the_row_before(
    chain: list[Any], audit_db: Any, verify_cli: Callable[..., Any]
) -> None:
    intact = verify_cli("--from", "5")
    assert intact.exit_code == 0, intact.output
    assert intact.stdout.strip() == f"audit chain intact: seq 5..{ROWS}"
    assert f"verified {ROWS - 4:,} rows" in intact.stderr
    audit_db.tamper("UPDATE audit_log SET row_hash = :h WHERE seq = 4", h=bytes(32))
    assert _broken_at(verify_cli("--from", "5")) == (
        "audit chain BROKEN: seq 5: prev_hash does not match the previous row"
    )


def test_the_triggers_refuse_what_tampering_needs_them_switched_off_for(
    chain: list[Any], verify_cli: Callable[..., Any], audit_db: Any
) -> None:
    with pytest.raises(sa.exc.DBAPIError):
        audit_db.execute("UPDATE audit_log SET actor_handle = 'Mallory' WHERE seq = 6")
    with pytest.raises(sa.exc.DBAPIError):
        audit_db.execute("DELETE FROM audit_log WHERE seq = 3")
    assert verify_cli().exit_code == 0


def test_an_empty_chain_or_a_start_past_its_end_has_nothing_to_verify(
    audit_db: Any, verify_cli: Callable[..., Any]
) -> None:
    empty = verify_cli()
    assert empty.exit_code == 0, empty.output
    assert empty.stdout.strip() == "audit chain intact: nothing from seq 1 on (its end: 0)"
    audit_db.fill(3)
    past = verify_cli("--from", "9")
    assert past.exit_code == 0
    assert past.stdout.strip() == "audit chain intact: nothing from seq 9 on (its end: 3)"
