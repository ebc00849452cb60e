"""Logs and traces of the API process (metrics live in metrics.py, per app).

Logs: every record — ours, uvicorn's, SQLAlchemy's — leaves as one JSON object per line on
stdout in core's `logline` shape (`timestamp`, `level`, `logger`, `event`, `trace_id`,
`span_id`, `request_id`), with secrets, tokens and e-mail addresses redacted. The access log is
ours (starstats_telemetry.asgi writes one line per request with its route template, status and
duration); uvicorn's own access lines would carry raw paths and query strings.

Traces: FastAPI ≥ 0.165 opens the HTTP server spans itself against the global tracer
provider, continuing a W3C `traceparent` (the desktop client's sync requests, the web app's
API calls); `install_tracing` installs that provider with an OTLP/HTTP exporter when
`OTEL_EXPORTER_OTLP_ENDPOINT` is set, and `trace_engine` adds a client span per database
statement under the request's span. Installing the provider is a process-level act, done by
`starstats-server serve` (or a test harness), never by `create_app`: many apps can live in
one process, one provider can.
"""

import re
import time
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Engine

from starstats_server.version import __version__
from starstats_telemetry import logs, tracing
from starstats_telemetry.logs import json_formatter

__all__ = ["configure_logging", "install_tracing", "json_formatter", "logging_config"]

SERVICE_NAME = "starstats-api"
# Statement text at info would put ids and handles in the log: keep SQLAlchemy quiet.
_QUIET = {"sqlalchemy.engine": "WARNING"}


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """JSON lines on stdout for every logger (also uvicorn's `log_config`)."""
    return logs.logging_config(level, _QUIET)


def configure_logging(level: str = "INFO") -> None:
    logs.configure_logging(level, _QUIET)


def install_tracing(exporter: SpanExporter | None = None) -> TracerProvider:
    """The process's tracer provider as service `starstats-api` (see starstats_telemetry)."""
    return tracing.install_tracing(SERVICE_NAME, __version__, exporter)


_OPERATION = re.compile(r"\s*(?:/\*.*?\*/\s*)?([A-Za-z]+)", re.DOTALL)
_KNOWN_OPERATIONS = frozenset(
    {"SELECT", "INSERT", "UPDATE", "DELETE", "COPY", "BEGIN", "COMMIT", "ROLLBACK", "WITH"}
)


def statement_operation(statement: str) -> str:
    """The statement's verb (SELECT, INSERT...), or OTHER: a bounded metric label."""
    match = _OPERATION.match(statement)
    verb = match.group(1).upper() if match else ""
    return verb if verb in _KNOWN_OPERATIONS else "OTHER"


def trace_engine(engine: Engine, *, system: str, observe: Any = None) -> None:
    """A client span per statement on `engine` (the sync engine under an AsyncEngine), a
    child of whatever span is active (the request's), and `observe(operation, seconds)`
    after each one for the duration histogram. The statement text is recorded without its
    parameters (values never leave the process)."""
    tracer = trace.get_tracer("starstats_server.db", __version__)
    key = "_starstats_span"

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # SQLAlchemy also passes parameters, context and executemany: unused here.
        operation = statement_operation(statement)
        span = tracer.start_span(
            f"{operation} {system}",
            kind=SpanKind.CLIENT,
            attributes={
                "db.system.name": system,
                "db.operation.name": operation,
                "db.query.text": statement[:2048],
            },
        )
        conn.info.setdefault(key, []).append((span, operation, time.perf_counter()))

    def _finish(conn: Any, error: BaseException | None) -> None:
        stack = conn.info.get(key)
        if not stack:
            return
        span, operation, started = stack.pop()
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()
        if observe is not None:
            observe(operation, time.perf_counter() - started)

    @event.listens_for(engine, "after_cursor_execute")
    def _end(conn: Any, *_: Any) -> None:
        _finish(conn, None)

    @event.listens_for(engine, "handle_error")
    def _error(context: Any) -> None:
        if context.connection is not None:
            _finish(context.connection, context.original_exception)
