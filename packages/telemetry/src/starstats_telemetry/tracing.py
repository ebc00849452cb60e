"""One OpenTelemetry tracer provider per process, exporting over OTLP/HTTP when the standard
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set.

Installing a real provider matters even without an endpoint: the API's no-op default has no
trace ids, and the ids are what joins log lines, `traceparent` headers and spans. Installing
is a process-level act (a CLI command, a test harness), never an app factory's: many apps
can live in one process, one provider can.
"""

import os
import threading

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

_lock = threading.Lock()


def _exporting() -> bool:
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )


def install_tracing(
    service_name: str, version: str, exporter: SpanExporter | None = None
) -> TracerProvider:
    """The process's tracer provider, installed on the first call (`OTEL_SERVICE_NAME`
    overrides `service_name`); `exporter` (tests) is added to it on any call. A provider
    someone else installed first is used as it is."""
    with _lock:
        current = trace.get_tracer_provider()
        if isinstance(current, TracerProvider):
            provider = current
        else:
            resource = Resource.create(
                {
                    "service.name": os.environ.get("OTEL_SERVICE_NAME", service_name),
                    "service.version": version,
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


def current_ids() -> tuple[str | None, str | None]:
    """The active span's (trace id, span id) in W3C hex, or (None, None)."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None, None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def flush(timeout_millis: int = 5000) -> None:
    """Export what is buffered (before the process exits, or before a test reads spans)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(timeout_millis)
