"""`make bench` (scripts/bench_all.py): the generated section of docs/benchmarks.md.

The fast tests render the section from fixture reports shaped like the real scripts' JSON
(taken from tiny runs of each, numbers rounded so the ratios are easy to check) into a copy
of docs/benchmarks.md, and run the runner itself on stand-in scripts (one passes, one
fails). The slow test runs `bench_all.py --quick --only parser` end to end.
"""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def _load_bench_all() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_all", REPO / "scripts" / "bench_all.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_all"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench_all = _load_bench_all()


# -- fixture reports, shaped like each script's --json output ----------------------------------
def _lat(p50: float, p95: float, count: int = 10) -> dict[str, float]:
    return {"count": float(count), "p50_ms": p50, "p95_ms": p95, "p99_ms": p95, "max_ms": p95}


def _measure(lines: int, per_s: float, rss: float, events: int = 0) -> dict[str, Any]:
    seconds = lines / per_s
    return {
        "bytes": lines * 257,
        "events": events,
        "lines": lines,
        "lines_per_s": per_s,
        "mb_per_s": lines * 257 / 1e6 / seconds,
        "peak_rss_mib": rss,
        "runs_seconds": [seconds],
        "seconds": seconds,
    }


PARSER: dict[str, Any] = {
    "baseline": _measure(1_000_000, 4_000_000.0, 40.0),
    "chunk_bytes": 4194304,
    "lines_match": True,
    "parse": _measure(1_000_000, 250_000.0, 110.0, events=110_000),
    "parse_2x": _measure(2_000_000, 240_000.0, 110.5, events=220_000),
    "parse_real_replica": _measure(1_000_000, 500_000.0, 100.0, events=95_000),
    "parser_available": True,
    "repeat": 3,
    "rss_delta_mib": 0.5,
    "synth": {
        "bytes_1x": 257_000_000,
        "bytes_2x": 514_000_000,
        "lines_1x": 1_000_000,
        "lines_2x": 2_000_000,
        "seconds": 9.5,
        "sessions_2x": 400,
    },
    "target_lines_per_s": 1000000,
    "target_met": False,
    "time_ratio": 16.0,
}


def _rate(events: int, per_s: float) -> dict[str, Any]:
    return {"events": events, "events_per_s": per_s, "seconds": events / per_s}


JOURNEY: dict[str, Any] = {
    "fold": {
        "baseline": _rate(500_000, 5_000_000.0),
        "chunk_events": 1000,
        "facts": {"session": 850, "stop": 20_000},
        "fold": _rate(500_000, 250_000.0),
        "fold_chunked": _rate(500_000, 200_000.0),
        "ratio": 20.0,
        "ratio_chunked": 25.0,
        "stream": {"events": 500_000, "launches": 850, "lines": 4_200_000, "seconds": 60.0},
        "target_events_per_s": 500000,
        "target_met": False,
    },
    "ingest": {
        "best": {"on": {"events_per_s": 23_000.0}, "off": {"events_per_s": 25_000.0}},
        "clients": 8,
        "median_ratio": 0.93,
        "rounds": 2,
        "target_cost": 0.1,
        "target_met": True,
    },
    "endpoints": {
        "baseline": {"p95_ms": 3.0},
        "calls": 200,
        "events": 1_000_000,
        "target_p95_ms": 30.0,
        "target_met": False,
        "worst": {"name": "places page 1", "p95_ms": 60.0},
    },
    "parts": ["fold", "ingest", "endpoints"],
    "quick": False,
    "repeat": 3,
    "target_met": False,
}


def _ingest_run(accepted: int, per_s: float, p50: float, p99: float) -> dict[str, Any]:
    return {
        "accepted": accepted,
        "batches": accepted // 1000,
        "cpu_ms_per_1000_events": {"client": 3.0, "postgres": 19.8, "server": 34.8},
        "events_per_s": per_s,
        "max_ms": p99 + 10,
        "p50_ms": p50,
        "p99_ms": p99,
        "seconds": accepted / per_s,
    }


