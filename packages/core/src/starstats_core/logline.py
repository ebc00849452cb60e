"""The one JSON log-line shape shared by the server, the web app and the desktop client.

Each app wires this into its own logging (core does no I/O and configures nothing), so a
log pipeline (Loki, `jq`) reads the same fields from all three and joins them to traces by
`trace_id`. Every line carries: `timestamp` (RFC 3339 UTC, milliseconds, `Z`), `level`,
`logger`, `event` (the message), `trace_id`, `span_id` and `request_id` (null when there is
none), then any extra fields the caller passed.

Messages and extra string fields go through `redact` first: a log line is the easiest place
for a secret to leak (an exception quoting a URL with a token, a form echoed back), so
bearer tokens, JWTs, `password=`/`token=`/`secret=` values and e-mail addresses are masked
whatever the caller wrote. Game.log text does not belong in info-level lines at all; the
apps keep it out, and `scrub_text` (privacy) covers it where it must appear.
"""

import contextvars
import json
import re
import traceback
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

# Base64url JWS: header.payload.signature, the header always starting with '{"' → "eyJ".
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}")
_KEYED = re.compile(
    r"(?i)\b(password|passwd|token|secret|api[_-]?key|authorization)"
    r"(\"?\s*[:=]\s*\"?)([^\s\"&,;]+)"
)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
# Only these cues can start a match; most lines have none and skip the regexes entirely.
_CUES = ("eyJ", "earer", "@", "=", ":")

REDACTED = "[redacted]"

_FIXED = ("timestamp", "level", "logger", "event", "trace_id", "span_id", "request_id")


def redact(text: str) -> str:
    """`text` with tokens, secrets after a `key=` / `key:` and e-mail addresses masked."""
    if not any(cue in text for cue in _CUES):
        return text
    text = _JWT.sub(REDACTED, text)
    text = _BEARER.sub(rf"\1 {REDACTED}", text)
    text = _KEYED.sub(rf"\1\2{REDACTED}", text)
    return _EMAIL.sub("[email]", text)


def _timestamp(created: float) -> str:
    moment = datetime.fromtimestamp(created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    return redact(str(value))


def log_line(
    *,
    created: float,
    level: str,
    logger: str,
    event: str,
    trace_id: str | None = None,
    span_id: str | None = None,
    request_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
    exception: str | None = None,
) -> str:
    """One log record as a single JSON line (no newline inside: tracebacks are escaped).

    `created` is the record's Unix time; `extra` fields may not override the fixed ones."""
    record: dict[str, Any] = {
        "timestamp": _timestamp(created),
        "level": level.lower(),
        "logger": logger,
        "event": redact(event),
        "trace_id": trace_id,
        "span_id": span_id,
        "request_id": request_id,
    }
    for key, value in (extra or {}).items():
        if key not in _FIXED:
            record[key] = _clean(value)
    if exception is not None:
        record["exception"] = redact(exception)
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


# Attributes every stdlib LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRS = frozenset(
    {
        "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module",
        "exc_info", "exc_text", "stack_info", "lineno", "funcName", "created", "msecs",
        "relativeCreated", "thread", "threadName", "processName", "process", "taskName",
        "message", "asctime",
    }
)  # fmt: skip


class RecordLike(Protocol):
    """What `record_line` reads of a `logging.LogRecord` (core does not import logging)."""

    created: float
    levelname: str
    name: str

    def getMessage(self) -> str: ...  # the stdlib names it so


def record_line(
    record: RecordLike,
    *,
    trace_id: str | None = None,
    span_id: str | None = None,
    request_id: str | None = None,
    exception: str | None = None,
) -> str:
    """`log_line` for a stdlib log record: its `extra=` fields become extra JSON fields."""
    extra = {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRS}
    return log_line(
        created=record.created,
        level=record.levelname,
        logger=record.name,
        event=record.getMessage(),
        trace_id=trace_id,
        span_id=span_id,
        request_id=request_id,
        extra=extra,
        exception=exception,
    )


TraceIds = Callable[[], tuple[str | None, str | None]]

# The id of the request being served, set by an app's request middleware; every line
# logged while serving it carries it. Apps that serve no requests leave it unset.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "starstats_request_id", default=None
)


def _no_trace() -> tuple[str | None, str | None]:
    return None, None


class JsonLineFormatter:
    """A stdlib logging formatter (duck-typed: handlers only call `format`) that writes
    `record_line`s. `trace_ids` returns the active span's (trace id, span id): each app
    passes its OpenTelemetry lookup, so core itself needs no tracing library."""

    def __init__(self, trace_ids: TraceIds = _no_trace) -> None:
        self.trace_ids = trace_ids

    def format(self, record: RecordLike) -> str:
        trace_id, span_id = self.trace_ids()
        info = getattr(record, "exc_info", None)
        exception = "".join(traceback.format_exception(*info)) if info else None
        return record_line(
            record,
            trace_id=trace_id,
            span_id=span_id,
            request_id=request_id.get(),
            exception=exception,
        )


def logging_config(
    formatter: Callable[[], object], level: str = "INFO", quiet: Mapping[str, str] | None = None
) -> dict[str, object]:
    """A `logging.config.dictConfig` (also uvicorn's `log_config`) sending every logger to
    stdout as JSON lines made by `formatter()`. `quiet` sets the level of chatty loggers
    (name → level). Uvicorn's access logger is silenced: the apps log each request
    themselves with its route template, never the raw path and query string."""
    loggers: dict[str, dict[str, object]] = {
        "uvicorn": {"handlers": [], "propagate": True},
        "uvicorn.error": {"handlers": [], "propagate": True},
        "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
    }
    for name, quiet_level in (quiet or {}).items():
        loggers[name] = {"level": quiet_level}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": formatter}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"handlers": ["stdout"], "level": level.upper()},
        "loggers": loggers,
    }
