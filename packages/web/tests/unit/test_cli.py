"""`starstats-web`: a bad setting is one `error:` line and exit code 2, never a traceback."""

import pytest
from typer.testing import CliRunner

from starstats_web.cli import app


def test_a_bad_setting_stops_serve_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARSTATS_WEB_ORIGIN", "https://stats.example/with/a/path")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: invalid setting STARSTATS_WEB_ORIGIN")
    assert "Traceback" not in result.output


def test_serve_is_the_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output
