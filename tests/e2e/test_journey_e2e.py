"""The client's and the server's journey of the same log are the same: the real client CLI
prints the log's envelopes (`parse --format jsonl --envelope`), they are ingested over real
HTTP, and the server's lifetime totals and sessions equal what `journey --format json`
prints for the same file."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import Account, Server

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "gamelog"
CLIENT = [sys.executable, "-m", "starstats_client"]


def _client(*args: str) -> str:
    done = subprocess.run([*CLIENT, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _ingest(server: Server, account: Account, log: Path) -> int:
    lines = _client("parse", str(log), "--format", "jsonl", "--envelope", "--handle",
                    account.handle).splitlines()  # fmt: skip
    envelopes = [json.loads(line) for line in lines]
    for start in range(0, len(envelopes), 500):
        batch = {
            "schema_version": 2,
            "batch_id": f"journey-e2e-{log.stem[:20]}-{start}",
            "claimed_handle": account.handle,
            "events": envelopes[start : start + 500],
        }
        response = server.api("POST", "/v1/ingest", account.token, json=batch)
        assert response.status_code == 200, response.text
    return len(envelopes)


def _compare(server: Server, account: Account, logs: list[Path]) -> dict[str, Any]:
    for log in logs:
        assert _ingest(server, account, log) > 0
    document = json.loads(
        _client("journey", *map(str, logs), "--handle", account.handle, "--format", "json")
    )
    overview = server.api("GET", "/v1/me/journey", account.token)
    assert overview.status_code == 200, overview.text
    assert overview.json()["lifetime"] == document["totals"]
    page = server.api("GET", "/v1/me/journey/sessions", account.token, params={"limit": 500})
    stored = {s["session_id"]: s["totals"] for s in page.json()["sessions"]}
    # The same sessions, named by the same first events' idempotency keys, with the same
    # totals each.
    assert stored == {s["session_id"]: s["totals"] for s in document["sessions"]}
    return document


def test_a_synthesized_log_gives_the_same_journey_on_both_sides(
    server: Server, account: Account, tmp_path: Path
) -> None:
    log = tmp_path / "Game.log"
    _client("synth", "--out", str(log), "--lines", "12000", "--sessions", "3", "--era",
            "mixed", "--seed", "5", "--handle", account.handle)  # fmt: skip
    document = _compare(server, account, [log])
    totals = document["totals"]
    assert totals["sessions"] == 3
    assert totals["deaths"] > 0
    assert totals["quantum_legs"] > 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_real_logs_of_both_eras_give_the_same_journey_on_both_sides(
    server: Server, account: Account
) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"real Game.log corpus not found at {CORPUS} (../shared beside the repo)")
    logs = [
        CORPUS / "danieldeschain__citizenmon__Game-4.1.147-20250419T0556Z.log",
        CORPUS / "ntatschner__StarStats__sample_game_log-4.7.178-20260502.log",
        CORPUS / "wednesdaywoe__mission-mate__Game-missions-excerpt-20260629.log",
    ]
    document = _compare(server, account, logs)
    totals = document["totals"]
    # 4.1 logs kills (none by this player), 4.7 does not: the sum is a number.
    assert (totals["sessions"], totals["deaths"], totals["kills"]) == (3, 3, 0)
    assert totals["contracts_completed"] == 7
