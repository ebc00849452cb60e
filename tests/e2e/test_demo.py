"""`make up`'s demo (scripts/demo.py) brings the whole local stack up and events reach the
server and the web app: server on SQLite, demo account, paired client tailing a growing
Game.log, and the web app whose dashboard shows them."""

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def dashboard_through_the_web_app(web_url: str, email: str, password: str) -> str:
    """Log in on the web app's form as a browser would, then poll the dashboard until the
    demo client's first events show up; its HTML."""
    with httpx.Client(base_url=web_url, timeout=30, headers={"Origin": web_url}) as browser:
        form = browser.get("/auth/login")
        token = CSRF.search(form.text)
        assert token is not None, form.text
        login = {"csrf_token": token.group(1), "email": email, "password": password}
        done = browser.post("/auth/login", data=login)
        assert done.status_code == 303, done.text
        deadline = time.monotonic() + 8
        while True:
            page = browser.get("/dashboard")
            assert page.status_code == 200, page.text
            if "No events yet" not in page.text or time.monotonic() > deadline:
                return page.text
            time.sleep(0.5)


def publish_and_read_publicly(api_url: str, email: str, password: str) -> dict[str, Any]:
    """Make the demo player's stats public through the API, then read them with no token."""
    with httpx.Client(base_url=api_url, timeout=30) as api:
        assert api.get("/readyz").json()["checks"]["spicedb"] == "ok"
        login = api.post("/v1/auth/login", json={"email": email, "password": password})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        made = api.post("/v1/me/visibility", json={"public": True}, headers=headers)
        assert made.json() == {"public": True}, made.text
        summary = api.get("/v1/public/Demo_Pilot/summary")
        assert summary.status_code == 200, summary.text
        body: dict[str, Any] = summary.json()
        return body


@pytest.mark.slow
def test_the_demo_stack_syncs_a_growing_log_to_the_server(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    web_port = free_port()
    command = [sys.executable, str(REPO / "scripts" / "demo.py"), "--port", str(free_port())]
    command += ["--web-port", str(web_port), "--data", str(tmp_path), "--seconds", "11"]
    command += ["--spicedb-port", str(free_port())]
    errors = tmp_path / "stderr.txt"
    with errors.open("w") as stderr:
        demo = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        assert demo.stdout is not None
        head = []
        for line in demo.stdout:
            head.append(line)
            # The last line of the banner: stop reading here, since lines this loop has
            # buffered would be lost to communicate(), which reads the pipe directly.
            if line.startswith("the client tails "):
                break
        up = "".join(head)
        shown = re.search(r"web app: (http://\S+) ", up)
        account = re.search(r"demo account: (\S+) / (\S+) \(handle Demo_Pilot\)", up)
        assert shown is not None, up + errors.read_text()[-2000:]
        assert account is not None, up
        assert shown.group(1) == f"http://127.0.0.1:{web_port}"
        html = dashboard_through_the_web_app(shown.group(1), account.group(1), account.group(2))
        api = re.search(r"StarStats is up: API (http://\S+) ", up)
        assert api is not None, up
        public = publish_and_read_publicly(api.group(1), account.group(1), account.group(2))
        rest, _ = demo.communicate(timeout=120)
    assert demo.returncode == 0, errors.read_text()[-2000:]
    stdout = up + rest
    counts = [int(n) for n in re.findall(r"events on the server: (\d+)", stdout)]
    assert len(counts) >= 2, stdout
    assert counts[-1] > counts[0] > 0  # events arrive, and keep arriving as the log grows
    assert "paired as Demo_Pilot" in stdout
    # SpiceDB came up with the stack: the demo player's stats could be made public and read
    # without a token.
    assert re.search(r"sharing: SpiceDB at 127\.0\.0\.1:\d+", stdout), stdout
    assert public["claimed_handle"] == "Demo_Pilot"
    assert public["total"] > 0
    # The web app shows the demo player's dashboard with the synced events.
    assert "Welcome back, <span" in html
    assert "Demo_Pilot" in html
    assert "No events yet" not in html
    assert 'class="stats"' in html
    # Nothing of the demo leaked outside its folder: token file and databases are inside.
    assert (tmp_path / "server" / "starstats.db").exists()
    assert (tmp_path / "client" / "data").is_dir()
    assert (tmp_path / "web" / "csrf-secret").is_file()
