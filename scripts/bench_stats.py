"""Benchmark the dashboard's API reads for one player with 1,000,000 events on PostgreSQL.

Starts a throwaway PostgreSQL (`scripts/pg.sh`, unless `--database-url` is given), migrates
it and creates one user (bench_ingest's helpers). The history: 120 synthesized launches of
both eras (core's synth, parsed by `LogParser`, each envelope checked by the server's own
`check_envelope`) laid out again and again with shifted timestamps, five launches a day for
the year up to now, until `--events` events; one binary COPY into `events`, then the rollups
are rebuilt from them with `db.rollups.rebuild` (what migration 0004 runs; ingest keeps them
with the same counting code) and the tables are analysed.

Then the real server runs under uvicorn and, over HTTP, each call the dashboard makes is
timed `--calls` times after a warm-up, one at a time, and then the dashboard's whole set at
once, as the web app's render issues it (`asyncio.gather`). Printed: p50 / p95 / max per
call. Target: p95 <= 40 ms per call, <= 200 ms for the set.

Usage: uv run python scripts/bench_stats.py [--events 1000000] [--calls 60] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bench_ingest  # the server start/stop and user helpers (same folder)
from benchlib import throwaway_postgres

REPO = Path(__file__).resolve().parents[1]
HANDLE = "BenchPilot"
TEMPLATES = 120
LAUNCHES_PER_DAY = 5
TARGET_CALL_P95_MS = 40.0
TARGET_SET_P95_MS = 200.0


# -- the history ---------------------------------------------------------------------------
def _templates(count: int) -> list[list[Any]]:
    """`count` launches as checked rows (`Valid`), each starting at the epoch + 0."""
    from starstats_core.parser import LogParser
    from starstats_core.synth import Era, synthesize_session
    from starstats_core.wire import EventEnvelope, LogSource, file_signature, to_envelope
    from starstats_server.services.envelopes import Valid, check_envelope

    start = datetime(2025, 1, 1, tzinfo=UTC)
    launches = []
    for seed in range(count):
        era = Era.MODERN_4_7 if seed % 3 else Era.LEGACY_4_1  # most players are on 4.x now
        data = "".join(
            synthesize_session(seed=seed, era=era, start=start, handle=HANDLE, target_lines=5000)
        ).encode()
        parser = LogParser()
        signature = file_signature(data)
        rows = []
        for parsed in parser.feed(data) + parser.finish():
            envelope = to_envelope(parsed, LogSource.LIVE, signature, HANDLE)
            checked = check_envelope(EventEnvelope.model_validate(envelope.model_dump()), HANDLE)
            assert isinstance(checked, Valid), checked
            rows.append(checked)
        launches.append(rows)
    return launches


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _history(total: int, now: datetime) -> list[Any]:
    """`total` event rows: template launches placed five a day, newest day = today."""
    from starstats_server.db.bulk import EventRow

    templates = _templates(TEMPLATES)
    origin = datetime(2025, 1, 1, tzinfo=UTC)
    per_launch = statistics.mean(len(t) for t in templates)
    launches = int(total / per_launch) + 1
    days = launches // LAUNCHES_PER_DAY + 1
    first_day = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(1)  # noqa: S311 - reproducible test data, not security
    rows: list[Any] = []
    received = now
    for n in range(launches):
        day, slot = divmod(n, LAUNCHES_PER_DAY)
        start = first_day + timedelta(days=day, hours=1 + 4.5 * slot, minutes=rng.randint(0, 60))
        shift = start - origin
        for valid in templates[n % TEMPLATES]:
            if len(rows) == total:
                return rows
            at = valid.event_timestamp + shift if valid.event_timestamp else None
            payload = valid.payload
            if at is not None:
                old = f'"timestamp":"{_stamp(valid.event_timestamp)}"'
                payload = payload.replace(old, f'"timestamp":"{_stamp(at)}"', 1)
            seq = len(rows) + 1
            rows.append(
                EventRow(
                    handle=HANDLE.lower(),
                    seq=seq,
                    claimed_handle=HANDLE,
                    idempotency_key=f"bench-{seq}",
                    event_type=valid.event_type,
                    event_timestamp=at,
                    log_source=valid.log_source,
                    source_offset=valid.source_offset,
                    raw_line=valid.raw_line,
                    payload=payload,
                    metadata=valid.metadata,
                    batch_id=f"bench-{seq // 1000}",
                    device_id=None,
                    received_at=received,
                )
            )
    return rows


async def _fill(url: str, rows: list[Any]) -> dict[str, float]:
    """COPY the rows, set the handle's sequence, rebuild the rollups, analyse."""
    import asyncpg  # type: ignore[import-untyped]  # no stubs; three calls

    from starstats_server.db import rollups
    from starstats_server.db.bulk import EventRow
    from starstats_server.db.engine import create_engine

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        began = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table("events", records=rows, columns=EventRow._fields)
            await conn.execute(
                "INSERT INTO event_sequences (handle, last_seq) VALUES ($1, $2)",
                HANDLE.lower(),
                len(rows),
            )
        copied = time.perf_counter() - began
    finally:
        await conn.close()
    engine = create_engine(url)
    try:
        began = time.perf_counter()
        async with engine.begin() as sa_conn:
            await sa_conn.run_sync(rollups.rebuild)
        rebuilt = time.perf_counter() - began
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("VACUUM ANALYZE")
        sizes = await conn.fetch(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables "
            "WHERE relname IN ('events', 'event_day_counts', 'event_type_counts', "
            "'event_distinct_values', 'handle_totals') ORDER BY relname"
        )
    finally:
        await conn.close()
    return {
        "copy_s": copied,
        "rebuild_s": rebuilt,
        **{r["relname"]: r["n_live_tup"] for r in sizes},
    }


