"""`starstats-server` commands: clear one-line errors for bad settings, migrate, openapi."""

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from starstats_server.cli import app

runner = CliRunner()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"STARSTATS_DATA_DIR": str(tmp_path / "data"), **extra}


def test_bad_database_url_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve"], env=_env(tmp_path, DATABASE_URL="mysql://x/y"))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: invalid setting DATABASE_URL:")


def test_bad_boolean_setting_names_its_variable(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve"], env=_env(tmp_path, STARSTATS_JWT_KEY_AUTOGEN="maybe"))
    assert result.exit_code == 2
    assert "error: invalid setting STARSTATS_JWT_KEY_AUTOGEN:" in result.output


def test_missing_key_file_without_autogen_refuses_to_start(tmp_path: Path) -> None:
    key = tmp_path / "absent.pem"
    result = runner.invoke(app, ["serve"], env=_env(tmp_path, STARSTATS_JWT_KEY_FILE=str(key)))
    assert result.exit_code == 2
    assert "STARSTATS_JWT_KEY_AUTOGEN=true" in result.output
    assert not key.exists()


def test_autogen_writes_a_private_key_readable_only_by_its_owner(tmp_path: Path) -> None:
    from starstats_server.auth.keys import load_signing_key

    key_path = tmp_path / "keys" / "jwt.pem"
    key = load_signing_key(key_path, autogen=True)
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert key.private.key_size == 2048
    # Loading again reuses the file: same kid.
    assert load_signing_key(key_path, autogen=True).kid == key.kid


def test_a_file_that_is_not_a_key_is_refused_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    result = runner.invoke(app, ["serve"], env=_env(tmp_path, STARSTATS_JWT_KEY_FILE=str(bad)))
    assert result.exit_code == 2
    assert "is not an unencrypted PEM private key" in result.output


def test_migrate_brings_a_new_sqlite_database_to_head(tmp_path: Path) -> None:
    from starstats_server.db.migrate import head_revision

    result = runner.invoke(app, ["migrate"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"database at revision {head_revision()}"
    assert (tmp_path / "data" / "starstats.db").exists()


def test_openapi_prints_the_spec_as_json() -> None:
    result = runner.invoke(app, ["openapi"])
    assert result.exit_code == 0
    spec = json.loads(result.output)
    assert spec["openapi"].startswith("3.1")
    assert "/healthz" in spec["paths"]


@pytest.mark.slow
def test_serve_migrates_and_answers_over_real_http(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "STARSTATS_DATA_DIR": str(tmp_path / "data"),
        "STARSTATS_JWT_KEY_AUTOGEN": "true",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "starstats_server", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "server did not come up in 30 s"
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json()["checks"]["database"] == "ok"
        assert (tmp_path / "data" / "jwt-key.pem").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def test_an_unreachable_database_is_one_clear_line_not_a_traceback(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    port = free_port()  # nothing listens there
    env = _env(
        tmp_path,
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/none",
        STARSTATS_JWT_KEY_AUTOGEN="true",
    )
    for command in (["serve", "--port", str(free_port())], ["migrate"]):
        result = runner.invoke(app, command, env=env)
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert lines[-1].startswith("error: cannot use the database:"), result.output
        assert "Traceback" not in result.output
