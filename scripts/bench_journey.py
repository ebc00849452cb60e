"""Benchmark the journey (`make bench-journey`): how fast core's fold turns events into facts.

Parts (`--part`, default all of them; more parts are added beside `fold`):

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

`--profile` also prints a cProfile top-15 (by own time) of one fold at once. `--json` prints
the report as one JSON object instead of the table (progress goes to stderr); `--check` exits
1 when a target is missed; `--quick` is a smoke run (20,000 events, one run each).

Usage: uv run python scripts/bench_journey.py [--part fold] [--events N] [--repeat N]
                                               [--profile] [--quick] [--json] [--check]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import machine

PARTS = ("fold",)
TARGET_EVENTS_PER_S = 500_000
CHUNK_EVENTS = 1_000
HANDLE = "Synth_Pilot"  # the synthesizer's default handle
LINES_PER_SESSION = 5_000
SESSION_END = "CCIGBroker::FastShutdown\r\n"  # the last line of every synthesized launch
PROFILE_TOP = 15


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


TABLES: dict[str, Callable[[dict[str, Any], int], str]] = {"fold": _table_fold}
RUNNERS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {"fold": part_fold}


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument(
        "--part", action="append", choices=PARTS, help="run only this part (repeatable)"
    )
    args.add_argument("--events", type=int, default=500_000, help="events in the stream (fold)")
    args.add_argument("--repeat", type=int, default=3, help="timed runs per measurement")
    args.add_argument("--seed", type=int, default=1)
    args.add_argument("--quick", action="store_true", help="smoke run: 20,000 events, 1 run")
    args.add_argument("--profile", action="store_true", help="cProfile top-15 of one fold")
    args.add_argument("--json", action="store_true", help="print figures as JSON only")
    args.add_argument("--check", action="store_true", help="exit 1 if a target is not met")
    opts = args.parse_args(argv)
    if opts.quick:
        opts.events, opts.repeat = min(opts.events, 20_000), 1
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
