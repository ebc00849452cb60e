"""`starstats-server`: serve, migrate, openapi, and `audit` (verify, reconcile, export,
init-bucket). A bad setting or key prints one `error:` line and exits with code 2."""

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from starstats_server.errors import KeyFileError, SettingsError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncEngine

    from starstats_server.audit.bucket import S3AuditMirror
    from starstats_server.authz.port import Authorizer
    from starstats_server.settings import Settings

T = TypeVar("T")

app = typer.Typer(add_completion=False, no_args_is_help=True, help="StarStats API server.")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8080,
    log_level: Annotated[
        str, typer.Option(help="debug, info, warning or error (access lines are info).")
    ] = "info",
) -> None:
    """Migrate the database, then serve the API."""
    import uvicorn

    from starstats_server.app import create_app
    from starstats_server.settings import load_settings
    from starstats_server.telemetry import configure_logging, install_tracing, logging_config

    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        raise _fail(f"unknown log level {log_level!r}")
    try:
        settings = load_settings()
        api = create_app(settings.model_copy(update={"auto_migrate": False}))
    except (SettingsError, KeyFileError) as exc:
        raise _fail(str(exc)) from None
    # Migrating here rather than in the app's start-up turns an unreachable database into
    # one clear line instead of uvicorn's traceback.
    revision = _migrate_or_fail(settings)
    backend = settings.sqlalchemy_url.split(":", 1)[0]
    # From here on stdout carries JSON lines only (with trace ids), and spans are exported
    # when OTEL_EXPORTER_OTLP_ENDPOINT is set. Start-up errors above stay one plain line.
    configure_logging(log_level)
    install_tracing()
    logging.getLogger("starstats_server").info(
        "StarStats API on http://%s:%d (database: %s at %s)", host, port, backend, revision
    )
    uvicorn.run(
        api,
        host=host,
        port=port,
        log_level=log_level.lower(),
        log_config=logging_config(log_level),
        access_log=False,  # api/observe.py logs each request with its route template
        # X-Forwarded-For is read by api/deps.py against STARSTATS_TRUSTED_PROXIES; uvicorn
        # rewriting the peer address first would make it trust its own default list.
        proxy_headers=False,
    )


def _migrate_or_fail(settings: "Settings") -> str | None:
    """Apply pending migrations; the revision reached, or one `error:` line and exit 2."""
    from starstats_server.db.migrate import current_revision, upgrade_to_head

    async def _migrate(engine: "AsyncEngine") -> str | None:
        await upgrade_to_head(engine)
        return await current_revision(engine)

    return _with_engine(settings, _migrate)


@app.command()
def migrate() -> None:
    """Apply pending database migrations and exit."""
    from starstats_server.settings import load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"database at revision {_migrate_or_fail(settings)}")


@app.command()
def openapi() -> None:
    """Print the OpenAPI document (JSON) without starting a server."""
    from starstats_server.openapi import openapi_document

    typer.echo(json.dumps(openapi_document(), indent=2, sort_keys=True))


# -- audit ---------------------------------------------------------------------------------
audit_app = typer.Typer(
    no_args_is_help=True,
    help="The tamper-evident audit log: verify, reconcile, export, and the mirror's bucket.",
)
app.add_typer(audit_app, name="audit")

FromSeq = Annotated[int, typer.Option("--from", min=1, help="Start at this seq.")]
ProgressSeconds = Annotated[
    float, typer.Option(min=0, help="Seconds between progress lines on stderr.")
]


def _audit_settings() -> "Settings":
    from starstats_server.settings import load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        raise _fail(str(exc)) from None


def _audit_bucket(settings: "Settings") -> "S3AuditMirror":
    from starstats_server.audit.bucket import S3AuditMirror

    try:
        bucket = S3AuditMirror.from_settings(settings)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    if bucket is None:
        raise _fail("no object store configured: set STARSTATS_AUDIT_S3_ENDPOINT")
    return bucket


