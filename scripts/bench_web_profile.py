"""Where a web page's time goes (`bench_web.py --profile`): the web app in this process
(`create_app`, driven through httpx's ASGI transport, so no socket between the browser side
and the app) against the real API over loopback HTTP, under cProfile for `renders` renders
of each page, one at a time.

cProfile's own time (tottime) per function is grouped by where the function lives: time
inside the event loop's `epoll.poll` is the app waiting, which for these pages is waiting
for the API's answers (the API and PostgreSQL run in other processes); the rest is the web
app's CPU: pydantic parsing the answers, Jinja2 templates, the SVG charts, the HTTP client,
the framework. Profiling slows Python code (~1.5-2x), so the groups are shares, not
latencies.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import time
from pathlib import Path
from typing import Any

import httpx

TOP = 12
# (group, substrings of the profiled function's "file:line(name)"), first match wins.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("waiting (event loop idle: the API's answers)", ("select.epoll", "'poll' of")),
    ("pydantic (parsing the API's JSON into models)", ("pydantic", "validate_")),
    # httpcore 1.0's `current_async_library()` tries `import sniffio` on every pool call;
    # without sniffio installed each try searches sys.path again.
    ("imports (importlib, stat)", ("<frozen importlib", "posix.stat", "posix.listdir")),
    ("Jinja2 templates", ("jinja2", "templates/", ".html")),
    ("SVG charts (journeycharts)", ("journeycharts",)),
    ("starstats_web (views, sentences, other)", ("starstats_web",)),
    ("HTTP client (httpx, httpcore, h11)", ("httpx", "httpcore", "h11")),
    ("framework (starlette, fastapi, asgi)", ("starlette", "fastapi", "asgi")),
    ("asyncio and anyio", ("asyncio", "anyio")),
    (
        "telemetry (opentelemetry, prometheus, structlog)",
        ("opentelemetry", "prometheus", "structlog"),
    ),
    ("JSON (json module)", ("json",)),
)


def _group(key: tuple[str, int, str]) -> str:
    where = f"{key[0]}:{key[1]}({key[2]})"
    for name, needles in GROUPS:
        if any(needle in where for needle in needles):
            return name
    return "other"


async def _renders(web: httpx.AsyncClient, path: str, renders: int) -> None:
    for _ in range(renders):
        response = await web.get(path)
        response.raise_for_status()


def _app(api_url: str, data: Path) -> Any:
    from starstats_web.app import create_app
    from starstats_web.settings import WebSettings

    settings = WebSettings(
        api_url=api_url,  # pydantic converts the str
        web_origin="http://web.invalid",
        cookie_secure=False,
        web_data_dir=data,
    )
    return create_app(settings)


def profile_pages(
    api_url: str, token: str, pages: dict[str, str], renders: int, data: Path
) -> dict[str, Any]:
    """Per page: mean wall ms per render (profiled), ms per render per group, the top
    functions by own time."""
    app = _app(api_url, data)
    found: dict[str, Any] = {}

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        cookies = {"starstats_session": token}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://web.invalid", cookies=cookies
        ) as web:
            for name, path in pages.items():
                await _renders(web, path, 5)  # warm-up: templates compiled, pools open
                profiler = cProfile.Profile()
                began = time.perf_counter()
                profiler.enable()
                await _renders(web, path, renders)
                profiler.disable()
                found[name] = _summary(profiler, time.perf_counter() - began, renders)

    asyncio.run(run())
    return found


def _summary(profiler: cProfile.Profile, wall: float, renders: int) -> dict[str, Any]:
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    groups: dict[str, float] = {}
    rows = []
    for key, (_calls, ncalls, tottime, _cumtime, _callers) in stats.items():
        groups[_group(key)] = groups.get(_group(key), 0.0) + tottime
        rows.append((tottime, ncalls, f"{Path(key[0]).name}:{key[1]}({key[2]})"))
    rows.sort(reverse=True)
    per = 1000 / renders
    return {
        "wall_ms_per_render": wall * per,
        "groups_ms_per_render": {
            k: v * per for k, v in sorted(groups.items(), key=lambda i: -i[1])
        },
        "top": [
            {"function": f, "tottime_ms_per_render": t * per, "calls_per_render": n / renders}
            for t, n, f in rows[:TOP]
        ],
    }


def table(found: dict[str, Any]) -> str:
    lines = ["", "Where the time goes (in-process web app under cProfile, ms per render):"]
    for name, page in found.items():
        lines.append(f"  {name}: {page['wall_ms_per_render']:.1f} ms wall per render")
        for group, ms in page["groups_ms_per_render"].items():
            lines.append(f"    {ms:>7.1f}  {group}")
        lines.append("    top functions by own time:")
        for row in page["top"]:
            lines.append(
                f"    {row['tottime_ms_per_render']:>7.2f}  {row['calls_per_render']:>8.0f}x  "
                f"{row['function']}"
            )
    return "\n".join(lines)
