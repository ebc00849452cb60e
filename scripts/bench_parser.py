"""Benchmark the Game.log parser against a synthetic backup set (`make bench-parser`).

Synthesises a log of at least `--lines` lines (mixed 4.1 / 4.7 eras, many sessions) into a
temporary file, then measures, each in a fresh subprocess so that peak RSS belongs to that
one measurement:

  (a) baseline: read the file in 4 MiB chunks and split it into lines, nothing else;
  (b) parse:    `LogParser().feed(chunk)` per 4 MiB chunk, then `finish()`;
  (c) memory:   parse a file twice as large and compare peak RSS with (b);
  (d) real:     when ../shared/corpus/gamelog is beside the repo, parse the real corpus
                repeated to the same line count (every shape recurs: an upper bound).

Each measurement runs `--repeat` times (default 3); the best wall time is reported, and
the highest peak RSS. `--json` prints the figures as one JSON object instead of the table.
`--check` exits 1 when the parse rate is below the 1,000,000 lines/s target.

Usage: uv run python scripts/bench_parser.py [--lines N] [--keep FILE] [--json] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

CHUNK = 4 << 20  # bytes per read, for both measurements
TARGET_LINES_PER_S = 1_000_000
LINES_PER_SESSION = 5_000


# -- child side: one measurement, figures as JSON on stdout ------------------------------
def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _child_baseline(path: str) -> dict[str, Any]:
    lines = 0
    size = 0
    began = time.perf_counter()
    with open(path, "rb", buffering=0) as handle:
        tail = b""
        while chunk := handle.read(CHUNK):
            size += len(chunk)
            parts = (tail + chunk).split(b"\n")
            tail = parts.pop()
            lines += len(parts)
        if tail:
            lines += 1
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "lines": lines, "bytes": size, "events": 0}


def _child_parse(path: str) -> dict[str, Any]:
    from starstats_core.parser import LogParser

    size = 0
    events = 0
    parser = LogParser()
    began = time.perf_counter()
    with open(path, "rb", buffering=0) as handle:
        while chunk := handle.read(CHUNK):
            size += len(chunk)
            events += len(parser.feed(chunk))
    events += len(parser.finish())
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "lines": parser.stats.lines, "bytes": size, "events": events}


def _child(mode: str, path: str) -> int:
    figures = _child_baseline(path) if mode == "baseline" else _child_parse(path)
    figures["peak_rss_mib"] = _peak_rss_mib()
    print(json.dumps(figures))
    return 0


# -- parent side -------------------------------------------------------------------------
def _log(message: str, *, quiet: bool) -> None:
    print(message, file=sys.stderr if quiet else sys.stdout, flush=True)


def _synthesise(one_x: Path, two_x: Path, lines: int, seed: int) -> dict[str, Any]:
    """Write whole sessions until `lines` (into both files), then on to 2x (second only)."""
    from starstats_core.synth import synthesize_log

    truth: Counter[str] = Counter()
    sessions = 4 * (lines // LINES_PER_SESSION + 2)  # more than enough; we stop early
    began = time.perf_counter()
    written = 0
    one_x_lines = 0
    batch: list[str] = []
    with one_x.open("wb") as first, two_x.open("wb") as second:
        out = [first, second]
        for line in synthesize_log(
            seed=seed, sessions=sessions, lines_per_session=LINES_PER_SESSION, truth=truth
        ):
            batch.append(line)
            written += 1
            if not line.endswith("CCIGBroker::FastShutdown\r\n"):
                continue
            data = "".join(batch).encode()
            batch.clear()
            for handle in out:
                handle.write(data)
            if out[0] is first and written >= lines:
                out = [second]
                one_x_lines = written
            if written >= 2 * one_x_lines > 0:
                break
    return {
        "seconds": time.perf_counter() - began,
        "lines_1x": one_x_lines,
        "lines_2x": written,
        "bytes_1x": one_x.stat().st_size,
        "bytes_2x": two_x.stat().st_size,
        "sessions_2x": truth["system_quit"],
    }


CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "gamelog"


def _replicate_corpus(target: Path, lines: int) -> int | None:
    """Write the real corpus repeated until `lines`; None when the corpus is absent."""
    files = sorted(CORPUS.glob("*.log")) if CORPUS.is_dir() else []
    if not files:
        return None
    blob = b"".join(path.read_bytes().rstrip(b"\r\n") + b"\r\n" for path in files)
    per_copy = blob.count(b"\n")
    copies = -(-lines // per_copy)
    with target.open("wb") as out:
        for _ in range(copies):
            out.write(blob)
    return copies * per_copy


def _measure(mode: str, path: Path, repeat: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeat):
        done = subprocess.run(  # noqa: S603 - our own interpreter running this very file
            [sys.executable, __file__, "--child", mode, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{mode} child failed:\n{done.stderr.strip()}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["seconds"])
    seconds = best["seconds"]
    return {
        "seconds": seconds,
        "lines": best["lines"],
        "bytes": best["bytes"],
        "events": best["events"],
        "lines_per_s": best["lines"] / seconds,
        "mb_per_s": best["bytes"] / 1e6 / seconds,
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "runs_seconds": [r["seconds"] for r in runs],
    }


def _parser_available() -> bool:
    try:
        from starstats_core import parser
    except ImportError:
        return False
    return hasattr(parser, "LogParser")


def _table(report: dict[str, Any]) -> str:
    gen, base = report["synth"], report["baseline"]
    rows = [
        ("lines (1x)", f"{base['lines']:,}"),
        ("size (1x)", f"{base['bytes'] / 1e6:,.1f} MB"),
        ("sessions (2x file)", f"{gen['sessions_2x']}"),
        ("synthesis (1x+2x)", f"{gen['seconds']:.2f} s"),
        ("baseline lines/s", f"{base['lines_per_s']:,.0f}"),
        ("baseline MB/s", f"{base['mb_per_s']:,.1f}"),
        ("baseline peak RSS", f"{base['peak_rss_mib']:,.1f} MiB"),
    ]
    parse = report.get("parse")
    if parse is not None:
        two = report["parse_2x"]
        rows += [
            ("parse lines/s", f"{parse['lines_per_s']:,.0f}"),
            ("parse MB/s", f"{parse['mb_per_s']:,.1f}"),
            ("parse events", f"{parse['events']:,}"),
            ("parse/baseline time", f"{report['time_ratio']:.1f}x"),
            ("parse peak RSS (1x)", f"{parse['peak_rss_mib']:,.1f} MiB"),
            ("parse peak RSS (2x)", f"{two['peak_rss_mib']:,.1f} MiB"),
            ("RSS delta 2x - 1x", f"{report['rss_delta_mib']:+,.1f} MiB"),
            ("parse lines/s (2x)", f"{two['lines_per_s']:,.0f}"),
        ]
    real = report.get("parse_real_replica")
    if real is not None:
        rows += [
            ("real corpus replica lines", f"{real['lines']:,}"),
            ("real corpus replica lines/s", f"{real['lines_per_s']:,.0f}"),
        ]
    width = max(len(k) for k, _ in rows)
    body = "\n".join(f"  {k.ljust(width)}  {v:>16}" for k, v in rows)
    return f"Parser benchmark (best of {report['repeat']}, {CHUNK >> 20} MiB chunks)\n{body}"


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--lines", type=int, default=1_000_000, help="lines in the 1x log")
    args.add_argument("--keep", type=Path, help="also keep the 1x log at this path")
    args.add_argument("--json", action="store_true", help="print figures as JSON only")
    args.add_argument("--repeat", type=int, default=3, help="runs per measurement")
    args.add_argument("--seed", type=int, default=1)
    args.add_argument("--check", action="store_true", help="exit 1 if the target is not met")
    args.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    opts = args.parse_args(argv)
    if opts.child:
        return _child(*opts.child)
    quiet = opts.json
    with tempfile.TemporaryDirectory(prefix="bench-parser-") as tmp:
        one_x = opts.keep if opts.keep else Path(tmp) / "game-1x.log"
        two_x = Path(tmp) / "game-2x.log"
        _log(f"synthesising >= {opts.lines:,} lines (and a 2x file) ...", quiet=quiet)
        synth = _synthesise(one_x, two_x, opts.lines, opts.seed)
        report: dict[str, Any] = {
            "repeat": opts.repeat,
            "chunk_bytes": CHUNK,
            "target_lines_per_s": TARGET_LINES_PER_S,
            "synth": synth,
            "parser_available": _parser_available(),
        }
        _log("measuring baseline (read + split) ...", quiet=quiet)
        report["baseline"] = _measure("baseline", one_x, opts.repeat)
        if report["parser_available"]:
            _log("measuring parse (1x) ...", quiet=quiet)
            parse = report["parse"] = _measure("parse", one_x, opts.repeat)
            _log("measuring parse (2x, constant-memory check) ...", quiet=quiet)
            two = report["parse_2x"] = _measure("parse", two_x, opts.repeat)
            report["time_ratio"] = parse["seconds"] / report["baseline"]["seconds"]
            report["rss_delta_mib"] = two["peak_rss_mib"] - parse["peak_rss_mib"]
            report["lines_match"] = parse["lines"] == synth["lines_1x"]
            report["target_met"] = parse["lines_per_s"] >= TARGET_LINES_PER_S
            real = Path(tmp) / "corpus-replica.log"
            if _replicate_corpus(real, opts.lines) is not None:
                _log("measuring parse on the real corpus, replicated ...", quiet=quiet)
                report["parse_real_replica"] = _measure("parse", real, opts.repeat)
        else:
            report["target_met"] = None
        if opts.keep:
            report["kept"] = os.fspath(opts.keep)
    if opts.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(_table(report))
        if report["parser_available"]:
            if not report["lines_match"]:
                print(
                    f"WARNING: parser counted {report['parse']['lines']:,} lines, "
                    f"synthesised {synth['lines_1x']:,}"
                )
            verdict = "MET" if report["target_met"] else "NOT MET"
            print(f"TARGET ≥1,000,000 lines/s: {verdict}")
        else:
            print("TARGET ≥1,000,000 lines/s: NOT MEASURED (starstats_core.parser unavailable)")
    return 1 if opts.check and report["target_met"] is not True else 0


if __name__ == "__main__":
    sys.exit(main())
