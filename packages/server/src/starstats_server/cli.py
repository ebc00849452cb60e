"""`starstats-server`: serve, migrate, openapi. A bad setting or key prints one `error:` line
and exits with code 2."""

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Annotated

import typer

from starstats_server.errors import KeyFileError, SettingsError

if TYPE_CHECKING:
    from starstats_server.settings import Settings

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

    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        raise _fail(f"unknown log level {log_level!r}")
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
        api = create_app(settings.model_copy(update={"auto_migrate": False}))
    except (SettingsError, KeyFileError) as exc:
        raise _fail(str(exc)) from None
    # Migrating here rather than in the app's start-up turns an unreachable database into
    # one clear line instead of uvicorn's traceback.
    revision = _migrate_or_fail(settings)
    backend = settings.sqlalchemy_url.split(":", 1)[0]
    typer.echo(f"StarStats API on http://{host}:{port} (database: {backend} at {revision})")
    uvicorn.run(
        api,
        host=host,
        port=port,
        log_level=log_level.lower(),
        proxy_headers=settings.trust_forwarded_for,
    )


def _migrate_or_fail(settings: "Settings") -> str | None:
    """Apply pending migrations; the revision reached, or one `error:` line and exit 2."""
    from sqlalchemy.exc import DBAPIError

    from starstats_server.db.engine import create_engine
    from starstats_server.db.migrate import current_revision, upgrade_to_head

    async def _run() -> str | None:
        engine = create_engine(settings.sqlalchemy_url)
        try:
            await upgrade_to_head(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(_run())
    except (OSError, DBAPIError) as exc:
        # DBAPIError wraps the driver's own message (bad password, missing database...).
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        raise _fail(f"cannot use the database: {reason}") from None


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


def main() -> None:
    app()
