"""One trace from the tray to the database: a real `starstats-client run` process and a real
`starstats-server serve` process export their spans over OTLP/HTTP to an in-process
receiver; the client's sync request, the API's server span and its statements share one
trace id with parent links, and the API's JSON log lines of that request carry it too."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from starstats_client.pairing import pair
from starstats_core.synth import synthesize_log

PASSWORD = "correct horse battery staple"
SERVER_KIND, CLIENT_KIND = 2, 3  # OTLP SpanKind numbers

pytestmark = pytest.mark.slow


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.1)


class ServerProcess:
    """`python -m starstats_server serve` on SQLite with its stdout lines collected."""

    def __init__(self, tmp: Path, port: int, otlp: str) -> None:
        env = {
            **os.environ,
            "STARSTATS_DATA_DIR": str(tmp / "server"),
            "STARSTATS_JWT_KEY_AUTOGEN": "true",
            "STARSTATS_JWT_ISSUER": "http://127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp / 'server.db'}",
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp,
            "OTEL_BSP_SCHEDULE_DELAY": "200",  # ms: export quickly so the test waits less
        }
        self.url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "starstats_server", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        _wait(self._up, 60, "the API to answer")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def _up(self) -> bool:
        assert self.proc.poll() is None, "\n".join(self.lines)
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)
        self._reader.join(timeout=5)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture
def api_process(
    tmp_path: Path, free_port: Callable[[], int], otlp_receiver: Any
) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path, free_port(), otlp_receiver.endpoint)
    yield server
    if server.proc.poll() is None:
        server.stop()


def test_a_sync_request_is_one_trace_from_client_through_api_to_database(
    tmp_path: Path, api_process: ServerProcess, otlp_receiver: Any
) -> None:
    with httpx.Client(base_url=api_process.url, timeout=30) as http:
        _trace_one_sync(tmp_path, api_process, otlp_receiver, http)


def _trace_one_sync(
    tmp_path: Path, api_process: ServerProcess, otlp_receiver: Any, http: httpx.Client
) -> None:
    handle = "Tracer" + uuid.uuid4().hex[:6]
    signup = http.post(
        "/v1/auth/signup",
        json={
            "email": f"{handle.lower()}@example.com",
            "password": PASSWORD,
            "claimed_handle": handle,
        },
    )
    assert signup.status_code == 200, signup.text
    token = signup.json()["token"]
    code = http.post(
        "/v1/auth/devices/start",
        json={"label": "trace"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["code"]

    data, config = tmp_path / "client" / "data", tmp_path / "client" / "config" / "config.toml"
    data.mkdir(parents=True)
    env = {
        **os.environ,
        "STARSTATS_DATA_DIR": str(data),
        "STARSTATS_CONFIG_DIR": str(config.parent),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_receiver.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    pair(api_process.url, code, data=data, config_path=config)  # the token goes to a file
    log = tmp_path / "Game.log"
    log.write_text("".join(synthesize_log(seed=3, sessions=1, lines_per_session=400)), "utf-8")

    client = subprocess.Popen(
        [sys.executable, "-m", "starstats_client", "run", "--gamelog", str(log)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def stored() -> int:
            summary = http.get("/v1/me/summary", headers={"Authorization": f"Bearer {token}"})
            return int(summary.json()["total"])

        _wait(lambda: stored() > 0, 60, "the client's events to reach the server")
    finally:
        client.send_signal(signal.SIGTERM)  # a clean stop flushes the client's spans
        _, err = client.communicate(timeout=30)
    assert client.returncode == 0, err

    def client_spans() -> list[Any]:
        return [
            s
            for s in otlp_receiver.snapshot()
            if s.service == "starstats-client" and s.name == "POST /v1/ingest"
        ]

    _wait(lambda: bool(client_spans()), 30, "the client's spans")
    sent = client_spans()[0]
    assert sent.kind == CLIENT_KIND

    def trace_spans() -> list[Any]:
        return [s for s in otlp_receiver.snapshot() if s.trace_id == sent.trace_id]

    def has_database_and_server_spans() -> bool:
        # The request's server span ends after its answer is sent, so it can leave in a later
        # export batch than the statements' spans: wait for both, not the first alone.
        found = trace_spans()
        return any(s.attributes.get("db.system.name") == "sqlite" for s in found) and any(
            s.service == "starstats-api" and s.kind == SERVER_KIND for s in found
        )

    _wait(has_database_and_server_spans, 30, "the API's spans of that request")
    spans = trace_spans()
    by_id = {s.span_id: s for s in spans}
    server = [s for s in spans if s.service == "starstats-api" and s.kind == SERVER_KIND]
    assert len(server) == 1, spans
    # The API continued the client's traceparent: its server span's parent is the client span.
    assert server[0].parent_span_id == sent.span_id
    assert by_id[sent.parent_span_id].name == "sync.batch"  # the client's own batch span

    database = [s for s in spans if s.attributes.get("db.system.name") == "sqlite"]
    assert any(s.name.startswith("INSERT") for s in database), [s.name for s in database]
    for span in database:
        assert span.service == "starstats-api"
        assert span.kind == CLIENT_KIND
        ancestor = span
        while ancestor.parent_span_id in by_id and ancestor is not server[0]:
            ancestor = by_id[ancestor.parent_span_id]
        assert ancestor is server[0], f"{span.name} does not descend from the request span"

    # Logs: the same request's JSON lines on the API's stdout carry the same trace id.
    records = []
    for line in api_process.lines:
        record = json.loads(line)  # every stdout line is one JSON object
        assert {
            "timestamp",
            "level",
            "logger",
            "event",
            "trace_id",
            "span_id",
            "request_id",
        } <= set(record)
        records.append(record)
    access = [
        r
        for r in records
        if r["logger"] == "starstats_server.access" and r["trace_id"] == sent.trace_id
    ]
    assert len(access) == 1, records[-5:]
    assert access[0]["http_route"] == "/v1/ingest"
    assert access[0]["http_status"] == 200
    assert access[0]["request_id"]
    for record in records:  # nothing secret reached the log
        assert PASSWORD not in json.dumps(record)
        assert token not in json.dumps(record)
        assert f"{handle.lower()}@example.com" not in json.dumps(record)
