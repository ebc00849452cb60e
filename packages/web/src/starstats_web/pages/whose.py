"""Whose journey a page reads. The same handlers serve the signed-in player's own journey
(`/dashboard`, `/journey/...`, read through `/v1/me/journey...`) and another player's
(`/u/{handle}`, `/u/{handle}/journey/...`): signed in through `/v1/u/{handle}/journey...`,
so what was shared with me shows; signed out through `/v1/public/{handle}/journey...`.

A handle that is unknown or not shared with the reader is one answer, `PlayerHidden`, which
the app draws as the profile's 404 page: the pages leak neither which handles exist nor who
shares with whom."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from starstats_web import api_models as m
from starstats_web import names
from starstats_web.api import ApiClient
from starstats_web.errors import ApiError, ApiUnauthorized
from starstats_web.pages.deps import browser_address, get_state, require_token
from starstats_web.session import clear_session, session_token

Model = TypeVar("Model", bound=BaseModel)
Answer = TypeVar("Answer")


class PlayerHidden(Exception):
    """No journey of `handle` the reader may see (nobody has it, or it is not shared)."""

    def __init__(self, handle: str) -> None:
        super().__init__(handle)
        self.handle = handle


@dataclass
class JourneyReader:
    """Reads one player's journey for one request. `handle` None: the signed-in player's."""

    api: ApiClient
    token: str | None
    handle: str | None = None
    client_ip: str | None = None
    expired: bool = False  # the API refused the cookie's token; read on as a visitor

    @property
    def theirs(self) -> bool:
        return self.handle is not None

    @property
    def possessive(self) -> str:
        return "Your" if self.handle is None else f"{self.handle}'s"

    @property
    def home(self) -> str:
        """The overview page: my dashboard, or their profile."""
        return "/dashboard" if self.handle is None else f"/u/{quote(self.handle, safe='')}"

    @property
    def base(self) -> str:
        """Where the journey pages are: `{base}/sessions`, `{base}/places`..."""
        return "/journey" if self.handle is None else f"{self.home}/journey"

    async def view(self, view: str, model: type[Model], **params: Any) -> Model:
        return await self._read(
            lambda: self.api.journey(
                self.token, view, model, handle=self.handle, client_ip=self.client_ip, **params
            )
        )

    async def session(self, session_id: str) -> m.SessionStoryOut:
        return await self._read(
            lambda: self.api.journey_session(
                self.token, session_id, handle=self.handle, client_ip=self.client_ip
            )
        )

    async def summary(self) -> m.SummaryOut:
        """The player's event counts and handle as they claimed it."""
        if self.handle is None:
            return await self.api.summary(self.token or "")
        handle, ip = self.handle, self.client_ip
        return await self._read(
            lambda: (
                self.api.user_summary(self.token, handle)
                if self.token is not None
                else self.api.public_summary(handle, client_ip=ip)
            )
        )

    async def _read(self, call: Callable[[], Awaitable[Answer]]) -> Answer:
        try:
            try:
                return await call()
            except ApiUnauthorized:
                if self.handle is None:
                    raise  # my own journey needs my session: the app sends me to log in
                # Revoked, or the account is gone: what is public is still readable.
                self.token, self.expired = None, True
                return await call()
        except ApiError as exc:
            # `session_not_found` is a session this visible player does not have: a plain 404.
            if self.handle is not None and exc.status == 404 and exc.code != "session_not_found":
                raise PlayerHidden(self.handle) from exc
            raise

    def settle(self, response: Response, *, secure: bool) -> Response:
        """`response`, forgetting the cookie when the API no longer took it."""
        if self.expired:
            clear_session(response, secure=secure)
        return response


def journey_reader(request: Request) -> JourneyReader:
    """From the route: a `{handle}` in the path reads that player's journey, else mine."""
    api = get_state(request).api
    handle = request.path_params.get("handle")
    if handle is None:
        return JourneyReader(api, require_token(request))
    if not names.is_handle(handle):
        raise PlayerHidden(handle)
    return JourneyReader(api, session_token(request), handle, browser_address(request))


Reader = Annotated[JourneyReader, Depends(journey_reader)]
