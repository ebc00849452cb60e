"""Logs and traces of the API process (metrics live in metrics.py, per app).

Logs: every record — ours, uvicorn's, SQLAlchemy's — leaves as one JSON object per line on
stdout in core's `logline` shape (`timestamp`, `level`, `logger`, `event`, `trace_id`,
`span_id`, `request_id`), with secrets, tokens and e-mail addresses redacted. The access log is
ours (api/observe.py writes one line per request with its route template, status and
duration); uvicorn's own access lines would carry raw paths and query strings.

Traces: FastAPI ≥ 0.165 opens the HTTP server spans itself against the global tracer
provider, continuing a W3C `traceparent` (the desktop client's sync requests, the web app's
API calls); `install_tracing` installs that provider with an OTLP/HTTP exporter when
`OTEL_EXPORTER_OTLP_ENDPOINT` is set, and `trace_engine` adds a client span per database
statement under the request's span. Installing the provider is a process-level act, done by
`starstats-server serve` (or a test harness), never by `create_app`: many apps can live in
one process, one provider can.
"""

import logging
import logging.config
import os
import re
import threading
import time
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Engine

from starstats_core.logline import JsonLineFormatter
from starstats_core.logline import logging_config as core_logging_config
from starstats_server.version import __version__

SERVICE_NAME = "starstats-api"


def current_ids() -> tuple[str | None, str | None]:
    """The active span's (trace id, span id) in W3C hex, or (None, None)."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None, None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def json_formatter() -> JsonLineFormatter:
    """Core's JSON log line with the active trace (and the request id core tracks)."""
    return JsonLineFormatter(current_ids)


# Statement text at info would put ids and handles in the log: keep SQLAlchemy quiet.
_QUIET = {"sqlalchemy.engine": "WARNING"}


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """JSON lines on stdout for every logger (also uvicorn's `log_config`)."""
    return core_logging_config(json_formatter, level, _QUIET)


def configure_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(level))


_lock = threading.Lock()


def _exporting() -> bool:
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )


def install_tracing(
    exporter: SpanExporter | None = None, service_name: str = SERVICE_NAME
) -> TracerProvider:
    """The process's tracer provider (installed on the first call): spans of service
    `starstats-api`, exported over OTLP/HTTP when the standard OTEL_* variables name an
    endpoint, and to `exporter` when given (tests)."""
    with _lock:
        current = trace.get_tracer_provider()
        if isinstance(current, TracerProvider):
            provider = current
        else:
            resource = Resource.create(
                {
                    "service.name": os.environ.get("OTEL_SERVICE_NAME", service_name),
                    "service.version": __version__,
                }
            )
            provider = TracerProvider(resource=resource)
            if _exporting():
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )

                provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
            trace.set_tracer_provider(provider)
        if exporter is not None:
            provider.add_span_processor(BatchSpanProcessor(exporter))
        return provider


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
