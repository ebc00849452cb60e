"""The `starstats-client` command line (typer): parse, journey, synth, run, import, status, unknown,
ignore, pair, unpair, outbox, tray. Commands only parse options and print; the work lives in
`app` and below. Every expected error (`errors.ClientError`) is one `error:` line on stderr
and exit code 2.
"""

import json
import os
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from starstats_client.errors import ClientError, LogFileError
from starstats_client.logfiles import Totals, expand_paths, parse_file, read_signature
from starstats_core.events import event_to_dict
from starstats_core.parser import LogParser
from starstats_core.synth import Era, synthesize_log
from starstats_core.wire import LogSource, to_envelope

app = typer.Typer(
    name="starstats-client",
    help="StarStats desktop client: read Star Citizen Game.log files into typed events.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    JSONL = "jsonl"
    SUMMARY = "summary"


class EraChoice(StrEnum):
    LEGACY = "legacy"
    MODERN = "modern"
    MIXED = "mixed"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


class _Progress:
    """A byte-count progress bar on stderr (rich), for inputs big enough to wait for."""

    def __init__(self, total: int, files: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._bar.add_task(f"parsing {files} file(s)", total=total)
        self._bar.start()

    def advance(self, n: int) -> None:
        self._bar.advance(self._task, n)

    def close(self) -> None:
        self._bar.stop()


_PROGRESS_FROM = 32 << 20  # bytes: smaller inputs finish before a bar would help


def _progress_for(files: list[Path]) -> _Progress | None:
    """A progress bar when a person is watching (stderr is a terminal) and the input is big."""
    if not sys.stderr.isatty():
        return None
    total = sum(path.stat().st_size for path in files)
    return _Progress(total, len(files)) if total >= _PROGRESS_FROM else None


@app.command()
def parse(
    paths: Annotated[list[Path], typer.Argument(help="Game.log files or folders of *.log")],
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="jsonl: one event per line")
    ] = OutputFormat.SUMMARY,
    envelope: Annotated[
        bool, typer.Option(help="jsonl: print wire envelopes (idempotency key, raw line)")
    ] = False,
    source: Annotated[LogSource, typer.Option(help="channel for envelopes")] = LogSource.LIVE,
    handle: Annotated[
        str | None, typer.Option(help="envelopes: stamp observed metadata for this player")
    ] = None,
    top: Annotated[int, typer.Option(help="summary: unknown shapes to list", min=0)] = 50,
) -> None:
    """Parse Game.log files and print their events (jsonl) or a summary (JSON)."""
    try:
        files = expand_paths(paths)
    except LogFileError as err:
        raise _fail(str(err)) from None
    totals = Totals()
    out = sys.stdout
    progress = _progress_for(files)
    try:
        for path in files:
            parser = LogParser()
            signature = read_signature(path) if envelope else ""
            for parsed in parse_file(path, parser, progress.advance if progress else None):
                if output is OutputFormat.JSONL:
                    if envelope:
                        line = to_envelope(parsed, source, signature, handle).model_dump_json()
                    else:
                        line = json.dumps(event_to_dict(parsed.event), ensure_ascii=False)
                    out.write(line + "\n")
            totals.add(parser.stats)
    except BrokenPipeError:  # `parse ... | head` is fine: stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit
        return
    except (LogFileError, OSError) as err:
        raise _fail(str(err)) from None
    finally:
        if progress is not None:
            progress.close()
    if output is OutputFormat.SUMMARY:
        out.write(json.dumps(totals.summary(top), ensure_ascii=False, indent=2) + "\n")


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="file to write (overwritten)")],
    lines: Annotated[int, typer.Option(help="approximate number of lines", min=100)] = 20_000,
    era: Annotated[EraChoice, typer.Option(help="game era of the sessions")] = EraChoice.MIXED,
    sessions: Annotated[int, typer.Option(help="game launches in the file", min=1)] = 4,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same file)")] = 1,
    handle: Annotated[str, typer.Option(help="the player's handle")] = "DemoPilot",
) -> None:
    """Write a synthesized, realistic Game.log (fake handles) for demos and benchmarks."""
    chosen = {EraChoice.LEGACY: Era.LEGACY_4_1, EraChoice.MODERN: Era.MODERN_4_7}.get(era)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as f:
            f.writelines(
                synthesize_log(
                    seed=seed,
                    sessions=sessions,
                    era=chosen,
                    lines_per_session=max(100, lines // sessions),
                    handle=handle,
                    start=datetime(2026, 5, 2, 20, 0, tzinfo=UTC),
                )
            )
    except OSError as err:
        raise _fail(f"{out}: {err.strerror or err}") from None
    typer.echo(f"wrote {out}")


class StoryFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.command()
def journey(
    paths: Annotated[list[Path], typer.Argument(help="Game.log files or folders of *.log")],
    handle: Annotated[
        str | None, typer.Option(help="the player's handle (default: from the log's login)")
    ] = None,
    output: Annotated[
        StoryFormat, typer.Option("--format", "-f", help="text: the story; json: every fact")
    ] = StoryFormat.TEXT,
    source: Annotated[
        LogSource, typer.Option(help="channel, for the evidence keys (as `parse --envelope`)")
    ] = LogSource.LIVE,
) -> None:
    """Tell what the player did: sessions, places, quantum legs, ships, lives, contracts,
    trades and records, as a story (text) or as one JSON object."""
    from starstats_client.journeys import fold_files
    from starstats_core.journey.story import render

    try:
        files = expand_paths(paths)
    except LogFileError as err:
        raise _fail(str(err)) from None
    progress = _progress_for(files)
    try:
        document = fold_files(
            files, handle=handle, source=source, progress=progress.advance if progress else None
        )
    except (LogFileError, OSError) as err:
        raise _fail(str(err)) from None
    finally:
        if progress is not None:
            progress.close()
    try:
        if output is StoryFormat.JSON:
            sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(render(document))
    except BrokenPipeError:  # `journey ... | head` is fine: stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="folder of the local database (default: per-user data)"),
]


