"""Backfill: replaying backup logs (and archived copies) into the store, and archiving them.

Each file is one launch, keyed by its signature with its own cursor, so an interrupted
import resumes where it stopped and a repeated one imports nothing twice. The game prunes
its backups; `archive_backups` copies them into the data folder so history survives.
"""

import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from starstats_client.discovery import Channel, backup_logs, source_for
from starstats_client.errors import LogFileError
from starstats_client.logfiles import FIRST_LINE_MAX, open_shared
from starstats_client.logstream import Committer, drain, resume_stream
from starstats_client.store import Cursor, Store
from starstats_core.linekinds import KeyCatalog
from starstats_core.wire import file_signature

COMMIT_BYTES = 32 << 20  # bytes read per transaction: amortises rewriting the key index


@dataclass(slots=True)
class ImportProgress:
    """Totals so far; `bytes_total` counts every file to read (files skipped excluded)."""

    files_total: int = 0
    files_done: int = 0
    files_skipped: int = 0
    bytes_total: int = 0
    bytes_done: int = 0
    lines: int = 0
    events: int = 0  # new events stored
    current: Path | None = None


ProgressCallback = Callable[[ImportProgress], None]


@dataclass(frozen=True, slots=True)
class _Planned:
    path: Path
    signature: str
    size: int
    cursor: Cursor | None


def import_logs(
    store: Store,
    paths: Iterable[Path],
    *,
    noise: frozenset[str],
    on_progress: ProgressCallback | None = None,
    commit_bytes: int = COMMIT_BYTES,
) -> ImportProgress:
    """Import every log in `paths` not already imported to its end. A file whose launch
    appears twice (a backup and its archived copy) is read once, from the longer copy.
    Files are grouped into one transaction per `commit_bytes` read. `on_progress` is
    called before the first file, after every read and commit, and at the end."""
    planned, skipped = _plan(store, paths)
    progress = ImportProgress(
        files_total=len(planned) + skipped,
        files_skipped=skipped,
        files_done=skipped,
        bytes_total=sum(p.size for p in planned),
    )
    report = on_progress if on_progress is not None else (lambda _: None)

    def committed(added: int) -> None:
        progress.events += added
        report(progress)

    committer = Committer(store, every=commit_bytes, on_commit=committed)
    # One catalog for the whole set: each launch's log repeats most line keys of the others,
    # and learning them again per file was ~40 % of an import.
    catalog = KeyCatalog(noise)
    report(progress)
    for item in planned:
        progress.current = item.path
        _import_one(
            item,
            noise=noise,
            catalog=catalog,
            committer=committer,
            progress=progress,
            report=report,
        )
        progress.files_done += 1
    committer.flush()
    progress.current = None
    report(progress)
    return progress


def _import_one(
    item: _Planned,
    *,
    noise: frozenset[str],
    catalog: KeyCatalog,
    committer: Committer,
    progress: ImportProgress,
    report: ProgressCallback,
) -> None:
    try:
        with open_shared(item.path) as handle:
            stream = resume_stream(
                handle,
                item.signature,
                item.cursor,
                source=source_for(item.path),
                path=item.path,
                noise=noise,
                catalog=catalog,
            )
            progress.bytes_done += stream.read_pos
            lines_before = 0

            def read(n: int) -> None:
                nonlocal lines_before
                progress.bytes_done += n
                progress.lines += stream.lines - lines_before
                lines_before = stream.lines
                report(progress)

            drain(handle, stream, committer, finish=True, on_read=read)
            progress.lines += stream.lines - lines_before  # the last line, ended by finish()
    except OSError as err:
        raise LogFileError(f"{item.path}: {err.strerror or err}") from err


def _plan(store: Store, paths: Iterable[Path]) -> tuple[list[_Planned], int]:
    """The files still to read (one per signature, the longest copy) and how many were
    skipped as already imported or empty."""
    best: dict[str, _Planned] = {}
    skipped = 0
    for path in paths:
        signature, size = _identify(path)
        if signature is None:
            skipped += 1
            continue
        if signature in best:
            skipped += 1
            if size <= best[signature].size:
                continue
        best[signature] = _Planned(path, signature, size, None)
    planned = []
    for item in best.values():
        cursor = store.cursor(item.signature)
        if cursor is not None and cursor.finished and cursor.offset >= item.size:
            skipped += 1
        else:
            planned.append(_Planned(item.path, item.signature, item.size, cursor))
    planned.sort(key=lambda p: str(p.path))
    return planned, skipped


def _identify(path: Path) -> tuple[str | None, int]:
    """(signature, size) of a log; no signature for an empty file."""
    try:
        with open_shared(path) as handle:
            first = handle.readline(FIRST_LINE_MAX)
            size = handle.seek(0, 2)
    except OSError as err:
        raise LogFileError(f"{path}: {err.strerror or err}") from err
    return (file_signature(first) if first else None), size


def backup_paths(channels: Sequence[Channel], archive: Path | None = None) -> list[Path]:
    """What `import` reads by default: every channel's backups plus archived copies."""
    paths = [p for channel in channels for p in channel.backups()]
    if archive is not None and archive.is_dir():
        for folder in sorted(p for p in archive.iterdir() if p.is_dir()):
            paths.extend(sorted(backup_logs(folder)))
    return paths


def archive_backups(channels: Sequence[Channel], archive: Path) -> list[Path]:
    """Copy each channel's backups to `archive/<CHANNEL>/` (kept under the channel's
    name, so an archived copy keys its events like the original). Returns new copies."""
    copied = []
    for channel in channels:
        for path in channel.backups():
            target = archive / channel.name / path.name
            try:
                if target.exists() and target.stat().st_size >= path.stat().st_size:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(target.name + ".partial")
                with open_shared(path) as source, partial.open("wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
                partial.replace(target)  # never leave a half copy under the real name
            except OSError as err:
                raise LogFileError(f"cannot archive {path}: {err.strerror or err}") from err
            copied.append(target)
    return copied
