"""`/u/{handle}`: another player's stats (or my own, as others see them), signed in or not.

Signed in, the page reads `/v1/u/{handle}/...` with the session's token, so stats shared with
me show; signed out (or when the API no longer takes the cookie's token) it reads the public
`/v1/public/{handle}/...`. Whether the player does not exist or does not share with me, the
answer is the same 404 page, so the page leaks neither."""

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from starstats_web import api_models as m
from starstats_web import charts, names, sentences
from starstats_web.activity import DEFAULT_DAYS, RANGES
from starstats_web.errors import ApiError, ApiRateLimited, ApiUnauthorized
from starstats_web.nextpath import login_url
from starstats_web.pages.dashboard import TypeRow
from starstats_web.pages.deps import ClientIp, MaybeToken, State
from starstats_web.session import clear_session, view_of
from starstats_web.state import WebState
from starstats_web.statstrip import stat_strip

router = APIRouter()

Loaded = tuple[m.SummaryOut, m.TimelineOut, m.StatsOverviewOut]


def chart_days(raw: str | None) -> int:
    """`?days=` when it is one of the offered ranges, else the default (never an error)."""
    return int(raw) if raw and raw.isdigit() and int(raw) in RANGES else DEFAULT_DAYS


async def _shared(state: WebState, token: str, handle: str, days: int) -> Loaded:
    return await asyncio.gather(
        state.api.user_summary(token, handle),
        state.api.user_timeline(token, handle, days=days),
        state.api.user_stats(token, handle),
    )


async def _public(state: WebState, handle: str, days: int, ip: str | None) -> Loaded:
    return await asyncio.gather(
        state.api.public_summary(handle, client_ip=ip),
        state.api.public_timeline(handle, days=days, client_ip=ip),
        state.api.public_stats(handle, client_ip=ip),
    )


def _link(handle: str, days: int) -> str:
    path = f"/u/{quote(handle, safe='')}"
    return path if days == DEFAULT_DAYS else f"{path}?days={days}"


@router.get("/u/{handle}")
async def profile(
    request: Request, state: State, token: MaybeToken, ip: ClientIp, handle: str
) -> Response:
    days = chart_days(request.query_params.get("days"))
    signed_in = token is not None
    expired = False
    try:
        if not names.is_handle(handle):
            raise ApiError(404, "not_found", "not a handle")
        loaded: Loaded | None = None
        if token is not None:
            try:
                loaded = await _shared(state, token, handle, days)
            except ApiUnauthorized:
                # The API no longer takes this cookie (revoked, or the account is gone):
                # read on as a visitor, and forget the cookie.
                signed_in, expired = False, True
        if loaded is None:
            loaded = await _public(state, handle, days, ip)
    except ApiRateLimited as exc:
        response = state.pages.render(
            request,
            "errors/error.html",
            {"status": 429, "retry_after": exc.retry_after},
            status=429,
        )
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
    except ApiError as exc:
        if exc.status != 404:
            raise
        response = state.pages.render(
            request,
            "profile_missing.html",
            {
                "handle": handle,
                "login": login_url(_link(handle, DEFAULT_DAYS)),
                **({"viewer": None} if not signed_in else {}),
            },
            status=404,
        )
    else:
        summary, timeline, stats = loaded
        viewer = view_of(token) if signed_in and token else None
        own = viewer is not None and viewer.handle.lower() == summary.claimed_handle.lower()
        response = state.pages.render(
            request,
            "profile.html",
            {
                "viewer": viewer,
                "own": own,
                "handle": summary.claimed_handle,
                "summary": summary,
                "stats": stats,
                "stat_strip": stat_strip(stats, whose="their"),
                "timeline_chart": charts.timeline_svg(
                    [charts.Day(b.date, b.count) for b in timeline.buckets],
                    label=f"Events per day, last {timeline.days} days",
                ),
                "breakdown_chart": charts.breakdown_svg(
                    [(t.event_type, t.count) for t in summary.by_type],
                    label="Events by type, all time",
                ),
                "type_counts": [
                    TypeRow(t.event_type, sentences.label(t.event_type), t.count)
                    for t in summary.by_type
                ],
                "days": days,
                "ranges": [(d, _link(summary.claimed_handle, d)) for d in RANGES],
                "login": login_url(_link(summary.claimed_handle, days)),
            },
        )
    if expired:
        clear_session(response, secure=state.settings.cookie_secure)
    return response
