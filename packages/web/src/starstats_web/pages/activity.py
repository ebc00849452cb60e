"""`/activity`: the activity log, every event the player's client uploaded, newest first, each
as its sentence, filtered by type and day and paged by seq. It lives apart from the
dashboard, which shows the journey (answers) and stays one journey read plus the account and
the summary; the log is one click away (linked from the dashboard and the menu)."""

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from starstats_web import api_models as m
from starstats_web import sentences
from starstats_web.activity import PAGE_SIZE, DashboardQuery, pager
from starstats_web.pages.deps import State
from starstats_web.pages.whose import Reader
from starstats_web.state import WebState

router = APIRouter()


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


@router.get("/activity")
async def activity(request: Request, state: State, reader: Reader) -> Response:
    # The journey window (`days`) is the dashboard's: not read here, never carried in links.
    params = {k: v for k, v in request.query_params.items() if k != "days"}
    query = DashboardQuery.parse(params, page="/activity")
    token = reader.token or ""  # `Reader` without a `{handle}` in the path has my token
    summary, (query, page) = await asyncio.gather(
        state.api.summary(token), _events(state, token, query)
    )
    events = page.events if query.after is None else list(reversed(page.events))
    rows = [_row(e) for e in events]
    return state.pages.render(
        request,
        "activity.html",
        {
            "summary": summary,
            "type_counts": [
                TypeRow(t.event_type, sentences.label(t.event_type), t.count)
                for t in summary.by_type
            ],
            "query": query,
            "rows": rows,
            "pager": pager(query, [r.seq for r in rows], page.next_before),
        },
    )
