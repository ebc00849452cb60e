"""The API reads behind each journey page of the web app, and how bench_web.py times them.

The read lists mirror `starstats_web.pages.dashboard.dashboard`,
`starstats_web.pages.activity.activity` and `starstats_web.pages.journey.{sessions,session}`
call for call (path, limit, window), so a
page's p95 can be set against the slowest read it waits on. They are copied, not imported:
the web app builds its calls inside the route functions, and a benchmark that asked the app
what it reads would no longer measure the app as it runs. When those routes change, change
`page_reads` with them.

Also here: one timed loop (sequential GETs after a warm-up), the reads of one page issued at
once (as the page's `asyncio.gather` does; one API worker answers them), and the web app's
own Prometheus histograms read before and after a page's loop, which split the page's mean
into the web app's work and its API calls as the web app saw them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from benchlib import latency_figures

WARMUP_CALLS = 10
# The page code's constants (pages/activity.py, pages/journey.py, activity.py).
EVENTS_PAGE = 25
SESSIONS_PAGE = 20

Params = Callable[[datetime], dict[str, Any]]


@dataclass(frozen=True)
class Read:
    """One API read: `params(now)` so a window starting `days` ago moves with the clock, as
    the page computes it per request."""

    name: str
    path: str
    params: Params


def _fixed(**values: Any) -> Params:
    return lambda _now: dict(values)


def dashboard_reads(days: int | None) -> list[Read]:
    """The three reads of `GET /dashboard?days=<days>` (None: `?days=all`): the account, the
    summary (the empty state, the event count of the activity log's link) and the journey
    at a glance (everything the journey cards show)."""
    label = "all time" if days is None else f"{days} d"
    window = _fixed() if days is None else _fixed(days=days)
    return [
        Read("api /v1/auth/me", "/v1/auth/me", _fixed()),
        Read("api /v1/me/summary (baseline)", "/v1/me/summary", _fixed()),
        Read(f"api journey/glance, {label}", "/v1/me/journey/glance", window),
    ]


def activity_reads() -> list[Read]:
    """The two reads of `GET /activity`, no filters: the summary (the type filter's counts)
    and the newest page of events."""
    return [
        Read("api /v1/me/summary (baseline)", "/v1/me/summary", _fixed()),
        Read("api /v1/me/events limit 25", "/v1/me/events", _fixed(limit=EVENTS_PAGE)),
    ]


def page_reads(session_id: str) -> dict[str, tuple[str, str, list[Read]]]:
    """Page name -> (web path, text the page must contain, its API reads)."""
    return {
        "web /dashboard": ("/dashboard", "BenchPilot", dashboard_reads(30)),
        "web /dashboard?days=all": ("/dashboard?days=all", "BenchPilot", dashboard_reads(None)),
        "web /activity": ("/activity", "Activity log", activity_reads()),
        "web /journey/sessions": (
            "/journey/sessions",
            "Your sessions",
            [
                Read(
                    "api journey/sessions limit 20",
                    "/v1/me/journey/sessions",
                    _fixed(limit=SESSIONS_PAGE),
                )
            ],
        ),
        "web /journey/sessions/{id}": (
            f"/journey/sessions/{session_id}",
            "story-grid",
            [
                Read(
                    "api journey/sessions/{id}",
                    f"/v1/me/journey/sessions/{session_id}",
                    _fixed(),
                )
            ],
        ),
    }


async def typical_session(http: httpx.AsyncClient) -> tuple[str, float]:
    """(id, seconds played) of a typical session: the median by time played among the
    newest 50 (the list's first page), so neither a one-minute launch nor the longest."""
    response = await http.get("/v1/me/journey/sessions", params={"limit": 50})
    response.raise_for_status()
    sessions = response.json()["sessions"]
    if not sessions:
        raise RuntimeError("the player has no journey sessions")
    ranked = sorted(sessions, key=lambda s: (s.get("seconds") or 0.0, s["session_id"]))
    middle = ranked[len(ranked) // 2]
    return middle["session_id"], float(middle.get("seconds") or 0.0)


async def timed(
    http: httpx.AsyncClient,
    path: str,
    params: Params,
    calls: int,
    must_contain: str | None = None,
) -> dict[str, Any]:
    """p50/p95/p99/max of `calls` sequential GETs after `WARMUP_CALLS` unmeasured ones."""
    samples = []
    response = None
    for number in range(WARMUP_CALLS + calls):
        query = params(datetime.now(UTC))
        began = time.perf_counter()
        response = await http.get(path, params=query)
        elapsed = time.perf_counter() - began
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
        if must_contain is not None and must_contain not in response.text:
            raise RuntimeError(f"GET {path}: the page lacks {must_contain!r}")
        if number >= WARMUP_CALLS:
            samples.append(elapsed)
    assert response is not None
    return {"bytes": len(response.content), **latency_figures(samples)}


async def timed_at_once(http: httpx.AsyncClient, reads: list[Read], calls: int) -> dict[str, Any]:
    """The page's reads issued together, `calls` times (after the warm-up): the wall time of
    the whole set, which is what the page waits for before its template runs."""
    samples = []
    for number in range(WARMUP_CALLS + calls):
        now = datetime.now(UTC)
        began = time.perf_counter()
        answers = await asyncio.gather(*(http.get(r.path, params=r.params(now)) for r in reads))
        elapsed = time.perf_counter() - began
        for read, answer in zip(reads, answers, strict=True):
            if answer.status_code != 200:
                raise RuntimeError(f"{read.name}: {answer.status_code} {answer.text[:200]}")
        if number >= WARMUP_CALLS:
            samples.append(elapsed)
    return latency_figures(samples)


# -- the web app's own histograms ---------------------------------------------------------
def _sums(text: str) -> dict[tuple[str, str], tuple[float, float]]:
    """(metric, label) -> (sum, count) of the web app's page and API-call histograms."""
    from prometheus_client.parser import text_string_to_metric_families

    found: dict[tuple[str, str], list[float]] = {}
    wanted = {
        "starstats_web_page_render_duration_seconds": "route",
        "starstats_web_api_call_duration_seconds": "endpoint",
    }
    for family in text_string_to_metric_families(text):
        label = wanted.get(family.name)
        if label is None:
            continue
        for sample in family.samples:
            slot = {"_sum": 0, "_count": 1}.get(sample.name.removeprefix(family.name))
            if slot is None:
                continue
            pair = found.setdefault((family.name, sample.labels[label]), [0.0, 0.0])
            pair[slot] += sample.value  # summed over the status label
    return {key: (pair[0], pair[1]) for key, pair in found.items()}


async def scrape(web: httpx.AsyncClient) -> dict[tuple[str, str], tuple[float, float]]:
    response = await web.get("/api/metrics")
    response.raise_for_status()
    return _sums(response.text)


def split_of(
    before: dict[tuple[str, str], tuple[float, float]],
    after: dict[tuple[str, str], tuple[float, float]],
) -> dict[str, float]:
    """Mean ms per observation between two scrapes: `page` (the web app's clock, request
    start to HTML rendered: its API calls, model parsing and template) and each API path
    template as the web app's client timed it (request sent to answer read, over HTTP)."""
    means: dict[str, float] = {}
    for key, (total, count) in after.items():
        old_total, old_count = before.get(key, (0.0, 0.0))
        if count > old_count:
            name = "page" if key[0].startswith("starstats_web_page") else key[1]
            means[name] = 1000 * (total - old_total) / (count - old_count)
    return means
