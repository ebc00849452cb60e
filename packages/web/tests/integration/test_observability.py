"""Observability of the web app: one trace from the page request through the web's API
calls into the API and its database, request ids passed along, JSON log lines carrying the
trace, and bounded metric labels."""

import re
import time
import uuid
from typing import Any

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families

from starstats_telemetry.tracing import flush

from ..conftest import Stack, logged_in, sign_up_via_api  # noqa: TID252 - shared web test helpers

LABELS: dict[str, re.Pattern[str]] = {
    "method": re.compile(r"GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|_OTHER"),
    "status": re.compile(r"[1-5][0-9]{2}|unreachable"),
    # Request routes are path templates; page renders are labelled by their template file.
    "route": re.compile(r"unmatched|/static|/[A-Za-z0-9_./{}-]*|[a-z_/]+\.html"),
    "endpoint": re.compile(r"/v1/[A-Za-z0-9_./{}-]*"),
    "action": re.compile(r"[a-z_]{1,20}"),
    "outcome": re.compile(r"[a-z_]{1,20}"),
    "le": re.compile(r"[0-9.e+-]+|\+Inf"),
}


def test_a_page_is_one_trace_through_the_api_to_the_database(
    stack: Stack, spans: InMemorySpanExporter, json_logs: Any
) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as browser:
        trace_id, parent = uuid.uuid4().hex, uuid.uuid4().hex[:16]
        page = browser.get(
            "/dashboard",
            headers={"traceparent": f"00-{trace_id}-{parent}-01", "X-Request-ID": "edge-7"},
        )
    assert page.status_code == 200
    assert page.headers["x-request-id"] == "edge-7"
    flush()
    mine = [s for s in spans.get_finished_spans() if format(s.context.trace_id, "032x") == trace_id]
    by_id = {s.context.span_id: s for s in mine}
    calls = [
        s
        for s in mine
        if s.instrumentation_scope and s.instrumentation_scope.name == "starstats_web.api"
    ]
    assert {s.name for s in calls} >= {"GET /v1/me/journey/glance", "GET /v1/me/summary"}
    assert all(s.kind is SpanKind.CLIENT for s in calls)
    for call in calls:
        # The API continued each call: a server span whose parent is the web's client span.
        served = [
            s
            for s in mine
            if s.kind is SpanKind.SERVER and s.parent and s.parent.span_id == call.context.span_id
        ]
        assert len(served) == 1, call.name
    statements = [s for s in mine if s.attributes and "db.system.name" in s.attributes]
    assert statements, "no database span in the page's trace"
    for statement in statements:  # each one under some API call of this page
        ancestor = statement
        while ancestor.parent is not None and ancestor.parent.span_id in by_id:
            ancestor = by_id[ancestor.parent.span_id]
            if ancestor in calls:
                break
        assert ancestor in calls, statement.name

    # Servers write their access line after the last byte is sent: the client can have the
    # answer a moment before that line exists, so wait for the lines.
    def access(logger: str) -> list[dict[str, Any]]:
        return [r for r in json_logs() if r["logger"] == logger and r["trace_id"] == trace_id]

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        not access("starstats_web.access") or len(access("starstats_server.access")) < len(calls)
    ):
        time.sleep(0.05)
    web = access("starstats_web.access")
    assert len(web) == 1
    assert web[0]["http_route"] == "/dashboard"
    assert web[0]["request_id"] == "edge-7"
    api = access("starstats_server.access")
    assert len(api) == len(calls)  # the API's own lines: same trace, same request id
    assert {r["request_id"] for r in api} == {"edge-7"}


def test_web_metrics_are_red_by_route_template_and_never_name_a_user(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as browser:
        assert browser.get("/dashboard").status_code == 200
        assert browser.get("/devices").status_code == 200
        assert browser.get("/sharing").status_code == 200
        for page in (f"/u/{pilot.handle}", f"/orgs/{pilot.handle.lower()}"):
            browser.get(page)  # 503 here (no SpiceDB): labelled by template all the same
        for n in range(30):
            browser.get(f"/u/{pilot.handle}/{n}")
            browser.get(f"/static/{uuid.uuid4().hex}.css")
    with stack.browser() as anonymous:
        text = anonymous.get("/api/metrics").text
    routes: set[str] = set()
    for family in text_string_to_metric_families(text):
        if family.name.startswith(("python_", "process_")):
            continue
        for sample in family.samples:
            for name, value in sample.labels.items():
                assert name in LABELS, f"{sample.name} has an unreviewed label {name!r}"
                assert LABELS[name].fullmatch(value), f"{sample.name}{{{name}={value!r}}}"
                assert pilot.handle.lower() not in value.lower()
                assert pilot.email not in value
                if name == "route" and family.name == "http_server_request_duration_seconds":
                    routes.add(value)
    assert {"/dashboard", "/devices", "/sharing", "/u/{handle}", "/orgs/{slug}"} <= routes
    assert {"unmatched", "/static"} <= routes
    assert len(routes) < 25
