"""Observability of the API: RED metrics by route template, the cardinality rule, request
ids, JSON log lines joined to spans by trace id, and no secrets in the logs."""

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from starstats_core.events import event_to_dict
from starstats_core.events.session import JoinPu
from starstats_server.telemetry import statement_operation
from starstats_telemetry.tracing import flush

PASSWORD = "observability is a feature"

# Every label the API may put on a metric, and what its values may look like. A new label
# fails this test until it is added here, which is the moment to ask whether it is bounded.
LABEL_VALUES: dict[str, re.Pattern[str]] = {
    "method": re.compile(r"GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|_OTHER"),
    "status": re.compile(r"[1-5][0-9]{2}"),
    "route": re.compile(r"unmatched|/[A-Za-z0-9_./{}-]*"),
    "operation": re.compile(r"SELECT|INSERT|UPDATE|DELETE|COPY|BEGIN|COMMIT|ROLLBACK|WITH|OTHER"),
    "check": re.compile(r"database|smtp|minio|spicedb"),
    "version": re.compile(r"[0-9][0-9A-Za-z.+-]*"),
    "reason": re.compile(r"[a-z_]{1,40}"),
    "action": re.compile(r"[a-z_.]{1,40}"),
    "outcome": re.compile(r"[a-z_]{1,40}"),
    "result": re.compile(r"[a-z_]{1,40}"),
    "mode": re.compile(r"[a-z_]{1,40}"),
    "le": re.compile(r"[0-9.e+-]+|\+Inf"),
}


