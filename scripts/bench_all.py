"""Run every benchmark in one go and write their headline figures into docs/benchmarks.md
(`make bench`).

Each benchmark runs as `python scripts/<script>.py --json [size flags]`, one after another;
its stderr (progress) streams to the terminal with a `[name]` prefix, its JSON report is
saved to `--out DIR` as `<name>.json` (stderr as `<name>.log`), and `run.json` there records
the run: date, git commit, machine, and each benchmark's flags, wall time and exit code.

Then only the generated section of `--doc` (docs/benchmarks.md) is rewritten: what lies
between `<!-- bench:begin -->` and `<!-- bench:end -->` (inserted after the title and intro
the first time); the hand-written analysis around it is kept as it is. The section gives
the date, the commit, the machine and one table: benchmark | figure | value | baseline |
ratio (value / baseline) | target | met.

  --only a,b        run a subset (names: parser, journey, ingest, client, audit, stats, web,
                    authz, load);
                    the section then holds that subset
  --quick           small sizes for every benchmark (a smoke run; figures not comparable)
  --from-json DIR   render the section from the reports saved in DIR, running nothing
  --doc PATH        the document to rewrite (default docs/benchmarks.md)
  --timeout S       stop a benchmark (its whole process group) after S seconds (default: none)

bench_audit.py needs SeaweedFS's fixed S3 port 8333; while another process (a test run's
SeaweedFS) holds it, the runner waits up to 5 minutes before starting that benchmark.

A benchmark that fails (non-zero exit, or no JSON report) is reported in the table as
failed, with its exit code, and the others still run; the exit code is then 1.

Usage: uv run python scripts/bench_all.py [--only a,b] [--quick] [--out DIR] [--doc PATH]
                                          [--from-json DIR] [--timeout S]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import REPO, machine

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
DEFAULT_OUT = REPO / ".starstats" / "bench"
DEFAULT_DOC = REPO / "docs" / "benchmarks.md"
RUN_FILE = "run.json"
DASH = "—"


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    quick: tuple[str, ...]  # size flags of a smoke run
    make: str  # the individual make target
    ports: tuple[int, ...] = ()  # fixed loopback ports it needs free


PORT_WAIT_S = 300.0  # how long to wait for a fixed port another process holds


BENCHMARKS: tuple[Bench, ...] = tuple(
    # bench_audit.py starts SeaweedFS `weed mini`, whose S3 port is fixed (8333).
    Bench(name, script, tuple(quick.split()), make, (8333,) if name == "audit" else ())
    for name, script, quick, make in (
        ("parser", "bench_parser.py", "--lines 20000 --repeat 1", "bench-parser"),
        ("journey", "bench_journey.py", "--quick", "bench-journey"),
        (
            "ingest",
            "bench_ingest.py",
            "--clients 2 --batches-200 3 --batches-1000 2",
            "bench-ingest",
        ),
        (
            "client",
            "bench_client.py",
            "--lines 20000 --latency-lines 20 --idle 2 --repeat 1",
            "bench-client",
        ),
        (
            "audit",
            "bench_audit.py",
            "--clients 2 --batches 2 --rounds 1 --verify-rows 20000",
            "bench-audit",
        ),
        ("stats", "bench_stats.py", "--events 20000 --calls 10", "bench-stats"),
        ("web", "bench_web.py", "--events 20000 --renders 10", "bench-web"),
        (
            "authz",
            "bench_authz.py",
            "--events 20000 --viewers 3 --calls 20 --concurrency 4 --checks 50",
            "bench-authz",
        ),
        (
            "load",
            "load.py",
            "--devices 4 --ramp 8 --duration 5 --interval 1 --readers 1 --batch 50",
            "load",
        ),
    )
)
BY_NAME = {bench.name: bench for bench in BENCHMARKS}


# -- the table's rows --------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One figure of one benchmark; the ratio is `value / baseline` when both are numbers."""

    bench: str
    figure: str
    value: float | str | None
    unit: str = ""
    baseline_what: str = ""
    baseline: float | None = None
    target: str = ""
    met: bool | None = None
    failed: bool = False
    baseline_unit: str | None = None  # when the baseline is counted in other units


