"""The composition root: `create_app(settings)` builds the web app and everything it uses,
and turns every failure into a page a player can read (never a traceback)."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import httpx
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from starstats_telemetry.asgi import ObserveMiddleware
from starstats_web.api import ApiClient
from starstats_web.csrf import CsrfGuard, load_secret
from starstats_web.errors import (
    ApiError,
    ApiRateLimited,
    ApiUnauthorized,
    ApiUnavailable,
    SharingUnavailable,
)
from starstats_web.metrics import WebMetrics
from starstats_web.nextpath import login_url
from starstats_web.pages import (
    account,
    activity,
    auth,
    dashboard,
    devices,
    journey,
    journey_lists,
    ops,
    orgs,
    profile,
    sharing,
)
from starstats_web.pages.deps import CsrfRefused, LoginRequired, get_state, here
from starstats_web.pages.whose import PlayerHidden
from starstats_web.render import STATIC, Pages
from starstats_web.security import BodyTooLarge, SecurityHeaders
from starstats_web.session import clear_session
from starstats_web.settings import WebSettings
from starstats_web.state import WebState
from starstats_web.version import __version__

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = "30"


def create_app(settings: WebSettings) -> FastAPI:
    """The web app. Reads (or creates) the CSRF secret now; its API connection pool is
    closed on shutdown."""
    guard = CsrfGuard(load_secret(settings), settings.origin, settings.cookie_secure)
    metrics = WebMetrics()
    http = httpx.AsyncClient(
        base_url=settings.api_base,
        timeout=httpx.Timeout(settings.api_timeout, connect=min(3.0, settings.api_timeout)),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        # The API's answers are read here; nothing should follow a redirect to elsewhere.
        follow_redirects=False,
    )
    state = WebState(
        settings=settings,
        api=ApiClient(http, metrics),
        metrics=metrics,
        pages=Pages(metrics, guard),
        guard=guard,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await http.aclose()

    app = FastAPI(
        title="StarStats web",
        version=__version__,
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        # FastAPI's own server spans stay on; metrics are ours (observe.py), logs go through
        # logging.
        telemetry={"metrics": False, "logs": False},
    )
    app.state.web = state
    app.add_middleware(SecurityHeaders, guard=guard, secure=settings.cookie_secure)
    app.add_middleware(  # outermost: times everything
        ObserveMiddleware,
        duration=metrics.http_duration,
        active=metrics.http_active,
        access=logging.getLogger("starstats_web.access"),
        static_prefix="/static",
    )
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for router in (
        ops.router,
        auth.router,
        dashboard.router,
        activity.router,
        journey.router,
        journey_lists.router,
        devices.router,
        sharing.router,
        orgs.router,
        profile.router,
        account.router,
    ):
        app.include_router(router)
    _install_error_pages(app)
    return app


def _to_login(request: Request, next_path: str, *, expired: bool) -> Response:
    state = get_state(request)
    response = RedirectResponse(login_url(next_path, expired=expired), status_code=303)
    clear_session(response, secure=state.settings.cookie_secure)
    return response


def _install_error_pages(app: FastAPI) -> None:
    def page(request: Request, template: str, code: int) -> Response:
        context = {"status": code}
        return get_state(request).pages.render(request, template, context, status=code)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return _to_login(request, exc.next_path, expired=exc.expired)

    @app.exception_handler(ApiUnauthorized)
    async def _expired(request: Request, _: ApiUnauthorized) -> Response:
        # The token expired or the account is gone: log in again, then come back here.
        target = here(request) if request.method == "GET" else "/dashboard"
        return _to_login(request, target, expired=True)

    @app.exception_handler(PlayerHidden)
    async def _hidden(request: Request, exc: PlayerHidden) -> Response:
        # Nobody has the handle, or they do not share with this reader: one page for both.
        profile = f"/u/{quote(exc.handle, safe='')}"
        context = {"handle": exc.handle, "login": login_url(profile)}
        return get_state(request).pages.render(request, "profile_missing.html", context, status=404)

    @app.exception_handler(ApiRateLimited)
    async def _slow_down(request: Request, exc: ApiRateLimited) -> Response:
        # Public profiles are rate-limited per browser address by the API.
        context = {"status": 429, "retry_after": exc.retry_after}
        pages = get_state(request).pages
        response = pages.render(request, "errors/error.html", context, status=429)
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> Response:
        log.warning("csrf_refused", path=request.url.path, reason=str(exc))
        return page(request, "errors/forbidden.html", 403)

    @app.exception_handler(ApiUnavailable)
    async def _unavailable(request: Request, exc: ApiUnavailable) -> Response:
        log.error("api_unavailable", path=request.url.path, error=str(exc))
        response = page(request, "errors/unavailable.html", 503)
        response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response

    @app.exception_handler(SharingUnavailable)
    async def _no_sharing(request: Request, exc: SharingUnavailable) -> Response:
        # The API answers, without SpiceDB: only sharing, orgs and profiles are off.
        log.warning("sharing_unavailable", path=request.url.path, detail=exc.detail)
        return page(request, "errors/sharing_unavailable.html", 503)

    @app.exception_handler(ApiError)
    async def _refused(request: Request, exc: ApiError) -> Response:
        # A refusal no page expected: a bug on one side or the other, not the player's doing.
        log.error("api_error", path=request.url.path, status=exc.status, code=exc.code)
        return page(request, "errors/error.html", 500)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, _: BodyTooLarge) -> Response:
        return page(request, "errors/error.html", 413)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, _: RequestValidationError) -> Response:
        return page(request, "errors/error.html", 400)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return page(request, "errors/not_found.html", 404)
        response = page(request, "errors/error.html", exc.status_code)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled_error", path=request.url.path, error_type=type(exc).__name__)
        return page(request, "errors/error.html", 500)
