"""`make up`: the whole local stack with nothing external, events flowing end to end.

1. the API server on SQLite (`.starstats/server`, an auto-generated signing key);
2. a demo account (signed up once, logged into on later runs);
3. a desktop client paired with it (its own data and config folders under `.starstats/client`,
   the device token in a 0600 file there rather than your OS keyring);
4. a synthesized Game.log that keeps growing (`.starstats/demo/live/Game.log`), which the
   client tails and syncs;
5. the web app on `--web-port` (3000), reading the API; log in there with the demo account
   to watch the dashboard fill;
6. SpiceDB for sharing (scripts/spicedb_dev.py: the real engine behind gRPC, in memory, on
   `--spicedb-port`), when its engine is cached or can be fetched (scripts/ensure-spicedb.sh,
   npm); otherwise the stack runs without sharing, as a server without SpiceDB does. The API
   writes the schema into the empty engine at start-up and loads every share from SQLite.

It prints both URLs, the demo credentials and, every few seconds, the events the server holds.
Ctrl-C (or `--seconds N`) stops everything. Usage:
    uv run python scripts/demo.py [--host 127.0.0.1] [--port 8080] [--web-port 3000]
                                  [--spicedb-port 50051] [--data .starstats] [--seconds N]
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

SCRIPTS = Path(__file__).resolve().parent

DEMO_EMAIL = "demo@starstats.local"
DEMO_PASSWORD = "demo-password-not-secret"  # noqa: S105 - a local demo account, on purpose
DEMO_HANDLE = "Demo_Pilot"
LINES_PER_SECOND = 40


def _wait_ready(
    url: str, server: subprocess.Popen[bytes], timeout: float = 60, path: str = "/readyz"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"error: the server exited with code {server.returncode}")
        try:
            if httpx.get(f"{url}{path}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"error: the server did not answer on {url} within {timeout:.0f} s")


def _user_token(api: httpx.Client) -> str:
    """Sign the demo account up, or log in when it exists from an earlier run."""
    body = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "claimed_handle": DEMO_HANDLE}
    response = api.post("/v1/auth/signup", json=body)
    if response.status_code == 409:
        response = api.post("/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    response.raise_for_status()
    return str(response.json()["token"])


def _grow_log(path: Path, stop: threading.Event) -> None:
    """Write a synthesized launch into `path` a few lines at a time, like the game does."""
    from starstats_core.synth import synthesize_log

    path.parent.mkdir(parents=True, exist_ok=True)
    start = datetime.now(UTC).replace(microsecond=0)
    lines = synthesize_log(seed=int(time.time()), sessions=50, start=start, handle=DEMO_HANDLE)
    with path.open("w", encoding="utf-8", newline="") as log:
        while not stop.is_set():
            for _ in range(LINES_PER_SECOND // 4):
                line = next(lines, None)
                if line is None:
                    return
                log.write(line)
            log.flush()
            stop.wait(0.25)


def _environments(
    url: str, web_url: str, data: Path
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The server's, the client's and the web app's environment: everything under `data`."""
    server = {
        **os.environ,
        "STARSTATS_DATA_DIR": str(data / "server"),
        "STARSTATS_JWT_KEY_AUTOGEN": "true",
        "STARSTATS_JWT_ISSUER": url,
        "STARSTATS_WEB_ORIGIN": web_url,  # verification links in mails open the web app
        # The web app on this host forwards each browser's address: rate limits per browser.
        "STARSTATS_TRUSTED_PROXIES": "127.0.0.1, ::1",
    }
    client = {
        **os.environ,
        "STARSTATS_DATA_DIR": str(data / "client" / "data"),
        "STARSTATS_CONFIG_DIR": str(data / "client" / "config"),
        # The demo's device token goes to a 0600 file in the demo folder, not your keyring.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    web = {
        **os.environ,
        "STARSTATS_API_URL": url,
        "STARSTATS_WEB_ORIGIN": web_url,
        "STARSTATS_COOKIE_SECURE": "false",  # plain http on loopback: browsers drop Secure
        "STARSTATS_WEB_DATA_DIR": str(data / "web"),
    }
    return server, client, web


def _start_spicedb(
    host: str, port: int, data: Path
) -> tuple[subprocess.Popen[str] | None, dict[str, str]]:
    """SpiceDB for the API (process, server settings), or (None, {}) with a warning when its
    engine cannot be had: sharing is then off, as on any server without SpiceDB."""
    ensure = ["bash", str(SCRIPTS / "ensure-spicedb.sh")]  # the shell on PATH, as make's
    fetched = subprocess.run(  # noqa: S603 - our own script
        ensure, capture_output=True, text=True, check=False
    )
    if fetched.returncode != 0:
        reason = fetched.stderr.strip().splitlines()[-1:] or ["unknown error"]
        print(f"warning: no SpiceDB engine ({reason[0]}); sharing is off", file=sys.stderr)
        return None, {}
    key_file = data / "spicedb" / "preshared-key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(32), encoding="utf-8")
    command = [sys.executable, str(SCRIPTS / "spicedb_dev.py"), "--host", host]
    process = subprocess.Popen(  # noqa: S603 - our interpreter and script
        [*command, "--port", str(port), "--preshared-key-file", str(key_file)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "SPICEDB_LIBRARY_PATH": fetched.stdout.strip()},
    )
    assert process.stdout is not None
    ready = process.stdout.readline().strip()  # "ready host:port", or "" if it died
    if not ready.startswith("ready "):
        process.wait(timeout=10)
        print("warning: SpiceDB did not start (see above); sharing is off", file=sys.stderr)
        return None, {}
    endpoint = ready.removeprefix("ready ")
    return process, {"SPICEDB_ENDPOINT": endpoint, "SPICEDB_PRESHARED_KEY_FILE": str(key_file)}


