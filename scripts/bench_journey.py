"""Benchmark the journey (`make bench-journey`): core's fold, its cost at ingest, its reads.

One benchmark in three parts (`--part`, default all of them), hence one module over 400 lines.

  fold  Builds a player's event stream in memory: core's `synthesize_log` (4.1 and 4.7+
        launches alternating) parsed by `LogParser`, whole launches until `--events` events,
        sorted by `journey.order_key` and each paired with its byte offset as the ref string,
        as the server stores them. Then, in this one process, best of `--repeat` runs each:
          (a) baseline: a plain loop over the same `(event, ref)` pairs that reads each
              event's type (`for event, ref in items: event.type`);
          (b) fold at once: `JourneyFold(handle).feed(items)` + `finish()`;
          (c) fold in chunks of 1,000 pairs (as the server feeds it), + `finish()`.
        Chunked and at-once folds must give the same facts (checked once, untimed).
        Target: >= 500,000 events/s for (b) and (c) on one core.
  ingest  bench_ingest.py's machinery (a throwaway PostgreSQL per run, the real server under
        uvicorn with one worker, pre-serialised batches posted over loopback HTTP) with the
        journey facts on and off (`STARSTATS_JOURNEY_AT_INGEST`), each run on a fresh
        database, `--rounds` pairs alternating which goes first. The workload: `--clients`
        players, each posting its own synthesized launches in time and file order (the live
        tail, or a backfill in order; no shuffles), one batch in flight each: 3 warm-up
        batches of 200, then `--batches` batches of 1,000. Prints events/s per mode, the
        same-round ratio on/off and the cost; server and PostgreSQL CPU per 1,000 events; and
        the journey step's CPU-only pieces in the server (fold, state dump/load, fact rows),
        timed by wrappers in the `server_app_timed` factory. Target: cost <= 10 %.
  endpoints  bench_stats.py's player (`--player-events` events: synthesized launches placed
        five a day up to today, one COPY, rollups rebuilt), then its journey rows made by
        `services.journey.rebuild` (what `starstats-server journey rebuild` runs; ingest
        keeps the same rows). The real server under uvicorn; every `/v1/me/journey*` read
        (overview for 7 days and all time; each list's first page and the page its cursor
        gives; a session's story; places for 30 days; records; the glance for 30 days and
        all time) timed `--calls` times one at a time after 10 warm-up calls, with
        `/v1/me/summary` as the baseline. Prints p50/p95/p99/max ms. Target: p95 <= 30 ms
        for every journey read.
        `--database-url` reuses a database whose player is already filled.

`--profile` also prints a cProfile top-15 (by own time) of one fold at once. `--json` prints
the report as one JSON object instead of the tables (progress goes to stderr); `--check`
exits 1 when a target is missed; `--quick` is a smoke run (small sizes, one run each).

Usage: uv run python scripts/bench_journey.py [--part fold|ingest|endpoints] [--events N]
           [--repeat N] [--clients 8] [--batches 15] [--rounds 2] [--player-events 1000000]
           [--calls 200] [--database-url URL] [--profile] [--quick] [--json] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import latency_figures, machine, throwaway_postgres

PARTS = ("fold", "ingest", "endpoints")
TARGET_EVENTS_PER_S = 500_000
CHUNK_EVENTS = 1_000
HANDLE = "Synth_Pilot"  # the synthesizer's default handle
LINES_PER_SESSION = 5_000
SESSION_END = "CCIGBroker::FastShutdown\r\n"  # the last line of every synthesized launch
PROFILE_TOP = 15
WARMUP_BATCHES, WARMUP_SIZE = 3, 200  # per player before the timed batches (as bench_ingest)


def _log(message: str, *, quiet: bool) -> None:
    print(message, file=sys.stderr if quiet else sys.stdout, flush=True)


# -- the event stream ----------------------------------------------------------------------
def build_items(events: int, seed: int) -> tuple[list[tuple[Any, str]], dict[str, Any]]:
    """At least `events` `(event, ref)` pairs from whole synthesized launches, in fold order."""
    from starstats_core.journey import order_key
    from starstats_core.parser import LogParser
    from starstats_core.synth import synthesize_log

    began = time.perf_counter()
    parser = LogParser()
    parsed: list[Any] = []
    lines = launches = 0
    batch: list[str] = []
    # Far more launches than needed (~12 events per 100 lines); we stop at a launch's end.
    sessions = 4 * (events * 10 // LINES_PER_SESSION + 2)
    for line in synthesize_log(seed=seed, sessions=sessions, lines_per_session=LINES_PER_SESSION):
        batch.append(line)
        if not line.endswith(SESSION_END):
            continue
        lines += len(batch)
        launches += 1
        parsed += parser.feed("".join(batch).encode())
        batch.clear()
        if len(parsed) >= events:
            break
    parsed += parser.finish()
    parsed.sort(key=lambda p: order_key(p.event.timestamp, p.offset))
    items = [(p.event, str(p.offset)) for p in parsed]
    types = Counter(event.type for event, _ in items)
    return items, {
        "seconds": time.perf_counter() - began,
        "lines": lines,
        "launches": launches,
        "events": len(items),
        "event_types": len(types),
        "top_types": dict(types.most_common(10)),
    }


# -- timing --------------------------------------------------------------------------------
def best_of(run: Callable[[], object], repeat: int) -> dict[str, Any]:
    """Best wall time of `repeat` calls of `run` (a full collection before each)."""
    seconds = []
    for _ in range(repeat):
        gc.collect()
        began = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - began)
    return {"seconds": min(seconds), "runs_seconds": seconds}


def baseline_loop(items: Sequence[tuple[Any, str]]) -> int:
    """The floor: visit every pair and read its event's type, nothing else."""
    count = 0
    for event, _ref in items:
        if event.type:
            count += 1
    return count


