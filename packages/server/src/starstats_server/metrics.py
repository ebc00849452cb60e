"""Prometheus metrics, one registry per app (tests build many apps in one process).

Labels are bounded enums only: never a user, handle, device or session.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from starstats_server.errors import ServiceError, TooManyRequests
from starstats_server.version import __version__

# Request and statement latencies: from a cached read (~1 ms) to a slow batch (10 s).
_LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0
)  # fmt: skip


class AuthAction(StrEnum):
    SIGNUP = "signup"
    LOGIN = "login"
    REDEEM = "redeem"


class AuthOutcome(StrEnum):
    OK = "ok"
    REJECTED = "rejected"
    RATE_LIMITED = "rate_limited"


class BatchRejection(StrEnum):
    """`starstats_ingest_batches_rejected{reason}`: why a whole batch was refused."""

    MALFORMED_JSON = "malformed_json"
    INVALID_BODY = "invalid_body"
    TOO_MANY_EVENTS = "too_many_events"
    TOO_LARGE = "too_large"
    BAD_SCHEMA = "bad_schema"
    EMPTY_HANDLE = "empty_handle"
    HANDLE_MISMATCH = "handle_mismatch"


class AuthzMode(StrEnum):
    """Advisory checks are counted and logged but never block; enforced ones decide."""

    ADVISORY = "advisory"
    ENFORCED = "enforced"


class AuthzResult(StrEnum):
    ALLOW = "allow"
    DENY = "deny"
    ERROR = "error"


class EventRejection(StrEnum):
    """`starstats_events_rejected{reason}`: why one envelope was quarantined."""

    VALIDATION = "validation"


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.events_ingested = Counter(
            "starstats_events_ingested", "Events newly stored by ingest", registry=r
        )
        self.events_duplicate = Counter(
            "starstats_events_duplicate", "Events already stored (idempotent replays)", registry=r
        )
        self.events_rejected = Counter(
            "starstats_events_rejected",
            "Events quarantined instead of stored",
            ["reason"],
            registry=r,
        )
        self.batches_rejected = Counter(
            "starstats_ingest_batches_rejected",
            "Ingest batches refused as a whole",
            ["reason"],
            registry=r,
        )
        self.batch_duration = Histogram(
            "starstats_ingest_batch_duration_seconds",
            "Time to process one accepted ingest batch",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=r,
        )
        self.auth_attempts = Counter(
            "starstats_auth_attempts",
            "Sign-up, login and pairing attempts by outcome",
            ["action", "outcome"],
            registry=r,
        )
        # -- audit log and its object-store mirror (action is the closed AuditAction set) -----
        self.audit_appends = Counter(
            "starstats_audit_appends", "Audit rows committed, by action", ["action"], registry=r
        )
        self.audit_mirror_lag_rows = Gauge(
            "starstats_audit_mirror_lag_rows",
            "Audit rows committed but not yet in the object store",
            registry=r,
        )
        self.audit_mirror_lag_seconds = Gauge(
            "starstats_audit_mirror_lag_seconds",
            "Age of the oldest audit row not yet in the object store (0 when caught up)",
            registry=r,
        )
        self.audit_mirror_upload_failures = Counter(
            "starstats_audit_mirror_upload_failures",
            "Uploads of audit rows that the object store refused or did not answer",
            registry=r,
        )
        self.audit_verify = Counter(
            "starstats_audit_verify",
            "Hash-link checks of audit rows by the mirror worker before upload (ok or broken)",
            ["result"],
            registry=r,
        )
        # Every known label value starts at 0, so a rule on a rate of rejections or broken
        # links has a series to read before the first one happens (absent ≠ zero in PromQL).
        for reason in BatchRejection:
            self.batches_rejected.labels(reason=reason.value)
        for rejection in EventRejection:
            self.events_rejected.labels(reason=rejection.value)
        for result in ("ok", "broken"):
            self.audit_verify.labels(result)

        # -- HTTP (OpenTelemetry's semantic names; route is the template) ------------------
        self.http_duration = Histogram(
            "http_server_request_duration_seconds",
            "Duration of HTTP requests by method, route template and status",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.http_active = Gauge(
            "http_server_active_requests", "HTTP requests in flight", ["method"], registry=r
        )
        # -- database ----------------------------------------------------------------------
        self.db_duration = Histogram(
            "db_client_operation_duration_seconds",
            "Duration of database statements by operation (SELECT, INSERT, COPY...)",
            ["operation"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.db_pool_in_use = Gauge(
            "starstats_db_pool_in_use", "Database connections checked out", registry=r
        )
        self.db_pool_size = Gauge(
            "starstats_db_pool_size", "Database connections the pool holds open", registry=r
        )
        # -- authorization (SpiceDB checks) ------------------------------------------------
        self.authz_checks = Counter(
            "starstats_authz_checks",
            "SpiceDB permission checks by result and mode (advisory or enforced)",
            ["result", "mode"],
            registry=r,
        )
        self.authz_duration = Histogram(
            "starstats_authz_check_duration_seconds",
            "Duration of SpiceDB permission checks, errors included",
            ["mode"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        for mode in AuthzMode:
            self.authz_duration.labels(mode.value)
            for result in AuthzResult:
                self.authz_checks.labels(result.value, mode.value)
        # -- readiness and build ------------------------------------------------------------
        self.ready = Gauge(
            "starstats_ready",
            "Last /readyz result per dependency: 1 ok, 0 failing (skipped ones are absent)",
            ["check"],
            registry=r,
        )
        self.build_info = Gauge(
            "starstats_build_info", "The running build (value is always 1)", ["version"], registry=r
        )
        self.build_info.labels(__version__).set(1)

    def observe_statement(self, operation: str, seconds: float) -> None:
        self.db_duration.labels(operation).observe(seconds)

    def record_auth(self, action: AuthAction, outcome: AuthOutcome) -> None:
        self.auth_attempts.labels(action.value, outcome.value).inc()

    @contextmanager
    def auth_attempt(self, action: AuthAction) -> Iterator[None]:
        """Count the enclosed attempt: ok when it finishes, rejected or rate_limited when it
        raises that `ServiceError` (anything else is a server fault, not an outcome)."""
        try:
            yield
        except TooManyRequests:
            self.record_auth(action, AuthOutcome.RATE_LIMITED)
            raise
        except ServiceError:
            self.record_auth(action, AuthOutcome.REJECTED)
            raise
        self.record_auth(action, AuthOutcome.OK)
