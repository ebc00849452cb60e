"""The `starstats-client` command line (typer): parse, synth, run, import, status, unknown,
ignore. Commands only parse options and print; the work lives in `app` and below. Every
expected error (`errors.ClientError`) is one `error:` line on stderr and exit code 2.
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


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="folder of the local database (default: per-user data)"),
]


@app.command()
def run(
    gamelog: Annotated[
        Path | None, typer.Option(help="tail this Game.log instead of discovered installs")
    ] = None,
    data_dir: DataDir = None,
    no_sync: Annotated[bool, typer.Option("--no-sync", help="store locally only")] = False,
) -> None:
    """Tail Game.log files into the local store until Ctrl-C / SIGTERM."""
    from starstats_client import app as client

    del no_sync  # sync is not implemented yet, so every run is a --no-sync run
    try:
        logs = client.live_logs(gamelog, client.settings())
        with client.open_store(data_dir) as store:
            typer.echo("sync is off (not paired): events are stored locally only", err=True)
            typer.echo("tailing " + ", ".join(str(p) for p in logs), err=True)
            client.run_tailer(store, logs)
    except ClientError as err:
        raise _fail(str(err)) from None


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
            report = client.status_report(store)
    except ClientError as err:
        raise _fail(str(err)) from None
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    typer.echo(f"events        {report['events']:,}")
    for name, count in sorted(report["by_type"].items(), key=lambda kv: -kv[1])[:10]:
        typer.echo(f"  {name:<30} {count:>10,}")
    typer.echo(f"unsynced      {report['unsynced']:,}  (sync is off: not paired)")
    typer.echo(f"quarantined   {report['quarantined']:,}")
    typer.echo(f"unknown       {report['unknown_shapes']:,} shapes")
    for tail in report["tailing"]:
        typer.echo(f"tailing       {tail['path']} @ {tail['offset']:,}")


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
    from starstats_client.ui.actions import SyncModuleActions, sync_available
    from starstats_client.ui.tray import TrayServices, run_tray

    try:
        config, data = client.settings(), data_folder(data_dir)
        try:
            logs, problem = tuple(client.live_logs(gamelog, config)), None
        except (DiscoveryError, LogFileError) as err:
            logs, problem = (), str(err)  # the window still opens, to set the path there

        def import_backups(store: Store, report: ProgressCallback) -> None:
            client.run_import(store, [], config, archive=False, data=data, on_progress=report)

        off = "--no-sync" if no_sync else None if sync_available() else "no sync module yet"
        services = TrayServices(
            database=database_file(data),
            config_path=config_file(),
            logs=logs,
            actions=SyncModuleActions(config_file()),
            backfill=import_backups,
            sync_off_reason=off,
            logs_problem=problem,
        )
        code = run_tray(services, show_window=not hidden, backfill=backfill)
    except ClientError as err:
        raise _fail(str(err)) from None
    if code:
        raise typer.Exit(code)


def main() -> None:
    """Console-script entry point."""
    app()
