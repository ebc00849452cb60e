"""`/dashboard`: the player's journey at a glance (`overview.py`: where they were last, the
window's totals, sessions, places, ships, contracts, trade, lives, records, a year of play),
with a link to the activity log (`activity.py`: the raw events, a page of their own). Its
three API reads (the account, the summary, the journey's glance) run at once; the page costs
the slowest of them plus the template."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from starstats_web.activity import DashboardQuery
from starstats_web.pages.deps import State
from starstats_web.pages.overview import read_overview
from starstats_web.pages.whose import Reader

router = APIRouter()


@router.get("/dashboard")
async def dashboard(request: Request, state: State, reader: Reader) -> Response:
    # Only the window is the dashboard's; the activity log's filters belong to /activity.
    query = DashboardQuery.parse({k: v for k, v in request.query_params.items() if k == "days"})
    token = reader.token or ""  # `Reader` without a `{handle}` in the path has my token
    me, summary, journey = await asyncio.gather(
        state.api.me(token),
        state.api.summary(token),
        read_overview(reader, query.days, lambda days: query.link(days=days)),
    )
    return state.pages.render(
        request,
        "dashboard.html",
        {
            **journey,
            "me": me,
            "summary": summary,
            "query": query,
            "api_url": state.settings.public_api_base,
        },
    )
