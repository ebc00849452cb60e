"""`make up`'s demo (scripts/demo.py) brings the whole local stack up and events reach the
server: server on SQLite, demo account, paired client tailing a growing Game.log."""

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_demo_stack_syncs_a_growing_log_to_the_server(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    command = [sys.executable, str(REPO / "scripts" / "demo.py"), "--port", str(free_port())]
    command += ["--data", str(tmp_path), "--seconds", "11"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    counts = [int(n) for n in re.findall(r"events on the server: (\d+)", done.stdout)]
    assert len(counts) >= 2, done.stdout
    assert counts[-1] > counts[0] > 0  # events arrive, and keep arriving as the log grows
    assert "paired as Demo_Pilot" in done.stdout
    # Nothing of the demo leaked outside its folder: token file and databases are inside.
    assert (tmp_path / "server" / "starstats.db").exists()
    assert (tmp_path / "client" / "data").is_dir()