def _pair_client(api: httpx.Client, headers: dict[str, str], url: str, env: dict[str, str]) -> None:
    code = api.post("/v1/auth/devices/start", json={"label": "Demo client"}, headers=headers)
    code.raise_for_status()
    command = [sys.executable, "-m", "starstats_client", "pair", "--api", url]
    subprocess.run([*command, "--code", code.json()["code"]], env=env, check=True)  # noqa: S603 - our interpreter and package


def _name(child: subprocess.Popen[Any]) -> str:
    """`starstats_server` for `python -m starstats_server ...`, else the script's name."""
    args = [str(arg) for arg in child.args]  # type: ignore[union-attr]
    return args[2] if args[1] == "-m" else Path(args[1]).name


def _report(api: httpx.Client, children: list[subprocess.Popen[Any]], seconds: float) -> None:
    """Print the server's event count every few seconds until Ctrl-C or `seconds` pass."""
    headers = {"Authorization": f"Bearer {_user_token(api)}"}
    began = time.monotonic()
    while not seconds or time.monotonic() - began < seconds:
        for child in children:
            if child.poll() is not None:
                raise SystemExit(f"error: {_name(child)} exited ({child.returncode})")
        time.sleep(min(5.0, seconds or 5.0))
        summary = api.get("/v1/me/summary", headers=headers)
        if summary.status_code == 401:  # the 1 h user token ran out: log in again
            headers = {"Authorization": f"Bearer {_user_token(api)}"}
            continue
        print(f"events on the server: {summary.json()['total']}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--host", default="127.0.0.1")
    args.add_argument("--port", type=int, default=8080)
    args.add_argument("--web-port", type=int, default=3000)
    args.add_argument("--spicedb-port", type=int, default=50051)
    args.add_argument("--data", type=Path, default=Path(".starstats"))
    args.add_argument("--seconds", type=float, default=0, help="stop after N s (0: Ctrl-C)")
    opts = args.parse_args(argv)

    url = f"http://{opts.host}:{opts.port}"
    web_url = f"http://{opts.host}:{opts.web_port}"
    data: Path = opts.data.resolve()
    server_env, client_env, web_env = _environments(url, web_url, data)
    spicedb, spicedb_env = _start_spicedb(opts.host, opts.spicedb_port, data)
    server_env.update(spicedb_env)
    py = sys.executable
    serve = [py, "-m", "starstats_server", "serve", "--host", opts.host, "--port", str(opts.port)]
    server = subprocess.Popen(  # noqa: S603 - our interpreter and package
        [*serve, "--log-level", "warning"], env=server_env
    )
    stop = threading.Event()
    children: list[subprocess.Popen[Any]] = [] if spicedb is None else [spicedb]
    children.append(server)
    try:
        _wait_ready(url, server)
        site = [py, "-m", "starstats_web", "serve", "--host", opts.host]
        web = subprocess.Popen(  # noqa: S603 - our interpreter and package
            [*site, "--port", str(opts.web_port), "--log-level", "warning"], env=web_env
        )
        children.append(web)
        _wait_ready(web_url, web, path="/healthz")
        with httpx.Client(base_url=url, timeout=30) as api:
            headers = {"Authorization": f"Bearer {_user_token(api)}"}
            _pair_client(api, headers, url, client_env)
            log = data / "demo" / "live" / "Game.log"
            threading.Thread(target=_grow_log, args=(log, stop), daemon=True).start()
            while not log.exists():
                time.sleep(0.05)
            run = [py, "-m", "starstats_client", "run", "--gamelog", str(log)]
            children.append(subprocess.Popen(run, env=client_env))  # noqa: S603 - as above
            print(f"\nStarStats is up: API {url} (docs: {url}/docs)", flush=True)
            print(f"web app: {web_url} (log in at {web_url}/auth/login)", flush=True)
            print(f"demo account: {DEMO_EMAIL} / {DEMO_PASSWORD} (handle {DEMO_HANDLE})")
            if spicedb_env:
                print(f"sharing: SpiceDB at {spicedb_env['SPICEDB_ENDPOINT']} ({web_url}/sharing)")
            print(f"the client tails {log} and syncs it; Ctrl-C stops everything\n", flush=True)
            _report(api, children, opts.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        _stop(children)
    return 0


def _stop(children: list[subprocess.Popen[Any]]) -> None:
    """SIGINT each child (a clean shutdown: the client commits its cursor), newest first."""
    for child in reversed(children):
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    for child in reversed(children):
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()


if __name__ == "__main__":
    raise SystemExit(main())
