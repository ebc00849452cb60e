"""Load test (`make load`): many simulated desktop clients and dashboard readers at once.

A throwaway PostgreSQL (`scripts/pg.sh`, unless `--database-url`), the real server under
uvicorn with one process per core (`--workers`), one player per simulated device. Each
device posts one batch of `--batch` realistic envelopes (synthesized logs through the real
parser) every `--interval` seconds, at a fixed rate whatever the answers take, starting at
a random offset; `--readers` dashboard readers each fetch a player's dashboard reads
(stats, summary, timeline by type, sessions, events) once a second. Every device count in
the ramp (`--ramp`, plus `--devices`) runs for `--duration` seconds, after a baseline of
one device and one reader.

Reported per step: sustained events/s, p50/p99 latency per route, errors (non-2xx or no
answer), batches that started late because the previous one was still running, and the
server's peak RSS; the first step whose ingest p99 exceeds the target or has an error is the
point where latency degrades. Ratios are to the baseline measured in the same run.

Target: 200 devices at one batch of 200 events per 5 s each, p99 < 300 ms, zero errors.

Usage: uv run python scripts/load.py [--devices 200] [--ramp 50,100,400] [--duration 60]
                                     [--batch 200] [--interval 5] [--readers 10] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_ingest import _create_users, _pool_of_envelopes, _start_server, _stop_server
from benchlib import latency_figures, machine, rss_bytes, throwaway_postgres

TARGET_P99_MS = 300.0
KEY_SLOT = "\x00KEY\x00"
READS = {
    "GET /v1/me/stats": ("/v1/me/stats", {}),
    "GET /v1/me/summary": ("/v1/me/summary", {}),
    "GET /v1/me/timeline/types": ("/v1/me/timeline/types", {"days": 30, "top": 6}),
    "GET /v1/me/sessions": ("/v1/me/sessions", {"limit": 8}),
    "GET /v1/me/events": ("/v1/me/events", {"limit": 25}),
}
INGEST = "POST /v1/ingest"


def _say(message: str, *, quiet: bool) -> None:
    print(message, file=sys.stderr if quiet else sys.stdout, flush=True)


class Batches:
    """Request bodies built from pre-serialised envelopes: only the idempotency keys are new
    in each batch, so the load generator spends its CPU on sending, not on JSON."""

    def __init__(self, pool: list[dict[str, Any]]) -> None:
        self._pieces = []
        for envelope in pool:
            text = json.dumps({**envelope, "idempotency_key": KEY_SLOT}, separators=(",", ":"))
            before, after = text.split(json.dumps(KEY_SLOT), 1)
            self._pieces.append((before, after))

    def body(self, handle: str, batch_id: str, size: int, start: int) -> bytes:
        events = ",".join(
            f'{before}"{batch_id}-{index}"{after}'
            for index, (before, after) in enumerate(
                self._pieces[(start + i) % len(self._pieces)] for i in range(size)
            )
        )
        head = f'{{"schema_version":2,"batch_id":"{batch_id}","game_build":null,'
        return f'{head}"claimed_handle":"{handle}","events":[{events}]}}'.encode()


@dataclass
class Step:
    devices: int
    readers: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    accepted: int = 0
    late_batches: int = 0
    peak_rss: int = 0

    def failed(self, route: str, what: str) -> None:
        self.errors[route] += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(f"{route}: {what}")


async def _device(
    http: Any,
    step: Step,
    *,
    handle: str,
    token: str,
    batches: Batches,
    opts: argparse.Namespace,
    until: float,
    tag: str,
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    next_at = time.monotonic() + random.uniform(0, opts.interval)  # noqa: S311 - spread, not security
    number = 0
    while next_at < until:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        body = batches.body(handle, f"{tag}-{handle}-{number}", opts.batch, number * opts.batch)
        began = time.perf_counter()
        try:
            response = await http.post("/v1/ingest", content=body, headers=headers)
        except Exception as exc:  # a refused or dropped connection is an error, not a crash
            step.failed(INGEST, type(exc).__name__)
        else:
            step.latencies[INGEST].append(time.perf_counter() - began)
            if response.status_code == 200:
                step.accepted += response.json()["accepted"]
            else:
                step.failed(INGEST, f"{response.status_code} {response.text[:120]}")
        number += 1
        next_at += opts.interval
        if next_at < time.monotonic():  # still busy when the next batch was due
            step.late_batches += 1
            next_at = time.monotonic()


async def _reader(http: Any, step: Step, tokens: list[str], until: float) -> None:
    while time.monotonic() < until:
        token = random.choice(tokens)  # noqa: S311 - load spread, not security
        headers = {"Authorization": f"Bearer {token}"}
        began_round = time.monotonic()
        for route, (path, params) in READS.items():
            began = time.perf_counter()
            try:
                response = await http.get(path, params=params, headers=headers)
            except Exception as exc:  # counted, as for ingest
                step.failed(route, type(exc).__name__)
                continue
            step.latencies[route].append(time.perf_counter() - began)
            if response.status_code != 200:
                step.failed(route, f"{response.status_code} {response.text[:120]}")
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - began_round)))


def _watch_rss(step: Step, pid: int, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        step.peak_rss = max(step.peak_rss, rss_bytes(pid))


async def _run_step(
    base_url: str,
    server_pid: int,
    users: list[tuple[str, str]],
    batches: Batches,
    opts: argparse.Namespace,
    *,
    devices: int,
    readers: int,
    seconds: float,
) -> dict[str, Any]:
    import httpx

    step = Step(devices, readers)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_rss, args=(step, server_pid, stop), daemon=True)
    watcher.start()
    limits = httpx.Limits(max_connections=devices + readers, max_keepalive_connections=None)
    tag = f"d{devices}-{time.monotonic_ns()}"
    began = time.monotonic()
    until = began + seconds
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        tasks = [
            _device(
                http,
                step,
                handle=handle,
                token=token,
                batches=batches,
                opts=opts,
                until=until,
                tag=tag,
            )
            for handle, token in users[:devices]
        ]
        tokens = [token for _, token in users[:devices]]
        tasks += [_reader(http, step, tokens, until) for _ in range(readers)]
        await asyncio.gather(*tasks)
    elapsed = time.monotonic() - began
    stop.set()
    watcher.join()
    routes = {route: latency_figures(values) for route, values in step.latencies.items()}
    requests = sum(len(values) for values in step.latencies.values()) + sum(step.errors.values())
    return {
        "devices": devices,
        "readers": readers,
        "seconds": round(elapsed, 1),
        "events_accepted": step.accepted,
        "events_per_s": step.accepted / elapsed,
        "offered_events_per_s": devices * opts.batch / opts.interval,
        "routes": routes,
        "errors": dict(step.errors),
        "error_samples": step.error_samples,
        "error_rate": sum(step.errors.values()) / requests if requests else 0.0,
        "late_batches": step.late_batches,
        "server_peak_rss_mib": step.peak_rss / 2**20,
    }


def _held(result: dict[str, Any]) -> bool:
    ingest = result["routes"].get(INGEST, {})
    return not result["errors"] and ingest.get("p99_ms", 0.0) < TARGET_P99_MS


def _report(opts: argparse.Namespace, base_url: str, pid: int, users: list[tuple[str, str]],
            batches: Batches) -> dict[str, Any]:  # fmt: skip
    quiet = opts.json
    _say("baseline: 1 device, 1 reader ...", quiet=quiet)
    baseline = asyncio.run(
        _run_step(
            base_url,
            pid,
            users,
            batches,
            opts,
            devices=1,
            readers=1,
            seconds=max(10.0, 3 * opts.interval),
        )
    )
    steps = []
    for devices in sorted({*opts.ramp, opts.devices}):
        _say(f"{devices} devices, {opts.readers} readers, {opts.duration:.0f} s ...", quiet=quiet)
        result = asyncio.run(
            _run_step(
                base_url,
                pid,
                users,
                batches,
                opts,
                devices=devices,
                readers=opts.readers,
                seconds=opts.duration,
            )
        )
        base_p99 = baseline["routes"][INGEST]["p99_ms"]
        result["ingest_p99_ratio_to_baseline"] = result["routes"][INGEST]["p99_ms"] / base_p99
        result["held"] = _held(result)
        steps.append(result)
        _say(_line(result), quiet=quiet)
    degraded = next((s["devices"] for s in steps if not s["held"]), None)
    target = next(s for s in steps if s["devices"] == opts.devices)
    return {
        "machine": machine(),
        "batch": opts.batch,
        "interval_s": opts.interval,
        "api_processes": opts.workers,
        "baseline": baseline,
        "steps": steps,
        "degrades_at_devices": degraded,
        "target": {"devices": opts.devices, "p99_ms": TARGET_P99_MS, "errors": 0},
        "target_met": target["held"],
    }


def _line(step: dict[str, Any]) -> str:
    ingest = step["routes"].get(INGEST, {})
    return (
        f"  {step['devices']:>4} devices: {step['events_per_s']:>8,.0f} events/s "
        f"(offered {step['offered_events_per_s']:,.0f}), ingest p50 "
        f"{ingest.get('p50_ms', 0):.0f} ms p99 {ingest.get('p99_ms', 0):.0f} ms, "
        f"errors {sum(step['errors'].values())}, late {step['late_batches']}, "
        f"RSS {step['server_peak_rss_mib']:.0f} MiB"
    )


def table(report: dict[str, Any]) -> str:
    """The report as markdown: one row per step and route."""
    rows = [
        "| devices | route | requests | p50 ms | p99 ms | errors | events/s | peak RSS MiB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in [report["baseline"], *report["steps"]]:
        for route, figures in sorted(step["routes"].items()):
            events = f"{step['events_per_s']:,.0f}" if route == INGEST else ""
            rows.append(
                f"| {step['devices']} | `{route}` | {figures['count']:,.0f} | "
                f"{figures['p50_ms']:.1f} | {figures['p99_ms']:.1f} | "
                f"{step['errors'].get(route, 0)} | {events} | {step['server_peak_rss_mib']:.0f} |"
            )
    degraded = report["degrades_at_devices"]
    rows.append("")
    rows.append(
        f"Latency degrades (ingest p99 ≥ {TARGET_P99_MS:.0f} ms or an error) at: "
        + (f"{degraded} devices" if degraded else "no step of the ramp")
        + f". Target ({report['target']['devices']} devices, p99 < {TARGET_P99_MS:.0f} ms,"
        + f" 0 errors) met: {report['target_met']}."
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--database-url", help="use this PostgreSQL database (else a throwaway)")
    args.add_argument("--devices", type=int, default=200, help="the target's device count")
    args.add_argument(
        "--ramp",
        type=lambda text: [int(n) for n in text.split(",") if n],
        default=[50, 100, 400],
        help="other device counts to run (comma-separated), to find where latency degrades",
    )
    args.add_argument("--duration", type=float, default=60.0, help="seconds per step")
    args.add_argument("--batch", type=int, default=200, help="events per batch")
    args.add_argument("--interval", type=float, default=5.0, help="seconds between batches")
    args.add_argument("--readers", type=int, default=10, help="concurrent dashboard readers")
    # One API process per core: a deployment scales the API by replicas, one per core
    # (docs/operations.md, Scaling); uvicorn's workers share one port the same way.
    args.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="API processes (default: cores)"
    )
    args.add_argument("--json", action="store_true", help="print the report as JSON only")
    args.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    opts = args.parse_args(argv)
    quiet = opts.json
    with (
        throwaway_postgres(opts.database_url) as (url, _),
        tempfile.TemporaryDirectory(prefix="load-") as tmp,
    ):
        most = max([*opts.ramp, opts.devices])
        handles = [f"LoadPilot{n}" for n in range(most)]
        key_file = Path(tmp) / "jwt-key.pem"
        _say(f"creating {most} players ...", quiet=quiet)
        tokens = asyncio.run(_create_users(url, handles, key_file))
        batches = Batches(_pool_of_envelopes(5_000, handles[0], stamped=True))
        _say("starting the server ...", quiet=quiet)
        server = _start_server(url, Path(tmp) / "data", key_file, opts.workers, None)
        try:
            report = _report(
                opts,
                server.base_url,
                server.process.pid,
                list(zip(handles, tokens, strict=True)),
                batches,
            )
        finally:
            _stop_server(server)
    if opts.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(table(report))
    return 1 if opts.check and not report["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