INGEST: dict[str, Any] = {
    "client_stamped_metadata": True,
    "clients": 8,
    "copy_baseline": {"rows": 120000, "rows_per_s": 62_500.0, "seconds": 1.92},
    "mean_body_bytes_batch_1000": 806780.0,
    "ratio_to_copy": {"200": 0.32, "1000": 0.4},
    "runs": {
        "200": _ingest_run(64_000, 20_000.0, 79.0, 157.0),
        "1000": _ingest_run(120_000, 25_000.0, 304.0, 448.0),
    },
    "target": {"events_per_s": 20000, "p99_ms": 500.0},
    "target_met": True,
    "verify": {"expected": True, "seq_gap_free": True, "stored": 188800},
    "workers": 1,
}

CLIENT: dict[str, Any] = {
    "backfill": {
        "import_db_mib": 85.5,
        "import_events": 110854,
        "import_lines_per_s": 240_000.0,
        "import_peak_rss_mib": 125.0,
        "import_seconds": 4.2,
        "lines_match": True,
        "parse_lines_per_s": 320_000.0,
        "parse_peak_rss_mib": 100.0,
        "ratio_import_to_parse": 0.75,
        "synth": {"bytes": 258_000_000, "files": 201, "lines": 1_004_835},
    },
    "busy": {"cpu_percent": 1.6, "cpu_seconds": 0.16, "peak_rss_mib": 56.5, "seconds": 10.0},
    "busy_rate": 20.0,
    "idle": {"cpu_percent": 0.2, "cpu_seconds": 0.02, "peak_rss_mib": 56.4, "seconds": 10.0},
    "latency": {
        "child_exit": 0,
        "fell_back_to_polling": False,
        "lines": 250,
        "max_ms": 50.1,
        "p50_ms": 2.2,
        "p99_ms": 49.7,
    },
    "notify": True,
    "real_backfill": {
        "events": 106507,
        "files": 405,
        "import_lines_per_s": 316_746.0,
        "lines": 1_003_639,
    },
    "repeat": 2,
    "targets_met": {
        "backfill >= 500,000 lines/s": False,
        "idle CPU <= 1 %": True,
        "tail p99 <= 250 ms": True,
    },
}


def _audit_run(per_s: float, p99: float, mirror: bool = False) -> dict[str, Any]:
    run = _ingest_run(120_000, per_s, p99 / 1.5, p99)
    if mirror:
        run["cpu_ms_per_1000_events"]["seaweedfs"] = 3.5
        run |= {
            "mirror_catch_up_s": 1.1,
            "mirror_lag_rows_at_end": 12.0,
            "mirror_upload_failures": 0.0,
        }
    else:
        run["cpu_ms_per_1000_events"]["seaweedfs"] = 0.1
    return run


AUDIT: dict[str, Any] = {
    "audit_rows_after_ingest": {"head": 1088, "mirror_cursor": 1088, "rows": 1088},
    "best": {
        "chain": _audit_run(24_000.0, 505.0),
        "chain+mirror": _audit_run(21_000.0, 586.0, mirror=True),
        "off": _audit_run(25_000.0, 424.0),
    },
    "clients": 8,
    "median_ratio": {"chain": 0.963, "chain+mirror": 0.849},
    "paired_ratios": {
        "chain": [0.958, 0.967, 0.925, 0.977],
        "chain+mirror": [0.855, 0.906, 0.835, 0.842],
    },
    "rounds": 4,
    "runs": {
        "chain": [_audit_run(24_000.0, 505.0)] * 4,
        "chain+mirror": [_audit_run(21_000.0, 586.0, mirror=True)] * 4,
        "off": [_audit_run(25_000.0, 424.0)] * 4,
    },
    "targets_met": True,
    "verify": {
        "best": {
            "process_wall_s": 5.1,
            "rows": 1_000_000,
            "rows_per_s": 250_000,
            "seconds": 4.0,
            "stdout": "ok",
        },
        "fill": {"added": 998912, "fill_seconds": 60.2, "rows": 1_000_000},
        "runs": [
            {"process_wall_s": 5.1, "rows": 1_000_000, "rows_per_s": r, "seconds": 4.0}
            for r in (250_000, 240_000, 245_000)
        ],
    },
}

