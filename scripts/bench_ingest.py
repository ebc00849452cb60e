"""Benchmark `POST /v1/ingest` over real HTTP against PostgreSQL (`make bench-ingest`).

Starts a throwaway PostgreSQL (`scripts/pg.sh`, unless `--database-url` is given), migrates
it, creates 8 users directly in the database and mints their tokens with the server's own key
file, then runs the real server under uvicorn in a subprocess. Synthetic envelopes (parsed
from `starstats_core.synth` logs by `LogParser`, stamped by `to_envelope` as the client
does) get unique idempotency keys and are serialised before the clock starts. Then, per batch
size (200 and 1,000 events), `--clients` concurrent clients post their batches and we report:

  accepted events/s (all clients, wall time), p50/p99 batch latency, and the ratio to a raw
  bulk COPY (`asyncpg.copy_records_to_table`) of the same rows into the same events table
  (a fresh handle, 1,000-row COPYs in one transaction each) measured in the same run.

Target: >= 20,000 events/s at batch 1,000 with p99 < 500 ms. `--json` prints the figures as
JSON; `--check` exits 1 when the target is missed.

Usage: uv run python scripts/bench_ingest.py [--workers N] [--clients 8] [--json] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchlib import throwaway_postgres

REPO = Path(__file__).resolve().parents[1]
TARGET_EVENTS_PER_S = 20_000
TARGET_P99_S = 0.5
ISSUER = "http://bench.invalid"
AUDIENCE = "starstats"


def server_app() -> Any:
    """uvicorn's app factory (`--factory bench_ingest:server_app`): the app from the env."""
    from starstats_server.app import create_app
    from starstats_server.settings import load_settings

    return create_app(load_settings())


# -- set-up ------------------------------------------------------------------------------
def _log(message: str, *, quiet: bool) -> None:
    print(message, file=sys.stderr if quiet else sys.stdout, flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _pool_of_envelopes(size: int, handle: str, stamped: bool) -> list[dict[str, Any]]:
    """`size` realistic envelopes (JSON form) from synthesized logs, as the client sends them."""
    from starstats_core.parser import LogParser
    from starstats_core.synth import synthesize_log
    from starstats_core.wire import LogSource, file_signature, to_envelope

    pool: list[dict[str, Any]] = []
    seed = 1
    while len(pool) < size:
        data = "".join(
            synthesize_log(seed=seed, sessions=4, lines_per_session=5000, handle=handle)
        ).encode()
        parser = LogParser()
        parsed = parser.feed(data) + parser.finish()
        signature = file_signature(data)
        pool.extend(
            to_envelope(p, LogSource.LIVE, signature, handle if stamped else None).model_dump(
                mode="json", exclude_none=True
            )
            for p in parsed
        )
        seed += 1
    return pool[:size]


def _bodies(
    pool: list[dict[str, Any]],
    handle: str,
    client: int,
    *,
    batch_size: int,
    batches: int,
    tag: str,
) -> list[bytes]:
    """Serialised batches whose envelopes all carry fresh idempotency keys."""
    bodies = []
    cursor = (client * 7919) % len(pool)
    for number in range(batches):
        envelopes = []
        for index in range(batch_size):
            envelope = dict(pool[cursor])
            cursor = (cursor + 1) % len(pool)
            envelope["idempotency_key"] = f"{tag}-{client}-{number}-{index}"
            envelopes.append(envelope)
        batch = {
            "schema_version": 2,
            "batch_id": f"{tag}-{client}-{number}",
            "game_build": None,
            "claimed_handle": handle,
            "events": envelopes,
        }
        bodies.append(json.dumps(batch, separators=(",", ":")).encode())
    return bodies


async def _create_users(url: str, handles: list[str], key_file: Path) -> list[str]:
    """Users inserted directly (no sign-up, no password hashing) and a user token for each."""
    import sqlalchemy as sa

    from starstats_server.auth.keys import load_signing_key
    from starstats_server.auth.tokens import TokenService
    from starstats_server.db.engine import create_engine
    from starstats_server.db.migrate import upgrade_to_head
    from starstats_server.db.tables import users

    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
        now = datetime.now(UTC)
        ids = [uuid.uuid4() for _ in handles]
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(users),
                [
                    {
                        "id": user_id,
                        "email": f"{handle.lower()}@bench.invalid",
                        "password_hash": "not-a-hash",
                        "handle": handle.lower(),
                        "claimed_handle": handle,
                        "created_at": now,
                        "updated_at": now,
                        "email_verified_at": now,
                    }
                    for user_id, handle in zip(ids, handles, strict=True)
                ],
            )
    finally:
        await engine.dispose()
    tokens = TokenService(load_signing_key(key_file, autogen=True), ISSUER, AUDIENCE)
    return [tokens.mint(i, h, datetime.now(UTC))[0] for i, h in zip(ids, handles, strict=True)]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str


