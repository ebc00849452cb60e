"""Benchmark the web app's journey pages for a player with 1,000,000 events on PostgreSQL
(`make bench-web`; issue 15).

The player is bench_journey.py's `--part endpoints` one, made by the same functions: a
throwaway PostgreSQL (`scripts/pg.sh`, unless `--database-url` is given), bench_stats.py's
history (synthesized launches placed five a day up to today, one COPY, rollups rebuilt),
then its journey rows by `services.journey.rebuild` (what `starstats-server journey rebuild`
runs; ingest keeps the same rows). The real API runs under uvicorn (one worker) and the web
app in its own process (`starstats-web serve`, one worker) talking to it over loopback HTTP,
the browser's session cookie carrying the player's token. Timed, `--calls` GETs each, one at
a time after 10 warm-up ones:

  * the pages: `/dashboard` (default 30-day window), `/dashboard?days=all`, the activity
    log `/activity`, the sessions list `/journey/sessions` and one typical session's story
    `/journey/sessions/{id}` (median time played among the newest 50);
  * in the same run, every API read those pages make (bench_web_reads.py lists them from
    the page code), each alone, and each page's reads issued at once as the page does;
  * the web app's own histograms around each page's loop: its mean time per page and per
    API call, which split a page into API waits and the web app's own work.

Prints p50/p95/p99/max per page and read, and per page the ratio of its p95 to the p95 of
the slowest read it makes. Target: p95 <= 80 ms for `/dashboard` and the session page.
`--profile` then renders each page 30 times in-process under cProfile and prints where
the time goes (bench_web_profile.py). `--quick` is a smoke run (20,000 events, 10 calls);
`--json` prints the report as JSON (progress to stderr); `--check` exits 1 when the target
is missed.

Usage: uv run python scripts/bench_web.py [--events 1000000] [--calls 200] [--quick]
           [--database-url URL] [--profile] [--json] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ingest  # the API under uvicorn, users and tokens
import bench_journey  # the journey rebuild and a stored player's token
import bench_stats  # the player's history and its COPY
import bench_web_profile
import bench_web_reads as plan
from benchlib import machine, throwaway_postgres

TARGET_P95_MS = 80.0
TARGET_PAGES = ("web /dashboard", "web /dashboard?days=all", "web /journey/sessions/{id}")
HANDLE = bench_stats.HANDLE
PROFILE_RENDERS = 30


def _log(message: str, *, quiet: bool) -> None:
    print(message, file=sys.stderr if quiet else sys.stdout, flush=True)


# -- the player -------------------------------------------------------------------------------
def _player(url: str, tmp: Path, events: int, quiet: bool) -> tuple[str, int, dict[str, Any]]:
    """(token, events, fill figures): the stored player when `url` holds one, else a new one
    built as bench_journey.py's endpoints part builds it."""
    key_file = tmp / "jwt-key.pem"
    stored = asyncio.run(bench_journey._stored_player(url, HANDLE.lower(), key_file))
    if stored is not None:
        _log(f"reusing the stored player ({stored[1]:,} events) ...", quiet=quiet)
        return stored[0], stored[1], {}
    _log("migrating and creating the user ...", quiet=quiet)
    (token,) = asyncio.run(bench_ingest._create_users(url, [HANDLE], key_file))
    _log(f"building {events:,} events (bench_stats' history) ...", quiet=quiet)
    rows = bench_stats._history(events, datetime.now(UTC))
    _log("COPY and rollup rebuild ...", quiet=quiet)
    fill: dict[str, Any] = dict(asyncio.run(bench_stats._fill(url, rows)))
    del rows
    _log("journey rebuild from the stored events ...", quiet=quiet)
    fill["journey"] = asyncio.run(bench_journey._fill_journey(url, HANDLE.lower()))
    journey = fill["journey"]
    _log(
        f"  {journey['sessions']:,} sessions, {sum(journey['facts'].values()):,} facts in "
        f"{journey['rebuild_s']:.0f} s",
        quiet=quiet,
    )
    return token, events, fill


