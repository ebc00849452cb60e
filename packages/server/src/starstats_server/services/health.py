"""Readiness: can we reach each dependency the server is configured to use."""

from typing import Literal

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


async def readiness_checks(state: AppState) -> dict[str, Check]:
    """`ok`/`fail` per configured dependency; `skipped` when one is not configured."""
    smtp = await state.mailer.ready()
    return {
        "database": await database_check(state),
        "smtp": "skipped" if smtp is None else "ok" if smtp else "fail",
    }