def _serve_profiled(port: int, profile: str) -> int:
    """Child mode: one uvicorn worker in this process under cProfile; stats dumped on exit."""
    import cProfile

    import uvicorn

    app = server_app()
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    except KeyboardInterrupt:
        pass
    finally:
        profiler.disable()
        profiler.dump_stats(profile)
    return 0


def _start_server(
    url: str,
    data_dir: Path,
    key_file: Path,
    workers: int,
    profile: str | None,
    *,
    factory: str = "bench_ingest:server_app",
    extra_env: dict[str, str] | None = None,
) -> Server:
    """The server under uvicorn in a subprocess; `factory` (module:function in scripts/) and
    `extra_env` let other benchmarks (bench_audit.py) run variants of it."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "STARSTATS_DATA_DIR": str(data_dir),
        "STARSTATS_JWT_KEY_FILE": str(key_file),
        "STARSTATS_JWT_KEY_AUTOGEN": "true",
        "STARSTATS_JWT_ISSUER": ISSUER,
        "STARSTATS_JWT_AUDIENCE": AUDIENCE,
        "STARSTATS_AUTO_MIGRATE": "false",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--app-dir",
        str(Path(__file__).parent),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if profile is not None:
        command = [sys.executable, __file__, "--serve-profiled", str(port), profile]
    process = subprocess.Popen(command, env=env)  # noqa: S603 - our interpreter, our app
    base_url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return Server(process, base_url)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("server did not answer /healthz within 60 s")


def _stop_server(server: Server) -> None:
    # SIGINT, not SIGTERM: uvicorn re-raises the signal after its graceful shutdown, and only
    # SIGINT's KeyboardInterrupt lets a profiled child write its stats on the way out.
    server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


# -- measurements --------------------------------------------------------------------------
def _process_tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by `root`, its live children and its reaped
    ones (Linux /proc; 0 elsewhere)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root:
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        elif ppid == root:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


@dataclass
class CpuMeter:
    """CPU seconds of the server, PostgreSQL and this (client) process across a run."""

    server_pid: int
    postgres_pid: int | None

    def sample(self) -> dict[str, float]:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "server": _process_tree_cpu(self.server_pid),
            "postgres": _process_tree_cpu(self.postgres_pid) if self.postgres_pid else 0.0,
            "client": usage.ru_utime + usage.ru_stime,
        }


async def _load(
    base_url: str, tokens: list[str], bodies: list[list[bytes]], meter: CpuMeter | None = None
) -> dict[str, Any]:
    """Every client posts its bodies one after another, all clients at once."""
    import httpx

    latencies: list[float] = []
    accepted = 0
    problems: list[str] = []

    async def client(token: str, own: list[bytes]) -> None:
        nonlocal accepted
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
            for body in own:
                began = time.perf_counter()
                response = await http.post("/v1/ingest", content=body, headers=headers)
                latencies.append(time.perf_counter() - began)
                if response.status_code != 200:
                    problems.append(f"{response.status_code} {response.text[:200]}")
                    continue
                result = response.json()
                accepted += result["accepted"]
                if result["rejected"] or result["duplicate"]:
                    problems.append(f"unexpected counts {result}")

    cpu_before = meter.sample() if meter else {}
    began = time.perf_counter()
    await asyncio.gather(*(client(t, b) for t, b in zip(tokens, bodies, strict=True)))
    seconds = time.perf_counter() - began
    cpu_after = meter.sample() if meter else {}
    if problems:
        raise RuntimeError(f"{len(problems)} bad responses, first: {problems[0]}")
    ordered = sorted(latencies)
    return {
        "batches": len(latencies),
        "accepted": accepted,
        "seconds": seconds,
        "events_per_s": accepted / seconds,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "max_ms": 1000 * ordered[-1],
        # CPU milliseconds per 1,000 accepted events, by process.
        "cpu_ms_per_1000_events": {
            name: 1e6 * (cpu_after[name] - cpu_before[name]) / max(accepted, 1)
            for name in cpu_after
        },
    }


async def _copy_baseline(url: str, pool: list[dict[str, Any]], rows: int) -> dict[str, Any]:
    """COPY `rows` events built exactly as the server builds them, 1,000 per transaction."""
    import asyncpg  # type: ignore[import-untyped]  # no stubs; the benchmark uses 3 calls

    from starstats_core.wire import EventEnvelope
    from starstats_server.db.bulk import EventRow
    from starstats_server.services.envelopes import check_envelope

    handle = "copy_baseline"
    now = datetime.now(UTC)
    prepared = []
    for index in range(rows):
        envelope = EventEnvelope.model_validate(
            {**pool[index % len(pool)], "idempotency_key": f"copy-{index}"}
        )
        valid = check_envelope(envelope, handle)
        assert not hasattr(valid, "problems"), valid
        prepared.append(EventRow(handle, index + 1, handle, *valid, "copy", None, now))
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        began = time.perf_counter()
        for start in range(0, rows, 1000):
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "events", records=prepared[start : start + 1000], columns=EventRow._fields
                )
        seconds = time.perf_counter() - began
    finally:
        await conn.close()
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds}


async def _verify(url: str, expected: int) -> dict[str, Any]:
    """Every accepted event is stored and every handle's seqs are 1..n without gaps."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch(
            "SELECT handle, count(*) AS n, max(seq) AS top FROM events "
            "WHERE handle <> 'copy_baseline' GROUP BY handle"
        )
    finally:
        await conn.close()
    stored = sum(r["n"] for r in rows)
    gap_free = all(r["n"] == r["top"] for r in rows)
    return {"stored": stored, "expected": stored == expected, "seq_gap_free": gap_free}


