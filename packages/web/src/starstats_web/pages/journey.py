"""`/journey/*`: the player's journey page by page. The sessions list and each session told
as a story (with its timeline and the CLI's text to copy), then places, travel, ships,
contracts, trade and lives. Every page reads the server's `/v1/me/journey*` views; the same
pages under `/u/{handle}/journey/...` read another player's, as shared (`whose.py`)."""

from datetime import datetime, timedelta

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from starstats_web import api_models as m
from starstats_web import journeycharts as jc
from starstats_web import journeyview as jv
from starstats_web.errors import ApiError
from starstats_web.pages.deps import State
from starstats_web.pages.whose import Reader

router = APIRouter()

PAGE = 20
Cursor = Query(None, max_length=512)


@router.get("/journey/sessions")
@router.get("/u/{handle}/journey/sessions")
async def sessions(
    request: Request, state: State, reader: Reader, cursor: str | None = Cursor
) -> Response:
    page = await reader.view("/sessions", m.SessionPageOut, limit=PAGE, cursor=cursor)
    rows = [(s, jv.parse_at(s.started_at), s.totals or {}) for s in page.sessions]
    context = {"rows": rows, "next_cursor": page.next_cursor, "first_page": cursor is None}
    response = state.pages.render(request, "journey/sessions.html", {**context, "whose": reader})
    return reader.settle(response, secure=state.settings.cookie_secure)


@router.get("/journey/sessions/{session_id}")
@router.get("/u/{handle}/journey/sessions/{session_id}")
async def session(request: Request, state: State, reader: Reader, session_id: str) -> Response:
    if not 1 <= len(session_id) <= 128:
        raise HTTPException(404)
    try:
        story = await reader.session(session_id)
    except ApiError as exc:
        if exc.status == 404:  # not a session of this player's: the same page as no session
            raise HTTPException(404) from exc
        raise
    started = jv.parse_at(story.session.started_at)
    response = state.pages.render(
        request,
        "journey/session.html",
        {
            "s": story.session,
            "title": jv.session_title(story.session),
            "started": started,
            "ended": jv.parse_at(story.session.ended_at),
            "rows": jv.story_rows(story),
            "text": jv.story_text(story),
            "timeline": _timeline(story, started),
            "totals": story.session.totals or {},
            "whose": reader,
        },
    )
    return reader.settle(response, secure=state.settings.cookie_secure)


def _timeline(story: m.SessionStoryOut, started: datetime | None) -> object:
    if started is None:
        return None
    marks = []
    for fact in story.facts:
        if fact.kind not in jc.KIND_NAMES:
            continue
        begin = jv.parse_at(fact.started_at) or jv.parse_at(fact.ended_at)
        if begin is None:
            continue
        end = jv.parse_at(fact.ended_at) or begin
        words = f"{begin:%H:%M} {jc.KIND_NAMES[fact.kind]}: {_name_of(fact)}"
        marks.append(
            jc.Mark(
                fact.kind,
                (begin - started).total_seconds(),
                (end - started).total_seconds(),
                words,
            )
        )
    seconds = story.session.seconds or 0.0

    def clock(offset: float) -> str:
        return f"{started + timedelta(seconds=offset):%H:%M}"

    return jc.session_timeline_svg(marks, seconds, clock)


def _name_of(fact: jv.AnyFact) -> str:
    """A few readable words naming a fact, for the timeline's tooltips."""
    if isinstance(fact, m.StopFact):
        return fact.name or "a place"
    if isinstance(fact, m.LegFact):
        return f"to {fact.destination_name or 'an unlogged destination'}"
    if isinstance(fact, m.StintFact):
        return jv.ship_name(fact.name, fact.ship)
    if isinstance(fact, m.ContractFact):
        return f"{fact.title or fact.contract_kind or 'a contract'} ({fact.outcome})"
    if isinstance(fact, m.TradeFact):
        return f"{fact.side} {fact.good_name or 'goods'}"
    if isinstance(fact, m.DeathFact):
        return jv.CAUSES.get(fact.cause or "unknown", "died")
    if isinstance(fact, m.KillFact):
        return fact.victim_name or "someone"
    return fact.kind
