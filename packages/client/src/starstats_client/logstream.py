"""One launch's log read as a stream of commits: the events of the bytes read so far, the
cursor after them and the unknown-shape counts they add, stored in one transaction.

Resuming is exact. The parser carries state across lines (the session header is collected
over the first lines, a multi-line HUD notification is emitted after later lines, repeated
notifications are dropped by queue id for the whole launch), so no mid-file point is safe
for a fresh parser. The cursor is the end of the last complete line whose events are all
stored; a resumed stream re-parses the file from its start up to the cursor to rebuild
that state, and discards what it emits there (stored already: same bytes, same parser).
"""

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from starstats_client.logfiles import CHUNK_BYTES
from starstats_client.store import Checkpoint, Cursor, EventRow, ShapeCount, Store
from starstats_core.linekinds import KeyCatalog
from starstats_core.parser import LogParser, ParsedEvent
from starstats_core.privacy import scrub_text
from starstats_core.wire import MAX_RAW_LINE_BYTES, LogSource, cap_raw_line, idempotency_key

_SHORT = MAX_RAW_LINE_BYTES // 4  # characters: a line this short cannot pass the byte cap


class LogStream:
    """Parser state for one launch's log (identified by its file signature)."""

    def __init__(
        self,
        signature: str,
        source: LogSource,
        path: Path,
        noise: frozenset[str],
        catalog: KeyCatalog | None = None,
    ) -> None:
        self.signature = signature
        self.source = source
        self.path = path
        self.read_pos = 0  # bytes fed, a partial last line included
        self.lines = 0  # lines parsed since the stream (re)started: progress, not state
        self.finished = False
        self._parser = LogParser(noise, catalog=catalog)
        self._rows: list[EventRow] = []
        self._shapes_stored: dict[str, int] = {}
        self._committed: tuple[int, bool] = (0, False)
        self._open_line = False

    @property
    def cursor(self) -> Cursor:
        # Until the end of input, the cursor stops at the last newline: a partial line is
        # read again after a restart, never half-stored.
        offset = self.read_pos if self.finished else self._parser.offset
        return Cursor(self.signature, self.source, str(self.path), offset, self.finished)

    def skip_to(self, handle: BinaryIO, offset: int) -> int:
        """Rebuild the state at `offset` (a stored cursor) by re-parsing `handle` up to it;
        what that emits is stored already and dropped. Returns the bytes read."""
        handle.seek(0)
        while self.read_pos < offset:
            chunk = handle.read(min(CHUNK_BYTES, offset - self.read_pos))
            if not chunk:
                break
            self._parser.feed(chunk)
            self.read_pos += len(chunk)
        self._shapes_stored = {s.shape: s.count for s in self._parser.stats.shapes.values()}
        self._committed = (self.cursor.offset, False)
        return self.read_pos

    def feed(self, data: bytes) -> None:
        if not data:
            return
        self.read_pos += len(data)
        self.lines += data.count(b"\n")
        self._open_line = not data.endswith(b"\n")
        self._keep(self._parser.feed(data))

    def finish(self) -> None:
        """End of input: the last unterminated line and any pending event are emitted."""
        self.lines += self._open_line
        self._open_line = False
        self._keep(self._parser.finish())
        self.finished = True

    def checkpoint(self) -> Checkpoint | None:
        """The events since the last checkpoint with the cursor after them, or None when
        nothing moved. Folding the parser's shape counts costs up to a few ms, so callers
        checkpoint per read, not per line."""
        cursor = self.cursor
        if not self._rows and (cursor.offset, cursor.finished) == self._committed:
            return None
        rows, self._rows = self._rows, []
        self._committed = (cursor.offset, cursor.finished)
        return Checkpoint(rows, cursor, self._new_shapes())

    def _keep(self, parsed: list[ParsedEvent]) -> None:
        source, signature = self.source, self.signature
        append = self._rows.append
        for event, raw, offset in parsed:
            first = raw[: raw.index("\n")] if "\n" in raw else raw
            line = scrub_text(raw)
            if len(line) > _SHORT:
                line = cap_raw_line(line)
            append(
                EventRow(
                    idempotency_key(source, signature, offset, first),
                    event.type,
                    event.timestamp,
                    source.value,
                    offset,
                    signature,
                    line,
                    event.model_dump_json(),
                )
            )

    def _new_shapes(self) -> list[ShapeCount]:
        new = []
        stored = self._shapes_stored
        for shape in self._parser.stats.shapes.values():
            more = shape.count - stored.get(shape.shape, 0)
            if more > 0:
                stored[shape.shape] = shape.count
                # Shapes mask numbers, not names: a profile path keeps its user name. The
                # sample comes from the parser already scrubbed.
                new.append(ShapeCount(_scrubbed_shape(shape.shape), more, shape.sample))
        return new


