"""Logs and traces of the web process (metrics live in metrics.py, per app).

Logs: stdlib and structlog records alike leave as core's JSON line on stdout (`timestamp`,
`level`, `logger`, `event`, `trace_id`, `span_id`, `request_id`, then the structlog
key-values), secrets and e-mail addresses redacted. Traces: FastAPI's own server span per
request; each API call is a client span whose W3C `traceparent` the API continues, so one
trace runs browser request → web → API → database. `install_tracing` is a process-level act
done by `starstats-web serve` (or a test), never by `create_app`.
"""

from typing import Any

import structlog
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter

from starstats_telemetry import logs, tracing
from starstats_telemetry.logs import json_formatter
from starstats_web.version import __version__

__all__ = ["configure_logging", "install_tracing", "json_formatter", "logging_config"]

SERVICE_NAME = "starstats-web"
# httpx would log every API call's full URL at info.
_QUIET = {"httpx": "WARNING"}


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """JSON lines on stdout for every logger (also uvicorn's `log_config`)."""
    return logs.logging_config(level, _QUIET)


def configure_logging(level: str = "INFO") -> None:
    """Stdlib logging as JSON lines, and structlog routed into it (its key-values become the
    line's extra fields)."""
    logs.configure_logging(level, _QUIET)
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


def install_tracing(exporter: SpanExporter | None = None) -> TracerProvider:
    """The process's tracer provider as service `starstats-web` (see starstats_telemetry)."""
    return tracing.install_tracing(SERVICE_NAME, __version__, exporter)