STATS_CALLS = {
    "auth/me": 2.0,
    "dashboard set (concurrent)": 46.0,
    "events 25": 3.0,
    "events 25 by type": 3.0,
    "events 25 one day, 200 d ago": 6.0,
    "sessions 8": 18.0,
    "stats": 7.0,
    "summary": 2.5,
    "timeline 365d": 7.5,
    "timeline/types 30d": 7.0,
    "timeline/types 365d": 23.0,
    "timeline/types 7d": 3.5,
    "timeline/types 90d": 9.0,
}
STATS: dict[str, Any] = {
    "calls_per_endpoint": 60,
    "events": 1_000_000,
    "fill": {
        "copy_s": 11.9,
        "event_day_counts": 16080,
        "event_distinct_values": 266,
        "event_type_counts": 40,
        "events": 1000000,
        "handle_totals": 1,
        "rebuild_s": 5.3,
    },
    "results": {
        "calls": {
            name: {"max_ms": p95 + 1, "p50_ms": p95 * 0.8, "p95_ms": p95}
            for name, p95 in STATS_CALLS.items()
        },
        "stats": {"active_days": 402, "sessions": 2009, "total_events": 1000000},
    },
    "target_met": False,
}
STATS["results"]["calls"]["timeline/types 365d"]["p95_ms"] = 44.0  # one call over 40 ms

WEB: dict[str, Any] = {
    "events": 1_000_000,
    "pages": {
        "web /dashboard": {"max_ms": 72.1, "n": 60, "p50_ms": 37.4, "p95_ms": 45.0},
        "web /dashboard?days=365&type=attachment_received": {
            "max_ms": 117.7,
            "n": 60,
            "p50_ms": 52.7,
            "p95_ms": 82.5,
        },
    },
    "reads": {
        name: {"max_ms": p95 + 1, "n": 60, "p50_ms": p95 * 0.8, "p95_ms": p95}
        for name, p95 in {
            "api /v1/me/events?limit=25": 3.0,
            "api /v1/me/sessions?limit=8": 17.4,
            "api /v1/me/stats": 11.5,
            "api /v1/me/summary (baseline)": 2.5,
            "api /v1/me/timeline/types?days=30": 2.9,
        }.items()
    },
    "renders": 60,
    "target_met": True,
}


def _authz_set(summary: float, owner: float, viewers: float, stranger: float) -> dict[str, Any]:
    return {
        name: {**_lat(p95 / 2, p95, 300), "per_s": 1000 / p95}
        for name, p95 in {
            "GET /v1/me/summary (owner)": summary,
            "GET /v1/u/{owner}/summary (owner)": owner,
            "GET /v1/u/{owner}/summary (stranger, 404)": stranger,
            "GET /v1/u/{owner}/summary (viewers)": viewers,
        }.items()
    }


AUTHZ: dict[str, Any] = {
    "calls": 300,
    "concurrency": 16,
    "events": 100_000,
    "fill": {"copy_s": 1.2, "events": 100000, "handle_totals": 1, "rebuild_s": 0.6},
    "grants": {**_lat(14.0, 60.0, 50), "per_s": 27.0},
    "results": {
        "concurrent": _authz_set(40.0, 50.0, 60.0, 30.0),
        "sequential": _authz_set(4.0, 5.0, 6.0, 3.0),
        "spicedb checks": {
            "concurrent": {**_lat(2.0, 6.0, 6000), "per_s": 1600.0},
            "sequential": {**_lat(1.1, 1.3, 3000), "per_s": 870.0},
        },
    },
    "server_start_s": 1.9,
    "viewers": 50,
}

