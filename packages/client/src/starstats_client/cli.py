"""The `starstats-client` command line (typer): parse logs, make demo logs.

Later issues add run/import/pair/status; each command maps errors to one clear line on
stderr and a non-zero exit, never a traceback.
"""

import json
import os
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from starstats_client.logfiles import LogFileError, Totals, expand_paths, parse_file, read_signature
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


def main() -> None:
    """Console-script entry point."""
    app()
