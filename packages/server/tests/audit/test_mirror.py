"""The mirror: one contract suite for the `AuditMirror` port, run against the in-memory twin
and against SeaweedFS; and the worker (with the twin, on both databases) uploading in order,
keeping its cursor, re-checking links, backing off and catching up."""

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine

from starstats_server.audit import store
from starstats_server.audit.actions import AuditAction
from starstats_server.audit.bucket import S3AuditMirror
from starstats_server.audit.chain import mirror_body, mirror_key
from starstats_server.audit.mirror import AuditMirror, MemoryAuditMirror, MirrorWorker
from starstats_server.clock import ManualClock
from starstats_server.errors import MirrorUnavailable
from starstats_server.metrics import Metrics
from starstats_server.settings import Settings


# -- the port's contract ---------------------------------------------------------------------
@pytest.fixture(params=["memory", "s3"])
def contract_mirror(request: pytest.FixtureRequest, bucket_name: str) -> Iterator[Any]:
    if request.param == "memory":
        yield MemoryAuditMirror()
        return
    seaweedfs = request.getfixturevalue("seaweedfs")
    settings = Settings(
        audit_s3_endpoint=seaweedfs.endpoint,
        audit_s3_access_key=seaweedfs.access_key,
        audit_s3_secret_key=seaweedfs.secret_key,
        audit_bucket=bucket_name,
        audit_retention_days=1,
    )
    mirror = S3AuditMirror.from_settings(settings)
    assert mirror is not None
    mirror.init_bucket(settings.audit_s3_region)
    yield mirror
    seaweedfs.start()  # an outage test may have stopped it


def _outage(mirror: Any, request: pytest.FixtureRequest) -> Callable[[bool], None]:
    """A switch that takes the store down and brings it back."""
    if isinstance(mirror, MemoryAuditMirror):

        def memory(down: bool) -> None:
            mirror.available = not down

        return memory
    seaweedfs = request.getfixturevalue("seaweedfs")

    def s3(down: bool) -> None:
        if down:
            seaweedfs.stop()
        else:
            seaweedfs.start()

    return s3


def test_a_stored_object_reads_back_and_a_missing_one_is_none(contract_mirror: Any) -> None:
    mirror: AuditMirror = contract_mirror
    mirror.put("audit/2026/05/04/1.json", b'{"seq":1}\n')
    assert mirror.get("audit/2026/05/04/1.json") == b'{"seq":1}\n'
    assert mirror.get("audit/2026/05/04/2.json") is None


def test_storing_a_key_again_keeps_the_newest_body_current(contract_mirror: Any) -> None:
    mirror: AuditMirror = contract_mirror
    mirror.put("audit/2026/05/04/1.json", b"first\n")
    mirror.put("audit/2026/05/04/1.json", b"second\n")
    assert mirror.get("audit/2026/05/04/1.json") == b"second\n"


def test_keys_after_lists_later_keys_in_key_order(contract_mirror: Any) -> None:
    mirror: AuditMirror = contract_mirror
    for key in ("audit/2026/05/05/3.json", "audit/2026/05/04/1.json", "audit/2026/05/04/2.json"):
        mirror.put(key, b"x\n")
    assert list(mirror.keys_after("audit/2026/05/04/1.json")) == [
        "audit/2026/05/04/2.json",
        "audit/2026/05/05/3.json",
    ]
    assert len(list(mirror.keys_after(""))) == 3


def test_a_ready_store_reports_no_problem_and_a_down_one_raises_and_reports(
    contract_mirror: Any, request: pytest.FixtureRequest
) -> None:
    mirror: AuditMirror = contract_mirror
    switch = _outage(mirror, request)
    assert mirror.problem() is None
    switch(True)
    try:
        with pytest.raises(MirrorUnavailable):
            mirror.put("audit/2026/05/04/9.json", b"x\n")
        with pytest.raises(MirrorUnavailable):
            mirror.get("audit/2026/05/04/9.json")
        assert mirror.problem() is not None
    finally:
        switch(False)
    mirror.put("audit/2026/05/04/9.json", b"x\n")
    assert mirror.problem() is None


# -- the worker ------------------------------------------------------------------------------
class FlakyMirror(MemoryAuditMirror):
    """The twin, failing every upload after the first `good` ones."""

    def __init__(self, good: int) -> None:
        super().__init__()
        self.good = good

    def put(self, key: str, body: bytes) -> None:
        if self.good <= 0:
            raise MirrorUnavailable("flaky store gave up")
        self.good -= 1
        super().put(key, body)


def _value(metrics: Metrics, name: str, **labels: str) -> float:
    registry: CollectorRegistry = metrics.registry
    found = registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


