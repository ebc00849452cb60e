"""The mirror against a real S3 server with Object Lock (SeaweedFS), on both databases: rows
land under the right key with the right body and cannot be deleted or unlocked; the worker
catches up after the store is stopped and restarted; readiness reports the bucket; reconcile
restores missing objects; `verify --mirror` catches what the chain alone cannot."""

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from minio.commonconfig import COMPLIANCE, GOVERNANCE
from minio.error import S3Error
from minio.retention import Retention
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from starstats_server.app import create_app
from starstats_server.audit import store
from starstats_server.audit.bucket import S3AuditMirror
from starstats_server.audit.chain import mirror_body, mirror_key, new_row
from starstats_server.cli import app as cli
from starstats_server.clock import ManualClock
from starstats_server.db.tables import audit_head, audit_log
from starstats_server.settings import Settings

MakeUser = Callable[..., Any]
runner = CliRunner()


def _wait_until(predicate: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _cursor(audit_db: Any) -> int:
    async def _read(engine: AsyncEngine) -> int:
        async with engine.connect() as conn:
            return (await store.mirror_start(conn))[0]

    return int(audit_db.run(_read))


def _metric(client: TestClient, name: str) -> float:
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    raise AssertionError(f"no metric {name}")


def _cli(db_url: str, environment: dict[str, str], *args: str) -> Any:
    env = {"DATABASE_URL": db_url, **environment}
    return runner.invoke(cli, ["audit", *args], env=env)


def test_committed_rows_land_in_the_bucket_under_their_day_with_their_body(
    *,
    mirrored_client: TestClient,
    make_user: MakeUser,
    ingest_body: Callable[..., dict[str, Any]],
    audit_db: Any,
    audit_bucket: S3AuditMirror,
    raw_s3: Any,
) -> None:
    user = make_user("Pilot")
    for _ in range(3):
        assert mirrored_client.post(
            "/v1/ingest", json=ingest_body("Pilot"), headers=user.headers
        ).is_success
    _wait_until(lambda: _cursor(audit_db) == 3)
    for row in audit_db.rows():
        key = mirror_key(row.seq, row.occurred_at)
        assert key == f"audit/{row.occurred_at:%Y/%m/%d}/{row.seq}.json"
        assert audit_bucket.get(key) == mirror_body(row)
        info = raw_s3.stat_object(audit_bucket.bucket, key)
        assert info.content_type == "application/x-ndjson"
    assert _metric(mirrored_client, "starstats_audit_mirror_lag_rows") == 0
    assert mirrored_client.get("/readyz").json()["checks"]["minio"] == "ok"


def test_each_upload_is_a_client_span(audit_bucket: S3AuditMirror, spans: Any) -> None:
    from starstats_telemetry.tracing import flush

    key = f"audit/2026/05/02/span-{time.monotonic_ns()}.json"
    audit_bucket.put(key, b'{"seq":1}\n')
    flush()
    uploads = [
        s
        for s in spans.get_finished_spans()
        if s.name == "s3 PutObject" and s.attributes and s.attributes["aws.s3.key"] == key
    ]
    assert len(uploads) == 1
    assert uploads[0].attributes is not None
    assert uploads[0].attributes["aws.s3.key"] == key
    assert uploads[0].status.is_ok


def test_a_mirrored_object_cannot_be_deleted_or_its_retention_shortened(
    *,
    mirrored_client: TestClient,
    make_user: MakeUser,
    ingest_body: Callable[..., dict[str, Any]],
    audit_db: Any,
    audit_bucket: S3AuditMirror,
    raw_s3: Any,
) -> None:
    user = make_user("Pilot")
    mirrored_client.post("/v1/ingest", json=ingest_body("Pilot"), headers=user.headers)
    _wait_until(lambda: _cursor(audit_db) == 1)
    row = audit_db.rows()[0]
    bucket, key = audit_bucket.bucket, mirror_key(row.seq, row.occurred_at)
    version = raw_s3.stat_object(bucket, key).version_id
    retention = raw_s3.get_object_retention(bucket, key, version_id=version)
    assert retention.mode == COMPLIANCE
    assert retention.retain_until_date > datetime.now(UTC) + timedelta(hours=23)

    with pytest.raises(S3Error) as deleted:
        raw_s3.remove_object(bucket, key, version_id=version)
    assert deleted.value.code == "AccessDenied"
    sooner = Retention(COMPLIANCE, datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(S3Error):
        raw_s3.set_object_retention(bucket, key, sooner, version_id=version)
    weaker = Retention(GOVERNANCE, datetime.now(UTC) + timedelta(days=2))
    with pytest.raises(S3Error):
        raw_s3.set_object_retention(bucket, key, weaker, version_id=version)
    assert audit_bucket.get(key) == mirror_body(row)


def test_the_worker_catches_up_after_the_store_is_stopped_and_restarted(
    *,
    mirrored_client: TestClient,
    make_user: MakeUser,
    ingest_body: Callable[..., dict[str, Any]],
    audit_db: Any,
    audit_bucket: S3AuditMirror,
    seaweedfs: Any,
) -> None:
    user = make_user("Pilot")

    def post() -> float:
        began = time.monotonic()
        response = mirrored_client.post(
            "/v1/ingest", json=ingest_body("Pilot"), headers=user.headers
        )
        assert response.status_code == 200
        return time.monotonic() - began

    for _ in range(3):
        post()
    _wait_until(lambda: _cursor(audit_db) == 3)
    seaweedfs.stop()
    try:
        slowest = max(post() for _ in range(3))
        # The request path never waits on the store (a refused connection alone takes a
        # retry and 0.2 s of urllib3 backoff).
        assert slowest < 0.5
        ready = mirrored_client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["minio"] == "fail"
        _wait_until(
            lambda: _metric(mirrored_client, "starstats_audit_mirror_upload_failures_total") >= 2
        )
        assert _metric(mirrored_client, "starstats_audit_mirror_lag_rows") == 3
        assert _cursor(audit_db) == 3
    finally:
        seaweedfs.start()
    _wait_until(lambda: _cursor(audit_db) == 6)
    assert _metric(mirrored_client, "starstats_audit_mirror_lag_rows") == 0
    assert mirrored_client.get("/readyz").status_code == 200
    report = audit_db.verify(mirror=audit_bucket)
    assert report.ok
    assert report.rows == 6


def test_the_worker_carries_on_from_its_cursor_after_a_restart(
    *,
    s3_settings: Settings,
    audit_bucket: S3AuditMirror,
    make_user: MakeUser,
    ingest_body: Callable[..., dict[str, Any]],
    audit_db: Any,
    clock: ManualClock,
) -> None:
    """Rows committed while no server runs (here: by a server without the mirror) are
    uploaded by the next server that has it, after the ones it had already uploaded."""
    user = make_user("Pilot")
    first = create_app(s3_settings, clock=clock)
    with TestClient(first) as client:
        client.post("/v1/ingest", json=ingest_body("Pilot"), headers=user.headers)
        _wait_until(lambda: _cursor(audit_db) == 1)
    plain = create_app(s3_settings.model_copy(update={"audit_s3_endpoint": None}), clock=clock)
    with TestClient(plain) as client:
        for _ in range(2):
            client.post("/v1/ingest", json=ingest_body("Pilot"), headers=user.headers)
    assert _cursor(audit_db) == 1
    with TestClient(create_app(s3_settings, clock=clock)):
        _wait_until(lambda: _cursor(audit_db) == 3)
    assert audit_db.verify(mirror=audit_bucket).ok


@pytest.mark.parametrize(
    ("prepare", "problem"),
    [
        ("missing", "does not exist"),
        ("unlocked", "has no Object Lock"),
        ("short", "keeps objects 1 days"),
    ],
)
def test_readiness_fails_for_a_bucket_unfit_for_the_audit_log(
    *,
    s3_settings: Settings,
    raw_s3: Any,
    bucket_name: str,
    clock: ManualClock,
    prepare: str,
    problem: str,
) -> None:
    settings = s3_settings
    if prepare == "unlocked":
        raw_s3.make_bucket(bucket_name)
    if prepare == "short":
        mirror = S3AuditMirror.from_settings(settings)
        assert mirror is not None
        mirror.init_bucket(settings.audit_s3_region)  # 1 day
        settings = settings.model_copy(update={"audit_retention_days": 30})
    app: FastAPI = create_app(settings, clock=clock)
    assert problem in (app.state.starstats.mirror.mirror.problem() or "")
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "smtp": "skipped",
        "minio": "fail",
        "spicedb": "skipped",
    }


def test_reconcile_restores_missing_objects_and_verify_then_finds_them_all(
    *,
    client: TestClient,
    make_user: MakeUser,
    ingest_body: Callable[..., dict[str, Any]],
    db_url: str,
    s3_environment: dict[str, str],
    audit_bucket: S3AuditMirror,
    raw_s3: Any,
    audit_db: Any,
) -> None:
    user = make_user("Pilot")
    for _ in range(3):  # `client` has no mirror: nothing is uploaded
        client.post("/v1/ingest", json=ingest_body("Pilot"), headers=user.headers)
    rows = audit_db.rows()
    keys = [mirror_key(row.seq, row.occurred_at) for row in rows]

    missing = _cli(db_url, s3_environment, "verify", "--mirror")
    assert missing.exit_code == 1
    assert [f"missing seq {r.seq} {k}" for r, k in zip(rows, keys, strict=True)] == (
        missing.stdout.splitlines()[:3]
    )
    assert "mirror: 3 objects missing or differing" in missing.stdout

    restored = _cli(db_url, s3_environment, "reconcile")
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.splitlines() == [
        *(f"restored seq {r.seq} {k}" for r, k in zip(rows, keys, strict=True)),
        "reconciled 3 rows: 3 restored, 0 differing",
    ]
    assert [audit_bucket.get(k) for k in keys] == [mirror_body(r) for r in rows]

    # A plain DELETE only hides the locked version behind a delete marker: it reads as
    # missing, and reconcile puts the body back on top.
    raw_s3.remove_object(audit_bucket.bucket, keys[1])
    hidden = _cli(db_url, s3_environment, "verify", "--mirror")
    assert hidden.exit_code == 1
    assert f"missing seq 2 {keys[1]}" in hidden.stdout.splitlines()
    again = _cli(db_url, s3_environment, "reconcile")
    assert again.stdout.splitlines()[-1] == "reconciled 3 rows: 1 restored, 0 differing"
    intact = _cli(db_url, s3_environment, "verify", "--mirror")
    assert intact.exit_code == 0, intact.output
    assert intact.stdout.splitlines() == [
        "audit chain intact: seq 1..3",
        "mirror: every row's object is present and equal",
    ]


def _rewrite_from(audit_db: Any, seq: int, rows: list[Any]) -> None:
    """A forger with superuser rights: change row `seq` and re-hash every later row, head
    included, so the chain in the database is internally consistent again."""
    forged = []
    prev_seq, prev_hash = seq - 1, rows[seq - 2].row_hash
    for row in rows[seq - 1 :]:
        payload = {"n": 999} if row.seq == seq else {"n": row.seq - 1}
        new = new_row(
            prev_seq,
            prev_hash,
            occurred_at=row.occurred_at,
            actor_sub=row.actor_sub,
            actor_handle=row.actor_handle,
            action=row.action,
            payload=payload,
        )
        forged.append(new)
        prev_seq, prev_hash = new.seq, new.row_hash
    values = [{**f._asdict(), "payload": f.payload_json} for f in forged]
    for value in values:
        del value["payload_json"]
    audit_db.tamper(
        sa.delete(audit_log).where(audit_log.c.seq >= seq),
        sa.insert(audit_log).values(values),
        sa.update(audit_head).values(last_seq=prev_seq, last_hash=prev_hash),
    )


def test_a_chain_rewritten_to_be_consistent_is_caught_by_the_mirror(
    *,
    mirrored_client: TestClient,
    audit_db: Any,
    db_url: str,
    s3_environment: dict[str, str],
) -> None:
    rows = audit_db.fill(5)
    _wait_until(lambda: _cursor(audit_db) == 5)
    _rewrite_from(audit_db, 3, rows)
    chain_only = _cli(db_url, s3_environment, "verify")
    assert chain_only.exit_code == 0
    with_mirror = _cli(db_url, s3_environment, "verify", "--mirror")
    assert with_mirror.exit_code == 1
    assert [line.split(" ", 2)[:2] for line in with_mirror.stdout.splitlines()[:3]] == [
        ["differs", "seq"],
        ["differs", "seq"],
        ["differs", "seq"],
    ]
    assert [line.split()[2] for line in with_mirror.stdout.splitlines()[:3]] == ["3", "4", "5"]
    # Reconcile never overwrites: the locked objects are evidence.
    reconciled = _cli(db_url, s3_environment, "reconcile")
    assert reconciled.exit_code == 1
    assert reconciled.stdout.splitlines()[-1] == "reconciled 5 rows: 0 restored, 3 differing"


def test_rows_cut_off_the_end_with_the_head_moved_back_are_caught_by_the_mirror(
    *,
    mirrored_client: TestClient,
    audit_db: Any,
    db_url: str,
    s3_environment: dict[str, str],
) -> None:
    rows = audit_db.fill(4)
    _wait_until(lambda: _cursor(audit_db) == 4)
    audit_db.tamper(
        sa.delete(audit_log).where(audit_log.c.seq > 2),
        sa.update(audit_head).values(last_seq=2, last_hash=rows[1].row_hash),
    )
    assert _cli(db_url, s3_environment, "verify").exit_code == 0
    result = _cli(db_url, s3_environment, "verify", "--mirror")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"extra seq 3 {mirror_key(3, rows[2].occurred_at)}",
        f"extra seq 4 {mirror_key(4, rows[3].occurred_at)}",
    ]


