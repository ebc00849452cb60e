"""Prometheus metrics, one registry per app (tests build many apps in one process).

Labels are bounded enums only: never a user, handle, device or session.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Histogram

from starstats_server.errors import ServiceError, TooManyRequests


class AuthAction(StrEnum):
    SIGNUP = "signup"
    LOGIN = "login"
    REDEEM = "redeem"


class AuthOutcome(StrEnum):
    OK = "ok"
    REJECTED = "rejected"
    RATE_LIMITED = "rate_limited"


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
