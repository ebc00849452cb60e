"""`starstats-server audit export` and the progress and exit codes of the audit commands, on
both backends; and the stand-alone checker in docs/audit.md, run against a real export and
a tampered one."""

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from starstats_server.audit.chain import mirror_body
from starstats_server.cli import app as cli

runner = CliRunner()
AUDIT_DOC = Path(__file__).resolve().parents[4] / "docs" / "audit.md"


def _invoke(db_url: str, *args: str) -> Any:
    return runner.invoke(cli, ["audit", *args], env={"DATABASE_URL": db_url})


def test_export_writes_every_row_as_its_mirror_body(audit_db: Any, db_url: str) -> None:
    rows = audit_db.fill(5)
    result = _invoke(db_url, "export")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b"".join(mirror_body(row) for row in rows)
    assert result.stderr.strip().splitlines()[-1] == "exported 5 rows"
    tail = _invoke(db_url, "export", "--from", "4")
    assert tail.stdout_bytes == b"".join(mirror_body(row) for row in rows[3:])


@pytest.mark.slow
def test_long_runs_report_progress_on_stderr_chunk_by_chunk(audit_db: Any, db_url: str) -> None:
    audit_db.fill(20_001)
    verified = _invoke(db_url, "verify", "--progress-seconds", "0")
    assert verified.exit_code == 0, verified.output
    progress = [line for line in verified.stderr.splitlines() if "up to seq" in line]
    assert [re.sub(r" \(.*", "", line) for line in progress] == [
        "verified 10,000 rows, up to seq 10,000",
        "verified 20,000 rows, up to seq 20,000",
        "verified 20,001 rows, up to seq 20,001",
    ]
    assert verified.stdout.strip() == "audit chain intact: seq 1..20001"
    exported = _invoke(db_url, "export", "--progress-seconds", "0")
    assert exported.stdout_bytes.count(b"\n") == 20_001
    assert "exported 20,000 rows, up to seq 20,000" in exported.stderr
    assert "rows/s" in exported.stderr


def test_an_unusable_database_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "never-migrated.db"
    result = runner.invoke(cli, ["audit", "verify"], env={"DATABASE_URL": f"sqlite:///{empty}"})
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: cannot use the database:")


def _doc_script(tmp_path: Path) -> Path:
    text = AUDIT_DOC.read_text()
    after_marker = text.split("<!-- verify-script -->", 1)[1]
    match = re.search(r"```python\n(.*?)```", after_marker, re.DOTALL)
    assert match is not None, "docs/audit.md lost its verify script"
    script = tmp_path / "check_audit.py"
    script.write_text(match.group(1))
    return script


def _check(script: Path, export: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", str(script), str(export)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_documented_checker_accepts_a_real_export_and_finds_tampering(
    client: Any,
    make_user: Any,
    ingest_body: Any,
    db_url: str,
    tmp_path: Path,
) -> None:
    user = make_user("Pilot")
    client.post("/v1/auth/login", json={"email": "nobody@example.com", "password": "x" * 12})
    for size in (2, 3):
        client.post("/v1/ingest", json=ingest_body("Pilot", size), headers=user.headers)
    client.post("/v1/auth/devices/start", json={"label": "Pilot’s PC ☄"}, headers=user.headers)
    export = tmp_path / "audit.ndjson"
    export.write_bytes(_invoke(db_url, "export").stdout_bytes)
    script = _doc_script(tmp_path)

    intact = _check(script, export)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.stdout.startswith("chain intact: 4 rows up to seq 4, last hash ")

    lines = export.read_text(encoding="utf-8").splitlines(keepends=True)
    flipped = tmp_path / "flipped.ndjson"
    flipped.write_text(lines[0] + lines[1].replace('"accepted":2', '"accepted":3') + lines[2])
    assert _check(script, flipped).stdout.strip() == (
        "BROKEN at seq 2: row_hash does not match its content"
    )
    dropped = tmp_path / "dropped.ndjson"
    dropped.write_text(lines[0] + lines[2] + lines[3])
    assert _check(script, dropped).stdout.strip() == (
        "BROKEN at seq 2: missing or out of order (found seq 3)"
    )
    relabelled = tmp_path / "relabelled.ndjson"
    row = json.loads(lines[3])
    row["payload"]["label"] = "Mallory's PC"
    relabelled.write_text("".join(lines[:3]) + json.dumps(row) + "\n")
    result = _check(script, relabelled)
    assert result.returncode == 1
    assert result.stdout.strip() == "BROKEN at seq 4: row_hash does not match its content"
