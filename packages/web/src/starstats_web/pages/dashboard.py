"""`/dashboard`: the player's stats. Every API read the page needs runs at once; the page
costs the slowest of them plus the template."""

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from starstats_web import api_models as m
from starstats_web import charts, sentences
from starstats_web.activity import PAGE_SIZE, RANGES, DashboardQuery, pager
from starstats_web.pages.deps import State, Token
from starstats_web.state import WebState
from starstats_web.statstrip import stat_strip

router = APIRouter()

SESSIONS_SHOWN = 8


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: datetime | None
    event_type: str
    label: str
    sentence: str


@dataclass(frozen=True)
class TypeRow:
    event_type: str
    label: str
    count: int


def _row(event: m.EventOut) -> EventRow:
    # The row shows the full date and time in its own column (in the reader's zone, once the
    # page script runs), so the sentence is asked for without its own "at HH:MM".
    sentence = sentences.describe(event.event_type, event.payload, None)
    return EventRow(
        event.seq,
        event.event_timestamp,
        event.event_type,
        sentences.label(event.event_type),
        sentence,
    )


def _timeline_chart(timeline: m.TypeTimelineOut) -> Markup:
    days = [
        charts.Day(b.date, b.total, [(t.event_type, t.count) for t in b.by_type])
        for b in timeline.buckets
    ]
    return charts.timeline_svg(days, label=f"Events per day, last {timeline.days} days")


async def _events(
    state: WebState, token: str, query: DashboardQuery
) -> tuple[DashboardQuery, m.EventPageOut]:
    """The activity page for `query`; an `after` page that reaches the newest event is
    replaced by the first page, so "newer" never leads to a half-empty page."""
    args: dict[str, Any] = {
        "event_type": query.event_type,
        "since": query.since_at(),
        "until": query.until_at(),
        "limit": PAGE_SIZE,
    }
    page = await state.api.events(token, before_seq=query.before, after_seq=query.after, **args)
    if query.after is not None and len(page.events) < PAGE_SIZE:
        query = replace(query, after=None)
        page = await state.api.events(token, **args)
    return query, page


@router.get("/dashboard")
async def dashboard(request: Request, state: State, token: Token) -> Response:
    query = DashboardQuery.parse(request.query_params)
    me, stats, summary, timeline, sessions, (query, page) = await asyncio.gather(
        state.api.me(token),
        state.api.stats(token),
        state.api.summary(token),
        state.api.timeline_types(token, days=query.days),
        state.api.sessions(token, limit=SESSIONS_SHOWN),
        _events(state, token, query),
    )
    events = page.events if query.after is None else list(reversed(page.events))
    rows = [_row(e) for e in events]
    return state.pages.render(
        request,
        "dashboard.html",
        {
            "me": me,
            "summary": summary,
            "sessions": sessions.sessions,
            "stats": stats,
            "stat_strip": stat_strip(stats),
            "timeline_chart": _timeline_chart(timeline),
            "breakdown_chart": charts.breakdown_svg(
                [(t.event_type, t.count) for t in summary.by_type],
                label="Events by type, all time",
            ),
            "type_counts": [
                TypeRow(t.event_type, sentences.label(t.event_type), t.count)
                for t in summary.by_type
            ],
            "query": query,
            "ranges": RANGES,
            "rows": rows,
            "pager": pager(query, [r.seq for r in rows], page.next_before),
            "api_url": state.settings.public_api_base,
        },
    )