def test_init_bucket_creates_a_locked_bucket_once_and_then_only_checks_it(
    s3_environment: dict[str, str], bucket_name: str, plain_s3: Any
) -> None:
    first = runner.invoke(cli, ["audit", "init-bucket"], env=s3_environment)
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        f"created bucket {bucket_name} with Object Lock",
        "default retention set to COMPLIANCE 1 days (was none)",
        f"bucket {bucket_name} ready: Object Lock, COMPLIANCE retention of at least 1 days",
    ]
    config = plain_s3.get_object_lock_config(bucket_name)
    assert (config.mode, config.duration, config.duration_unit) == (COMPLIANCE, 1, "Days")
    second = runner.invoke(cli, ["audit", "init-bucket"], env=s3_environment)
    assert second.exit_code == 0
    assert second.stdout.splitlines() == first.stdout.splitlines()[-1:]


def test_init_bucket_refuses_a_bucket_made_without_object_lock(
    s3_environment: dict[str, str], bucket_name: str, plain_s3: Any
) -> None:
    plain_s3.make_bucket(bucket_name)
    result = runner.invoke(cli, ["audit", "init-bucket"], env=s3_environment)
    assert result.exit_code == 2
    assert "exists without Object Lock" in result.stderr


def test_mirror_commands_need_an_object_store() -> None:
    env: dict[str, str | None] = {"STARSTATS_AUDIT_S3_ENDPOINT": None}
    for args in (["verify", "--mirror"], ["reconcile"], ["init-bucket"]):
        result = runner.invoke(cli, ["audit", *args], env=env)
        assert result.exit_code == 2
        assert result.stderr.strip() == (
            "error: no object store configured: set STARSTATS_AUDIT_S3_ENDPOINT"
        )
