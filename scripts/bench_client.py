"""Benchmark the desktop client: backfill speed, tail latency, idle cost.

  (a) backfill: synthesise a backup set of >= `--lines` lines (one file per launch, mixed
      4.1 / 4.7 eras), then, each in a fresh subprocess: parse every file with the bare
      parser (the baseline), and `import` them into a fresh store (discover nothing: the
      files are passed in). Prints lines/s of both, their ratio and peak RSS.
  (b) tail latency: the real `starstats-client run` follows a Game.log; lines are appended
      one at a time, 0-99 ms after the previous one was committed (any phase of the poll),
      and the time until the store's cursor (committed in the same transaction as the
      line's events) covers each line is measured: p50 / p99.
  (c) idle: the tailer follows a quiet file for `--idle` seconds; CPU time (getrusage in
      the child) as a percentage of one core, and peak RSS.
  (d) busy: the same while another process appends `--busy-rate` lines a second (one write
      each; the real corpus averages ~20 a second), for `--idle` seconds.

The tailer wakes on filesystem notifications (plus a 250 ms poll); `--no-fs-events` measures
polling alone (every 100 ms), as STARSTATS_NO_FS_EVENTS=1 does for the client.

Usage: uv run python scripts/bench_client.py [--lines N] [--idle S] [--no-fs-events] [--json]
       [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CHUNK = 4 << 20
TARGET_LINES_PER_S = 500_000
TARGET_P99_MS = 250.0
TARGET_IDLE_CPU = 1.0  # percent of one core
LINES_PER_SESSION = 5_000


# -- child side: one measurement, figures as JSON on stdout ----------------------------------
def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024  # macOS: bytes


def _files(folder: str) -> list[Path]:
    return sorted(Path(folder).glob("*.log"))


def _child_parse(folder: str) -> dict[str, Any]:
    from starstats_core.parser import LogParser

    lines = events = 0
    began = time.perf_counter()
    for path in _files(folder):
        parser = LogParser()
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                events += len(parser.feed(chunk))
        events += len(parser.finish())
        lines += parser.stats.lines
    return {"seconds": time.perf_counter() - began, "lines": lines, "events": events}


def _child_import(folder: str, database: str) -> dict[str, Any]:
    from starstats_client.importer import import_logs
    from starstats_client.store import Store

    began = time.perf_counter()
    with Store(Path(database)) as store:
        progress = import_logs(store, _files(folder), noise=store.noise_names())
    return {
        "seconds": time.perf_counter() - began,
        "lines": progress.lines,
        "events": progress.events,
        "files": progress.files_total,
        "db_mib": Path(database).stat().st_size / (1 << 20),
    }


def _child_tail(log: str, database: str, seconds: str, notify: str) -> dict[str, Any]:
    """Tail `log` for `seconds` once caught up (saying "ready" on stdout then)."""
    from starstats_client.store import Store
    from starstats_client.tailer import FileTail, Tailer

    with Store(Path(database)) as store:
        tail = FileTail(Path(log), store, noise=store.noise_names())
        tail.poll()  # catch up first: only what follows is measured
        tailer = Tailer([tail], notify=notify == "1")
        stop = threading.Event()

        def end() -> None:
            stop.set()
            tailer.wake()

        timer = threading.Timer(float(seconds), end)
        print("ready", flush=True)
        before = resource.getrusage(resource.RUSAGE_SELF)
        began = time.perf_counter()
        timer.start()
        tailer.run(stop)
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": wall, "cpu_seconds": cpu, "cpu_percent": 100 * cpu / wall}


def _child(mode: str, args: list[str]) -> int:
    runners = {"parse": _child_parse, "import": _child_import, "tail": _child_tail}
    figures = runners[mode](*args)
    figures["peak_rss_mib"] = _peak_rss_mib()
    print(json.dumps(figures))
    return 0


# -- parent side ---------------------------------------------------------------------------
def _run_child(mode: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - our own interpreter running this very file
        [sys.executable, __file__, "--child", mode, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} child failed:\n{done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _synthesise(folder: Path, lines: int, seed: int) -> dict[str, Any]:
    """One backup file per launch until `lines` lines are written."""
    from starstats_core.synth import synthesize_log

    folder.mkdir(parents=True)
    sessions = 2 * (lines // LINES_PER_SESSION + 2)
    written = files = 0
    batch: list[str] = []
    for line in synthesize_log(seed=seed, sessions=sessions, lines_per_session=LINES_PER_SESSION):
        batch.append(line)
        written += 1
        if line.endswith("CCIGBroker::FastShutdown\r\n"):
            files += 1
            (folder / f"Game Build(1) {files:04d}.log").write_text("".join(batch), newline="")
            batch.clear()
            if written >= lines:
                break
    size = sum(p.stat().st_size for p in folder.iterdir())
    return {"lines": written, "files": files, "bytes": size}


CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "gamelog"
# The corpus's whole sessions (4.1 and 4.7), the rest being excerpts of a few lines.
CORPUS_SESSIONS = (
    "danieldeschain__citizenmon__Game-4.1.147-20250419T0556Z.log",
    "danieldeschain__citizenmon__Game-4.1.147-20250413T1602Z.log",
    "RodriguesBruno__sckilltracker_client__Game-4.1.147-20250407T1558Z.log",
    "ntatschner__StarStats__sample_game_log-4.7.178-20260502.log",
)


def _real_backup_set(folder: Path, lines: int) -> dict[str, Any] | None:
    """The corpus's real sessions, copied round-robin as separate launches (each copy's first
    line made distinct, so each is its own signature) until `lines`; None without corpus."""
    if not all((CORPUS / name).is_file() for name in CORPUS_SESSIONS):
        return None
    folder.mkdir(parents=True)
    blobs = [(CORPUS / name).read_bytes() for name in CORPUS_SESSIONS]
    written = files = 0
    while written < lines:
        first, rest = blobs[files % len(blobs)].split(b"\n", 1)
        data = first + b" copy%06d\n" % files + rest
        (folder / f"Game Build(1) {files:05d}.log").write_bytes(data)
        written += data.count(b"\n")
        files += 1
    return {"lines": written, "files": files}


def _real_backfill(tmp: Path, lines: int) -> dict[str, Any] | None:
    """Import of a backup set made of real sessions (event density of real play)."""
    folder = tmp / "real" / "logbackups"
    made = _real_backup_set(folder, lines)
    if made is None:
        return None
    imp = _run_child("import", str(folder), str(tmp / "real.sqlite3"))
    return {**made, "import_lines_per_s": imp["lines"] / imp["seconds"], "events": imp["events"]}


def _backfill(tmp: Path, lines: int, seed: int, repeat: int) -> dict[str, Any]:
    folder = tmp / "LIVE" / "logbackups"
    synth = _synthesise(folder, lines, seed)
    parses = [_run_child("parse", str(folder)) for _ in range(repeat)]
    imports = []
    for n in range(repeat):
        imports.append(_run_child("import", str(folder), str(tmp / f"import{n}.sqlite3")))
    parse = min(parses, key=lambda r: r["seconds"])
    imp = min(imports, key=lambda r: r["seconds"])
    return {
        "synth": synth,
        "parse_lines_per_s": parse["lines"] / parse["seconds"],
        "parse_peak_rss_mib": max(r["peak_rss_mib"] for r in parses),
        "import_lines_per_s": imp["lines"] / imp["seconds"],
        "import_seconds": imp["seconds"],
        "import_events": imp["events"],
        "import_peak_rss_mib": max(r["peak_rss_mib"] for r in imports),
        "import_db_mib": imp["db_mib"],
        "ratio_import_to_parse": (imp["lines"] / imp["seconds"])
        / (parse["lines"] / parse["seconds"]),
        "lines_match": imp["lines"] == parse["lines"] == synth["lines"],
    }


def _cursor(db: sqlite3.Connection, log: Path) -> int:
    try:
        row = db.execute(
            "SELECT byte_offset FROM tail_cursors WHERE path = ?", (str(log),)
        ).fetchone()
    except sqlite3.OperationalError:  # the child has not created the schema yet
        return -1
    return -1 if row is None else int(row[0])


def _wait_cursor(db: sqlite3.Connection, log: Path, offset: int, timeout: float = 30) -> float:
    """Seconds until the committed cursor of `log` reaches `offset` (polled every 1 ms)."""
    began = time.perf_counter()
    while _cursor(db, log) < offset:
        if time.perf_counter() - began > timeout:
            raise RuntimeError(f"the tailer never committed offset {offset}")
        time.sleep(0.001)
    return time.perf_counter() - began


def _env(notify: bool) -> dict[str, str]:
    return {**os.environ, "STARSTATS_NO_FS_EVENTS": "0" if notify else "1"}


def _latency(tmp: Path, count: int, seed: int, *, notify: bool) -> dict[str, Any]:
    from starstats_core.synth import synthesize_log

    lines = [s.encode() for s in synthesize_log(seed=seed, sessions=1, lines_per_session=4000)]
    head, rest = lines[:300], lines[300 : 300 + count]
    log, data = tmp / "tail" / "LIVE" / "Game.log", tmp / "tail" / "data"
    log.parent.mkdir(parents=True)
    log.write_bytes(b"".join(head))
    command = [sys.executable, "-m", "starstats_client", "run", "--no-sync"]
    command += ["--gamelog", str(log), "--data-dir", str(data)]
    env = {**_env(notify), "STARSTATS_CONFIG_DIR": str(tmp / "config")}
    errors = tmp / "tail" / "stderr.txt"
    with errors.open("w") as err:
        child = subprocess.Popen(  # noqa: S603 - our own interpreter and package
            command, env=env, stdout=subprocess.DEVNULL, stderr=err
        )
    try:
        while not (data / "data.sqlite3").exists():
            time.sleep(0.01)
        db = sqlite3.connect(data / "data.sqlite3", timeout=10)
        end = log.stat().st_size
        _wait_cursor(db, log, end)
        samples = []
        with log.open("ab", buffering=0) as out:
            for n, line in enumerate(rest):
                out.write(line)
                end += len(line)
                samples.append(_wait_cursor(db, log, end) * 1000)
                time.sleep((n * 7919 % 100) / 1000)  # 0-99 ms: every phase of the poll
        db.close()
    finally:
        child.terminate()
        child.wait(timeout=30)
    ordered = sorted(samples)
    return {
        "fell_back_to_polling": "polling only" in errors.read_text(errors="replace"),
        "lines": len(samples),
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "max_ms": ordered[-1],
        "child_exit": child.returncode,
    }


def _tail_cpu(tmp: Path, seconds: float, seed: int, *, notify: bool, rate: float) -> dict[str, Any]:
    """The tailer's CPU over `seconds` while another process appends `rate` lines a second."""
    from starstats_core.synth import synthesize_log

    folder = tmp / ("busy" if rate else "idle")
    log = folder / "LIVE" / "Game.log"
    log.parent.mkdir(parents=True)
    lines = [s.encode() for s in synthesize_log(seed=seed, sessions=1, lines_per_session=40_000)]
    log.write_bytes(b"".join(lines[:20_000]))
    args = [str(log), str(folder / "db.sqlite3"), str(seconds), "1" if notify else "0"]
    child = subprocess.Popen(  # noqa: S603 - our own interpreter running this very file
        [sys.executable, __file__, "--child", "tail", *args],
        env=_env(notify),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    if child.stdout.readline().strip() == "ready" and rate:
        began = time.perf_counter()
        with log.open("ab", buffering=0) as out:
            for n, line in enumerate(lines[20_000:], start=1):
                if time.perf_counter() - began > seconds - 0.1:
                    break
                out.write(line)
                time.sleep(max(0.0, began + n / rate - time.perf_counter()))
    out_text, err_text = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"tail child failed:\n{err_text.strip()}")
    result: dict[str, Any] = json.loads(out_text.strip().splitlines()[-1])
    return result