def fold_at_once(items: Sequence[tuple[Any, str]]) -> list[Any]:
    from starstats_core.journey import JourneyFold

    journey = JourneyFold(HANDLE)
    facts = journey.feed(items)
    return facts + journey.finish()


def fold_in_chunks(items: Sequence[tuple[Any, str]], chunk: int = CHUNK_EVENTS) -> list[Any]:
    from starstats_core.journey import JourneyFold

    journey = JourneyFold(HANDLE)
    facts: list[Any] = []
    for start in range(0, len(items), chunk):
        facts += journey.feed(items[start : start + chunk])
    return facts + journey.finish()


def profile_top(run: Callable[[], object], top: int = PROFILE_TOP) -> list[dict[str, Any]]:
    """cProfile of one call of `run`: the `top` functions by own time."""
    profiler = cProfile.Profile()
    gc.collect()
    profiler.runcall(run)
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (path, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{Path(path).name}:{line}" if line else path
        rows.append(
            {"function": f"{where}({name})", "calls": calls, "tottime": own, "cumtime": cumulative}
        )
    rows.sort(key=lambda row: row["tottime"], reverse=True)
    return rows[:top]


def _rate(events: int, measured: dict[str, Any]) -> dict[str, Any]:
    return {**measured, "events": events, "events_per_s": events / measured["seconds"]}


def part_fold(opts: argparse.Namespace) -> dict[str, Any]:
    quiet = opts.json
    _log(f"building >= {opts.events:,} events (synthesize_log + LogParser) ...", quiet=quiet)
    items, stream = build_items(opts.events, opts.seed)
    count = len(items)
    _log(f"{count:,} events from {stream['launches']} launches; checking chunks ...", quiet=quiet)
    whole = fold_at_once(items)
    if [f.to_dict() for f in fold_in_chunks(items)] != [f.to_dict() for f in whole]:
        raise RuntimeError("the fold in chunks gave other facts than the fold at once")
    facts = Counter(f.to_dict()["kind"] for f in whole)
    del whole
    _log(f"timing the baseline loop (best of {max(opts.repeat, 5)}) ...", quiet=quiet)
    baseline = _rate(count, best_of(lambda: baseline_loop(items), max(opts.repeat, 5)))
    _log(f"timing the fold at once (best of {opts.repeat}) ...", quiet=quiet)
    once = _rate(count, best_of(lambda: fold_at_once(items), opts.repeat))
    _log(f"timing the fold in chunks of {CHUNK_EVENTS:,} ...", quiet=quiet)
    chunked = _rate(count, best_of(lambda: fold_in_chunks(items), opts.repeat))
    report: dict[str, Any] = {
        "stream": stream,
        "facts": dict(sorted(facts.items())),
        "chunk_events": CHUNK_EVENTS,
        "baseline": baseline,
        "fold": once,
        "fold_chunked": chunked,
        "ratio": once["seconds"] / baseline["seconds"],
        "ratio_chunked": chunked["seconds"] / baseline["seconds"],
        "target_events_per_s": TARGET_EVENTS_PER_S,
        "target_met": min(once["events_per_s"], chunked["events_per_s"]) >= TARGET_EVENTS_PER_S,
    }
    if opts.profile:
        _log("profiling one fold at once ...", quiet=quiet)
        report["profile"] = profile_top(lambda: fold_at_once(items))
    return report


# -- ingest: facts on vs off --------------------------------------------------------------------
INGEST_TARGET_COST = 0.10  # facts may cost at most 10 % of ingest throughput
TIMINGS_ENV = "BENCH_JOURNEY_TIMINGS"


def server_app_timed() -> Any:
    """uvicorn factory (`bench_journey:server_app_timed`) for the ingest part: the app from
    the environment, with the journey step's CPU-only pieces timed (`time.thread_time`: they
    never await, so nothing else runs inside them) and written as JSON to $BENCH_JOURNEY_TIMINGS
    when the server exits. The same factory serves both modes (off: nothing is called)."""
    import atexit
    import importlib
    import os
    from functools import wraps

    from starstats_core.journey import JourneyFold, state
    from starstats_server.db import journey as db_journey

    spent: dict[str, float] = defaultdict(float)

    def timed(piece: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[piece] += time.thread_time() - began

        return wrapper

    record_batch = db_journey.record_batch

    def counted(conn: Any, handle: str, items: list[Any]) -> None:
        spent["events"] += len(items)
        spent["batches"] += 1
        record_batch(conn, handle, items)

    db_journey.record_batch = counted
    for name in ("feed", "open_facts", "finish"):
        setattr(JourneyFold, name, timed("fold", getattr(JourneyFold, name)))
    state.dump = timed("state", state.dump)
    state.load = timed("state", state.load)
    # Where the row makers live: db/journey_write.py, or db/journey.py in checkouts from
    # before it (A/B runs against an older server).
    try:
        rows_module: Any = importlib.import_module("starstats_server.db.journey_write")
    except ImportError:
        rows_module = db_journey
    for name in ("_fact_row", "_session_row"):
        setattr(rows_module, name, timed("rows", getattr(rows_module, name)))
    # The cyclic GC's own time, in both modes: the fold's objects make it run more often.
    collecting: list[float] = []

    def on_gc(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            collecting.append(time.perf_counter())
        elif collecting:
            spent["gc"] += time.perf_counter() - collecting.pop()

    gc.callbacks.append(on_gc)
    target = os.environ.get(TIMINGS_ENV)
    if target:
        atexit.register(lambda: Path(target).write_text(json.dumps(dict(spent))))
    import bench_ingest

    return bench_ingest.server_app()


def player_envelopes(handle: str, seed: int, count: int) -> list[dict[str, Any]]:
    """`count` envelopes of one player's consecutive launches (`synthesize_log`: each starts
    minutes to a day after the last ended), one file and parser per launch as the client
    reads them, in file order: the order a live tail or a backfill uploads them in."""
    from starstats_core.parser import LogParser
    from starstats_core.synth import synthesize_log
    from starstats_core.wire import LogSource, file_signature, to_envelope

    out: list[dict[str, Any]] = []
    launch: list[str] = []
    sessions = 4 * (count * 10 // LINES_PER_SESSION + 2)
    for line in synthesize_log(
        seed=seed, sessions=sessions, lines_per_session=LINES_PER_SESSION, handle=handle
    ):
        launch.append(line)
        if not line.endswith(SESSION_END):
            continue
        data = "".join(launch).encode()
        launch.clear()
        parser = LogParser()
        signature = file_signature(data)
        out += [
            to_envelope(p, LogSource.LIVE, signature, handle).model_dump(
                mode="json", exclude_none=True
            )
            for p in parser.feed(data) + parser.finish()
        ]
        if len(out) >= count:
            break
    return out[:count]


def _ingest_once(
    opts: argparse.Namespace,
    mode: str,
    players: list[list[dict[str, Any]]],
    handles: list[str],
    tmp: Path,
) -> dict[str, Any]:
    """One run on a fresh PostgreSQL: 3 warm-up batches of 200 per player, then the timed
    batches of 1,000, every player's events in order and all players at once."""
    import bench_ingest

    warm = WARMUP_BATCHES * WARMUP_SIZE
    timings = tmp / f"timings-{mode}.json"
    with throwaway_postgres() as (url, pg_dir):
        tokens = asyncio.run(bench_ingest._create_users(url, handles, tmp / "jwt-key.pem"))

        def bodies(start: int, size: int, count: int, tag: str) -> list[list[bytes]]:
            return [
                bench_ingest._bodies(
                    events[start:], handle, 0, batch_size=size, batches=count, tag=f"{tag}{n}"
                )
                for n, (handle, events) in enumerate(zip(handles, players, strict=True))
            ]

        warmup = bodies(0, WARMUP_SIZE, WARMUP_BATCHES, "warm")
        timed = bodies(warm, 1000, opts.batches, "run")
        server = bench_ingest._start_server(
            url,
            tmp / f"data-{mode}",
            tmp / "jwt-key.pem",
            1,
            None,
            factory="bench_journey:server_app_timed",
            extra_env={
                "STARSTATS_JOURNEY_AT_INGEST": "true" if mode == "on" else "false",
                TIMINGS_ENV: str(timings),
            },
        )
        meter = bench_ingest.CpuMeter(server.process.pid, bench_ingest._postmaster_pid(pg_dir))
        try:
            asyncio.run(bench_ingest._load(server.base_url, tokens, warmup))
            run = asyncio.run(bench_ingest._load(server.base_url, tokens, timed, meter))
        finally:
            bench_ingest._stop_server(server)
        run["journey_rows"] = asyncio.run(_journey_rows(url))
    spent = json.loads(timings.read_text()) if timings.exists() else {}
    folded = spent.get("events", 0)
    run["journey_cpu_ms_per_1000_events"] = {
        piece: 1e6 * spent.get(piece, 0.0) / folded for piece in ("fold", "state", "rows")
    } if folded else {}  # fmt: skip
    run["journey_events_folded"] = folded
    posted = len(handles) * (warm + opts.batches * 1000)
    run["gc_ms_per_1000_events"] = 1e6 * spent.get("gc", 0.0) / posted
    return run


async def _journey_rows(url: str) -> dict[str, int]:
    import asyncpg  # type: ignore[import-untyped]  # no stubs; two calls

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return {
            table: int(await conn.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - ours
            for table in ("events", "journey_sessions", "journey_facts")
        }
    finally:
        await conn.close()


def part_ingest(opts: argparse.Namespace) -> dict[str, Any]:
    quiet = opts.json
    handles = [f"JourneyPilot{n}" for n in range(opts.clients)]
    need = WARMUP_BATCHES * WARMUP_SIZE + opts.batches * 1000
    _log(f"synthesizing {opts.clients} players' logs ({need:,} events each) ...", quiet=quiet)
    players = [player_envelopes(handle, 1000 + n, need) for n, handle in enumerate(handles)]
    runs: dict[str, list[dict[str, Any]]] = {"on": [], "off": []}
    ratios = []
    with tempfile.TemporaryDirectory(prefix="bench-journey-") as folder:
        tmp = Path(folder)
        for number in range(opts.rounds):
            # Alternate which mode goes first, so drift over the session hits both alike.
            for mode in ("on", "off") if number % 2 == 0 else ("off", "on"):
                _log(f"round {number + 1}: facts {mode}, fresh PostgreSQL ...", quiet=quiet)
                run = _ingest_once(opts, mode, players, handles, tmp)
                _log(
                    f"  {run['events_per_s']:,.0f} events/s, p99 {run['p99_ms']:.0f} ms",
                    quiet=quiet,
                )
                runs[mode].append(run)
            ratios.append(runs["on"][-1]["events_per_s"] / runs["off"][-1]["events_per_s"])
    best = {mode: max(r, key=lambda run: run["events_per_s"]) for mode, r in runs.items()}
    median = statistics.median(ratios)

    def mean_cpu(mode: str, process: str) -> float:
        return float(statistics.mean(r["cpu_ms_per_1000_events"][process] for r in runs[mode]))

    cpu = {mode: {p: mean_cpu(mode, p) for p in ("server", "postgres")} for mode in runs}
    for mode, mode_runs in runs.items():
        cpu[mode]["gc"] = statistics.mean(r.get("gc_ms_per_1000_events", 0.0) for r in mode_runs)
    pieces = {
        piece: statistics.mean(r["journey_cpu_ms_per_1000_events"][piece] for r in runs["on"])
        for piece in ("fold", "state", "rows")
    }
    return {
        "workload": (
            f"{opts.clients} players, each its own synthesized launches in time and file "
            f"order ({LINES_PER_SESSION:,} lines a launch, one file each); all players post "
            f"at once, one batch in flight each: {WARMUP_BATCHES} warm-up batches of "
            f"{WARMUP_SIZE}, then {opts.batches} timed batches of 1,000"
        ),
        "clients": opts.clients,
        "batches_per_client": opts.batches,
        "rounds": opts.rounds,
        "runs": runs,
        "best": best,
        "ratios": ratios,
        "median_ratio": median,
        "cost": 1 - median,
        "cpu_ms_per_1000_events": cpu,
        "journey_cpu_ms_per_1000_events": pieces,
        "target_cost": INGEST_TARGET_COST,
        "target_met": 1 - median <= INGEST_TARGET_COST,
    }


def _table_ingest(report: dict[str, Any], repeat: int) -> str:
    lines = [
        f"Ingest with journey facts on vs off (PostgreSQL, real HTTP, one uvicorn worker, "
        f"{report['rounds']} round(s), each run on a fresh database)",
        f"  workload: {report['workload']}",
        f"  {'facts':<6} {'best events/s':>14} {'rounds events/s':>28} {'p99 ms':>8} "
        f"{'server CPU/1k':>14} {'PG CPU/1k':>10}",
    ]
    for mode in ("on", "off"):
        runs, cpu = report["runs"][mode], report["cpu_ms_per_1000_events"][mode]
        rounds = ", ".join(f"{r['events_per_s']:,.0f}" for r in runs)
        lines.append(
            f"  {mode:<6} {report['best'][mode]['events_per_s']:>14,.0f} {rounds:>28} "
            f"{report['best'][mode]['p99_ms']:>8.0f} {cpu['server']:>11.1f} ms "
            f"{cpu['postgres']:>7.1f} ms"
        )
    pieces = report["journey_cpu_ms_per_1000_events"]
    on, off = report["cpu_ms_per_1000_events"]["on"], report["cpu_ms_per_1000_events"]["off"]
    lines += [
        "  on / off, same round: "
        + ", ".join(f"{r:.1%}" for r in report["ratios"])
        + f" (median {report['median_ratio']:.1%}); cost {report['cost']:.1%}",
        "  journey step, server CPU ms per 1,000 events: on - off "
        f"{on['server'] - off['server']:.1f}"
        f" (fold {pieces['fold']:.1f}, state dump/load {pieces['state']:.1f}, fact rows "
        f"{pieces['rows']:.1f}, cyclic GC {on['gc'] - off['gc']:.1f} (on {on['gc']:.1f}, off "
        f"{off['gc']:.1f}), the rest SQL and decoding); PostgreSQL on - off "
        f"{on['postgres'] - off['postgres']:.1f}",
        f"TARGET facts cost <= {report['target_cost']:.0%} of ingest throughput: "
        + ("MET" if report["target_met"] else "NOT MET"),
    ]
    return "\n".join(lines)


# -- endpoints: the journey reads at 1,000,000 events ---------------------------------------------
TARGET_READ_P95_MS = 30.0
WARMUP_CALLS = 10
PAGED = ("sessions", "places", "legs", "ships", "lives", "combat", "contracts", "trades")


async def _fill_journey(url: str, handle: str) -> dict[str, Any]:
    """The journey rows from the stored events (`services.journey.rebuild`, as
    `starstats-server journey rebuild` runs it; ingest gives the same rows), then ANALYZE."""
    import asyncpg

    from starstats_server.db.engine import create_engine
    from starstats_server.services import journey

    engine = create_engine(url)
    try:
        began = time.perf_counter()
        await journey.rebuild(engine, handle)
        seconds = time.perf_counter() - began
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(
            "VACUUM ANALYZE journey_sessions, journey_facts, journey_state, journey_values,"
            " journey_sums, journey_missions"
        )
        kinds = await conn.fetch(
            "SELECT kind, count(*) AS n FROM journey_facts GROUP BY kind ORDER BY kind"
        )
        sessions = await conn.fetchval("SELECT count(*) FROM journey_sessions")
    finally:
        await conn.close()
    return {
        "rebuild_s": seconds,
        "sessions": int(sessions),
        "facts": {r["kind"]: int(r["n"]) for r in kinds},
    }


async def _read_plan(http: Any, now: datetime) -> dict[str, tuple[str, dict[str, Any]]]:
    """Name -> (path, params) of every journey read: the overview for 7 days and for all
    time, the glance for 30 days and for all time, each list's first page (default limit
    50) and the page its cursor gives, one session's story, the records; `/v1/me/summary`
    as the baseline."""
    plan: dict[str, tuple[str, dict[str, Any]]] = {
        "summary (baseline)": ("/v1/me/summary", {}),
        "overview days=7": ("/v1/me/journey", {"days": 7}),
        "overview all time": ("/v1/me/journey", {}),
        # The dashboard's read (issue 15): every card's sums at once.
        "glance days=30": ("/v1/me/journey/glance", {"days": 30}),
        "glance all time": ("/v1/me/journey/glance", {}),
    }
    for view in PAGED:
        path = f"/v1/me/journey/{view}"
        first = await http.get(path)
        first.raise_for_status()
        plan[f"{view} page 1"] = (path, {})
        cursor = first.json()["next_cursor"]
        if cursor is not None:
            plan[f"{view} page 2 (cursor)"] = (path, {"cursor": cursor})
        if view == "sessions":
            # The newest closed session: a whole launch's story.
            sessions = first.json()["sessions"]
            story = sessions[1 if len(sessions) > 1 else 0]["session_id"]
            plan["session story"] = (f"/v1/me/journey/sessions/{story}", {})
    since = (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    plan["places, last 30 days"] = ("/v1/me/journey/places", {"since": since})
    plan["records"] = ("/v1/me/journey/records", {})
    return plan


async def _measure_reads(base_url: str, token: str, now: datetime, calls: int) -> dict[str, Any]:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as http:
        plan = await _read_plan(http, now)
        for name, (path, params) in plan.items():
            samples = []
            for number in range(WARMUP_CALLS + calls):
                began = time.perf_counter()
                response = await http.get(path, params=params)
                elapsed = time.perf_counter() - began
                if response.status_code != 200:
                    raise RuntimeError(f"{name}: {response.status_code} {response.text[:200]}")
                if number >= WARMUP_CALLS:
                    samples.append(elapsed)
            results[name] = {
                "path": path,
                "params": params,
                "bytes": len(response.content),
                **latency_figures(samples),
            }
    return results


async def _stored_player(url: str, handle: str, key_file: Path) -> tuple[str, int] | None:
    """(token, events) of `handle` when the database already holds its history, else None."""
    import sqlalchemy as sa

    from starstats_server.auth.keys import load_signing_key
    from starstats_server.auth.tokens import TokenService
    from starstats_server.db.engine import create_engine
    from starstats_server.db.tables import event_sequences, users

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            if not await conn.run_sync(lambda c: sa.inspect(c).has_table("users")):
                return None
            user = await conn.scalar(sa.select(users.c.id).where(users.c.handle == handle))
            count = await conn.scalar(
                sa.select(event_sequences.c.last_seq).where(event_sequences.c.handle == handle)
            )
    finally:
        await engine.dispose()
    if user is None or not count:
        return None
    import bench_ingest

    tokens = TokenService(
        load_signing_key(key_file, autogen=True), bench_ingest.ISSUER, bench_ingest.AUDIENCE
    )
    return tokens.mint(user, handle, datetime.now(UTC))[0], int(count)


def part_endpoints(opts: argparse.Namespace) -> dict[str, Any]:
    import bench_ingest
    import bench_stats

    quiet = opts.json
    handle = bench_stats.HANDLE
    fill: dict[str, Any] | None = None
    events = opts.player_events
    with (
        throwaway_postgres(opts.database_url) as (url, _),
        tempfile.TemporaryDirectory(prefix="bench-journey-") as folder,
    ):
        tmp = Path(folder)
        now = datetime.now(UTC)
        stored = asyncio.run(_stored_player(url, handle.lower(), tmp / "jwt-key.pem"))
        if stored is not None:
            token, events = stored
            _log(f"reusing the stored player ({events:,} events) ...", quiet=quiet)
        else:
            _log("migrating and creating the user ...", quiet=quiet)
            (token,) = asyncio.run(bench_ingest._create_users(url, [handle], tmp / "jwt-key.pem"))
            _log(f"building {events:,} events (bench_stats' history) ...", quiet=quiet)
            rows = bench_stats._history(events, now)
            _log("COPY and rollup rebuild ...", quiet=quiet)
            fill = dict(asyncio.run(bench_stats._fill(url, rows)))
            del rows
            _log("journey rebuild from the stored events ...", quiet=quiet)
            fill["journey"] = asyncio.run(_fill_journey(url, handle.lower()))
            _log(
                f"  {fill['journey']['sessions']:,} sessions, "
                f"{sum(fill['journey']['facts'].values()):,} facts in "
                f"{fill['journey']['rebuild_s']:.0f} s",
                quiet=quiet,
            )
        _log("starting the server and timing the reads ...", quiet=quiet)
        server = bench_ingest._start_server(url, tmp / "data", tmp / "jwt-key.pem", 1, None)
        try:
            reads = asyncio.run(_measure_reads(server.base_url, token, now, opts.calls))
        finally:
            bench_ingest._stop_server(server)
    journey_reads = {name: r for name, r in reads.items() if name != "summary (baseline)"}
    worst = max(journey_reads, key=lambda name: journey_reads[name]["p95_ms"])
    return {
        "events": events,
        "calls": opts.calls,
        "warmup_calls": WARMUP_CALLS,
        "fill": fill,
        "reads": reads,
        "baseline": reads["summary (baseline)"],
        "worst": {"name": worst, **journey_reads[worst]},
        "target_p95_ms": TARGET_READ_P95_MS,
        "target_met": journey_reads[worst]["p95_ms"] <= TARGET_READ_P95_MS,
    }


def _table_endpoints(report: dict[str, Any], repeat: int) -> str:
    fill, base = report["fill"], report["baseline"]["p95_ms"]
    lines = [
        f"Journey reads: {report['events']:,} events for one player, PostgreSQL, real HTTP on "
        f"loopback, one uvicorn worker, {report['calls']} calls each after "
        f"{report['warmup_calls']} warm-up, one at a time",
    ]
    if fill is not None:
        journey = fill["journey"]
        lines.append(
            f"  fill: COPY {fill['copy_s']:.1f} s, rollups {fill['rebuild_s']:.1f} s, journey "
            f"rebuild {journey['rebuild_s']:.1f} s: {journey['sessions']:,} sessions, "
            + ", ".join(f"{k} {v:,}" for k, v in journey["facts"].items())
        )
    lines += [
        f"  {'read':<30} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'p95/base':>9} {'bytes':>9}  <= {report['target_p95_ms']:.0f} ms",
    ]
    for name, r in report["reads"].items():
        ok = (
            ""
            if name.startswith("summary")
            else ("yes" if r["p95_ms"] <= report["target_p95_ms"] else "NO")
        )
        lines.append(
            f"  {name:<30} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{r['max_ms']:>8.1f} {r['p95_ms'] / base:>8.1f}x {r['bytes']:>9,}  {ok}"
        )
    worst = report["worst"]
    lines.append(
        f"TARGET p95 <= {report['target_p95_ms']:.0f} ms for every journey read (worst: "
        f"{worst['name']}, {worst['p95_ms']:.1f} ms): "
        + ("MET" if report["target_met"] else "NOT MET")
    )
    return "\n".join(lines)


# -- output --------------------------------------------------------------------------------
def _table_fold(report: dict[str, Any], repeat: int) -> str:
    stream, base = report["stream"], report["baseline"]
    once, chunked = report["fold"], report["fold_chunked"]
    facts = sum(report["facts"].values())
    rows = [
        ("events", f"{stream['events']:,}"),
        ("from", f"{stream['launches']} launches, {stream['lines']:,} lines"),
        ("event types", f"{stream['event_types']}"),
        ("facts", f"{facts:,}"),
        ("build (synth + parse + sort)", f"{stream['seconds']:.1f} s"),
        ("baseline loop", f"{base['seconds']:.4f} s"),
        ("baseline events/s", f"{base['events_per_s']:,.0f}"),
        ("fold at once", f"{once['seconds']:.3f} s"),
        ("fold at once events/s", f"{once['events_per_s']:,.0f}"),
        ("fold at once / baseline time", f"{report['ratio']:.1f}x"),
        (f"fold in chunks of {report['chunk_events']:,}", f"{chunked['seconds']:.3f} s"),
        ("fold in chunks events/s", f"{chunked['events_per_s']:,.0f}"),
        ("fold in chunks / baseline time", f"{report['ratio_chunked']:.1f}x"),
    ]
    width = max(len(k) for k, _ in rows)
    body = "\n".join(f"  {k.ljust(width)}  {v:>28}" for k, v in rows)
    verdict = "MET" if report["target_met"] else "NOT MET"
    lines = [
        f"Journey fold (one process, best of {repeat}; baseline best of {max(repeat, 5)})",
        body,
        f"TARGET ≥{report['target_events_per_s']:,} events/s (at once and in chunks): {verdict}",
    ]
    if "profile" in report:
        lines.append(f"cProfile of one fold at once, top {PROFILE_TOP} by own time:")
        lines.append(f"  {'tottime':>8} {'cumtime':>8} {'calls':>10}  function")
        lines += [
            f"  {r['tottime']:8.3f} {r['cumtime']:8.3f} {r['calls']:10,}  {r['function']}"
            for r in report["profile"]
        ]
    return "\n".join(lines)


TABLES: dict[str, Callable[[dict[str, Any], int], str]] = {
    "fold": _table_fold,
    "ingest": _table_ingest,
    "endpoints": _table_endpoints,
}
RUNNERS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "fold": part_fold,
    "ingest": part_ingest,
    "endpoints": part_endpoints,
}


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument(
        "--part", action="append", choices=PARTS, help="run only this part (repeatable)"
    )
    args.add_argument("--events", type=int, default=500_000, help="events in the stream (fold)")
    args.add_argument("--repeat", type=int, default=3, help="timed runs per measurement")
    args.add_argument("--seed", type=int, default=1)
    args.add_argument("--clients", type=int, default=8, help="players posting at once (ingest)")
    args.add_argument("--batches", type=int, default=15, help="timed batches of 1,000 (ingest)")
    args.add_argument("--rounds", type=int, default=2, help="on/off pairs of runs (ingest)")
    args.add_argument(
        "--player-events", type=int, default=1_000_000, help="the player's events (endpoints)"
    )
    args.add_argument("--calls", type=int, default=200, help="timed calls per read (endpoints)")
    args.add_argument(
        "--database-url",
        help="endpoints: use this PostgreSQL (its player is reused when already filled)",
    )
    args.add_argument("--quick", action="store_true", help="smoke run: small sizes, 1 run")
    args.add_argument("--profile", action="store_true", help="cProfile top-15 of one fold")
    args.add_argument("--json", action="store_true", help="print figures as JSON only")
    args.add_argument("--check", action="store_true", help="exit 1 if a target is not met")
    opts = args.parse_args(argv)
    if opts.quick:
        opts.events, opts.repeat = min(opts.events, 20_000), 1
        opts.clients, opts.batches, opts.rounds = min(opts.clients, 2), min(opts.batches, 2), 1
        opts.player_events, opts.calls = min(opts.player_events, 20_000), min(opts.calls, 10)
    parts = opts.part or list(PARTS)
    report: dict[str, Any] = {
        "machine": machine(),
        "quick": opts.quick,
        "repeat": opts.repeat,
        "parts": parts,
    }
    for part in parts:
        report[part] = RUNNERS[part](opts)
    met = [report[part]["target_met"] for part in parts]
    report["target_met"] = all(met)
    if opts.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print("\n\n".join(TABLES[part](report[part], opts.repeat) for part in parts))
    return 1 if opts.check and not report["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