def _start_telemetry(data_dir: Path | None) -> None:
    """Long-running commands log to `client.log` in the data folder and trace their sync
    requests (exported when OTEL_EXPORTER_OTLP_ENDPOINT is set); see telemetry.py."""
    from starstats_client import telemetry
    from starstats_client.paths import data_dir as data_folder

    telemetry.configure_logging(data_folder(data_dir))
    telemetry.install_tracing()


@app.command()
def run(
    gamelog: Annotated[
        Path | None, typer.Option(help="tail this Game.log instead of discovered installs")
    ] = None,
    data_dir: DataDir = None,
    no_sync: Annotated[bool, typer.Option("--no-sync", help="store locally only")] = False,
) -> None:
    """Tail Game.log files into the local store until Ctrl-C / SIGTERM; when paired, sync
    the outbox to the server meanwhile."""
    from starstats_client import app as client
    from starstats_client import telemetry

    try:
        _start_telemetry(data_dir)
        config = client.settings()
        logs = client.live_logs(gamelog, config)
        with client.open_store(data_dir) as store:
            worker, why = (
                (None, "--no-sync")
                if no_sync
                else client.start_sync(config, data_dir, on_change=_SyncNews())
            )
            if worker is None:
                typer.echo(f"sync is off ({why}): events are stored locally only", err=True)
            else:
                typer.echo(why, err=True)
            typer.echo("tailing " + ", ".join(str(p) for p in logs), err=True)
            try:
                client.run_tailer(
                    store,
                    logs,
                    on_events=None if worker is None else worker.wake,
                    on_trouble=_tail_news,
                )
            finally:
                if worker is not None and not worker.stop(timeout=5.0):
                    typer.echo(
                        "sync: abandoned the request in flight; its events stay unsent and "
                        "go with the next run",
                        err=True,
                    )
                telemetry.flush()
    except ClientError as err:
        raise _fail(str(err)) from None


def _tail_news(path: Path, error: str | None) -> None:
    """A tailed log's trouble on stderr (a full disk, an unreadable file), and its end."""
    if error is None:
        typer.echo(f"{path}: reading and storing again", err=True)
    else:
        typer.echo(f"{path}: {error}", err=True)


class _SyncNews:
    """The sync worker's news worth a line on stderr: trouble, and recovery from it.
    Called on the worker's thread."""

    def __init__(self) -> None:
        self.troubled = False

    def __call__(self, state: object, detail: str | None) -> None:
        from starstats_client.sync import SyncState

        if state is SyncState.BACKOFF:
            self.troubled = True
            typer.echo(f"sync: {detail}", err=True)
        elif state is SyncState.PAIRING_LOST:
            typer.echo(
                f"sync stopped, pairing lost: {detail}. Pair again: "
                "starstats-client pair --api URL --code CODE",
                err=True,
            )
        elif self.troubled:
            self.troubled = False
            typer.echo("sync: the server answers again", err=True)


