"""Benchmark the dashboard's server-side render for a player with 1,000,000 events on
PostgreSQL (`make bench-web`).

Starts a throwaway PostgreSQL (`scripts/pg.sh`, unless `--database-url` is given), the real
API server under uvicorn on it (as `bench-ingest` does) and fills one player's history
through `POST /v1/ingest`, so the server's rollups are exactly what real uploads leave: the
events of synthesized logs (200 launches, replayed back to back with shifted timestamps and
fresh idempotency keys, the newest ending about now). Then it starts the web app (`starstats-web
serve`, its own process, talking to the API over loopback HTTP) and times, one request at a
time after a warm-up:

  * the baseline: the API's `GET /v1/me/summary` alone (one of the dashboard's six reads);
  * `GET /dashboard` (30-day chart, first activity page), as the browser asks for it;
  * `GET /dashboard?days=365&type=<top type>` (the widest chart and a filtered stream).

It prints p50/p95/max per measurement and the ratio of each to the baseline. Target: p95 of
`/dashboard` <= 200 ms. `--json` prints the figures as JSON; `--check` exits 1 when missed.

Usage: uv run python scripts/bench_web.py [--events 1000000] [--renders 60] [--json] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchlib import throwaway_postgres

# The sibling script's server helpers (throwaway users, the API under uvicorn), reused.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import (
    Server,
    _create_users,
    _free_port,
    _start_server,
    _stop_server,
)

REPO = Path(__file__).resolve().parents[1]
HANDLE = "Bench_Pilot"
TARGET_P95_MS = 200.0
BATCH = 1000
CLIENTS = 4


def _log(message: str, *, quiet: bool) -> None:
    print(message, file=sys.stderr if quiet else sys.stdout, flush=True)


# -- the player's history ---------------------------------------------------------------------
def _season(start: datetime) -> tuple[list[dict[str, Any]], timedelta]:
    """The envelopes of 200 synthesized game launches of ~5,000 lines (the corpus's size; a
    few months of play) beginning at `start`, and the span they cover."""
    from starstats_core.parser import LogParser
    from starstats_core.synth import synthesize_log
    from starstats_core.wire import LogSource, file_signature, to_envelope

    data = "".join(
        synthesize_log(seed=7, sessions=200, lines_per_session=5_000, start=start, handle=HANDLE)
    ).encode()
    parser = LogParser()
    parsed = parser.feed(data) + parser.finish()
    signature = file_signature(data)
    pool = [
        to_envelope(p, LogSource.LIVE, signature, HANDLE).model_dump(mode="json", exclude_none=True)
        for p in parsed
    ]
    stamps = [_at(e) for e in pool if _at(e) is not None]
    span = max(stamps) - min(stamps)  # type: ignore[operator,type-var]
    return pool, span + timedelta(days=1)


def _at(envelope: dict[str, Any]) -> datetime | None:
    stamp = (envelope.get("event") or {}).get("timestamp")
    return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None


def _shifted(envelope: dict[str, Any], by: timedelta, key: str) -> dict[str, Any]:
    copy = {**envelope, "idempotency_key": key}
    at = _at(envelope)
    if at is not None:
        stamp = (at + by).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        copy["event"] = {**envelope["event"], "timestamp": stamp}
    return copy


def _bodies(pool: list[dict[str, Any]], span: timedelta, total: int) -> list[bytes]:
    """`total` envelopes in batches of 1,000: the pool replayed back to back, the last replay
    where the pool itself lies (recent), each earlier one `span` before the next."""
    bodies = []
    batch: list[dict[str, Any]] = []
    last = (total - 1) // len(pool)
    for index in range(total):
        replay, position = divmod(index, len(pool))
        batch.append(_shifted(pool[position], span * (replay - last), f"bench-{index}"))
        if len(batch) == BATCH or index == total - 1:
            body = {
                "schema_version": 2,
                "batch_id": f"bench-{index // BATCH}",
                "game_build": None,
                "claimed_handle": HANDLE,
                "events": batch,
            }
            bodies.append(json.dumps(body, separators=(",", ":")).encode())
            batch = []
    return bodies


async def _fill(base_url: str, token: str, bodies: list[bytes]) -> int:
    """Post every body, `CLIENTS` at a time; the number of events accepted."""
    accepted = 0
    queue = list(reversed(bodies))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def client() -> None:
        nonlocal accepted
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
            while queue:
                response = await http.post("/v1/ingest", content=queue.pop(), headers=headers)
                response.raise_for_status()
                accepted += response.json()["accepted"]

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return accepted


# -- the web app -------------------------------------------------------------------------------
def _start_web(api_url: str, data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "STARSTATS_API_URL": api_url,
        "STARSTATS_WEB_ORIGIN": f"http://127.0.0.1:{port}",
        "STARSTATS_COOKIE_SECURE": "false",
        "STARSTATS_WEB_DATA_DIR": str(data),
    }
    command = [sys.executable, "-m", "starstats_web", "serve", "--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 - our interpreter, our app
        [*command, "--log-level", "warning"], env=env
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"web app exited with code {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("web app did not answer /healthz within 60 s")


def _timed(
    client: httpx.Client, path: str, renders: int, must_contain: str | None = None
) -> dict[str, float]:
    """p50/p95/max of `renders` sequential GETs of `path` (after 5 unmeasured ones)."""
    times = []
    for index in range(renders + 5):
        began = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - began
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
        if must_contain is not None and must_contain not in response.text:
            raise RuntimeError(f"GET {path}: the page lacks {must_contain!r}")
        if index >= 5:
            times.append(elapsed * 1000)
    ordered = sorted(times)
    return {
        "n": len(ordered),
        "p50_ms": statistics.median(ordered),
        "p95_ms": ordered[math.ceil(0.95 * len(ordered)) - 1],  # nearest rank
        "max_ms": ordered[-1],
    }


def _measure(api_url: str, web_url: str, token: str, renders: int) -> dict[str, Any]:
    bearer = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=api_url, timeout=60, headers=bearer) as api:
        top = api.get("/v1/me/summary").json()["by_type"][0]["event_type"]
        reads = {
            "api /v1/me/summary (baseline)": _timed(api, "/v1/me/summary", renders),
            "api /v1/me/stats": _timed(api, "/v1/me/stats", renders),
            "api /v1/me/timeline/types?days=30": _timed(
                api, "/v1/me/timeline/types?days=30", renders
            ),
            "api /v1/me/sessions?limit=8": _timed(api, "/v1/me/sessions?limit=8", renders),
            "api /v1/me/events?limit=25": _timed(api, "/v1/me/events?limit=25", renders),
        }
    with httpx.Client(base_url=web_url, timeout=60, cookies={"starstats_session": token}) as web:
        pages = {
            "web /dashboard": _timed(web, "/dashboard", renders, must_contain=HANDLE),
            f"web /dashboard?days=365&type={top}": _timed(
                web, f"/dashboard?days=365&type={top}", renders, must_contain=HANDLE
            ),
        }
    return {"reads": reads, "pages": pages}


def _table(report: dict[str, Any]) -> str:
    base = report["reads"]["api /v1/me/summary (baseline)"]
    lines = [
        f"Web dashboard benchmark: {report['events']:,} events for one player, PostgreSQL, "
        f"API and web app each one uvicorn process, loopback HTTP, {os.cpu_count()} CPUs, "
        f"{report['renders']} sequential requests each",
        f"  {'request':<44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95 / base':>11}",
    ]
    for name, run in [*report["reads"].items(), *report["pages"].items()]:
        lines.append(
            f"  {name:<44} {run['p50_ms']:>8.1f} {run['p95_ms']:>8.1f} {run['max_ms']:>8.1f} "
            f"{run['p95_ms'] / base['p95_ms']:>10.1f}x"
        )
    verdict = "MET" if report["target_met"] else "NOT MET"
    lines.append(f"TARGET p95 of /dashboard <= {TARGET_P95_MS:.0f} ms: {verdict}")
    return "\n".join(lines)


def _run(opts: argparse.Namespace, url: str, tmp: Path) -> dict[str, Any]:
    quiet = opts.json
    key_file = tmp / "jwt-key.pem"
    (token,) = asyncio.run(_create_users(url, [HANDLE], key_file))
    _log("synthesizing a season of play ...", quiet=quiet)
    pool, span = _season(datetime.now(UTC) - timedelta(days=120))
    bodies = _bodies(pool, span, opts.events)
    server: Server = _start_server(url, tmp / "api", key_file, 1, None)
    web: subprocess.Popen[bytes] | None = None
    try:
        _log(f"uploading {opts.events:,} events through /v1/ingest ...", quiet=quiet)
        began = time.perf_counter()
        accepted = asyncio.run(_fill(server.base_url, token, bodies))
        _log(f"  {accepted:,} accepted in {time.perf_counter() - began:.0f} s", quiet=quiet)
        web, web_url = _start_web(server.base_url, tmp / "web")
        _log("timing ...", quiet=quiet)
        measured = _measure(server.base_url, web_url, token, opts.renders)
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=20)
        _stop_server(server)
    p95 = measured["pages"]["web /dashboard"]["p95_ms"]
    return {
        "events": accepted,
        "renders": opts.renders,
        **measured,
        "target_met": p95 <= TARGET_P95_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--renders", type=int, default=60, help="timed requests each (>= 50)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (else throwaway)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    opts = parser.parse_args(argv)
    if opts.database_url is None:
        _log("starting a throwaway PostgreSQL ...", quiet=opts.json)
    with (
        tempfile.TemporaryDirectory() as tmp,
        throwaway_postgres(opts.database_url) as (url, _),
    ):
        report = _run(opts, url, Path(tmp))
    print(json.dumps(report, indent=2, sort_keys=True) if opts.json else _table(report))
    return 1 if opts.check and not report["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
