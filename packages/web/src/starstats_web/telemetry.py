"""Logs and traces of the web process (metrics live in metrics.py, per app).

Logs: stdlib and structlog records alike leave as core's JSON line on stdout (`timestamp`,
`level`, `logger`, `event`, `trace_id`, `span_id`, `request_id`, then the structlog
key-values), secrets and e-mail addresses redacted. Traces: FastAPI's own server span per
request; each API call is a client span whose W3C `traceparent` the API continues, so one
trace runs browser request → web → API → database. `install_tracing` is a process-level act
done by `starstats-web serve` (or a test), never by `create_app`.
"""

import logging
import logging.config
import os
import threading
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from starstats_core.logline import JsonLineFormatter
from starstats_core.logline import logging_config as core_logging_config
from starstats_web.version import __version__

SERVICE_NAME = "starstats-web"
_lock = threading.Lock()


def current_ids() -> tuple[str | None, str | None]:
    """The active span's (trace id, span id) in W3C hex, or (None, None)."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None, None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def json_formatter() -> JsonLineFormatter:
    return JsonLineFormatter(current_ids)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """JSON lines on stdout for every logger (also uvicorn's `log_config`); httpx would log
    every API call's full URL at info, so it is kept to warnings."""
    return core_logging_config(json_formatter, level, {"httpx": "WARNING"})


def configure_logging(level: str = "INFO") -> None:
    """Stdlib logging as JSON lines, and structlog routed into it (its key-values become the
    line's extra fields)."""
    logging.config.dictConfig(logging_config(level))
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.processors.format_exc_info,
            structlog.stdlib.render_to_log_kwargs,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def install_tracing(
    exporter: SpanExporter | None = None, service_name: str = SERVICE_NAME
) -> TracerProvider:
    """The process's tracer provider (installed on the first call), exporting over OTLP/HTTP
    when OTEL_EXPORTER_OTLP_ENDPOINT is set, and to `exporter` when given (tests)."""
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
            if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
            ):
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )

                provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
            trace.set_tracer_provider(provider)
        if exporter is not None:
            provider.add_span_processor(BatchSpanProcessor(exporter))
        return provider
