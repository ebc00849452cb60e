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

import errno
import functools
import importlib.metadata
import logging
import logging.handlers
import sys
import threading
from pathlib import Path

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter

from starstats_telemetry import tracing
from starstats_telemetry.logs import json_formatter

SERVICE_NAME = "starstats-client"
LOG_FILE = "client.log"
_ROTATE_BYTES = 5 * 1024 * 1024
_ROTATE_KEEP = 3

__version__ = importlib.metadata.version("starstats-client")

_lock = threading.Lock()


class _LogFile(logging.handlers.RotatingFileHandler):
    """client.log that keeps quiet when it cannot be written (a full disk): the records are
    lost, but the client keeps running, and the store reports the full disk itself. Any
    other failure is reported as logging always does."""

    _said_full = False
    _failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        self._failed = True
        error = sys.exc_info()[1]
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            if not self._said_full:
                self._said_full = True
                print(f"starstats: cannot write {self.baseFilename}: {error}", file=sys.stderr)
            return
        super().handleError(record)

    def emit(self, record: logging.LogRecord) -> None:
        self._failed = False
        super().emit(record)
        if not self._failed:
            self._said_full = False  # room again: say so again should it fill up later


_log_handler: logging.handlers.RotatingFileHandler | None = None


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
        handler = _LogFile(
            path, maxBytes=_ROTATE_BYTES, backupCount=_ROTATE_KEEP, encoding="utf-8", delay=True
        )
        _log_handler = handler
        handler.setFormatter(json_formatter())  # type: ignore[arg-type]  # duck-typed
        root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request line at info; the sync worker already logs each batch.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return path


def install_tracing(exporter: SpanExporter | None = None) -> TracerProvider:
    """The process's tracer provider as service `starstats-client` (starstats_telemetry):
    spans leave the machine only when OTEL_EXPORTER_OTLP_ENDPOINT is set; `exporter` is for
    tests."""
    return tracing.install_tracing(SERVICE_NAME, __version__, exporter)


@functools.cache
def tracer() -> trace.Tracer:
    """The client's tracer (installing the provider on first use)."""
    return install_tracing().get_tracer("starstats_client", __version__)


flush = tracing.flush