def ratio(row: Row) -> float | None:
    if not isinstance(row.value, int | float) or row.baseline is None or row.baseline == 0:
        return None
    return float(row.value) / row.baseline


def fmt_number(value: float, unit: str) -> str:
    if unit in {"ms", "MiB", "s"}:
        text = f"{value:,.1f}"
    elif unit == "%":
        text = f"{value:.2f}"
    elif abs(value) >= 100 or float(value).is_integer():
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.2f}"
    return f"{text} {unit}" if unit else text


def fmt_ratio(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}×"
    if value >= 10:
        return f"{value:.1f}×"
    if value >= 0.01:
        return f"{value:.2f}×"
    return f"{value:.2g}×"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip() or DASH


def render_row(row: Row) -> str:
    if isinstance(row.value, int | float):
        value = fmt_number(float(row.value), row.unit)
    else:
        value = row.value or DASH
    baseline = DASH
    if row.baseline is not None:
        unit = row.unit if row.baseline_unit is None else row.baseline_unit
        baseline = f"{row.baseline_what}: {fmt_number(row.baseline, unit)}"
    elif row.baseline_what:
        baseline = row.baseline_what
    found = ratio(row)
    met = {True: "yes", False: "**no**", None: DASH}[row.met]
    cells = [
        row.bench,
        f"**{row.figure}**" if row.failed else row.figure,
        value,
        baseline,
        fmt_ratio(found) if found is not None else DASH,
        row.target,
        met,
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _n(value: Any) -> float:
    """A number from a report (JSON numbers and numeric strings alike)."""
    return float(value)


def _count(value: Any) -> str:
    return f"{_n(value):,.0f}"


def _parser(report: dict[str, Any]) -> list[Row]:
    b = "parser"
    base = report["baseline"]
    if not report.get("parser_available", True) or "parse" not in report:
        return [Row(b, "parse", "not measured: starstats_core.parser unavailable", met=False)]
    parse, two = report["parse"], report["parse_2x"]
    target = _n(report.get("target_lines_per_s", 1_000_000))
    rows = [
        Row(
            b,
            f"parse, synthetic log of {_count(parse['lines'])} lines (best of {report['repeat']})",
            _n(parse["lines_per_s"]),
            "lines/s",
            "read + split into lines",
            _n(base["lines_per_s"]),
            f"≥ {target:,.0f} lines/s",
            _n(parse["lines_per_s"]) >= target,
        ),
        Row(
            b,
            "parse peak RSS",
            _n(parse["peak_rss_mib"]),
            "MiB",
            "read + split",
            _n(base["peak_rss_mib"]),
        ),
        Row(
            b,
            f"parse peak RSS, input doubled ({_count(two['lines'])} lines)",
            _n(two["peak_rss_mib"]),
            "MiB",
            "parse, 1x input",
            _n(parse["peak_rss_mib"]),
            "constant memory",
        ),
    ]
    real = report.get("parse_real_replica")
    if real:
        rows.append(
            Row(
                b,
                f"parse, real corpus repeated to {_count(real['lines'])} lines",
                _n(real["lines_per_s"]),
                "lines/s",
            )
        )
    return rows


def _journey(report: dict[str, Any]) -> list[Row]:
    b = "journey"
    rows: list[Row] = []
    fold = report.get("fold")
    if fold is not None:
        stream, base = fold["stream"], fold["baseline"]
        target = _n(fold.get("target_events_per_s", 500_000))
        rows += [
            Row(
                b,
                f"{how}, {_count(stream['events'])} events of {stream['launches']} synthesized "
                f"launches (best of {report['repeat']})",
                _n(fold[key]["events_per_s"]),
                "events/s",
                "plain loop over the same events",
                _n(base["events_per_s"]),
                f"≥ {target:,.0f} events/s",
                _n(fold[key]["events_per_s"]) >= target,
            )
            for key, how in (
                ("fold", "fold at once"),
                ("fold_chunked", f"fold in chunks of {_count(fold['chunk_events'])}"),
            )
        ]
    ingest = report.get("ingest")
    if ingest is not None:
        median, cost = _n(ingest["median_ratio"]), _n(ingest.get("target_cost", 0.10))
        rows.append(
            Row(
                b,
                f"ingest with journey facts at ingest (batches of 1,000, "
                f"{ingest['clients']} players each in order, best of "
                f"{_plural(ingest['rounds'], 'round')})",
                _n(ingest["best"]["on"]["events_per_s"]),
                "events/s",
                "facts off, best round",
                _n(ingest["best"]["off"]["events_per_s"]),
                f"≥ {100 * (1 - cost):.0f} % of off (median same-round ratio: "
                f"{100 * median:.1f} %)",
                1 - median <= cost,
            )
        )
    reads = report.get("endpoints")
    if reads is not None:
        worst, target = reads["worst"], _n(reads.get("target_p95_ms", 30))
        rows.append(
            Row(
                b,
                f"worst p95 of the journey reads ({worst['name']}; "
                f"{_count(reads['events'])} events, {reads['calls']} calls each)",
                _n(worst["p95_ms"]),
                "ms",
                "`/v1/me/summary`",
                _n(reads["baseline"]["p95_ms"]),
                f"≤ {target:.0f} ms",
                _n(worst["p95_ms"]) <= target,
            )
        )
    return rows


def _ingest(report: dict[str, Any]) -> list[Row]:
    b = "ingest"
    runs = {str(size): run for size, run in report["runs"].items()}
    copy = _n(report["copy_baseline"]["rows_per_s"])
    goal = report.get("target", {})
    events_target = _n(goal.get("events_per_s", 20_000))
    p99_target = _n(goal.get("p99_ms", 500))
    clients = report["clients"]
    big = runs["1000"]
    rows = [
        Row(
            b,
            f"events/s at batch 1,000 ({clients} clients, real HTTP)",
            _n(big["events_per_s"]),
            "events/s",
            "raw COPY of the same rows",
            copy,
            f"≥ {events_target:,.0f} events/s",
            _n(big["events_per_s"]) >= events_target,
            baseline_unit="rows/s",
        ),
        Row(
            b,
            "p99 batch latency at batch 1,000",
            _n(big["p99_ms"]),
            "ms",
            target=f"< {p99_target:,.0f} ms",
            met=_n(big["p99_ms"]) < p99_target,
        ),
    ]
    if "200" in runs:
        rows.append(
            Row(
                b,
                "events/s at batch 200",
                _n(runs["200"]["events_per_s"]),
                "events/s",
                "raw COPY of the same rows",
                copy,
                baseline_unit="rows/s",
            )
        )
    return rows


def _client(report: dict[str, Any]) -> list[Row]:
    b = "client"
    back, latency = report["backfill"], report["latency"]
    idle, busy = report["idle"], report["busy"]
    if not report.get("notify", True):
        wakes = "polling every 100 ms"
    elif latency.get("fell_back_to_polling"):
        wakes = "polling: notifications failed"
    else:
        wakes = "notifications + 250 ms poll"
    rows = [
        Row(
            b,
            f"import (backfill) of {_count(back['synth']['lines'])} lines, "
            f"{back['synth']['files']} files",
            _n(back["import_lines_per_s"]),
            "lines/s",
            "parser only, fresh parser per file",
            _n(back["parse_lines_per_s"]),
            "≥ 500,000 lines/s",
            _n(back["import_lines_per_s"]) >= 500_000,
        ),
        Row(
            b,
            "import peak RSS",
            _n(back["import_peak_rss_mib"]),
            "MiB",
            "parser only",
            _n(back["parse_peak_rss_mib"]),
        ),
    ]
    real = report.get("real_backfill")
    if real:
        rows.append(
            Row(
                b,
                f"import of real corpus sessions ({_count(real['lines'])} lines)",
                _n(real["import_lines_per_s"]),
                "lines/s",
            )
        )
    rows += [
        Row(
            b,
            f"tail latency append → committed, p99 ({wakes}; p50 {_n(latency['p50_ms']):.1f} ms)",
            _n(latency["p99_ms"]),
            "ms",
            target="≤ 250 ms",
            met=_n(latency["p99_ms"]) <= 250,
        ),
        Row(
            b,
            "idle tailing, CPU of one core",
            _n(idle["cpu_percent"]),
            "%",
            target="≤ 1 %",
            met=_n(idle["cpu_percent"]) <= 1,
        ),
        Row(
            b,
            f"tailing while {_n(report.get('busy_rate', 20)):g} lines/s arrive, CPU of one core",
            _n(busy["cpu_percent"]),
            "%",
            "idle tailing",
            _n(idle["cpu_percent"]),
        ),
    ]
    return rows


def _audit(report: dict[str, Any]) -> list[Row]:
    b = "audit"
    best, median = report["best"], report["median_ratio"]
    off = _n(best["off"]["events_per_s"])
    rounds = report.get("rounds", len(report.get("runs", {}).get("off", [])))
    rows = [
        Row(
            b,
            f"ingest with the chain{' + S3 mirror' if mode == 'chain+mirror' else ''} "
            f"(batches of 1,000, best of {_plural(rounds, 'round')})",
            _n(best[mode]["events_per_s"]),
            "events/s",
            "audit off, best round",
            off,
            f"≥ 90 % of off (median same-round ratio: {100 * _n(median[mode]):.1f} %)",
            _n(median[mode]) >= 0.90,
        )
        for mode in ("chain", "chain+mirror")
        if mode in best and mode in median
    ]
    verify = report["verify"]["best"]
    rows.append(
        Row(
            b,
            f"`audit verify` over {_count(verify['rows'])} rows (best of "
            f"{len(report['verify'].get('runs', [verify]))})",
            _n(verify["rows_per_s"]),
            "rows/s",
            target="≥ 200,000 rows/s",
            met=_n(verify["rows_per_s"]) >= 200_000,
        )
    )
    return rows


STATS_ORDER = (
    "stats",
    "summary",
    "timeline/types 7d",
    "timeline/types 30d",
    "timeline/types 90d",
    "timeline/types 365d",
    "timeline 365d",
    "sessions 8",
    "events 25",
    "events 25 by type",
    "events 25 one day, 200 d ago",
    "dashboard set (concurrent)",
)
STATS_FLOOR = "auth/me"
STATS_SET = "dashboard set (concurrent)"


def _stats(report: dict[str, Any]) -> list[Row]:
    calls: dict[str, Any] = report["results"]["calls"]
    floor = calls.get(STATS_FLOOR)
    names = [n for n in STATS_ORDER if n in calls]
    names += sorted(n for n in calls if n not in STATS_ORDER and n != STATS_FLOOR)
    rows = []
    for index, name in enumerate(names):
        limit = 200.0 if name == STATS_SET else 40.0
        p95 = _n(calls[name]["p95_ms"])
        label = "the six dashboard reads at once" if name == STATS_SET else f"`{name}`"
        if index == 0:
            label += f" ({_count(report['events'])} events, {report['calls_per_endpoint']} calls)"
        rows.append(
            Row(
                "stats",
                f"p95, {label}",
                p95,
                "ms",
                "`/v1/auth/me` (no events)" if floor else "",
                _n(floor["p95_ms"]) if floor else None,
                f"≤ {limit:.0f} ms",
                p95 <= limit,
            )
        )
    return rows


WEB_BASELINE = "api /v1/me/summary (baseline)"


def _web(report: dict[str, Any]) -> list[Row]:
    base = _n(report["reads"][WEB_BASELINE]["p95_ms"])
    rows = []
    pages: dict[str, Any] = report["pages"]
    for name in sorted(pages, key=lambda n: (n != "web /dashboard", n)):
        p95 = _n(pages[name]["p95_ms"])
        main = name == "web /dashboard"
        path = name.removeprefix("web ")
        extra = f" ({_count(report['events'])} events)" if main else ""
        rows.append(
            Row(
                "web",
                f"p95, render of `{path}`{extra}",
                p95,
                "ms",
                "API `/v1/me/summary`",
                base,
                "≤ 200 ms" if main else "",
                (p95 <= 200) if main else None,
            )
        )
    return rows


AUTHZ_BASELINE = "GET /v1/me/summary (owner)"


def _authz(report: dict[str, Any]) -> list[Row]:
    b = "authz"
    results = report["results"]
    rows: list[Row] = []
    at_once = f"{report['concurrency']} at once"
    plans = (
        ("sequential", "viewers", "viewers, one at a time"),
        ("concurrent", "viewers", f"viewers, {at_once}"),
        ("sequential", "stranger, 404", "a stranger (404), one at a time"),
    )
    for mode, key, who in plans:
        runs = results.get(mode, {})
        name = f"GET /v1/u/{{owner}}/summary ({key})"
        if name not in runs or AUTHZ_BASELINE not in runs:
            continue
        extra = "" if rows else f"; {_count(report['events'])} events, {report['viewers']} viewers"
        same = "same concurrency" if mode == "concurrent" else "one at a time"
        rows.append(
            Row(
                b,
                f"p95, cross-user `/v1/u/{{owner}}/summary` as {who}{extra}",
                _n(runs[name]["p95_ms"]),
                "ms",
                f"`/v1/me/summary` as the owner, {same}",
                _n(runs[AUTHZ_BASELINE]["p95_ms"]),
            )
        )
    checks = results.get("spicedb checks", {})
    for mode, who in (("sequential", "one at a time"), ("concurrent", at_once)):
        if mode in checks:
            rows.append(
                Row(
                    b,
                    f"SpiceDB checks alone (fully consistent), {who}",
                    _n(checks[mode]["per_s"]),
                    "checks/s",
                )
            )
    return rows


LOAD_INGEST = "POST /v1/ingest"


def _plural(count: Any, noun: str) -> str:
    number = int(_n(count))
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _load(report: dict[str, Any]) -> list[Row]:
    b = "load"
    goal = report["target"]
    devices = int(_n(goal["devices"]))
    limit = _n(goal.get("p99_ms", 300))
    steps: list[dict[str, Any]] = report["steps"]
    step = next(s for s in steps if int(_n(s["devices"])) == devices)
    base = report["baseline"]
    cadence = f"{report['batch']} events every {_n(report['interval_s']):g} s each"
    p99 = _n(step["routes"][LOAD_INGEST]["p99_ms"])
    errors = sum(int(_n(v)) for v in step["errors"].values())
    base_errors = sum(int(_n(v)) for v in base["errors"].values())
    degraded = report.get("degrades_at_devices")
    most = max(int(_n(s["devices"])) for s in steps)
    ramp = ", ".join(str(int(_n(s["devices"]))) for s in steps)
    return [
        Row(
            b,
            f"ingest p99, {devices} devices ({cadence}) + {_plural(step['readers'], 'reader')}",
            p99,
            "ms",
            "1 device + 1 reader",
            _n(base["routes"][LOAD_INGEST]["p99_ms"]),
            f"< {limit:.0f} ms",
            p99 < limit,
        ),
        Row(
            b,
            f"events/s sustained, {devices} devices",
            _n(step["events_per_s"]),
            "events/s",
            "offered",
            _n(step["offered_events_per_s"]),
        ),
        Row(
            b,
            f"errors, {devices} devices (non-2xx or no answer)",
            float(errors),
            "",
            "1 device",
            float(base_errors),
            "0",
            errors == 0,
        ),
        Row(
            b,
            f"latency degrades (ingest p99 ≥ {limit:.0f} ms or an error); ramp {ramp} devices",
            f"at {degraded} devices" if degraded is not None else f"not up to {most} devices",
        ),
    ]


BUILDERS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "parser": _parser,
    "journey": _journey,
    "ingest": _ingest,
    "client": _client,
    "audit": _audit,
    "stats": _stats,
    "web": _web,
    "authz": _authz,
    "load": _load,
}