async def _eventually(predicate: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


def _worker(engine: AsyncEngine, mirror: AuditMirror, clock: ManualClock) -> MirrorWorker:
    return MirrorWorker(
        engine,
        mirror,
        Metrics(),
        clock,
        chunk=4,
        first_backoff=0.05,
        max_backoff=0.2,
        gather_seconds=0.05,
    )


def test_the_worker_uploads_every_row_in_order_and_moves_its_cursor(
    audit_db: Any, clock: ManualClock
) -> None:
    rows = audit_db.fill(10)
    mirror = MemoryAuditMirror()

    async def _go(engine: AsyncEngine) -> tuple[int, int, MirrorWorker]:
        worker = _worker(engine, mirror, clock)
        uploaded = await worker.drain()
        async with engine.connect() as conn:
            return uploaded, (await store.mirror_start(conn))[0], worker

    uploaded, cursor, worker = audit_db.run(_go)
    assert (uploaded, cursor) == (10, 10)
    assert list(mirror.versions) == [mirror_key(r.seq, r.occurred_at) for r in rows]
    assert [v[0] for v in mirror.versions.values()] == [mirror_body(r) for r in rows]
    assert _value(worker.metrics, "starstats_audit_verify_total", result="ok") == 10
    assert _value(worker.metrics, "starstats_audit_mirror_lag_rows") == 0
    assert _value(worker.metrics, "starstats_audit_mirror_lag_seconds") == 0
    # Nothing new: a second pass uploads nothing and stores nothing twice.
    assert audit_db.run(lambda engine: _worker(engine, mirror, clock).drain()) == 0
    assert all(len(v) == 1 for v in mirror.versions.values())


def test_a_failed_upload_keeps_the_progress_made_and_the_rest_waits(
    audit_db: Any, clock: ManualClock
) -> None:
    audit_db.fill(6, start=clock.now() - timedelta(minutes=5))
    mirror = FlakyMirror(good=3)

    async def _go(engine: AsyncEngine) -> tuple[int, Metrics]:
        worker = _worker(engine, mirror, clock)
        with pytest.raises(MirrorUnavailable):
            await worker.drain()
        async with engine.connect() as conn:
            return (await store.mirror_start(conn))[0], worker.metrics

    cursor, metrics = audit_db.run(_go)
    assert cursor == 3
    assert _value(metrics, "starstats_audit_mirror_upload_failures_total") == 1
    assert _value(metrics, "starstats_audit_mirror_lag_rows") == 3
    # The oldest row still waiting (the 4th) was written 5 minutes minus 3 seconds ago.
    assert _value(metrics, "starstats_audit_mirror_lag_seconds") == 297
    mirror.good = 100
    assert audit_db.run(lambda engine: _worker(engine, mirror, clock).drain()) == 3
    assert len(mirror.versions) == 6


def test_the_running_worker_backs_off_while_the_store_is_down_and_then_catches_up(
    audit_db: Any, clock: ManualClock
) -> None:
    audit_db.fill(3)
    mirror = MemoryAuditMirror()
    mirror.available = False

    async def _go(engine: AsyncEngine) -> tuple[float, int]:
        worker = _worker(engine, mirror, clock)
        worker.start()
        try:
            failures = "starstats_audit_mirror_upload_failures_total"
            await _eventually(lambda: _value(worker.metrics, failures) >= 3)
            failed = _value(worker.metrics, failures)
            mirror.available = True
            await _eventually(lambda: len(mirror.versions) == 3)
        finally:
            await worker.stop()
        return failed, len(mirror.versions)

    failures, stored = audit_db.run(_go)
    assert failures >= 3
    assert stored == 3


def test_a_woken_worker_uploads_a_new_row_without_waiting_for_its_poll(
    audit_db: Any, clock: ManualClock
) -> None:
    mirror = MemoryAuditMirror()

    async def append() -> None:
        async with engine_box[0].begin() as conn:
            await store.append(conn, AuditAction.USER_LOGGED_IN, {}, None, clock.now())

    engine_box: list[AsyncEngine] = []

    async def _go(engine: AsyncEngine) -> int:
        engine_box.append(engine)
        await append()
        worker = _worker(engine, mirror, clock)
        worker.poll_seconds = 60
        worker.start()
        try:
            await _eventually(lambda: len(mirror.versions) == 1)  # its first pass is done
            await append()
            worker.wake()  # without it, the next look would be a minute away
            await _eventually(lambda: len(mirror.versions) == 2)
        finally:
            await worker.stop()
        return len(mirror.versions)

    assert audit_db.run(_go) == 2


def test_the_worker_counts_a_broken_link_and_still_mirrors_the_row(
    audit_db: Any, clock: ManualClock
) -> None:
    audit_db.fill(4)
    audit_db.payload_replace(2, '"n":1', '"n":7')
    mirror = MemoryAuditMirror()

    async def _go(engine: AsyncEngine) -> Metrics:
        worker = _worker(engine, mirror, clock)
        await worker.drain()
        return worker.metrics

    metrics = audit_db.run(_go)
    assert _value(metrics, "starstats_audit_verify_total", result="broken") == 1
    assert _value(metrics, "starstats_audit_verify_total", result="ok") == 3
    stored = json.loads(mirror.versions[mirror_key(2, audit_db.rows()[1].occurred_at)][0])
    assert stored["payload"] == {"n": 7}
