"""What the benchmark and load scripts share: a throwaway PostgreSQL, latency figures, and the
machine they ran on. (Server start-up, users and envelopes live in bench_ingest.py, which the
others import.)"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def throwaway_postgres(url: str | None = None) -> Iterator[tuple[str, str | None]]:
    """(database URL, cluster dir): `url` itself when given, else a PostgreSQL started by
    scripts/pg.sh for the block and removed after it (cluster dir None for a given URL)."""
    if url is not None:
        yield url, None
        return
    done = subprocess.run(  # noqa: S603 - our own script
        ["bash", str(REPO / "scripts" / "pg.sh"), "up"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    pg_dir, started = done.stdout.split()
    try:
        yield started, pg_dir
    finally:
        subprocess.run(  # noqa: S603 - our own script
            ["bash", str(REPO / "scripts" / "pg.sh"), "down", pg_dir],  # noqa: S607
            check=False,
        )


def percentile(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latency_figures(seconds: list[float]) -> dict[str, float]:
    """count, p50, p95, p99 and max in milliseconds."""
    ordered = sorted(seconds)
    return {
        "count": float(len(ordered)),
        "p50_ms": 1000 * (statistics.median(ordered) if ordered else 0.0),
        "p95_ms": 1000 * percentile(ordered, 0.95),
        "p99_ms": 1000 * percentile(ordered, 0.99),
        "max_ms": 1000 * (ordered[-1] if ordered else 0.0),
    }


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def rss_bytes(root: int) -> int:
    """Resident memory of `root` and its children (Linux /proc; 0 elsewhere)."""
    total = 0
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(entry.name) != root and fields.get("PPid", "").strip() != str(root):
            continue
        rss = fields.get("VmRSS", "0 kB").split()
        total += int(rss[0]) * 1024 if rss else 0
    return total
