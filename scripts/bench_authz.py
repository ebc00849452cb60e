"""Benchmark a cross-user stats read with its SpiceDB check (`make bench-authz`).

Starts a throwaway PostgreSQL (`scripts/pg.sh`, unless `--database-url` is given) and creates
the owner, `--viewers` viewers and one stranger directly in the database (bench_ingest's
helper); the owner gets `--events` events (bench_stats' history: one COPY, then the rollups
rebuilt). Then the real SpiceDB engine behind a real gRPC port (`scripts/spicedb_dev.py`,
memory datastore, started without a schema) and the real server under uvicorn configured with
it (one worker, the default 500 ms check deadline): its start-up writes the schema and loads
every user's owner tuple from the database. The owner shares with each viewer through
`POST /v1/me/share`.

Timed over real HTTP on loopback, one request at a time after a warm-up, then
`--concurrency` at once:

  * baseline: `GET /v1/me/summary` as the owner (the advisory check runs beside the read);
  * `GET /v1/u/{owner}/summary` as the owner (an enforced check before the read, no audit);
  * `GET /v1/u/{owner}/summary` as the viewers, in turn (the enforced check, the read, and a
    `share.viewed` audit row appended to the hash chain);
  * `GET /v1/u/{owner}/summary` as a stranger (the check denies: 404).

And SpiceDB alone: checks/s through `SpiceDbAuthorizer.check` (fully consistent, as the
server asks), one at a time and `--concurrency` at once. Printed: p50/p95/p99 per request,
requests/s, and the ratio of each to the baseline. `--json` prints the figures as JSON.

Usage: uv run python scripts/bench_authz.py [--events 100000] [--viewers 50] [--calls 300]
                                            [--concurrency 16] [--checks 3000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bench_ingest  # server start/stop, users and tokens (same folder)
import bench_stats  # the owner's history: synthesized launches, COPY, rollup rebuild

REPO = Path(__file__).resolve().parents[1]
OWNER = bench_stats.HANDLE  # the handle bench_stats' history is written for
WARM_UP = 20


def _log(message: str, *, quiet: bool) -> None:
    bench_ingest._log(message, quiet=quiet)


# -- the pieces -------------------------------------------------------------------------------
@contextmanager
def _postgres(url: str | None, *, quiet: bool) -> Iterator[str]:
    """`url`, else a throwaway cluster from scripts/pg.sh for the block."""
    if url is not None:
        yield url
        return
    _log("starting a throwaway PostgreSQL ...", quiet=quiet)
    pg = ["bash", str(REPO / "scripts" / "pg.sh")]
    done = subprocess.run([*pg, "up"], capture_output=True, text=True, check=True)  # noqa: S603
    pg_dir, started = done.stdout.split()
    try:
        yield started
    finally:
        subprocess.run([*pg, "down", pg_dir], check=False)  # noqa: S603


@contextmanager
def _spicedb(tmp: Path) -> Iterator[tuple[str, str]]:
    """(endpoint, preshared key) of scripts/spicedb_dev.py, no schema, for the block."""
    key = secrets.token_urlsafe(24)
    key_file = tmp / "spicedb-key"
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    command = [
        sys.executable,
        str(REPO / "scripts" / "spicedb_dev.py"),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--preshared-key-file",
        str(key_file),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE)  # noqa: S603 - our own script
    try:
        line = (
            process.stdout.readline().strip() if process.stdout else b""
        )  # `ready host:port`, or EOF if it failed
        if not line.startswith(b"ready "):
            raise RuntimeError(f"spicedb_dev.py did not start (exit {process.wait()})")
        yield line.split()[1].decode(), key
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _figures(seconds: list[float], wall: float) -> dict[str, float]:
    ordered = sorted(seconds)

    def rank(fraction: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    return {
        "count": len(ordered),
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": rank(0.95),
        "p99_ms": rank(0.99),
        "max_ms": 1000 * ordered[-1],
        "per_s": len(ordered) / wall,
    }


# -- HTTP -------------------------------------------------------------------------------------
async def _share(base_url: str, owner_token: str, viewers: list[str]) -> dict[str, float]:
    """The owner shares with every viewer (timed: a grant is a row, a tuple and an audit row)."""
    import httpx

    headers = {"Authorization": f"Bearer {owner_token}"}
    samples = []
    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
        for viewer in viewers:
            started = time.perf_counter()
            response = await http.post("/v1/me/share", json={"recipient_handle": viewer})
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"share with {viewer}: {response.status_code} {response.text}")
    return _figures(samples, time.perf_counter() - began)


async def _load(
    base_url: str, path: str, tokens: list[str], *, expect: int, calls: int, concurrency: int
) -> dict[str, float]:
    """`calls` GETs of `path` by `concurrency` clients, each request with the next token."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    samples: list[float] = []
    turn = iter(range(10**9))

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as http:

        async def one(record: bool) -> None:
            token = tokens[next(turn) % len(tokens)]
            started = time.perf_counter()
            response = await http.get(path, headers={"Authorization": f"Bearer {token}"})
            elapsed = time.perf_counter() - started
            if response.status_code != expect:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
            if record:
                samples.append(elapsed)

        for _ in range(WARM_UP):
            await one(False)

        async def client(share: int) -> None:
            for _ in range(share):
                await one(True)

        shares = [calls // concurrency + (n < calls % concurrency) for n in range(concurrency)]
        began = time.perf_counter()
        await asyncio.gather(*(client(n) for n in shares))
        wall = time.perf_counter() - began
    return _figures(samples, wall)


# -- SpiceDB alone ----------------------------------------------------------------------------
async def _checks(
    endpoint: str, key: str, viewers: list[str], count: int, concurrency: int
) -> dict[str, float]:
    from starstats_server.authz.port import Permission, stats_record, user
    from starstats_server.authz.spicedb import SpiceDbAuthorizer

    authz = SpiceDbAuthorizer(endpoint, key, timeout=5.0)
    resource = stats_record(OWNER)
    samples: list[float] = []
    turn = iter(range(10**9))
    try:

        async def one(record: bool) -> None:
            viewer = user(viewers[next(turn) % len(viewers)])
            started = time.perf_counter()
            allowed = await authz.check(resource, Permission.VIEW, viewer)
            elapsed = time.perf_counter() - started
            if not allowed:
                raise RuntimeError(f"SpiceDB denied {viewer} (the shares were not written?)")
            if record:
                samples.append(elapsed)

        for _ in range(WARM_UP):
            await one(False)

        async def client(share: int) -> None:
            for _ in range(share):
                await one(True)

        shares = [count // concurrency + (n < count % concurrency) for n in range(concurrency)]
        began = time.perf_counter()
        await asyncio.gather(*(client(n) for n in shares))
        wall = time.perf_counter() - began
    finally:
        await authz.close()
    return _figures(samples, wall)


# -- the run ----------------------------------------------------------------------------------
BASELINE = "GET /v1/me/summary (owner)"


def _measure(
    opts: argparse.Namespace,
    base_url: str,
    endpoint: str,
    key: str,
    tokens: dict[str, Any],
) -> dict[str, Any]:
    viewers = list(tokens["viewers"])
    cross = f"/v1/u/{OWNER}/summary"
    plans = [
        (BASELINE, "/v1/me/summary", [tokens["owner"]], 200),
        ("GET /v1/u/{owner}/summary (owner)", cross, [tokens["owner"]], 200),
        ("GET /v1/u/{owner}/summary (viewers)", cross, list(tokens["viewers"].values()), 200),
        ("GET /v1/u/{owner}/summary (stranger, 404)", cross, [tokens["stranger"]], 404),
    ]
    results: dict[str, Any] = {"sequential": {}, "concurrent": {}}
    for mode, concurrency in (("sequential", 1), ("concurrent", opts.concurrency)):
        calls = opts.calls if concurrency == 1 else opts.calls * 4
        for name, path, plan_tokens, expect in plans:
            results[mode][name] = asyncio.run(
                _load(
                    base_url, path, plan_tokens, expect=expect, calls=calls, concurrency=concurrency
                )
            )
    results["spicedb checks"] = {
        "sequential": asyncio.run(_checks(endpoint, key, viewers, opts.checks, 1)),
        "concurrent": asyncio.run(
            _checks(endpoint, key, viewers, opts.checks * 2, opts.concurrency)
        ),
    }
    return results


def _run(opts: argparse.Namespace, url: str, tmp: Path) -> dict[str, Any]:
    quiet = opts.json
    viewers = [f"Viewer{n:03d}" for n in range(opts.viewers)]
    key_file = tmp / "jwt-key.pem"
    _log(f"migrating; creating the owner, {opts.viewers} viewers and a stranger ...", quiet=quiet)
    handles = [OWNER, *viewers, "Stranger"]
    minted = asyncio.run(bench_ingest._create_users(url, handles, key_file))
    tokens = {
        "owner": minted[0],
        "viewers": dict(zip(viewers, minted[1:-1], strict=True)),
        "stranger": minted[-1],
    }
    _log(f"building and loading {opts.events:,} events for {OWNER} ...", quiet=quiet)
    rows = bench_stats._history(opts.events, datetime.now(UTC))
    events = len(rows)
    fill = asyncio.run(bench_stats._fill(url, rows))
    del rows
    with _spicedb(tmp) as (endpoint, key):
        _log(
            f"SpiceDB (embedded engine over gRPC) on {endpoint}; starting the server ...",
            quiet=quiet,
        )
        began = time.perf_counter()
        server = bench_ingest._start_server(
            url,
            tmp / "data",
            key_file,
            1,
            None,
            extra_env={
                "SPICEDB_ENDPOINT": endpoint,
                "SPICEDB_PRESHARED_KEY": key,
                "STARSTATS_SHARE_RATE_PER_MINUTE": str(max(20, 2 * opts.viewers)),
            },
        )
        started = time.perf_counter() - began
        try:
            import httpx

            ready = httpx.get(f"{server.base_url}/readyz", timeout=10).json()
            if ready["checks"].get("spicedb") != "ok":
                raise RuntimeError(f"the server is not ready for SpiceDB: {ready}")
            _log(f"sharing with {opts.viewers} viewers through POST /v1/me/share ...", quiet=quiet)
            grants = asyncio.run(_share(server.base_url, tokens["owner"], viewers))
            _log("timing ...", quiet=quiet)
            results = _measure(opts, server.base_url, endpoint, key, tokens)
        finally:
            bench_ingest._stop_server(server)
    return {
        "events": events,
        "viewers": opts.viewers,
        "calls": opts.calls,
        "concurrency": opts.concurrency,
        "fill": fill,
        "server_start_s": started,
        "grants": grants,
        "results": results,
    }


def _table(report: dict[str, Any]) -> str:
    results = report["results"]
    lines = [
        f"Cross-user summary reads with the SpiceDB check: {report['events']:,} events for the "
        f"owner, {report['viewers']} viewers, PostgreSQL, SpiceDB (embedded engine behind gRPC "
        "on loopback, memory datastore), real HTTP, one uvicorn worker",
        f"  server start (schema written, owner tuples loaded): {report['server_start_s']:.1f} s;"
        f" {report['viewers']} grants: p50 {report['grants']['p50_ms']:.1f} ms, "
        f"p95 {report['grants']['p95_ms']:.1f} ms",
    ]
    header = (
        f"  {'request':<44} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} "
        f"{'p95 vs base':>12}"
    )
    for mode in ("sequential", "concurrent"):
        runs = results[mode]
        base = runs[BASELINE]
        clients = 1 if mode == "sequential" else report["concurrency"]
        count = int(base["count"])
        lines.append(f"  -- {mode}: {clients} client(s), {count} timed requests each")
        lines.append(header)
        for name, figures in runs.items():
            lines.append(
                f"  {name:<44} {figures['p50_ms']:>8.2f} {figures['p95_ms']:>8.2f} "
                f"{figures['p99_ms']:>8.2f} {figures['per_s']:>8.0f} "
                f"{figures['p95_ms'] / base['p95_ms']:>11.2f}x"
            )
    lines.append("  -- SpiceDB alone: SpiceDbAuthorizer.check (fully consistent)")
    for mode, figures in results["spicedb checks"].items():
        clients = 1 if mode == "sequential" else report["concurrency"]
        lines.append(
            f"  {mode + f' ({clients} at once)':<44} {figures['p50_ms']:>8.2f} "
            f"{figures['p95_ms']:>8.2f} {figures['p99_ms']:>8.2f} {figures['per_s']:>8.0f} checks/s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--database-url", help="use this PostgreSQL database (else a throwaway)")
    args.add_argument("--events", type=int, default=100_000, help="events for the owner")
    args.add_argument("--viewers", type=int, default=50, help="players the owner shares with")
    args.add_argument("--calls", type=int, default=300, help="timed requests per measurement")
    args.add_argument("--concurrency", type=int, default=16, help="clients at once")
    args.add_argument("--checks", type=int, default=3000, help="raw SpiceDB checks timed")
    args.add_argument("--json", action="store_true", help="print figures as JSON only")
    opts = args.parse_args(argv)
    with (
        _postgres(opts.database_url, quiet=opts.json) as url,
        tempfile.TemporaryDirectory(prefix="bench-authz-") as tmp,
    ):
        report = _run(opts, url, Path(tmp))
    print(json.dumps(report, indent=2, sort_keys=True) if opts.json else _table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
