"""`GET /v1/me/journey*`: the player's journey (docs/journey.md); the same views of another
player under `/v1/u/{handle}/journey*` (signed in, where SpiceDB grants `view`) and
`/v1/public/{handle}/journey*` (public profiles, no token). The models are in
journey_models.py.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel

from starstats_server.api.deps import AnyPrincipal, State, UserPrincipal, rate_limit
from starstats_server.api.errors import error_responses
from starstats_server.api.fields import HANDLE_PATTERN
from starstats_server.api.journey_models import (
    CombatOut,
    ContractsOut,
    GlanceOut,
    LegPageOut,
    LifePageOut,
    OverviewOut,
    OverviewParams,
    PageParams,
    Params,
    PlacesOut,
    RecordsOut,
    SessionPageOut,
    SessionStoryOut,
    ShipsOut,
    TradesOut,
)
from starstats_server.services import journey, journey_glance, sharing
from starstats_server.state import AppState

router = APIRouter(tags=["journey"])

Handle = Annotated[str, Path(pattern=HANDLE_PATTERN, description="A player's handle")]
SessionId = Annotated[str, Path(min_length=1, max_length=128, description="A session's id")]


# -- the views ---------------------------------------------------------------------------------
Reader = Callable[[AppState, str, Any], Awaitable[dict[str, Any]]]


def _paged(read: Callable[[AppState, str, journey.Page], Awaitable[dict[str, Any]]]) -> Reader:
    async def call(state: AppState, handle: str, params: Any) -> dict[str, Any]:
        return await read(state, handle, params.page())

    return call


async def _overview(state: AppState, handle: str, params: Any) -> dict[str, Any]:
    return await journey.overview(state, handle, params.days)


async def _glance(state: AppState, handle: str, params: Any) -> dict[str, Any]:
    return await journey_glance.glance(state, handle, params.days)


async def _legs(state: AppState, handle: str, page: journey.Page) -> dict[str, Any]:
    return await journey.facts(state, handle, ("leg",), page)


async def _lives(state: AppState, handle: str, page: journey.Page) -> dict[str, Any]:
    return await journey.facts(state, handle, ("life",), page)


async def _records(state: AppState, handle: str, params: Any) -> dict[str, Any]:
    return await journey.records(state, handle)


_VIEWS: list[tuple[str, type[BaseModel], type[BaseModel] | None, Reader, str]] = [
    ("", OverviewOut, OverviewParams, _overview, "Journey overview: totals for a window"),
    ("/glance", GlanceOut, OverviewParams, _glance, "Journey at a glance: a dashboard's reads"),
    ("/sessions", SessionPageOut, PageParams, _paged(journey.sessions_page), "Sessions"),
    ("/places", PlacesOut, PageParams, _paged(journey.places), "Places and the trail"),
    ("/legs", LegPageOut, PageParams, _paged(_legs), "Quantum legs and jumps"),
    ("/ships", ShipsOut, PageParams, _paged(journey.ships), "Ships and stints"),
    ("/lives", LifePageOut, PageParams, _paged(_lives), "Lives"),
    ("/combat", CombatOut, PageParams, _paged(journey.combat), "Kills and deaths"),
    ("/contracts", ContractsOut, PageParams, _paged(journey.contracts), "Contracts"),
    ("/trades", TradesOut, PageParams, _paged(journey.trades), "Trades"),
    ("/records", RecordsOut, None, _records, "Records"),
]


def _answer(out: type[BaseModel], found: dict[str, Any]) -> Response:
    """`found` checked against its model once and sent as that model's JSON. Returning the
    model would have FastAPI dump it and validate and serialise it again against the same
    `response_model` (a glance is ~20 KB of facts: that second pass cost milliseconds)."""
    return Response(out.model_validate(found).model_dump_json(), media_type="application/json")


_public_limit = Depends(rate_limit("public profile", lambda s: s.settings.public_rate_per_minute))


def _register(path: str, out: type[BaseModel], params_model: type[BaseModel] | None,
              read: Reader, title: str) -> None:  # fmt: skip
    async def mine(state: State, principal: AnyPrincipal, params: Any) -> Any:
        return _answer(out, await read(state, principal.handle.lower(), params))

    async def theirs(state: State, principal: UserPrincipal, handle: Handle, params: Any) -> Any:
        owner = await sharing.visible_handle(state, principal, handle)
        return _answer(out, await read(state, owner, params))

    async def public(state: State, handle: Handle, params: Any) -> Any:
        owner = await sharing.visible_handle(state, None, handle)
        return _answer(out, await read(state, owner, params))

    # The query model is chosen per view, so FastAPI is given it here (mypy sees `Any`).
    for endpoint in (mine, theirs, public):
        endpoint.__annotations__["params"] = Annotated[params_model or Params, Query()]
    doc = f"{title}. See docs/journey.md for every fact."
    name = "journey" + path.replace("/", "_")
    router.get(f"/v1/me/journey{path}", response_model=out, summary=f"My {title.lower()}",
               name=f"my_{name}", responses=error_responses(400, 401),
               description=doc)(mine)  # fmt: skip
    router.get(f"/v1/u/{{handle}}/journey{path}", response_model=out,
               summary=f"Another player's {title.lower()}", name=f"their_{name}",
               responses=error_responses(400, 401, 403, 404, 503),
               description=doc)(theirs)  # fmt: skip
    router.get(f"/v1/public/{{handle}}/journey{path}", response_model=out,
               summary=f"A public player's {title.lower()}", name=f"public_{name}",
               dependencies=[_public_limit], responses=error_responses(400, 404, 429, 503),
               description=doc)(public)  # fmt: skip


for _view in _VIEWS:
    _register(*_view)


@router.get(
    "/v1/me/journey/sessions/{session_id}",
    response_model=SessionStoryOut,
    responses=error_responses(401, 404),
    summary="One of my sessions as a story",
)
async def my_session(state: State, principal: AnyPrincipal, session_id: SessionId) -> Any:
    """The session and every fact in it, in time order. 404 `session_not_found`."""
    found = await journey.session_story(state, principal.handle.lower(), session_id)
    return _answer(SessionStoryOut, found)


@router.get(
    "/v1/u/{handle}/journey/sessions/{session_id}",
    response_model=SessionStoryOut,
    responses=error_responses(401, 403, 404, 503),
    summary="Another player's session as a story",
)
async def their_session(
    state: State, principal: UserPrincipal, handle: Handle, session_id: SessionId
) -> Any:
    """As `/v1/me/journey/sessions/{session_id}`; 404 `stats_not_found` unless shared."""
    owner = await sharing.visible_handle(state, principal, handle)
    return _answer(SessionStoryOut, await journey.session_story(state, owner, session_id))


@router.get(
    "/v1/public/{handle}/journey/sessions/{session_id}",
    response_model=SessionStoryOut,
    responses=error_responses(404, 429, 503),
    dependencies=[_public_limit],
    summary="A public player's session as a story",
)
async def public_session(state: State, handle: Handle, session_id: SessionId) -> Any:
    """As `/v1/me/journey/sessions/{session_id}`; no token; 404 unless public."""
    owner = await sharing.visible_handle(state, None, handle)
    return _answer(SessionStoryOut, await journey.session_story(state, owner, session_id))