def _wake_up(notify: bool, fell_back: bool) -> str:
    if not notify:
        return "polling every 100 ms"
    if fell_back:
        return "polling (notifications failed)"
    from watchdog.observers import Observer

    return f"{Observer.__name__} + 250 ms poll"


def _table(report: dict[str, Any]) -> str:
    back, lat, idle, busy = (report[k] for k in ("backfill", "latency", "idle", "busy"))
    rows = [
        ("backup set", f"{back['synth']['lines']:,} lines, {back['synth']['files']} files"),
        ("size", f"{back['synth']['bytes'] / 1e6:,.1f} MB"),
        ("parser only lines/s (baseline)", f"{back['parse_lines_per_s']:,.0f}"),
        ("import lines/s (end to end)", f"{back['import_lines_per_s']:,.0f}"),
        ("import / parser", f"{back['ratio_import_to_parse']:.2f}"),
        ("import events stored", f"{back['import_events']:,}"),
        ("import peak RSS", f"{back['import_peak_rss_mib']:,.1f} MiB"),
        ("parser peak RSS", f"{back['parse_peak_rss_mib']:,.1f} MiB"),
        ("database size", f"{back['import_db_mib']:,.1f} MiB"),
        *(
            [("import lines/s, real sessions", _real_row(report["real_backfill"]))]
            if report.get("real_backfill")
            else []
        ),
        ("tail wakes on", _wake_up(report["notify"], lat["fell_back_to_polling"])),
        ("tail latency p50", f"{lat['p50_ms']:,.1f} ms"),
        ("tail latency p99", f"{lat['p99_ms']:,.1f} ms"),
        ("tail latency max", f"{lat['max_ms']:,.1f} ms  ({lat['lines']} lines)"),
        ("idle CPU (one core)", f"{idle['cpu_percent']:.2f} %  over {idle['seconds']:.1f} s"),
        ("idle peak RSS", f"{idle['peak_rss_mib']:,.1f} MiB"),
        (
            f"busy CPU, {report['busy_rate']:g} lines/s",
            f"{busy['cpu_percent']:.2f} %  over {busy['seconds']:.1f} s",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    body = "\n".join(f"  {k.ljust(width)}  {v:>28}" for k, v in rows)
    return f"Client benchmark (best of {report['repeat']})\n{body}"


def _real_row(real: dict[str, Any]) -> str:
    return f"{real['import_lines_per_s']:,.0f}  ({real['lines']:,} lines, {real['files']} files)"


def _verdicts(report: dict[str, Any]) -> dict[str, bool]:
    return {
        f"backfill >= {TARGET_LINES_PER_S:,} lines/s": report["backfill"]["import_lines_per_s"]
        >= TARGET_LINES_PER_S,
        f"tail p99 <= {TARGET_P99_MS:.0f} ms": report["latency"]["p99_ms"] <= TARGET_P99_MS,
        f"idle CPU <= {TARGET_IDLE_CPU:.0f} %": report["idle"]["cpu_percent"] <= TARGET_IDLE_CPU,
    }


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--lines", type=int, default=1_000_000, help="lines in the backup set")
    args.add_argument("--latency-lines", type=int, default=250, help="lines appended one by one")
    args.add_argument("--idle", type=float, default=10.0, help="seconds of quiet tailing")
    args.add_argument(
        "--busy-rate", type=float, default=20.0, help="lines/s appended while tailing busy"
    )
    args.add_argument(
        "--no-fs-events", action="store_true", help="tail by polling alone, no notifications"
    )
    args.add_argument("--repeat", type=int, default=2, help="runs per backfill measurement")
    args.add_argument("--seed", type=int, default=1)
    args.add_argument("--json", action="store_true", help="print figures as JSON only")
    args.add_argument("--check", action="store_true", help="exit 1 if a target is not met")
    args.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    opts = args.parse_args(argv)
    if opts.child:
        return _child(opts.child[0], opts.child[1:])
    say = (lambda m: print(m, file=sys.stderr)) if opts.json else print
    with tempfile.TemporaryDirectory(prefix="bench-client-") as name:
        tmp = Path(name)
        say(f"backfill: synthesising >= {opts.lines:,} lines, parsing and importing ...")
        notify = not opts.no_fs_events
        report: dict[str, Any] = {
            "repeat": opts.repeat,
            "notify": notify,
            "busy_rate": opts.busy_rate,
        }
        report["backfill"] = _backfill(tmp, opts.lines, opts.seed, opts.repeat)
        say("backfill: importing a backup set made of real corpus sessions ...")
        report["real_backfill"] = _real_backfill(tmp, opts.lines)
        say(f"tail latency: appending {opts.latency_lines} lines one by one ...")
        report["latency"] = _latency(tmp, opts.latency_lines, opts.seed, notify=notify)
        say(f"idle: tailing a quiet file for {opts.idle:.0f} s ...")
        report["idle"] = _tail_cpu(tmp, opts.idle, opts.seed, notify=notify, rate=0)
        say(f"busy: tailing {opts.busy_rate:g} appended lines/s for {opts.idle:.0f} s ...")
        report["busy"] = _tail_cpu(tmp, opts.idle, opts.seed, notify=notify, rate=opts.busy_rate)
    verdicts = _verdicts(report)
    report["targets_met"] = verdicts
    if opts.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(_table(report))
        for target, met in verdicts.items():
            print(f"TARGET {target}: {'MET' if met else 'NOT MET'}")
    return 1 if opts.check and not all(verdicts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