LOAD_ROUTES = (
    "GET /v1/me/events",
    "GET /v1/me/sessions",
    "GET /v1/me/stats",
    "GET /v1/me/summary",
    "GET /v1/me/timeline/types",
)


def _load_step(devices: int, ingest_p99: float, errors: int, per_s: float) -> dict[str, Any]:
    routes = {route: _lat(4.0, 10.0) for route in LOAD_ROUTES}
    routes["POST /v1/ingest"] = _lat(ingest_p99 / 3, ingest_p99, devices * 12)
    return {
        "devices": devices,
        "error_rate": 0.0,
        "error_samples": ["POST /v1/ingest: ReadTimeout"] * min(errors, 5),
        "errors": {"POST /v1/ingest": errors} if errors else {},
        "events_accepted": int(per_s * 60),
        "events_per_s": per_s,
        "late_batches": 0,
        "offered_events_per_s": devices * 200 / 5,
        "readers": 1 if devices == 1 else 10,
        "routes": routes,
        "seconds": 60.0,
        "server_peak_rss_mib": 180.0,
    }


LOAD: dict[str, Any] = {
    "baseline": _load_step(1, 25.0, 0, 40.0),
    "batch": 200,
    "degrades_at_devices": 400,
    "interval_s": 5.0,
    "machine": {
        "cores": "2",
        "cpu": "AMD EPYC",
        "memory": "23.5 GiB",
        "os": "Linux",
        "python": "3.11.7",
    },
    "steps": [
        {**_load_step(50, 60.0, 0, 2000.0), "held": True, "ingest_p99_ratio_to_baseline": 2.4},
        {**_load_step(100, 90.0, 0, 4000.0), "held": True, "ingest_p99_ratio_to_baseline": 3.6},
        {**_load_step(200, 150.0, 0, 7600.0), "held": True, "ingest_p99_ratio_to_baseline": 6.0},
        {**_load_step(400, 900.0, 3, 9000.0), "held": False, "ingest_p99_ratio_to_baseline": 36},
    ],
    "target": {"devices": 200, "errors": 0, "p99_ms": 300.0},
    "target_met": True,
}

REPORTS = {
    "parser": PARSER,
    "journey": JOURNEY,
    "ingest": INGEST,
    "client": CLIENT,
    "audit": AUDIT,
    "stats": STATS,
    "web": WEB,
    "authz": AUTHZ,
    "load": LOAD,
}
RUN: dict[str, Any] = {
    "date": "2026-11-27 14:00 UTC",
    "commit": "0123456789ab",
    "machine": {
        "cpu": "AMD EPYC 7B13",
        "cores": "2",
        "memory": "23.5 GiB",
        "os": "Linux 6.1.0",
        "python": "3.11.7",
    },
    "quick": False,
    "out": ".starstats/bench",
    "seconds": 1865.0,
    "benchmarks": {
        name: {"flags": [], "seconds": 60.0, "exit_code": 0, "timed_out": False, "status": "ok"}
        for name in REPORTS
    },
}


# -- helpers -------------------------------------------------------------------------------------
def _outside(text: str) -> str:
    """The document without its generated section (and the blank line that follows it)."""
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + text[stop:].removeprefix("\n\n")


def _hand_written() -> str:
    """docs/benchmarks.md as written by hand (its generated section removed, if any)."""
    text = DOC.read_text(encoding="utf-8")
    return _outside(text) if BEGIN in text else text


