"""One delivery: an outbox batch POSTed to `/v1/ingest` with a W3C `traceparent`, and the
answer sorted into what to do next (the `SyncError` classes). Owns the ingest request.
"""

import email.utils
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import ValidationError

from starstats_client.errors import (
    BatchTooLargeError,
    PairingLostError,
    PermanentSyncError,
    RetryableSyncError,
)
from starstats_client.outbox import Batch
from starstats_client.pairing import Pairing
from starstats_client.store import utc_now
from starstats_client.telemetry import tracer
from starstats_core.wire import IngestResponse

# 400s about the request as a whole, not about any event in it: splitting cannot help and
# quarantining would throw good events away, so they are retried (the player sees why).
_NOT_ABOUT_EVENTS = frozenset({"unsupported_schema_version", "missing_claimed_handle"})

Now = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Remote:
    """Where and as whom to send."""

    api_url: str
    handle: str
    token: str = field(default="", repr=False)  # never in logs or tracebacks

    @classmethod
    def of(cls, pairing: Pairing, token: str) -> "Remote":
        return cls(pairing.api_url, pairing.handle, token)


@dataclass(frozen=True, slots=True)
class TraceContext:
    """A W3C Trace Context for one request: the server's logs and traces carry its
    trace id, so a batch can be followed from the client into the server."""

    trace_id: str  # 32 hex digits, not all zero
    span_id: str  # 16 hex digits, not all zero

    @classmethod
    def new(cls) -> "TraceContext":
        trace, span = "0" * 32, "0" * 16
        while trace == "0" * 32:
            trace = secrets.token_hex(16)
        while span == "0" * 16:
            span = secrets.token_hex(8)
        return cls(trace, span)

    @classmethod
    def current(cls) -> "TraceContext":
        """The active span's ids (fresh random ones when no span is recording)."""
        context = trace.get_current_span().get_span_context()
        if not context.is_valid:
            return cls.new()
        return cls(format(context.trace_id, "032x"), format(context.span_id, "016x"))

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-01"  # version 00, sampled


def send_batch(
    http: httpx.Client, remote: Remote, batch: Batch, *, now: Now = utc_now
) -> IngestResponse:
    """POST `batch` in a client span whose `traceparent` the server continues; the server's
    answer, or the `SyncError` subclass that says what to do."""
    url = f"{remote.api_url}/v1/ingest"
    with tracer().start_as_current_span(
        "POST /v1/ingest",
        kind=SpanKind.CLIENT,
        attributes={
            "http.request.method": "POST",
            "url.full": url,
            "starstats.batch.events": len(batch.events),
        },
    ) as span:
        headers = {
            "Authorization": f"Bearer {remote.token}",
            "Content-Type": "application/json",
        }
        propagate.inject(headers)
        if "traceparent" not in headers:  # no provider recording: still send an id
            headers["traceparent"] = TraceContext.new().traceparent
        try:
            response = http.post(url, content=batch.body, headers=headers)
        except httpx.HTTPError as err:  # connect/read/write errors and timeouts alike
            span.set_status(Status(StatusCode.ERROR, type(err).__name__))
            raise RetryableSyncError(
                f"cannot reach {remote.api_url}: {err or type(err).__name__}",
                code="network",
                detail=str(err) or type(err).__name__,
            ) from err
        span.set_attribute("http.response.status_code", response.status_code)
        if response.status_code >= 400:
            span.set_status(Status(StatusCode.ERROR, f"HTTP {response.status_code}"))
        return read_response(response, batch, now=now)


def read_response(response: httpx.Response, batch: Batch, *, now: Now = utc_now) -> IngestResponse:
    """The `IngestResponse` of a 2xx for `batch`, else the matching `SyncError`."""
    status = response.status_code
    if 200 <= status < 300:
        try:
            result = IngestResponse.model_validate_json(response.content)
        except ValidationError:
            result = None
        if result is None or result.batch_id != batch.batch_id:
            # Not the answer of a StarStats API (a captive portal?): nothing proves the
            # events arrived, so they stay pending.
            raise RetryableSyncError(
                f"HTTP {status} without an ingest result for this batch",
                status=status,
                code="bad_response",
                detail=response.text[:200],
            )
        return result
    code, detail = _error_body(response)
    message = f"the server answered HTTP {status} {code}: {detail}"
    if status in (401, 403):
        raise PairingLostError(message, status=status, code=code, detail=detail)
    if status == 413:
        raise BatchTooLargeError(message, status=status, code=code, detail=detail)
    if status in (400, 422) and code not in _NOT_ABOUT_EVENTS:
        raise PermanentSyncError(message, status=status, code=code, detail=detail)
    # 408, 429, 5xx, and anything unexpected (404 from a wrong URL or a proxy...): the
    # events are fine, so they wait rather than being thrown away.
    retry_after = parse_retry_after(response.headers.get("Retry-After"), now())
    raise RetryableSyncError(
        message, status=status, code=code, detail=detail, retry_after=retry_after
    )


def _error_body(response: httpx.Response) -> tuple[str, str]:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("detail") or "")
    return f"http_{response.status_code}", (response.text[:200] or response.reason_phrase)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