@app.command("import")
def import_(
    paths: Annotated[
        list[Path] | None,
        typer.Option(
            "--path", "--gamelog-dir", help="log files or folders (default: discovered backups)"
        ),
    ] = None,
    data_dir: DataDir = None,
    archive: Annotated[
        bool, typer.Option("--archive", help="first copy backups into the data folder")
    ] = False,
) -> None:
    """Import backup logs (each launch once, resumable) into the local store."""
    from starstats_client import app as client
    from starstats_client.paths import data_dir as data_folder
    from starstats_client.progress import ImportBar

    bar = ImportBar() if sys.stderr.isatty() else None
    try:
        _start_telemetry(data_dir)
        with client.open_store(data_dir) as store:
            totals, archived = client.run_import(
                store,
                paths or [],
                client.settings(),
                archive=archive,
                data=data_folder(data_dir),
                on_progress=bar.update if bar else None,
            )
    except ClientError as err:
        raise _fail(str(err)) from None
    finally:
        if bar is not None:
            bar.close()
    read = totals.files_total - totals.files_skipped
    typer.echo(
        f"imported {read} file(s), skipped {totals.files_skipped} (done before, or a copy): "
        f"{totals.lines:,} lines, {totals.events:,} new events"
        + (f"; archived {archived} backup(s)" if archived else "")
    )


@app.command()
def status(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """What the local store holds: events, outbox, unknown shapes, files tailed, sync."""
    from starstats_client import app as client

    try:
        with client.open_store(data_dir) as store:
            report = client.status_report(store, client.settings())
    except ClientError as err:
        raise _fail(str(err)) from None
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    typer.echo(f"events        {report['events']:,}")
    for name, count in sorted(report["by_type"].items(), key=lambda kv: -kv[1])[:10]:
        typer.echo(f"  {name:<30} {count:>10,}")
    sync = report["sync"]
    typer.echo(f"unsynced      {report['unsynced']:,}")
    typer.echo(f"quarantined   {report['quarantined']:,}")
    for parked in sync["recent_quarantine"][:3]:
        typer.echo(f"  {parked['at']}  {parked['reason']}")
    if sync["handle"] is None:
        typer.echo(f"sync          {sync['state']} (not paired)")
    else:
        typer.echo(f"sync          {sync['state']}: {sync['handle']} at {sync['api_url']}")
    if sync["pairing_lost"]:
        typer.echo(f"  pairing lost: {sync['pairing_lost']}")
        typer.echo("  pair again: starstats-client pair --api URL --code CODE")
    if sync["last_success_at"] or sync["last_error"]:
        typer.echo(f"  last success {sync['last_success_at'] or 'never'}")
        typer.echo(f"  last error   {sync['last_error'] or 'none'}")
        typer.echo(f"  last trace   {sync['last_trace_id']}")
    typer.echo(f"unknown       {report['unknown_shapes']:,} shapes")
    for tail in report["tailing"]:
        typer.echo(f"tailing       {tail['path']} @ {tail['offset']:,}")
    lag = report["metrics"]["sync_lag_seconds"]
    typer.echo(
        f"tailed        {report['metrics']['events_tailed']:,} events from live logs; sync lag "
        + ("n/a" if lag is None else f"{lag:,.1f} s")
    )


@app.command()
def unknown(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON array")] = False,
    top: Annotated[int, typer.Option(help="shapes to list", min=1)] = 20,
) -> None:
    """The most frequent unknown line shapes (PII-scrubbed samples)."""
    from starstats_client import app as client

    try:
        with client.open_store(data_dir) as store:
            shapes = store.unknown_shapes(top)
    except ClientError as err:
        raise _fail(str(err)) from None
    if as_json:
        rows = [{"shape": s.shape, "count": s.count, "sample": s.sample} for s in shapes]
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for shape in shapes:
        typer.echo(f"{shape.count:>9,}  {shape.shape}")


@app.command()
def ignore(
    event_name: Annotated[str, typer.Argument(help="the <Event Name> to treat as noise")],
    data_dir: DataDir = None,
) -> None:
    """Treat an event name as noise from the next run/import on (and forget its shapes)."""
    from starstats_client import app as client

    name = event_name.strip().removeprefix("<").removesuffix(">")
    if not name:
        raise _fail("give an event name, e.g. `ignore 'Update group cache'`")
    try:
        with client.open_store(data_dir) as store:
            added = store.add_noise(name)
    except ClientError as err:
        raise _fail(str(err)) from None
    typer.echo(f"ignoring {name}" if added else f"{name} is already ignored")


@app.command()
def pair(
    api: Annotated[str, typer.Option("--api", help="the StarStats API, e.g. https://api.example")],
    code: Annotated[str, typer.Option("--code", help="the 8-character code from the website")],
    data_dir: DataDir = None,
) -> None:
    """Pair this client with your account (the device token goes to the OS keyring)."""
    from starstats_client.credentials import default_token_store
    from starstats_client.pairing import pair as redeem_code
    from starstats_client.paths import data_dir as data_folder

    try:
        tokens = default_token_store(data_folder(data_dir))
        paired = redeem_code(api, code, data=data_dir, tokens=tokens)
    except ClientError as err:
        raise _fail(str(err)) from None
    typer.echo(f"paired as {paired.handle}")
    typer.echo(
        f"device {paired.label or 'unnamed'} ({paired.device_id}) at {paired.api_url}; "
        f"token kept in {tokens.where}; `run` now syncs",
        err=True,
    )


@app.command()
def unpair(data_dir: DataDir = None) -> None:
    """Forget the pairing and delete the device token from this computer."""
    from starstats_client.credentials import default_token_store
    from starstats_client.pairing import unpair as forget
    from starstats_client.paths import data_dir as data_folder

    try:
        removed = forget(data=data_dir, tokens=default_token_store(data_folder(data_dir)))
    except ClientError as err:
        raise _fail(str(err)) from None
    if removed is None:
        typer.echo("not paired: nothing to remove")
        return
    typer.echo(
        f"unpaired: removed the device token and the pairing as {removed.handle} at "
        f"{removed.api_url} (revoke the device on the website to end its token there too)"
    )


@app.command()
def outbox(
    data_dir: DataDir = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print only the exact request body, as sent")
    ] = False,
) -> None:
    """Show the next batch exactly as sync would send it (nothing is sent)."""
    from starstats_client import app as client
    from starstats_client.sync import preview_outbox

    try:
        with client.open_store(data_dir) as store:
            preview = preview_outbox(store, client.settings())
    except ClientError as err:
        raise _fail(str(err)) from None
    batch, pairing = preview.batch, preview.pairing
    if batch is None:
        typer.echo("the outbox is empty: nothing to send", err=True)
        return
    where = (
        "not paired: nothing is sent"
        if pairing is None
        else f"POST {pairing.api_url}/v1/ingest as {pairing.handle}"
    )
    summary = (
        f"next batch: {len(batch.events):,} of {preview.pending:,} pending events, "
        f"{len(batch.body):,} bytes; {where}"
    )
    if as_json:
        typer.echo(summary, err=True)
        typer.echo(batch.body.decode("utf-8"))
        return
    typer.echo(summary)
    typer.echo(preview.pretty())