# -- the calls -------------------------------------------------------------------------------
def _calls(now: datetime) -> dict[str, tuple[str, dict[str, Any]]]:
    """Name -> (path, params) of every read the dashboard makes (pages/dashboard.py), with
    each chart range and the activity stream's filters."""
    day = (now - timedelta(days=200)).date()
    calls: dict[str, tuple[str, dict[str, Any]]] = {
        "auth/me": ("/v1/auth/me", {}),
        "stats": ("/v1/me/stats", {}),
        "summary": ("/v1/me/summary", {}),
    }
    for days in (7, 30, 90, 365):
        calls[f"timeline/types {days}d"] = ("/v1/me/timeline/types", {"days": days, "top": 6})
    calls["timeline 365d"] = ("/v1/me/timeline", {"days": 365})
    calls["sessions 8"] = ("/v1/me/sessions", {"limit": 8})
    calls["events 25"] = ("/v1/me/events", {"limit": 25})
    calls["events 25 by type"] = (
        "/v1/me/events",
        {"limit": 25, "event_type": "quantum_target_selected"},
    )
    calls["events 25 one day, 200 d ago"] = (
        "/v1/me/events",
        {
            "limit": 25,
            "since": f"{day.isoformat()}T00:00:00Z",
            "until": f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z",
        },
    )
    return calls


_DASHBOARD_SET = ("auth/me", "stats", "summary", "timeline/types 30d", "sessions 8", "events 25")


def _figures(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "max_ms": 1000 * ordered[-1],
    }


async def _measure(base_url: str, token: str, now: datetime, calls: int) -> dict[str, Any]:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    plan = _calls(now)
    limits = httpx.Limits(max_connections=len(_DASHBOARD_SET))
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits) as http:

        async def get(name: str) -> float:
            path, params = plan[name]
            began = time.perf_counter()
            response = await http.get(path, params=params)
            elapsed = time.perf_counter() - began
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {response.status_code} {response.text[:200]}")
            return elapsed

        async def timed(job: Callable[[], Awaitable[Any]]) -> list[float]:
            for _ in range(5):
                await job()  # warm-up: connections, prepared statements, caches
            samples = []
            for _ in range(calls):
                began = time.perf_counter()
                await job()
                samples.append(time.perf_counter() - began)
            return samples

        results: dict[str, Any] = {}
        for name in plan:
            results[name] = _figures(await timed(lambda name=name: get(name)))
        dashboard = await timed(lambda: asyncio.gather(*(get(n) for n in _DASHBOARD_SET)))
        results["dashboard set (concurrent)"] = _figures(dashboard)
        stats = (await http.get("/v1/me/stats")).json()
    return {"calls": results, "stats": stats}


