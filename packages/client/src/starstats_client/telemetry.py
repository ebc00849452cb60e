"""The client's own telemetry: a rotating JSON log file and OpenTelemetry traces.

Logs: one JSON object per line (core's `logline` shape, the same as the server's) in
`client.log` in the data folder, rotated at 5 MiB with three old files kept, so a player can
attach it to a bug report and a support engineer can find the request in the server's logs
by its `trace_id`.

Traces: every sync request runs in a span of service `starstats-client`; its W3C
`traceparent` goes to the API, whose spans continue the same trace (tray → API → DB). Spans
leave the machine only when the player or a developer sets `OTEL_EXPORTER_OTLP_ENDPOINT`
(the OTLP/HTTP exporter reads the standard OTEL_* variables itself); otherwise they are only
used for the ids.
"""

import importlib.metadata
import logging
import logging.handlers
import os
import threading
from pathlib import Path

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from starstats_core.logline import JsonLineFormatter

SERVICE_NAME = "starstats-client"
LOG_FILE = "client.log"
_ROTATE_BYTES = 5 * 1024 * 1024
_ROTATE_KEEP = 3

__version__ = importlib.metadata.version("starstats-client")

_lock = threading.Lock()
_provider: TracerProvider | None = None
_log_handler: logging.handlers.RotatingFileHandler | None = None


def _trace_ids() -> tuple[str | None, str | None]:
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None, None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def configure_logging(data_dir: Path, level: int = logging.INFO) -> Path:
    """Send the process's log records to `data_dir/client.log` (rotating JSON lines).

    Idempotent: a second call (the tray starting sync again) does not add a second handler.
    Returns the log file's path."""
    global _log_handler  # noqa: PLW0603 - the one handler this module installed
    path = data_dir / LOG_FILE
    root = logging.getLogger()
    with _lock:
        if _log_handler is not None:
            if Path(_log_handler.baseFilename) == path.resolve():
                return path
            # Another data folder in the same process (tests, a tray restart): move over.
            root.removeHandler(_log_handler)
            _log_handler.close()
        data_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=_ROTATE_BYTES, backupCount=_ROTATE_KEEP, encoding="utf-8", delay=True
        )
        _log_handler = handler
        handler.setFormatter(JsonLineFormatter(_trace_ids))  # type: ignore[arg-type]  # duck-typed
        root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request line at info; the sync worker already logs each batch.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path


def _exporting() -> bool:
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )


def install_tracing(exporter: SpanExporter | None = None) -> TracerProvider:
    """Install the client's tracer provider once per process and return it.

    `exporter` is for tests; by default spans are exported over OTLP/HTTP only when an
    endpoint is configured. Installing a real provider even without one matters: the
    API's no-op default has no trace ids to send in `traceparent`."""
    global _provider  # noqa: PLW0603 - one provider per process, as OpenTelemetry wants
    with _lock:
        if _provider is not None:
            if exporter is not None:
                _provider.add_span_processor(BatchSpanProcessor(exporter))
            return _provider
        resource = Resource.create({"service.name": SERVICE_NAME, "service.version": __version__})
        provider = TracerProvider(resource=resource)
        if exporter is None and _exporting():
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter()
        if exporter is not None:
            provider.add_span_processor(BatchSpanProcessor(exporter))
        current = trace.get_tracer_provider()
        if isinstance(current, TracerProvider):
            # Someone (a test harness, an embedding app) installed one already: use it.
            _provider = current
            if exporter is not None:
                current.add_span_processor(BatchSpanProcessor(exporter))
        else:
            trace.set_tracer_provider(provider)
            _provider = provider
        return _provider


def tracer() -> trace.Tracer:
    """The client's tracer (installing the provider on first use)."""
    return install_tracing().get_tracer("starstats_client", __version__)


def flush(timeout_millis: int = 5000) -> None:
    """Export what is buffered (before the process exits or a test reads the spans)."""
    if _provider is not None:
        _provider.force_flush(timeout_millis)