@app.command()
def tray(
    gamelog: Annotated[
        Path | None, typer.Option(help="tail this Game.log instead of discovered installs")
    ] = None,
    data_dir: DataDir = None,
    no_sync: Annotated[bool, typer.Option("--no-sync", help="store locally only")] = False,
    hidden: Annotated[bool, typer.Option("--hidden", help="start in the tray")] = False,
    backfill: Annotated[bool, typer.Option("--backfill", help="import backups on start")] = False,
) -> None:
    """Tail Game.log files like `run`, with a tray icon and a status window."""
    from starstats_client import app as client
    from starstats_client.errors import DiscoveryError
    from starstats_client.importer import ProgressCallback
    from starstats_client.paths import config_file, database_file
    from starstats_client.paths import data_dir as data_folder
    from starstats_client.store import Store
    from starstats_client.ui.actions import PairingModuleActions, SyncWorkerHandle
    from starstats_client.ui.loop import run_tray
    from starstats_client.ui.tray import TrayServices

    try:
        _start_telemetry(data_dir)
        config, data = client.settings(), data_folder(data_dir)
        try:
            logs, problem = tuple(client.live_logs(gamelog, config)), None
        except (DiscoveryError, LogFileError) as err:
            logs, problem = (), str(err)  # the window still opens, to set the path there

        def import_backups(store: Store, report: ProgressCallback) -> None:
            settings = client.settings()  # re-read: the window may have changed them
            client.run_import(store, [], settings, archive=False, data=data, on_progress=report)

        def start_worker() -> tuple[SyncWorkerHandle | None, str]:
            return client.start_sync(client.settings(), data_dir)  # re-read: pairing changes

        services = TrayServices(
            database=database_file(data),
            config_path=config_file(),
            logs=logs,
            actions=PairingModuleActions(config_file(), data=data, start_worker=start_worker),
            backfill=import_backups,
            sync_off_reason="--no-sync" if no_sync else None,
            logs_problem=problem,
        )
        code = run_tray(services, show_window=not hidden, backfill=backfill)
    except ClientError as err:
        raise _fail(str(err)) from None
    if code:
        raise typer.Exit(code)


def main() -> None:
    """Console-script entry point."""
    from starstats_client import early_stop

    early_stop.install()
    app()