# -- report ------------------------------------------------------------------------------------
def _table(report: dict[str, Any]) -> str:
    fill = report["fill"]
    lines = [
        f"Dashboard reads: {report['events']:,} events for one player, PostgreSQL, real HTTP on "
        f"loopback, one uvicorn worker, {report['calls_per_endpoint']} calls each",
        f"  fill: COPY {fill['copy_s']:.1f} s, rollup rebuild {fill['rebuild_s']:.1f} s; rows: "
        + ", ".join(f"{k} {v:,}" for k, v in fill.items() if not k.endswith("_s")),
        f"  {'call':<32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}",
    ]
    for name, figures in report["results"]["calls"].items():
        lines.append(
            f"  {name:<32} {figures['p50_ms']:>8.1f} {figures['p95_ms']:>8.1f} "
            f"{figures['max_ms']:>8.1f}"
        )
    stats = report["results"]["stats"]
    lines.append(
        "  the player: " + ", ".join(f"{k} {v}" for k, v in stats.items() if not k.endswith("_at"))
    )
    verdict = "MET" if report["target_met"] else "NOT MET"
    lines.append(
        f"TARGET p95 <= {TARGET_CALL_P95_MS:.0f} ms per call and <= {TARGET_SET_P95_MS:.0f} ms "
        f"for the set: {verdict}"
    )
    return "\n".join(lines)


def _run(opts: argparse.Namespace, url: str, tmp: Path) -> dict[str, Any]:
    quiet = opts.json
    key_file = tmp / "jwt-key.pem"
    bench_ingest._log("migrating and creating the user ...", quiet=quiet)
    (token,) = asyncio.run(bench_ingest._create_users(url, [HANDLE], key_file))
    now = datetime.now(UTC)
    bench_ingest._log(f"building {opts.events:,} events ...", quiet=quiet)
    rows = _history(opts.events, now)
    bench_ingest._log("COPY and rollup rebuild ...", quiet=quiet)
    fill = asyncio.run(_fill(url, rows))
    del rows
    bench_ingest._log("starting the server ...", quiet=quiet)
    server = bench_ingest._start_server(url, tmp / "data", key_file, 1, None)
    try:
        results = asyncio.run(_measure(server.base_url, token, now, opts.calls))
    finally:
        bench_ingest._stop_server(server)
    calls = results["calls"]
    set_p95 = calls["dashboard set (concurrent)"]["p95_ms"]
    each_p95 = max(f["p95_ms"] for n, f in calls.items() if n != "dashboard set (concurrent)")
    return {
        "events": opts.events,
        "calls_per_endpoint": opts.calls,
        "fill": fill,
        "results": results,
        "target_met": each_p95 <= TARGET_CALL_P95_MS and set_p95 <= TARGET_SET_P95_MS,
    }


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--database-url", help="use this PostgreSQL database (else a throwaway)")
    args.add_argument("--events", type=int, default=1_000_000, help="events for the player")
    args.add_argument("--calls", type=int, default=60, help="timed calls per endpoint (>= 50)")
    args.add_argument("--json", action="store_true", help="print figures as JSON only")
    args.add_argument("--check", action="store_true", help="exit 1 if the target is not met")
    opts = args.parse_args(argv)
    if opts.database_url is None:
        bench_ingest._log("starting a throwaway PostgreSQL ...", quiet=opts.json)
    with (
        throwaway_postgres(opts.database_url) as (url, _),
        tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp,
    ):
        report = _run(opts, url, Path(tmp))
    print(json.dumps(report, indent=2, sort_keys=True) if opts.json else _table(report))
    return 1 if opts.check and not report["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
