"""Prometheus metrics, one registry per app (tests build many apps in one process).

Labels are bounded enums only: never a user, handle, device or session.
"""

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram


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
