"""The composition root: `create_app(settings)` builds the FastAPI app and everything it uses."""

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from starstats_server.api import audit as audit_api
from starstats_server.api import auth, devices, ops, orgs, sharing
from starstats_server.api import history as history_api
from starstats_server.api import ingest as ingest_api
from starstats_server.api import journey as journey_api
from starstats_server.api import stats as stats_api
from starstats_server.api.errors import error_body, install_error_handlers
from starstats_server.api.limits import BodyLimitMiddleware
from starstats_server.audit.bucket import S3AuditMirror
from starstats_server.audit.mirror import MirrorWorker
from starstats_server.audit.trail import AuditTrail
from starstats_server.auth.keys import load_signing_key
from starstats_server.auth.tokens import TokenService
from starstats_server.authz.port import Authorizer, AuthzUnavailable
from starstats_server.authz.spicedb import SpiceDbAuthorizer
from starstats_server.clock import Clock, SystemClock
from starstats_server.db.engine import create_engine
from starstats_server.db.migrate import upgrade_to_head
from starstats_server.errors import SettingsError
from starstats_server.mailer import Mailer, NoopMailer, SmtpMailer
from starstats_server.metrics import Metrics
from starstats_server.ratelimit import RateLimiter
from starstats_server.services import authz as authz_service
from starstats_server.settings import Settings
from starstats_server.state import AppState
from starstats_server.telemetry import trace_engine
from starstats_server.version import __version__
from starstats_telemetry.asgi import ObserveMiddleware

log = logging.getLogger(__name__)


def _mailer_for(settings: Settings) -> Mailer:
    url = settings.smtp  # reads SMTP_URL_FILE now: an unreadable one stops start-up
    if url is None:
        return NoopMailer()
    return SmtpMailer(url, settings.smtp_from_addr)


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


def _observe_database(state: AppState) -> None:
    """A span and a duration sample per statement; the pool's gauges read at scrape time."""
    engine = state.engine.sync_engine
    trace_engine(engine, system=engine.dialect.name, observe=state.metrics.observe_statement)
    pool = engine.pool
    # SQLite's pool has no fixed size; its gauges then report what is checked out.
    checked_out = getattr(pool, "checkedout", None)
    size = getattr(pool, "size", None)
    if callable(checked_out):
        state.metrics.db_pool_in_use.set_function(lambda: float(checked_out()))
    if callable(size):
        state.metrics.db_pool_size.set_function(lambda: float(size()))


def authorizer_for(settings: Settings) -> Authorizer | None:
    """SpiceDB when configured (the key and CA file are read now: a bad one stops
    start-up); None is degraded mode, where sharing answers 503."""
    target = settings.spicedb_target
    if target is None:
        return None
    ca = None
    if settings.spicedb_ca_file is not None:
        try:
            ca = settings.spicedb_ca_file.read_bytes()
        except OSError as exc:
            raise SettingsError(
                f"invalid setting STARSTATS_SPICEDB_CA_FILE: cannot read it: {exc}"
            ) from None
    timeout = settings.spicedb_timeout_ms / 1000
    return SpiceDbAuthorizer(
        target,
        settings.spicedb_key,
        tls=settings.spicedb_tls or (settings.spicedb_endpoint or "").startswith("https://"),
        ca_certificates=ca,
        timeout=timeout,
        write_timeout=timeout * 4,
    )


async def _prepare_authz(state: AppState) -> asyncio.Task[None] | None:
    """Write the schema into a SpiceDB that has none, then load every relationship from the
    database (a fresh or wiped SpiceDB catches up at once), and keep doing so in the
    background should SpiceDB lose them later. SpiceDB being down only logs: the server
    starts degraded and readiness says `spicedb: fail` until it is back."""
    if state.authz is None:
        log.info("authorization: SpiceDB not configured; sharing is off (degraded mode)")
        return None
    if not state.settings.spicedb_write_schema:
        return None
    try:
        written = await authz_service.restore_schema(state)
        if written is not None:
            log.info("authorization: schema written to SpiceDB, %d relationships loaded", written)
    except AuthzUnavailable as exc:
        log.warning("authorization: SpiceDB not reachable at start-up (%s); degraded", exc)
    interval = state.settings.spicedb_schema_check_seconds
    return asyncio.create_task(authz_service.keep_schema(state, interval))


async def _check_bucket(worker: MirrorWorker) -> None:
    """Say at start-up whether the audit bucket is fit (readiness reports it too). The
    server starts either way: rows wait in the outbox until the bucket is usable."""
    problem = await asyncio.to_thread(worker.mirror.problem)
    if problem is None:
        log.info("audit mirror: bucket ready (Object Lock, COMPLIANCE retention)")
    else:
        log.warning("audit mirror not ready: %s; rows wait in the database meanwhile", problem)


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    mailer: Mailer | None = None,
    authorizer: Authorizer | None = None,
) -> FastAPI:
    """The API app. Reads the signing key now (a bad key stops start-up); connects and
    migrates (when `auto_migrate`) on start-up; disposes of the engine on shutdown."""
    key = load_signing_key(settings.key_file, autogen=settings.jwt_key_autogen)
    engine = create_engine(settings.sqlalchemy_url)
    metrics = Metrics()
    clock = clock or SystemClock()
    bucket = S3AuditMirror.from_settings(settings)
    worker = None if bucket is None else MirrorWorker(engine, bucket, metrics, clock)
    state = AppState(
        settings=settings,
        engine=engine,
        tokens=TokenService(key, settings.jwt_issuer, settings.jwt_audience),
        mailer=mailer or _mailer_for(settings),
        metrics=metrics,
        limiter=RateLimiter(),
        clock=clock,
        audit=AuditTrail(engine, metrics, clock, None if worker is None else worker.wake),
        mirror=worker,
        authz=authorizer or authorizer_for(settings),
    )

    _observe_database(state)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.auto_migrate:
            await upgrade_to_head(state.engine)
        # Everything imported and built so far lives as long as the process: move it out of
        # the collector's view so full collections during requests stay short (ADR 0003).
        gc.freeze()
        if state.mirror is not None:
            await _check_bucket(state.mirror)
            state.mirror.start()
        keeper = await _prepare_authz(state)
        yield
        if keeper is not None:
            keeper.cancel()
        if state.mirror is not None:
            await state.mirror.stop()
        if state.authz is not None:
            await state.authz.close()
        await state.engine.dispose()

    app = FastAPI(
        title="StarStats API",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        # Tracing stays on (FastAPI's own server spans, against the process's provider);
        # metrics are ours in Prometheus form (api/observe.py), logs go through logging.
        telemetry={"metrics": False, "logs": False},
    )
    app.state.starstats = state
    install_error_handlers(app)
    _install_database_handler(app)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(  # outermost: it also times and counts the 413s
        ObserveMiddleware,
        duration=state.metrics.http_duration,
        active=state.metrics.http_active,
        access=logging.getLogger("starstats_server.access"),
    )
    app.include_router(ops.router)
    app.include_router(auth.router)
    app.include_router(devices.router)
    app.include_router(ingest_api.router)
    app.include_router(history_api.router)
    app.include_router(audit_api.router)
    app.include_router(stats_api.router)
    app.include_router(sharing.router)
    app.include_router(journey_api.router)
    app.include_router(orgs.router)
    return app