# Every file of a backup set reports mostly the same few hundred shapes: scrub each once.
_scrubbed_shape = lru_cache(maxsize=50_000)(scrub_text)


def resume_stream(
    handle: BinaryIO,
    signature: str,
    cursor: Cursor | None,
    *,
    source: LogSource,
    path: Path,
    noise: frozenset[str],
    catalog: KeyCatalog | None = None,
) -> LogStream:
    """A stream for the open log `handle`, positioned after `cursor` (from the start without
    one, or when the file is now shorter than the cursor: it was rewritten)."""
    size = _size(handle)
    if cursor is None or cursor.offset > size:
        return LogStream(signature, cursor.source if cursor else source, path, noise, catalog)
    stream = LogStream(signature, cursor.source, path, noise, catalog)
    stream.skip_to(handle, cursor.offset)
    return stream


class Committer:
    """Stores checkpoints: at once (`every=0`, the tailer) or grouped into one transaction
    per `every` bytes read (the importer, many small files). Checkpoints not yet stored
    are simply lost in a crash, with their cursors: the next run reads those bytes again."""

    def __init__(
        self, store: Store, *, every: int = 0, on_commit: Callable[[int], None] | None = None
    ) -> None:
        self._store = store
        self._every = every
        self._on_commit = on_commit
        self._points: list[Checkpoint] = []
        self._bytes = 0
        self.added = 0  # new events stored so far

    def add(self, point: Checkpoint | None, read: int) -> None:
        if point is not None:
            self._points.append(point)
        self._bytes += read
        if self._bytes >= self._every:
            self.flush()

    def flush(self) -> int:
        points, self._points, self._bytes = self._points, [], 0
        added = self._store.commit_all(points) if points else 0
        self.added += added
        if points and self._on_commit is not None:
            self._on_commit(added)
        return added


def drain(
    handle: BinaryIO,
    stream: LogStream,
    committer: Committer,
    *,
    finish: bool = False,
    checkpoint_bytes: int = CHUNK_BYTES,
    on_read: Callable[[int], None] | None = None,
) -> None:
    """Feed `handle` from `stream.read_pos` to its end into `committer`, a checkpoint every
    `checkpoint_bytes` (each costs a fold of the parser's counters) and one at the end;
    with `finish`, the end of input is processed too. `on_read(n)` reports bytes read."""
    pending = 0
    handle.seek(stream.read_pos)
    while chunk := handle.read(min(CHUNK_BYTES, checkpoint_bytes)):
        stream.feed(chunk)
        pending += len(chunk)
        if on_read is not None:
            on_read(len(chunk))
        if pending >= checkpoint_bytes:
            committer.add(stream.checkpoint(), pending)
            pending = 0
    if finish:
        stream.finish()
    committer.add(stream.checkpoint(), pending)


def _size(handle: BinaryIO) -> int:
    here = handle.tell()
    size = handle.seek(0, 2)
    handle.seek(here)
    return size
