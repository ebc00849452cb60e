"""`scripts/reliability.py --quick`: the reliability harness end to end with small counts (3
client kills, 1 server restart, 5 s PostgreSQL and S3 outages, a full disk for 3 s, clocks
10 minutes off), so CI proves the harness itself works. The real counts run with
`make reliability`.

Every scenario must end with every event of its logs on the server exactly once, the
audit chain (with its mirror) verified, and the client still running after its disk filled
(the harness found it exiting there; it now waits for room and resumes).
"""

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = {
    "client-kill",
    "server-restart",
    "postgres-outage",
    "s3-outage",
    "disk-full",
    "clock-skew",
}
ROW = re.compile(
    r"^\| (?P<scenario>[a-z0-9-]+) \| (?P<runs>[^|]+) \| (?P<sent>[\d,]+) \| "
    r"(?P<stored>[\d,]+) \| (?P<lost>[\d,]+) \| (?P<duplicated>[\d,]+) \| (?P<chain>\S+) \| "
    r"(?P<result>[^|]+) \|$"
)


def _s3_port_taken() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 8333)) == 0


def test_quick_run_stores_every_event_once_and_the_chain_verifies(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if _s3_port_taken():
        # The session's SeaweedFS (root conftest) holds weed mini's fixed ports; the harness
        # starts and stops its own. Tests that need the session's restart it themselves.
        request.getfixturevalue("seaweed_server").stop()
    report = tmp_path / "reliability.md"
    script = [sys.executable, str(REPO / "scripts" / "reliability.py"), "--quick"]
    done = subprocess.run(
        [*script, "--report", str(report), "--folder", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=REPO,
    )
    output = "\n".join(
        line
        for line in (done.stdout + done.stderr).splitlines()
        if not line.startswith(("paired as", "device "))  # a line or two per pairing
    )
    assert report.exists(), output[-4000:]
    text = report.read_text(encoding="utf-8")
    rows = {m["scenario"]: m for m in map(ROW.match, text.splitlines()) if m is not None}
    assert set(rows) == SCENARIOS, text
    for name, row in rows.items():
        assert not row["result"].startswith("skipped"), f"{name}: {row['result']}"
        sent = int(row["sent"].replace(",", ""))
        assert sent > 0, f"{name}: no events written"
        assert row["stored"] == row["sent"], f"{name}: stored != sent\n{text}"
        assert (row["lost"], row["duplicated"], row["chain"]) == ("0", "0", "yes"), text
    failures = [line for line in text.splitlines() if "FAILED:" in line]
    assert done.returncode == 0, f"{text}\n{output[-3000:]}"
    assert not failures, text