# -- report ----------------------------------------------------------------------------------
def _table(report: dict[str, Any]) -> str:
    copy = report["copy_baseline"]
    lines = [
        f"Ingest benchmark: {report['clients']} clients, {report['workers']} uvicorn worker(s), "
        f"PostgreSQL, real HTTP on loopback, {os.cpu_count()} CPUs",
        f"  {'batch':>6}  {'batches':>8}  {'events/s':>10}  {'p50 ms':>8}  {'p99 ms':>8}  "
        f"{'max ms':>8}  {'vs COPY':>8}",
    ]
    for size, run in report["runs"].items():
        lines.append(
            f"  {size:>6}  {run['batches']:>8,}  {run['events_per_s']:>10,.0f}  "
            f"{run['p50_ms']:>8.1f}  {run['p99_ms']:>8.1f}  {run['max_ms']:>8.1f}  "
            f"{run['events_per_s'] / copy['rows_per_s']:>7.1%}"
        )
    for size, run in report["runs"].items():
        cpu = ", ".join(f"{k} {v:.1f}" for k, v in run["cpu_ms_per_1000_events"].items())
        lines.append(f"  CPU ms per 1,000 events at batch {size}: {cpu}")
    lines.append(
        f"  raw COPY baseline: {copy['rows_per_s']:,.0f} rows/s "
        f"({copy['rows']:,} rows, 1,000 per transaction, one connection)"
    )
    check = report["verify"]
    lines.append(
        f"  stored {check['stored']:,} events (as accepted: {check['expected']}), "
        f"seqs gap-free per handle: {check['seq_gap_free']}"
    )
    verdict = "MET" if report["target_met"] else "NOT MET"
    lines.append(f"TARGET >= 20,000 events/s at batch 1,000 with p99 < 500 ms: {verdict}")
    return "\n".join(lines)


