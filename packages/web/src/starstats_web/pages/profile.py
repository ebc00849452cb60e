"""`/u/{handle}`: another player's journey (or my own, as others see them), signed in or not:
the dashboard's overview (`overview.py`), read-only, through `/v1/u/{handle}` with the
session's token (so what was shared with me shows) or, signed out or when the API no longer
takes the cookie's token, through the public `/v1/public/{handle}` (see `whose.py`). Whether
the player does not exist or does not share with me, the answer is the same 404 page
(`PlayerHidden`, drawn by the app), so the page leaks neither."""

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from starstats_web.activity import DEFAULT_DAYS, DashboardQuery
from starstats_web.nextpath import login_url
from starstats_web.pages.deps import State
from starstats_web.pages.overview import read_overview
from starstats_web.pages.whose import Reader
from starstats_web.session import view_of

router = APIRouter()


def window_link(handle: str, days: int | None) -> str:
    path = f"/u/{quote(handle, safe='')}"
    if days == DEFAULT_DAYS:
        return path
    return f"{path}?days={'all' if days is None else days}"


@router.get("/u/{handle}")
async def profile(request: Request, state: State, reader: Reader) -> Response:
    # Only the window is the reader's to choose: the activity filters are the owner's.
    days = DashboardQuery.parse(request.query_params).days
    summary, journey = await asyncio.gather(reader.summary(), read_overview(reader, days, str))
    # The window chips link to the handle as the player claimed it, known once it is read.
    claimed = summary.claimed_handle
    windows = [(d, name, window_link(claimed, d)) for d, name, _ in journey["windows"]]
    viewer = view_of(reader.token) if reader.token else None
    own = viewer is not None and viewer.handle.lower() == summary.claimed_handle.lower()
    response = state.pages.render(
        request,
        "profile.html",
        {
            **journey,
            "windows": windows,
            **({"viewer": None} if reader.expired else {}),
            "own": own,
            "handle": claimed,
            "summary": summary,
            "login": login_url(window_link(claimed, days)),
        },
    )
    return reader.settle(response, secure=state.settings.cookie_secure)