def _with_engine(settings: "Settings", work: "Callable[[AsyncEngine], Awaitable[T]]") -> "T":
    """Run `work` on a fresh engine; database and object-store failures become one
    `error:` line and exit 2 (exit 1 is kept for "the log is not intact")."""
    from sqlalchemy.exc import DBAPIError

    from starstats_server.db.engine import create_engine
    from starstats_server.errors import MirrorUnavailable

    async def _run() -> "T":
        engine = create_engine(settings.sqlalchemy_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(_run())
    except (OSError, DBAPIError) as exc:
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        raise _fail(f"cannot use the database: {reason}") from None
    except MirrorUnavailable as exc:
        raise _fail(str(exc)) from None


def _stderr(line: str) -> None:
    typer.echo(line, err=True)


def _finding(what: str, seq: int, key: str) -> None:
    typer.echo(f"{what} seq {seq} {key}")


# -- authz ---------------------------------------------------------------------------------
authz_app = typer.Typer(
    no_args_is_help=True, help="SpiceDB: its schema and the relationships kept in it."
)
app.add_typer(authz_app, name="authz")


def _spicedb(settings: "Settings") -> "Authorizer":
    from starstats_server.app import authorizer_for

    try:
        authorizer = authorizer_for(settings)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    if authorizer is None:
        raise _fail("SpiceDB is not configured: set SPICEDB_ENDPOINT and SPICEDB_PRESHARED_KEY")
    return authorizer


@authz_app.command("sync")
def authz_sync() -> None:
    """Write every relationship the database implies into SpiceDB (idempotent): after
    SpiceDB lost its data, or an outage left a grant half-written."""
    from starstats_server.authz.port import AuthzUnavailable, schema_text
    from starstats_server.services.authz import sync

    settings = _audit_settings()
    authorizer = _spicedb(settings)

    async def work(engine: "AsyncEngine") -> tuple[bool, int]:
        try:
            wrote_schema = await authorizer.ensure_schema(schema_text())
            return wrote_schema, await sync(engine, authorizer)
        except AuthzUnavailable as exc:
            raise _fail(str(exc)) from None
        finally:
            await authorizer.close()

    wrote_schema, written = _with_engine(settings, work)
    if wrote_schema:
        typer.echo("schema written (SpiceDB had none)")
    typer.echo(f"{written} relationships written")


# -- journey ------------------------------------------------------------------------------
journey_app = typer.Typer(no_args_is_help=True, help="Journey facts (docs/journey.md).")
app.add_typer(journey_app, name="journey")


@journey_app.command("rebuild")
def journey_rebuild(
    handle: Annotated[
        str | None, typer.Option(help="only this player's (default: every player's)")
    ] = None,
) -> None:
    """Fold every stored event again and replace the journey facts (after a fold change,
    or to check that the facts kept at ingest are right: they must come out the same)."""
    import time

    from starstats_server.services.journey import rebuild

    settings = _audit_settings()
    began = time.perf_counter()

    def report(name: str, sessions: int) -> None:
        _stderr(f"{name}: {sessions} sessions")

    async def work(engine: "AsyncEngine") -> int:
        return await rebuild(engine, handle, report)

    count = _with_engine(settings, work)
    typer.echo(f"rebuilt the journey of {count} player(s) in {time.perf_counter() - began:.1f} s")


@audit_app.command("verify")
def audit_verify(
    from_seq: FromSeq = 1,
    mirror: Annotated[
        bool, typer.Option("--mirror", help="Also compare each row with its mirrored object.")
    ] = False,
    progress_seconds: ProgressSeconds = 2.0,
) -> None:
    """Recompute the hash chain; exit 1 at the first broken seq (changed, deleted, reordered
    or inserted rows) or, with --mirror, when objects are missing or differ."""
    from starstats_server.audit import verify

    settings = _audit_settings()
    bucket = _audit_bucket(settings) if mirror else None
    report = _with_engine(
        settings,
        lambda engine: verify.verify(
            engine,
            from_seq,
            mirror=bucket,
            on_finding=_finding,
            progress=_stderr,
            progress_seconds=progress_seconds,
        ),
    )
    rate = report.rows / max(report.seconds, 1e-9)
    _stderr(f"verified {report.rows:,} rows in {report.seconds:.1f} s ({rate:,.0f} rows/s)")
    if report.broken is not None:
        typer.echo(f"audit chain BROKEN: {report.broken.describe()}")
        raise typer.Exit(code=1)
    if report.rows == 0:
        typer.echo(
            f"audit chain intact: nothing from seq {from_seq} on (its end: {report.head_seq})"
        )
    else:
        typer.echo(f"audit chain intact: seq {report.from_seq}..{report.last_seq}")
    if mirror:
        if report.mirror_problems:
            typer.echo(f"mirror: {report.mirror_problems} objects missing or differing")
            raise typer.Exit(code=1)
        typer.echo("mirror: every row's object is present and equal")


@audit_app.command("reconcile")
def audit_reconcile(from_seq: FromSeq = 1, progress_seconds: ProgressSeconds = 2.0) -> None:
    """Upload every row missing from the mirror; exit 1 if an object differs from its row
    (it is locked, so it is reported, not replaced)."""
    from starstats_server.audit import verify

    settings = _audit_settings()
    bucket = _audit_bucket(settings)
    report = _with_engine(
        settings,
        lambda engine: verify.reconcile(
            engine,
            bucket,
            from_seq,
            on_finding=_finding,
            progress=_stderr,
            progress_seconds=progress_seconds,
        ),
    )
    typer.echo(
        f"reconciled {report.rows:,} rows: {report.restored:,} restored, "
        f"{report.differing:,} differing"
    )
    if report.differing:
        raise typer.Exit(code=1)


@audit_app.command("export")
def audit_export(from_seq: FromSeq = 1, progress_seconds: ProgressSeconds = 2.0) -> None:
    """Write the audit log to stdout as NDJSON, one row a line (the mirror's object body),
    for verifying it independently (docs/audit.md)."""
    import sys

    from starstats_server.audit import verify

    settings = _audit_settings()
    out = sys.stdout.buffer
    rows = _with_engine(
        settings,
        lambda engine: verify.export(
            engine, out.write, from_seq, progress=_stderr, progress_seconds=progress_seconds
        ),
    )
    out.flush()
    _stderr(f"exported {rows:,} rows")


@audit_app.command("init-bucket")
def audit_init_bucket() -> None:
    """Create the audit bucket with Object Lock and a default COMPLIANCE retention of
    STARSTATS_AUDIT_RETENTION_DAYS, as far as that is not done yet."""
    from starstats_server.errors import MirrorUnavailable

    settings = _audit_settings()
    bucket = _audit_bucket(settings)
    try:
        done = bucket.init_bucket(settings.audit_s3_region)
    except MirrorUnavailable as exc:
        raise _fail(str(exc)) from None
    for line in done:
        typer.echo(line)
    problem = bucket.problem()
    if problem is not None:
        raise _fail(problem)
    typer.echo(
        f"bucket {bucket.bucket} ready: Object Lock, COMPLIANCE retention of at least "
        f"{bucket.retention_days} days"
    )


def main() -> None:
    app()