def _postmaster_pid(pg_dir: str | None) -> int | None:
    if pg_dir is None:
        return None
    try:
        return int((Path(pg_dir) / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _run(opts: argparse.Namespace, url: str, tmp: Path, pg_dir: str | None) -> dict[str, Any]:
    quiet = opts.json
    handles = [f"BenchPilot{n}" for n in range(opts.clients)]
    key_file = tmp / "jwt-key.pem"
    _log(f"creating {opts.clients} users ...", quiet=quiet)
    tokens = asyncio.run(_create_users(url, handles, key_file))
    _log("synthesizing envelopes ...", quiet=quiet)
    pool = _pool_of_envelopes(20_000, handles[0], stamped=not opts.no_metadata)
    plan = {200: opts.batches_200, 1000: opts.batches_1000}
    bodies = {
        size: [
            _bodies(pool, handles[c], c, batch_size=size, batches=count, tag=f"s{size}")
            for c in range(opts.clients)
        ]
        for size, count in plan.items()
    }
    warmup = [
        _bodies(pool, handles[c], c, batch_size=200, batches=3, tag="warm")
        for c in range(opts.clients)
    ]
    mean_body = sum(len(b) for b in bodies[1000][0]) / len(bodies[1000][0])
    _log(f"starting the server ({opts.workers} worker(s)) ...", quiet=quiet)
    server = _start_server(url, tmp / "data", key_file, opts.workers, opts.profile)
    runs: dict[int, dict[str, Any]] = {}
    meter = CpuMeter(server.process.pid, _postmaster_pid(pg_dir))
    try:
        asyncio.run(_load(server.base_url, tokens, warmup))
        for size in plan:
            _log(f"posting batches of {size} ...", quiet=quiet)
            runs[size] = asyncio.run(_load(server.base_url, tokens, bodies[size], meter))
    finally:
        _stop_server(server)
    expected = sum(r["accepted"] for r in runs.values()) + opts.clients * 3 * 200
    _log("raw COPY baseline ...", quiet=quiet)
    copy = asyncio.run(_copy_baseline(url, pool, runs[1000]["accepted"]))
    big = runs[1000]
    return {
        "clients": opts.clients,
        "workers": opts.workers,
        "client_stamped_metadata": not opts.no_metadata,
        "mean_body_bytes_batch_1000": mean_body,
        "runs": runs,
        "copy_baseline": copy,
        "ratio_to_copy": {size: r["events_per_s"] / copy["rows_per_s"] for size, r in runs.items()},
        "verify": asyncio.run(_verify(url, expected)),
        "target": {"events_per_s": TARGET_EVENTS_PER_S, "p99_ms": TARGET_P99_S * 1000},
        "target_met": big["events_per_s"] >= TARGET_EVENTS_PER_S
        and big["p99_ms"] < TARGET_P99_S * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--database-url", help="use this PostgreSQL database (else a throwaway)")
    args.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args.add_argument("--clients", type=int, default=8, help="concurrent clients (and users)")
    args.add_argument("--batches-200", type=int, default=40, help="batches of 200 per client")
    args.add_argument("--batches-1000", type=int, default=15, help="batches of 1,000 per client")
    args.add_argument("--no-metadata", action="store_true", help="let the server stamp metadata")
    args.add_argument("--json", action="store_true", help="print figures as JSON only")
    args.add_argument("--check", action="store_true", help="exit 1 if the target is not met")
    args.add_argument("--profile", help="run one server worker under cProfile, stats to FILE")
    args.add_argument("--serve-profiled", nargs=2, help=argparse.SUPPRESS)
    opts = args.parse_args(argv)
    if opts.serve_profiled:
        return _serve_profiled(int(opts.serve_profiled[0]), opts.serve_profiled[1])
    if opts.database_url is None:
        _log("starting a throwaway PostgreSQL ...", quiet=opts.json)
    with (
        throwaway_postgres(opts.database_url) as (url, pg_dir),
        tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp,
    ):
        report = _run(opts, url, Path(tmp), pg_dir)
    if opts.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(_table(report))
    return 1 if opts.check and not report["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