def rows_for(name: str, report: dict[str, Any]) -> list[Row]:
    """The rows of one report; one "unreadable" row when it lacks what the table needs."""
    try:
        return BUILDERS[name](report)
    except (KeyError, TypeError, ValueError, StopIteration, AttributeError) as exc:
        problem = f"{type(exc).__name__}: {exc}"[:160]
        return [Row(name, "report unreadable", problem, met=False, failed=True)]


def failed_row(name: str, result: dict[str, Any]) -> Row:
    code = result.get("exit_code")
    if result.get("timed_out"):
        what = "timed out"
    elif result.get("status", "ok") == "ok":
        what, result = "no report", {"reason": f"{name}.json is missing"}
    else:
        what = f"failed (exit code {code})"
    reason = str(result.get("reason") or "")[:200]
    return Row(name, what, reason or None, met=False, failed=True)


# -- the section -----------------------------------------------------------------------------
def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def render_section(run: dict[str, Any], reports: dict[str, dict[str, Any]]) -> str:
    """The generated section, markers included."""
    spec = run.get("machine", {})
    described = (
        f"{spec.get('cpu', '?')}, {spec.get('cores', '?')} cores, {spec.get('memory', '?')}, "
        f"{spec.get('os', '?')}, Python {spec.get('python', '?')}"
    )
    results: dict[str, Any] = run.get("benchmarks", {})
    names = [b.name for b in BENCHMARKS if b.name in results or b.name in reports]
    lines = [
        BEGIN,
        "## Latest run of every benchmark (`make bench`)",
        "",
        "Generated by `scripts/bench_all.py` from the JSON reports it saved in "
        f"`{run.get('out', '.starstats/bench')}`;",
        "it rewrites only this section, between the `bench:` markers (the sections after it are",
        "written by hand). Ratio = value / baseline, both measured in the same run.",
        "",
        f"* Date: {run.get('date', '?')}"
        + (f" (took {_duration(_n(run['seconds']))})" if "seconds" in run else ""),
        f"* Commit: `{run.get('commit', '?')}`",
        f"* Machine: {described}",
    ]
    if "quick" not in run:
        lines.append("* Sizes: not recorded (rendered from reports without their run.json)")
    elif run["quick"]:
        lines += [
            "* Sizes: **quick** (`--quick`: a smoke run at small sizes; its figures are not",
            "  comparable with the targets or with the sections below)",
        ]
    else:
        lines.append("* Sizes: each benchmark's defaults, as in the sections below")
    if results:
        lines.append("* Ran:")
    for name in names:
        if name not in results:
            continue
        result = results[name]
        flags = " ".join(result.get("flags", []))
        took = f", {_duration(_n(result['seconds']))}" if "seconds" in result else ""
        status = "" if result.get("status", "ok") == "ok" else ", **failed**"
        command = f"`{BY_NAME[name].script}{' ' + flags if flags else ''}`"
        lines.append(f"  * {name}: {command}{took}{status}")
    lines += [
        "",
        "| benchmark | figure | value | baseline (what, value) | ratio | target | met |",
        "| --- | --- | ---: | --- | ---: | --- | --- |",
    ]
    for name in names:
        report = reports.get(name)
        result = results.get(name, {})
        if report is None or result.get("status", "ok") != "ok":
            lines.append(render_row(failed_row(name, result)))
            continue
        lines += [render_row(row) for row in rows_for(name, report)]
    lines.append(END)
    return "\n".join(lines)


