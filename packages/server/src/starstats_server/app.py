"""The composition root: `create_app(settings)` builds the FastAPI app and everything it uses."""

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from starstats_server.api import auth, devices, ops
from starstats_server.api import history as history_api
from starstats_server.api import ingest as ingest_api
from starstats_server.api.errors import error_body, install_error_handlers
from starstats_server.api.limits import BodyLimitMiddleware
from starstats_server.auth.keys import load_signing_key
from starstats_server.auth.tokens import TokenService
from starstats_server.clock import Clock, SystemClock
from starstats_server.db.engine import create_engine
from starstats_server.db.migrate import upgrade_to_head
from starstats_server.mailer import Mailer, NoopMailer, SmtpMailer
from starstats_server.metrics import Metrics
from starstats_server.ratelimit import RateLimiter
from starstats_server.settings import Settings
from starstats_server.state import AppState
from starstats_server.version import __version__

log = logging.getLogger(__name__)


def _mailer_for(settings: Settings) -> Mailer:
    if settings.smtp_url is None:
        return NoopMailer()
    return SmtpMailer(settings.smtp_url, settings.smtp_from_addr)


def _install_database_handler(app: FastAPI) -> None:
    """The database unreachable, locked past its timeout or out of space: 503 with a
    Retry-After, so clients back off and retry instead of treating it as their fault."""

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return error_body(
            503,
            "database_unavailable",
            "the database is unavailable; retry later",
            {"Retry-After": "5"},
        )

    for error in (OperationalError, InterfaceError, ConnectionError, TimeoutError):
        app.add_exception_handler(error, _unavailable)


def create_app(
    settings: Settings, *, clock: Clock | None = None, mailer: Mailer | None = None
) -> FastAPI:
    """The API app. Reads the signing key now (a bad key stops start-up); connects and
    migrates (when `auto_migrate`) on start-up; disposes of the engine on shutdown."""
    key = load_signing_key(settings.key_file, autogen=settings.jwt_key_autogen)
    state = AppState(
        settings=settings,
        engine=create_engine(settings.sqlalchemy_url),
        tokens=TokenService(key, settings.jwt_issuer, settings.jwt_audience),
        mailer=mailer or _mailer_for(settings),
        metrics=Metrics(),
        limiter=RateLimiter(),
        clock=clock or SystemClock(),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.auto_migrate:
            await upgrade_to_head(state.engine)
        # Everything imported and built so far lives as long as the process: move it out of
        # the collector's view so full collections during requests stay short (ADR 0003).
        gc.freeze()
        yield
        await state.engine.dispose()

    app = FastAPI(
        title="StarStats API",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.starstats = state
    install_error_handlers(app)
    _install_database_handler(app)
    app.add_middleware(BodyLimitMiddleware)
    app.include_router(ops.router)
    app.include_router(auth.router)
    app.include_router(devices.router)
    app.include_router(ingest_api.router)
    app.include_router(history_api.router)
    return app
