"""`starstats-web serve`: the web app under uvicorn. A bad setting prints one `error:` line
and exits with code 2."""

import logging
from typing import Annotated

import typer

from starstats_web.errors import SettingsError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="StarStats web app.")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


@app.callback()
def _commands() -> None:
    """Keeps `serve` a named subcommand (typer would make a lone command the whole CLI)."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 3000,
    log_level: Annotated[
        str, typer.Option(help="debug, info, warning or error (access lines are info).")
    ] = "info",
    proxy_headers: Annotated[
        bool,
        typer.Option(
            help="Behind a reverse proxy: take the browser's address from its "
            "X-Forwarded-For (only from --forwarded-allow-ips)."
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str, typer.Option(help="Proxies trusted for X-Forwarded-For (comma-separated).")
    ] = "127.0.0.1",
) -> None:
    """Serve the web app; it reads everything from STARSTATS_API_URL."""
    import uvicorn

    from starstats_web.app import create_app
    from starstats_web.settings import load_settings
    from starstats_web.telemetry import configure_logging, install_tracing, logging_config

    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        raise _fail(f"unknown log level {log_level!r}")
    try:
        settings = load_settings()
        web = create_app(settings)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    # From here on stdout carries JSON lines only, with trace ids; spans are exported when
    # OTEL_EXPORTER_OTLP_ENDPOINT is set. Start-up errors above stay one plain line.
    configure_logging(log_level)
    install_tracing()
    logging.getLogger("starstats_web").info(
        "StarStats web on http://%s:%d (API: %s)", host, port, settings.api_base
    )
    uvicorn.run(
        web,
        host=host,
        port=port,
        log_level=log_level.lower(),
        log_config=logging_config(log_level),
        access_log=False,  # observe.py logs each request with its route template
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def main() -> None:
    app()