def splice(document: str, section: str) -> str:
    """`document` with its generated section replaced by `section` (markers included), or, the
    first time, `section` inserted after the title and intro (before the first `## `)."""
    start, stop = document.find(BEGIN), document.find(END)
    if start != -1 and stop > start:
        return document[:start] + section + document[stop + len(END) :]
    if start != -1 or stop != -1:
        raise ValueError(f"{BEGIN} and {END} must both be present, in that order")
    lines = document.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if index > 0 and line.startswith("## "):
            return "".join(lines[:index]) + section + "\n\n" + "".join(lines[index:])
    return document.rstrip("\n") + "\n\n" + section + "\n"


def write_doc(doc: Path, run: dict[str, Any], reports: dict[str, dict[str, Any]]) -> None:
    text = doc.read_text(encoding="utf-8")
    doc.write_text(splice(text, render_section(run, reports)), encoding="utf-8")


# -- running -------------------------------------------------------------------------------------
def _git(*args: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - git, fixed arguments
            ["git", *args],  # noqa: S607
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def commit() -> str:
    head = _git("rev-parse", "--short=12", "HEAD") or "unknown"
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return f"{head} + uncommitted changes" if dirty else head


def parse_report(stdout: str) -> dict[str, Any]:
    """The JSON report at the end of a benchmark's stdout (anything printed before it, e.g. by
    a child process, is skipped)."""
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError:
        lines = stdout.splitlines()
        starts = [i for i, line in enumerate(lines) if line.rstrip() == "{"]
        if not starts:
            raise
        report = json.loads("\n".join(lines[starts[-1] :]))
    if not isinstance(report, dict):
        raise ValueError("the report is not a JSON object")
    return report


def _tee(source: IO[bytes], prefix: str, log: IO[bytes], last: list[str]) -> None:
    for raw in iter(source.readline, b""):
        log.write(raw)
        log.flush()
        text = raw.decode(errors="replace").rstrip()
        if text.strip():
            last[:] = [text.strip()]
        sys.stderr.write(f"{prefix} {text}\n")
        sys.stderr.flush()


@contextmanager
def _interruptible_children() -> Iterator[None]:
    """While a benchmark is started: SIGINT neither ignored nor blocked here, so the child
    does not inherit either (an ignored SIGINT survives exec, and a child Python then
    installs no KeyboardInterrupt). `_stop` relies on SIGINT to let a benchmark clean up;
    a runner started with SIGINT ignored (nohup, some CI shells) would otherwise wait out
    its whole grace. Only the main thread may change handlers; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    handler = signal.getsignal(signal.SIGINT)
    if handler is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if handler is signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT to the benchmark's process group (its clean-up runs), SIGKILL if it lingers."""
    for sig, grace in ((signal.SIGINT, 60.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _taken(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for_ports(ports: Sequence[int], limit: float = PORT_WAIT_S) -> None:
    """Wait (up to `limit` seconds) while another process holds one of `ports` (a test run's
    SeaweedFS, say); the benchmark then runs either way and reports its own error."""
    deadline = time.monotonic() + limit
    said = False
    while (busy := [p for p in ports if _taken(p)]) and time.monotonic() < deadline:
        if not said:
            print(f"   port {busy[0]} is taken by another process; waiting up to {limit:.0f} s")
            said = True
        time.sleep(2)


def run_one(bench: Bench, flags: Sequence[str], out: Path, timeout: float | None) -> dict[str, Any]:
    """Run one benchmark; its report saved as out/<name>.json; what happened, for run.json."""
    command = [sys.executable, str(REPO / "scripts" / bench.script), "--json", *flags]
    report_path, log_path = out / f"{bench.name}.json", out / f"{bench.name}.log"
    report_path.unlink(missing_ok=True)  # never leave a stale report beside a failed run
    print(f"== {bench.name}: {' '.join(command[1:])}", flush=True)
    wait_for_ports(bench.ports)
    began = time.perf_counter()
    last: list[str] = []
    timed_out = False
    with log_path.open("wb") as log, (out / f"{bench.name}.stdout").open("w+b") as stdout:
        with _interruptible_children():
            process = subprocess.Popen(  # noqa: S603 - our interpreter running our own script
                command,
                cwd=REPO,
                stdout=stdout,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group: a timeout stops all of it
            )
        assert process.stderr is not None
        tee = threading.Thread(
            target=_tee, args=(process.stderr, f"[{bench.name}]", log, last), daemon=True
        )
        tee.start()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop(process)
        except KeyboardInterrupt:
            _stop(process)
            raise
        tee.join(timeout=10)  # a leaked grandchild may hold the pipe; do not wait for it
        if not tee.is_alive():
            process.stderr.close()
        stdout.seek(0)
        text = stdout.read().decode(errors="replace")
    (out / f"{bench.name}.stdout").unlink(missing_ok=True)
    seconds = time.perf_counter() - began
    result: dict[str, Any] = {
        "flags": list(flags),
        "seconds": round(seconds, 1),
        "exit_code": process.returncode,
        "timed_out": timed_out,
    }
    if process.returncode == 0 and not timed_out:
        try:
            report = parse_report(text)
        except (json.JSONDecodeError, ValueError) as exc:
            result.update(status="failed", reason=f"no JSON report on stdout ({exc})")
        else:
            report_path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
            result["status"] = "ok"
    else:
        reason = f"timed out after {timeout:g} s" if timed_out else (last[0] if last else "")
        result.update(status="failed", reason=reason)
    verdict = "ok" if result["status"] == "ok" else f"FAILED ({result.get('reason', '')})"
    print(f"== {bench.name}: {verdict} in {_duration(seconds)}", flush=True)
    return result


def load_reports(folder: Path, names: Sequence[str]) -> dict[str, dict[str, Any]]:
    reports = {}
    for name in names:
        path = folder / f"{name}.json"
        if path.is_file():
            reports[name] = json.loads(path.read_text(encoding="utf-8"))
    return reports


def _selection(only: str | None) -> list[Bench]:
    if not only:
        return list(BENCHMARKS)
    wanted = [n.strip() for n in only.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in BY_NAME]
    if unknown:
        known = ", ".join(BY_NAME)
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)} (known: {known})")
    return [b for b in BENCHMARKS if b.name in wanted]


def _from_json(folder: Path, doc: Path, selected: list[Bench]) -> int:
    names = [b.name for b in selected]
    saved = folder / RUN_FILE
    run: dict[str, Any]
    if saved.is_file():
        run = json.loads(saved.read_text(encoding="utf-8"))
    else:  # bare reports: describe this machine and commit, dated now
        run = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit(),
            "machine": machine(),
            "out": str(folder),
            "benchmarks": {},
        }
    run["benchmarks"] = {k: v for k, v in run.get("benchmarks", {}).items() if k in names}
    reports = load_reports(folder, names)
    if not reports and not run["benchmarks"]:
        print(f"no reports for {', '.join(names)} in {folder}", file=sys.stderr)
        return 2
    write_doc(doc, run, reports)
    print(f"wrote the generated section of {doc} from {folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmarks: " + ",".join(BY_NAME))
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where reports are saved")
    parser.add_argument("--doc", type=Path, default=DEFAULT_DOC, help="the document to rewrite")
    parser.add_argument(
        "--from-json", type=Path, metavar="DIR", help="render from saved reports; run nothing"
    )
    parser.add_argument(
        "--timeout", type=float, default=0, help="seconds per benchmark before it is stopped"
    )
    opts = parser.parse_args(argv)
    selected = _selection(opts.only)
    if opts.from_json is not None:
        return _from_json(opts.from_json, opts.doc, selected)
    if not opts.doc.is_file():
        raise SystemExit(f"{opts.doc} does not exist")
    out: Path = opts.out
    out.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    try:
        shown_out = out.resolve().relative_to(REPO)
    except ValueError:
        shown_out = out
    run: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "machine": machine(),
        "quick": opts.quick,
        "out": str(shown_out),
        "benchmarks": {},
    }
    for bench in selected:
        flags = bench.quick if opts.quick else ()
        run["benchmarks"][bench.name] = run_one(bench, flags, out, opts.timeout or None)
        run["seconds"] = round(time.perf_counter() - began, 1)
        (out / RUN_FILE).write_text(json.dumps(run, indent=2) + "\n")
    write_doc(opts.doc, run, load_reports(out, [b.name for b in selected]))
    failed = [n for n, r in run["benchmarks"].items() if r["status"] != "ok"]
    print(
        f"wrote the generated section of {opts.doc}; reports in {out}; "
        f"took {_duration(run['seconds'])}" + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