def _workload(client: TestClient) -> dict[str, str]:
    """Sign-up, logins (good and bad), pairing, ingest, every read route, 404s on paths
    carrying the handle and e-mail: what a varied day of traffic looks like."""
    handle = "Obs" + uuid.uuid4().hex[:8]
    email = f"{handle.lower()}@example.com"
    signup = client.post(
        "/v1/auth/signup", json={"email": email, "password": PASSWORD, "claimed_handle": handle}
    )
    assert signup.status_code == 200, signup.text
    token = signup.json()["token"]
    user_id = signup.json()["user_id"]
    auth = {"Authorization": f"Bearer {token}"}
    assert (
        client.post(
            "/v1/auth/login", json={"email": email, "password": "wrong password!!"}
        ).status_code
        == 401
    )
    assert (
        client.post("/v1/auth/login", json={"email": email, "password": PASSWORD}).status_code
        == 200
    )
    code = client.post("/v1/auth/devices/start", json={"label": "obs"}, headers=auth).json()["code"]
    redeemed = client.post("/v1/auth/devices/redeem", json={"code": code, "label": "obs"})
    assert redeemed.status_code == 200, redeemed.text
    device_token, device_id = redeemed.json()["token"], redeemed.json()["device_id"]
    event = event_to_dict(
        JoinPu(
            timestamp="2026-05-02T21:14:23.189Z",
            address="10.0.0.1",
            port=1,
            shard="pub_euw1b_9",
            location_id="1",
        )
    )
    batch_id = str(uuid.uuid4())
    ingest = client.post(
        "/v1/ingest",
        json={
            "schema_version": 2,
            "batch_id": batch_id,
            "game_build": None,
            "claimed_handle": handle,
            "events": [
                {
                    "idempotency_key": f"k{n}",
                    "raw_line": f"<2026-05-02T21:14:23.189Z> {n}",
                    "event": event,
                    "source": "live",
                    "source_offset": n,
                }
                for n in range(5)
            ],
        },
        headers={"Authorization": f"Bearer {device_token}"},
    )
    assert ingest.status_code == 200, ingest.text
    for path in (
        "/v1/auth/me",
        "/v1/me/events?limit=2",
        "/v1/me/events?event_type=join_pu",
        "/v1/me/summary",
        "/v1/me/timeline?days=7",
        "/v1/me/sessions",
        "/v1/auth/devices",
    ):
        assert client.get(path, headers=auth).status_code == 200, path
    for n in range(40):  # a scanner: every path unique
        client.get(f"/v1/u/{handle}/{email}/{n}")
        client.get(f"/nothing-{uuid.uuid4().hex}")
    client.get("/v1/me/events", headers={"Authorization": "Bearer forged.token.value"})
    client.delete(f"/v1/auth/devices/{device_id}", headers=auth)
    client.get("/readyz")
    client.get("/healthz", headers={"X-Request-ID": "lb-check-1"})
    return {
        "handle": handle,
        "email": email,
        "user_id": user_id,
        "device_id": device_id,
        "token": token,
        "device_token": device_token,
        "batch_id": batch_id,
        "code": code,
    }


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_no_metric_label_carries_a_user_or_an_unbounded_value(
    app: FastAPI, client: TestClient, spans: InMemorySpanExporter
) -> None:
    secrets = _workload(client)
    text = client.get("/metrics").text
    templates = set(app.openapi()["paths"])
    seen: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        series = 0
        for sample in family.samples:
            series += 1
            for name, value in sample.labels.items():
                assert name in LABEL_VALUES, f"{sample.name} has an unreviewed label {name!r}"
                assert LABEL_VALUES[name].fullmatch(value), f"{sample.name}{{{name}={value!r}}}"
                for secret in secrets.values():
                    assert secret.lower() not in value.lower(), (
                        f"{sample.name} leaks {name}={value}"
                    )
                if name == "route":
                    assert value == "unmatched" or value in templates, value
                seen.setdefault(name, set()).add(value)
        assert series < 400, f"{family.name} has {series} series after one workload"
    # The 80 scanner paths collapsed into one label value; the routes were recorded by template.
    assert "unmatched" in seen["route"]
    assert {"/v1/ingest", "/v1/me/events", "/v1/auth/devices/{device_id}"} <= seen["route"]
    assert len(seen["route"]) < 30


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_red_metrics_count_requests_by_route_and_status(client: TestClient) -> None:
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    client.get("/no/such/path")
    assert client.get("/readyz").status_code == 200  # one database round trip
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}
    counts = {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for s in families["http_server_request_duration_seconds"].samples
        if s.name.endswith("_count")
    }
    assert counts[("GET", "/healthz", "200")] == 3
    assert counts[("GET", "unmatched", "404")] == 1
    active = families["http_server_active_requests"].samples
    assert [s.value for s in active if s.labels["method"] == "GET"] == [1.0]  # the scrape itself
    build = families["starstats_build_info"].samples
    assert len(build) == 1
    assert build[0].value == 1
    database = {
        s.labels["operation"] for s in families["db_client_operation_duration_seconds"].samples
    }
    assert "SELECT" in database


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_readiness_gauges_follow_the_checks(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}
    ready = {s.labels["check"]: s.value for s in families["starstats_ready"].samples}
    assert ready["database"] == 1.0
    assert "smtp" not in ready  # not configured: skipped, so never reported


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_requests_log_lines_and_spans_share_its_trace_id(
    client: TestClient, spans: InMemorySpanExporter, json_logs: Any, make_user: Callable[..., Any]
) -> None:
    user = make_user("TraceMe")
    trace_id = uuid.uuid4().hex
    parent = uuid.uuid4().hex[:16]
    response = client.get(
        "/v1/me/events",
        headers={
            **user.headers,
            "traceparent": f"00-{trace_id}-{parent}-01",
            "X-Request-ID": "web-42",
        },
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "web-42"
    flush()
    mine = [s for s in spans.get_finished_spans() if format(s.context.trace_id, "032x") == trace_id]
    server = [
        s for s in mine if s.parent is not None and format(s.parent.span_id, "016x") == parent
    ]
    assert len(server) == 1, [s.name for s in mine]
    statements = [s for s in mine if s.attributes and "db.system.name" in s.attributes]
    assert statements, "no database span in the request's trace"
    assert all(s.attributes and "db.query.text" in s.attributes for s in statements)

    records = json_logs()
    access = [
        r for r in records if r["logger"] == "starstats_server.access" and r["trace_id"] == trace_id
    ]
    assert len(access) == 1
    assert access[0]["request_id"] == "web-42"
    assert access[0]["http_route"] == "/v1/me/events"
    span_ids = {format(s.context.span_id, "016x") for s in mine}
    assert access[0]["span_id"] in span_ids


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_forged_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "x" * 65})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    response = client.get("/healthz", headers={"X-Request-ID": 'a" injected'})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_password_token_or_email_reaches_the_log(
    client: TestClient, spans: InMemorySpanExporter, json_logs: Any
) -> None:
    secrets = _workload(client)
    records = json_logs()
    assert any(r["logger"] == "starstats_server.access" for r in records)
    text = "\n".join(json.dumps(r) for r in records)
    for name in ("email", "token", "device_token", "code"):
        assert secrets[name] not in text, f"the {name} reached the log"
    assert PASSWORD not in text
    for record in records:
        assert record["level"] in {"debug", "info", "warning", "error", "critical"}


def test_statement_operation_is_a_bounded_verb() -> None:
    assert statement_operation("SELECT 1") == "SELECT"
    assert statement_operation("  insert into x values (1)") == "INSERT"
    assert statement_operation("/* c */ UPDATE t SET a=1") == "UPDATE"
    assert statement_operation("PRAGMA journal_mode=WAL") == "OTHER"
    assert statement_operation("") == "OTHER"