# -- the web app ------------------------------------------------------------------------------
def _start_web(api_url: str, data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = bench_ingest._free_port()
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


# -- the measurement --------------------------------------------------------------------------
async def _measure(api_url: str, web_url: str, token: str, calls: int) -> dict[str, Any]:
    """Pages first, then the reads, then the sets at once: each read is timed once even
    when two pages make it (the two dashboards share six)."""
    bearer = {"Authorization": f"Bearer {token}"}
    cookie = {"starstats_session": token}
    async with (
        httpx.AsyncClient(base_url=api_url, headers=bearer, timeout=60) as api,
        httpx.AsyncClient(base_url=web_url, cookies=cookie, timeout=60) as web,
    ):
        session_id, seconds = await plan.typical_session(api)
        pages: dict[str, Any] = {}
        reads: dict[str, Any] = {}
        for name, (path, marker, page_reads) in plan.page_reads(session_id).items():
            before = await plan.scrape(web)
            figures = await plan.timed(web, path, lambda _now: {}, calls, marker)
            split = plan.split_of(before, await plan.scrape(web))
            pages[name] = {"path": path, **figures, "reads": [r.name for r in page_reads]}
            pages[name]["web_split_mean_ms"] = split
            for read in page_reads:
                if read.name not in reads:
                    reads[read.name] = {"path": read.path, **await _read(api, read, calls)}
            pages[name]["reads_at_once"] = await plan.timed_at_once(api, page_reads, calls)
    for page in pages.values():
        slowest = max(page["reads"], key=lambda n: reads[n]["p95_ms"])
        page["slowest_read"] = slowest
        page["ratio_to_slowest_read"] = page["p95_ms"] / reads[slowest]["p95_ms"]
    return {"session": {"id": session_id, "seconds": seconds}, "pages": pages, "reads": reads}


async def _read(api: httpx.AsyncClient, read: plan.Read, calls: int) -> dict[str, Any]:
    return await plan.timed(api, read.path, read.params, calls)


def _run(opts: argparse.Namespace) -> dict[str, Any]:
    quiet = opts.json
    if opts.database_url is None:
        _log("starting a throwaway PostgreSQL ...", quiet=quiet)
    with (
        throwaway_postgres(opts.database_url) as (url, _),
        tempfile.TemporaryDirectory(prefix="bench-web-") as folder,
    ):
        tmp = Path(folder)
        token, events, fill = _player(url, tmp, opts.events, quiet)
        api = bench_ingest._start_server(url, tmp / "api", tmp / "jwt-key.pem", 1, None)
        web: subprocess.Popen[bytes] | None = None
        try:
            web, web_url = _start_web(api.base_url, tmp / "web")
            _log(f"timing {opts.calls} calls each ...", quiet=quiet)
            load_before = os.getloadavg()  # the machine is shared: its load goes with the figures
            measured = asyncio.run(_measure(api.base_url, web_url, token, opts.calls))
            if opts.profile:
                _log("profiling the pages in-process ...", quiet=quiet)
                paths = {name: page["path"] for name, page in measured["pages"].items()}
                measured["profile"] = bench_web_profile.profile_pages(
                    api.base_url, token, paths, PROFILE_RENDERS, tmp / "web-profiled"
                )
        finally:
            if web is not None:
                web.terminate()
                web.wait(timeout=20)
            bench_ingest._stop_server(api)
    worst = max(TARGET_PAGES, key=lambda n: measured["pages"][n]["p95_ms"])
    return {
        "machine": machine(),
        "load_average_before": load_before,
        "load_average": os.getloadavg(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "events": events,
        "calls": opts.calls,
        "warmup_calls": plan.WARMUP_CALLS,
        "fill": fill,
        **measured,
        "target_p95_ms": TARGET_P95_MS,
        "worst_page": worst,
        "target_met": measured["pages"][worst]["p95_ms"] <= TARGET_P95_MS,
    }


# -- output -----------------------------------------------------------------------------------
def _row(name: str, r: dict[str, Any], extra: str = "") -> str:
    return (
        f"  {name:<44} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} "
        f"{r['max_ms']:>7.1f}{extra}"
    )


def _table(report: dict[str, Any]) -> str:
    load = " / ".join(
        " ".join(f"{x:.2f}" for x in report[key]) for key in ("load_average_before", "load_average")
    )
    lines = [
        f"Web journey pages: {report['events']:,} events for one player, PostgreSQL, API and web "
        f"app one uvicorn process each, loopback HTTP, {report['machine']['cores']} CPUs, "
        f"load {load} (1/5/15 min, before / after), {report['calls']} calls each after "
        f"{report['warmup_calls']} warm-up, one at a time ({report['measured_at']})",
        f"  typical session: {report['session']['id']} "
        f"({report['session']['seconds'] / 60:.0f} min played)",
    ]
    header = f"  {'':<44} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    reads = report["reads"]
    for name, page in report["pages"].items():
        target = f"  <= {TARGET_P95_MS:.0f} ms: " if name in TARGET_PAGES else ""
        verdict = ("yes" if page["p95_ms"] <= TARGET_P95_MS else "NO") if target else ""
        lines += ["", header, _row(f"{name}", page, f"{target}{verdict}")]
        for read in page["reads"]:
            lines.append(_row(f"  {read}", reads[read]))
        lines.append(_row("  its reads at once (as the page issues them)", page["reads_at_once"]))
        lines.append(
            f"  page p95 / slowest read p95 ({page['slowest_read']}): "
            f"{page['ratio_to_slowest_read']:.1f}x"
        )
        split = page["web_split_mean_ms"]
        calls = ", ".join(f"{k} {v:.1f}" for k, v in sorted(split.items()) if k != "page")
        lines.append(
            f"  web app's own means (ms, with warm-up): page {split.get('page', 0):.1f}; "
            f"API calls as it saw them: {calls}"
        )
    if "profile" in report:
        lines.append(bench_web_profile.table(report["profile"]))
    worst = report["worst_page"]
    lines.append(
        f"\nTARGET p95 <= {TARGET_P95_MS:.0f} ms for /dashboard (both windows) and the session "
        f"page (worst: {worst}, {report['pages'][worst]['p95_ms']:.1f} ms): "
        + ("MET" if report["target_met"] else "NOT MET")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="the player's events")
    parser.add_argument("--calls", "--renders", type=int, default=200, help="timed GETs each")
    parser.add_argument("--database-url", help="a PostgreSQL to use (its player is reused)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 20,000 events, 10 calls")
    parser.add_argument(
        "--profile", action="store_true", help="also profile each page in-process (cProfile)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.events, opts.calls = min(opts.events, 20_000), min(opts.calls, 10)
    report = _run(opts)
    print(json.dumps(report, indent=2, sort_keys=True) if opts.json else _table(report))
    return 1 if opts.check and not report["target_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
