"""Readiness: can we reach each dependency the server is configured to use."""

from typing import Literal

import anyio.to_thread
import sqlalchemy as sa

from starstats_server.state import AppState

Check = Literal["ok", "fail", "skipped"]


async def database_check(state: AppState) -> Check:
    try:
        async with state.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        return "fail"
    return "ok"


async def audit_bucket_check(state: AppState) -> Check:
    """The audit mirror's bucket exists with Object Lock and a long enough default
    COMPLIANCE retention (named `minio` as upstream; any S3 store will do)."""
    if state.mirror is None:
        return "skipped"
    problem = await anyio.to_thread.run_sync(state.mirror.mirror.problem)
    return "ok" if problem is None else "fail"


async def spicedb_check(state: AppState) -> Check:
    """SpiceDB answers with our key (named as upstream; unconfigured is degraded mode)."""
    if state.authz is None:
        return "skipped"
    return "ok" if await state.authz.ready() else "fail"


async def readiness_checks(state: AppState) -> dict[str, Check]:
    """`ok`/`fail` per configured dependency; `skipped` when one is not configured."""
    smtp = await state.mailer.ready()
    checks: dict[str, Check] = {
        "database": await database_check(state),
        "smtp": "skipped" if smtp is None else "ok" if smtp else "fail",
        "minio": await audit_bucket_check(state),
        "spicedb": await spicedb_check(state),
    }
    # The readiness alert reads these gauges. A skipped check is left out: configuration does
    # not change while the process runs, so it never had a value.
    for name, result in checks.items():
        if result != "skipped":
            state.metrics.ready.labels(name).set(1 if result == "ok" else 0)
    return checks