def _save(folder: Path, reports: dict[str, Any], run: dict[str, Any] | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, report in reports.items():
        (folder / f"{name}.json").write_text(json.dumps(report, indent=2, sort_keys=True))
    if run is not None:
        (folder / "run.json").write_text(json.dumps(run, indent=2))
    return folder


def _rows(text: str) -> list[list[str]]:
    """The cells of the section's table rows (header and rule excluded)."""
    section = text[text.index(BEGIN) : text.index(END)]
    rows = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith(("| benchmark ", "| --- ")):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            assert len(cells) == 7, line
            rows.append(cells)
    return rows


def _row(rows: list[list[str]], bench: str, figure_start: str) -> list[str]:
    found = [r for r in rows if r[0] == bench and r[1] == figure_start]
    found = found or [r for r in rows if r[0] == bench and r[1].startswith(figure_start)]
    assert len(found) == 1, (bench, figure_start, rows)
    return found[0]


def _render(tmp_path: Path, doc_text: str, reports: dict[str, Any], run: Any) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    doc = tmp_path / "benchmarks.md"
    doc.write_text(doc_text, encoding="utf-8")
    folder = _save(tmp_path / "reports", reports, run)
    assert bench_all.main(["--from-json", str(folder), "--doc", str(doc)]) == 0
    return doc.read_text(encoding="utf-8")


# -- the renderer --------------------------------------------------------------------------------
def test_first_render_inserts_the_section_after_the_intro_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    original = _hand_written()
    assert BEGIN not in original
    text = _render(tmp_path, original, REPORTS, RUN)

    assert text.count(BEGIN) == 1
    assert text.count(END) == 1
    assert text.index(BEGIN) < text.index(END) < text.index("## Parser (`make bench-parser`)")
    assert text.startswith("# Benchmarks\n")
    intro_end = original.index("\n## ")
    assert text.index(BEGIN) == intro_end + 1  # right after the title and intro
    assert _outside(text) == original  # the hand-written content, byte for byte

    section = text[text.index(BEGIN) : text.index(END)]
    assert "2026-11-27 14:00 UTC (took 31 min 05 s)" in section
    assert "`0123456789ab`" in section
    assert "AMD EPYC 7B13, 2 cores, 23.5 GiB, Linux 6.1.0, Python 3.11.7" in section
    assert "**quick**" not in section
    header = "| benchmark | figure | value | baseline (what, value) | ratio | target | met |"
    assert header in section


def test_rerender_replaces_only_the_section(tmp_path: Path) -> None:
    original = _hand_written()
    first = _render(tmp_path, original, REPORTS, RUN)
    faster = json.loads(json.dumps(PARSER))
    faster["parse"]["lines_per_s"] = 1_200_000.0
    second = _render(tmp_path / "again", first, {**REPORTS, "parser": faster}, RUN)
    assert _outside(second) == original
    assert second.count(BEGIN) == 1
    assert second.count(END) == 1
    row = _row(_rows(second), "parser", "parse, synthetic log")
    assert row[2] == "1,200,000 lines/s"
    assert row[4] == "0.30×"
    assert row[6] == "yes"
    # rendering the same reports again changes nothing
    assert _render(tmp_path / "same", second, {**REPORTS, "parser": faster}, RUN) == second


def test_table_rows_and_ratios(tmp_path: Path) -> None:
    rows = _rows(_render(tmp_path, _hand_written(), REPORTS, RUN))
    benches = [r[0] for r in rows]
    assert list(dict.fromkeys(benches)) == list(REPORTS)  # every benchmark, in order

    parse = _row(rows, "parser", "parse, synthetic log of 1,000,000 lines")
    assert parse[2:] == [
        "250,000 lines/s",
        "read + split into lines: 4,000,000 lines/s",
        "0.06×",
        "≥ 1,000,000 lines/s",
        "**no**",
    ]
    rss = _row(rows, "parser", "parse peak RSS")
    assert rss[2:5] == ["110.0 MiB", "read + split: 40.0 MiB", "2.75×"]
    doubled = _row(rows, "parser", "parse peak RSS, input doubled")
    assert doubled[2:5] == ["110.5 MiB", "parse, 1x input: 110.0 MiB", "1.00×"]

    once = _row(rows, "journey", "fold at once, 500,000 events of 850 synthesized launches")
    assert once[2:] == [
        "250,000 events/s",
        "plain loop over the same events: 5,000,000 events/s",
        "0.05×",
        "≥ 500,000 events/s",
        "**no**",
    ]
    assert _row(rows, "journey", "fold in chunks of 1,000, 500,000 events")[2:5] == [
        "200,000 events/s",
        "plain loop over the same events: 5,000,000 events/s",
        "0.04×",
    ]
    assert _row(rows, "journey", "ingest with journey facts at ingest")[2:] == [
        "23,000 events/s",
        "facts off, best round: 25,000 events/s",
        "0.92×",
        "≥ 90 % of off (median same-round ratio: 93.0 %)",
        "yes",
    ]
    assert _row(rows, "journey", "worst p95 of the journey reads (places page 1")[2:] == [
        "60.0 ms",
        "`/v1/me/summary`: 3.0 ms",
        "20.0×",
        "≤ 30 ms",
        "**no**",
    ]

    ingest = _row(rows, "ingest", "events/s at batch 1,000")
    assert ingest[2:] == [
        "25,000 events/s",
        "raw COPY of the same rows: 62,500 rows/s",
        "0.40×",
        "≥ 20,000 events/s",
        "yes",
    ]
    p99 = _row(rows, "ingest", "p99 batch latency at batch 1,000")
    assert p99[2:] == ["448.0 ms", "—", "—", "< 500 ms", "yes"]
    assert _row(rows, "ingest", "events/s at batch 200")[4] == "0.32×"

    backfill = _row(rows, "client", "import (backfill) of 1,004,835 lines, 201 files")
    assert backfill[2:] == [
        "240,000 lines/s",
        "parser only, fresh parser per file: 320,000 lines/s",
        "0.75×",
        "≥ 500,000 lines/s",
        "**no**",
    ]
    tail = _row(rows, "client", "tail latency append → committed, p99")
    assert tail[2] == "49.7 ms"
    assert tail[5:] == ["≤ 250 ms", "yes"]
    assert _row(rows, "client", "idle tailing")[2:] == ["0.20 %", "—", "—", "≤ 1 %", "yes"]
    busy = _row(rows, "client", "tailing while 20 lines/s arrive")
    assert busy[2:5] == ["1.60 %", "idle tailing: 0.20 %", "8.00×"]

    chain = _row(rows, "audit", "ingest with the chain (batches of 1,000, best of 4 rounds)")
    assert chain[2:5] == ["24,000 events/s", "audit off, best round: 25,000 events/s", "0.96×"]
    assert "96.3 %" in chain[5]
    assert chain[6] == "yes"
    mirror = _row(rows, "audit", "ingest with the chain + S3 mirror")
    assert mirror[4] == "0.84×"
    assert "84.9 %" in mirror[5]
    assert mirror[6] == "**no**"
    verify = _row(rows, "audit", "`audit verify` over 1,000,000 rows (best of 3)")
    assert verify[2:] == ["250,000 rows/s", "—", "—", "≥ 200,000 rows/s", "yes"]

    stats = [r for r in rows if r[0] == "stats"]
    assert len(stats) == len(STATS_CALLS) - 1  # every read; /v1/auth/me is the baseline
    summary = _row(rows, "stats", "p95, `summary`")
    assert summary[2:] == ["2.5 ms", "`/v1/auth/me` (no events): 2.0 ms", "1.25×", "≤ 40 ms", "yes"]
    wide = _row(rows, "stats", "p95, `timeline/types 365d`")
    assert wide[2] == "44.0 ms"
    assert wide[4] == "22.0×"
    assert wide[6] == "**no**"
    together = _row(rows, "stats", "p95, the six dashboard reads at once")
    assert together[4:] == ["23.0×", "≤ 200 ms", "yes"]

    dashboard = _row(rows, "web", "p95, render of `/dashboard` (1,000,000 events)")
    assert dashboard[2:] == ["45.0 ms", "API `/v1/me/summary`: 2.5 ms", "18.0×", "≤ 200 ms", "yes"]
    year = _row(rows, "web", "p95, render of `/dashboard?days=365")
    assert year[4] == "33.0×"
    assert year[6] == "—"

    viewers = _row(rows, "authz", "p95, cross-user `/v1/u/{owner}/summary` as viewers, one at")
    assert viewers[2:5] == [
        "6.0 ms",
        "`/v1/me/summary` as the owner, one at a time: 4.0 ms",
        "1.50×",
    ]
    crowd = _row(rows, "authz", "p95, cross-user `/v1/u/{owner}/summary` as viewers, 16 at once")
    assert crowd[2:5] == [
        "60.0 ms",
        "`/v1/me/summary` as the owner, same concurrency: 40.0 ms",
        "1.50×",
    ]
    stranger = _row(rows, "authz", "p95, cross-user `/v1/u/{owner}/summary` as a stranger")
    assert stranger[4] == "0.75×"
    assert _row(rows, "authz", "SpiceDB checks alone (fully consistent), one")[2] == "870 checks/s"
    assert _row(rows, "authz", "SpiceDB checks alone (fully consistent), 16")[2] == "1,600 checks/s"

    load_p99 = _row(rows, "load", "ingest p99, 200 devices (200 events every 5 s each)")
    assert load_p99[2:] == ["150.0 ms", "1 device + 1 reader: 25.0 ms", "6.00×", "< 300 ms", "yes"]
    sustained = _row(rows, "load", "events/s sustained, 200 devices")
    assert sustained[2:5] == ["7,600 events/s", "offered: 8,000 events/s", "0.95×"]
    errors = _row(rows, "load", "errors, 200 devices")
    assert errors[2:] == ["0", "1 device: 0", "—", "0", "yes"]  # no ratio to a zero
    degrades = _row(rows, "load", "latency degrades")
    assert degrades[2] == "at 400 devices"
    assert "ramp 50, 100, 200, 400 devices" in degrades[1]


def test_failed_and_missing_reports_are_rows_not_crashes(tmp_path: Path) -> None:
    run = json.loads(json.dumps(RUN))
    run["quick"] = True
    run["benchmarks"]["load"] |= {
        "status": "failed",
        "exit_code": 3,
        "reason": "port 8333 is taken | stop the other S3 server",
    }
    reports = {k: v for k, v in REPORTS.items() if k != "load"}
    broken = json.loads(json.dumps(WEB))
    del broken["reads"]  # a script whose JSON changed shape
    text = _render(tmp_path, _hand_written(), {**reports, "web": broken}, run)
    rows = _rows(text)
    load = _row(rows, "load", "**failed (exit code 3)**")
    assert load[2] == "port 8333 is taken \\| stop the other S3 server"
    assert load[6] == "**no**"
    web = _row(rows, "web", "**report unreadable**")
    assert "KeyError" in web[2]
    assert _row(rows, "parser", "parse, synthetic log")[2] == "250,000 lines/s"  # others intact
    assert "**quick**" in text
    assert "load: `load.py`, 1 min 00 s, **failed**" in text


def test_only_renders_the_chosen_benchmarks_from_bare_reports(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(_hand_written(), encoding="utf-8")
    folder = _save(tmp_path / "reports", REPORTS, None)  # no run.json: this machine, now
    assert (
        bench_all.main(["--from-json", str(folder), "--doc", str(doc), "--only", "web,load"]) == 0
    )
    text = doc.read_text(encoding="utf-8")
    assert {r[0] for r in _rows(text)} == {"web", "load"}
    assert "Sizes: not recorded" in text


# -- the runner, on stand-in scripts -------------------------------------------------------------
def test_a_failing_benchmark_is_reported_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tmp_path / "repo" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "fake_parser.py").write_text(
        "import json, sys\n"
        "print('synthesising ...', file=sys.stderr)\n"
        "print('noise from a child process')\n"  # before the report: skipped
        f"print(json.dumps({PARSER!r}, indent=2))\n"
        "assert sys.argv[1:] == ['--json', '--lines', '10'], sys.argv\n"
    )
    (scripts / "fake_ingest.py").write_text(
        "import sys\nprint('cannot start PostgreSQL', file=sys.stderr)\nsys.exit(3)\n"
    )
    (scripts / "fake_web.py").write_text("print('not JSON')\n")
    (scripts / "fake_load.py").write_text("import time\ntime.sleep(60)\n")
    fakes = (
        bench_all.Bench("parser", "fake_parser.py", ("--lines", "10"), "bench-parser"),
        bench_all.Bench("ingest", "fake_ingest.py", (), "bench-ingest"),
        bench_all.Bench("web", "fake_web.py", (), "bench-web"),
        bench_all.Bench("load", "fake_load.py", (), "load"),
    )
    monkeypatch.setattr(bench_all, "REPO", tmp_path / "repo")
    monkeypatch.setattr(bench_all, "BENCHMARKS", fakes)
    monkeypatch.setattr(bench_all, "BY_NAME", {b.name: b for b in fakes})
    doc = tmp_path / "benchmarks.md"
    doc.write_text(_hand_written(), encoding="utf-8")
    out = tmp_path / "out"
    code = bench_all.main(["--quick", "--out", str(out), "--doc", str(doc), "--timeout", "2"])

    assert code == 1
    run = json.loads((out / "run.json").read_text())
    assert run["quick"] is True
    assert run["benchmarks"]["parser"]["status"] == "ok"
    assert run["benchmarks"]["ingest"] | {"seconds": 0} == {
        "flags": [],
        "seconds": 0,
        "exit_code": 3,
        "timed_out": False,
        "status": "failed",
        "reason": "cannot start PostgreSQL",
    }
    assert run["benchmarks"]["web"]["status"] == "failed"
    stopped = run["benchmarks"]["load"]
    assert stopped["timed_out"] is True
    assert stopped["status"] == "failed"
    assert stopped["seconds"] < 30
    assert json.loads((out / "parser.json").read_text()) == PARSER
    assert not (out / "ingest.json").exists()
    assert "synthesising ..." in (out / "parser.log").read_text()
    text = doc.read_text(encoding="utf-8")
    rows = _rows(text)
    assert _row(rows, "parser", "parse, synthetic log")[4] == "0.06×"
    assert _row(rows, "ingest", "**failed (exit code 3)**")[2] == "cannot start PostgreSQL"
    assert "no JSON report" in _row(rows, "web", "**failed (exit code 0)**")[2]
    assert _row(rows, "load", "**timed out**")[2] == "timed out after 2 s"
    assert _outside(text) == _hand_written()


# -- end to end ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_quick_parser_run_end_to_end(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "bench_all.py"),
            "--quick",
            "--only",
            "parser",
            "--out",
            str(out),
            "--doc",
            str(doc),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[parser] measuring parse (1x) ..." in done.stderr  # progress streamed
    report = json.loads((out / "parser.json").read_text())
    run = json.loads((out / "run.json").read_text())
    assert run["quick"] is True
    assert list(run["benchmarks"]) == ["parser"]
    assert run["benchmarks"]["parser"]["flags"] == ["--lines", "20000", "--repeat", "1"]
    text = doc.read_text(encoding="utf-8")
    assert _outside(text) == _hand_written()
    rows = _rows(text)
    assert {r[0] for r in rows} == {"parser"}
    parse = _row(rows, "parser", "parse, synthetic log")
    expected = report["parse"]["lines_per_s"] / report["baseline"]["lines_per_s"]
    assert parse[4] == bench_all.fmt_ratio(expected)
    assert parse[2] == f"{report['parse']['lines_per_s']:,.0f} lines/s"
