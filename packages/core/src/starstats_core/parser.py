"""The Game.log parser: an incremental reducer over bytes, fast enough for whole backup sets.

`LogParser.feed(bytes)` accepts any chunking (a tailer's few bytes or a 4 MiB read) and
returns the events of the complete lines in it; `finish()` flushes the rest. `parse_line`
is the same reducer one line at a time. Both run the same code, so they agree exactly.

Most lines are engine chatter. Every line is first reduced, at C speed, to a key (the line
with its digits masked) and counted by key; `linekinds.KeyCatalog` decides once per distinct
key what it is (blank, continuation, noise, unknown shape, silent, or candidate). Only
candidates, about a tenth of real lines, go through the two passes one by one. A kind is a
pure function of the key, so remembering kinds never changes a result (ADR 0001).
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import compress
from typing import NamedTuple

from starstats_core.classify import classify_entry
from starstats_core.classify.header import HeaderCollector
from starstats_core.classify.hud import (
    HUD_EVENT_NAME,
    closes_notification,
    is_open_notification,
    notification_event,
)
from starstats_core.events.base import BaseEvent
from starstats_core.events.hud import BlueprintReceived, HudNotification, PlayerIncapacitated
from starstats_core.linekinds import DIGITS, MAX_LINE, KeyCatalog, KeyInfo, Kind, mask
from starstats_core.noise import DEFAULT_NOISE
from starstats_core.shapes import shape_of
from starstats_core.stats import ParseStats, ShapeStat
from starstats_core.structure import Entry, entry_at, parse_structure

_MAX_STITCH = 20  # continuation lines a HUD notification may span before we give up
_MAX_PARTIAL = 64 << 20  # an unterminated line this long is processed as a line anyway
_RECENT_HUD = 1024  # (id, text) pairs remembered for duplicate suppression
_HUD_TYPES = frozenset({"hud_notification", "player_incapacitated", "blueprint_received"})

__all__ = ["LogParser", "ParseStats", "ParsedEvent", "ShapeStat", "parse_line"]


class ParsedEvent(NamedTuple):
    """An event with where it came from: the raw line(s) and the byte offset of the first.

    (A NamedTuple because one is built per event; frozen dataclasses are slower to build.)"""

    event: BaseEvent
    raw_line: str
    offset: int


@dataclass(slots=True)
class _PendingHud:
    timestamp: str
    offset: int
    body: str
    raw: list[str]
    structured_lines: int
    size: int  # bytes of its lines as read (each already cut to MAX_LINE)


class LogParser:
    """Parser state for one log file (or one stream of concatenated logs).

    `noise`: event names to treat as noise (default: the built-in list). `offset`: the byte
    offset of the first byte that will be fed (a tailer resuming mid-file passes its cursor).
    `catalog`: a `KeyCatalog` (made with the same noise) shared with parsers of earlier files,
    so a backup set's line keys are learnt once instead of once per file; parsers sharing one
    must be used one after another, each to its `finish`.
    The state is mutated in place: `feed` is the reducer step, and no I/O or clock is used.
    """

    def __init__(
        self,
        noise: Iterable[str] | None = None,
        *,
        offset: int = 0,
        catalog: KeyCatalog | None = None,
    ) -> None:
        self.noise = frozenset(DEFAULT_NOISE if noise is None else noise)
        self.offset = offset
        self._stats = ParseStats()
        if catalog is None:
            catalog = KeyCatalog(self.noise)
        elif not catalog.is_for(self.noise):
            raise ValueError("a shared KeyCatalog must be made with the parser's noise list")
        self._keys = catalog
        self._partial: list[bytes] = []
        self._partial_len = 0
        self._header = HeaderCollector()
        self._header_offset = offset
        self._header_raw = ""
        self._pending: _PendingHud | None = None
        self._recent_hud: dict[tuple[int | None, str], None] = {}

    # -- public API ----------------------------------------------------------------------
    @property
    def stats(self) -> ParseStats:
        """Line accounting so far (complete lines only until `finish`)."""
        self._keys.fold(self._stats)
        return self._stats

    def feed(self, data: bytes) -> list[ParsedEvent]:
        """Parse every complete line in the buffered tail plus `data`; keep the new tail."""
        if not data:
            return []
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            self._partial.append(data)
            self._partial_len += len(data)
            if self._partial_len <= _MAX_PARTIAL:
                return []
            # A runaway line with no end: parse what we have as one line, never hold more.
            self._stats.truncated_lines += 1
            data = b"".join(self._partial) + b"\n"
            self._partial, self._partial_len = [], 0
            events = self._process(data, len(data))
            self.offset -= 1  # the newline we added is not in the file
            return events
        if self._partial:
            head = b"".join(self._partial)
            data, cut = head + data, cut + len(head)
            self._partial, self._partial_len = [], 0
        if cut < len(data):
            self._partial.append(data[cut:])
            self._partial_len = len(data) - cut
        return self._process(data, cut)

    def finish(self) -> list[ParsedEvent]:
        """End of input: parse an unterminated last line and flush anything collected."""
        events: list[ParsedEvent] = []
        if self._partial:
            tail = b"".join(self._partial) + b"\n"
            self._partial, self._partial_len = [], 0
            events = self._process(tail, len(tail))
            self.offset -= 1  # the newline we added is not in the file
        events.extend(self._flush_pending())
        header = self._header.flush()
        if header is not None:
            events.append(ParsedEvent(header, self._header_raw, self._header_offset))
            self._count_event(header)
        self._keys.fold(self._stats)
        return events

    # -- the hot loop ----------------------------------------------------------------------
    def _process(self, buf: bytes, end: int) -> list[ParsedEvent]:
        """Parse buf[:end], which ends with a newline.

        Every line is counted by its key in C (`Counter`); only candidate lines (and lines
        met while a HUD notification is open) are visited one by one, in file order.
        """
        events: list[ParsedEvent] = []
        keys = buf[:end].translate(DIGITS).split(b"\n")
        keys.pop()  # the piece after the final newline is empty
        counts = Counter(keys)  # insertion order = first occurrence: samples are stable
        catalog = self._keys
        catalog.make_room(len(counts), self._stats)
        get = catalog.memo.get
        candidate = Kind.CANDIDATE
        unseen: list[tuple[bytes, int]] = []
        for key, seen in counts.items():
            info = get(key)
            if info is None:
                unseen.append((key, seen))
            elif info.kind is not candidate:
                info.count += seen
        local: dict[bytes, KeyInfo] = {}
        if unseen:
            new = [key for key, _ in unseen]
            learnt = catalog.learn(new, keys, buf, local, self._note_shape)
            for (_, seen), info in zip(unseen, learnt, strict=True):
                if info.kind is not candidate:
                    info.count += seen
        # Keys too long to remember live in `local` for this chunk only.
        extra = {key for key, info in local.items() if info.kind is candidate}
        if self._pending is not None or extra or not catalog.candidates.isdisjoint(counts):
            self._walk(keys, buf, local, extra, events)
        if local:
            catalog.transient.extend(local.values())
            if len(catalog.transient) > 1000:
                catalog.fold(self._stats)
        self.offset += end
        self._stats.lines += len(keys)
        return events

    def _walk(
        self,
        keys: list[bytes],
        buf: bytes,
        local: dict[bytes, KeyInfo],
        extra: set[bytes],
        out: list[ParsedEvent],
    ) -> None:
        """Visit candidate lines in order, and every line while a HUD notification is open."""
        memo = self._keys.memo
        wanted = self._keys.candidates | extra if extra else self._keys.candidates
        todo = list(compress(range(len(keys)), map(wanted.__contains__, keys)))
        at = pos = done = 0  # `pos` is the byte position of line `at`; lines < `done` are visited

        def visit(index: int) -> None:
            nonlocal at, pos
            pos += sum(map(len, keys[at:index])) + (index - at)
            at = index
            key = keys[index]
            info = memo.get(key) or local[key]
            if info.kind is not Kind.CANDIDATE:
                info.count -= 1  # counted in bulk; the slow path counts it instead
            self._slow(buf[pos : pos + len(key)], info, self.offset + pos, out)

        for index in todo:
            while self._pending is not None and done < index:
                visit(done)
                done += 1
            if index < done:
                continue
            visit(index)
            done = index + 1
        while self._pending is not None and done < len(keys):
            visit(done)
            done += 1

    # -- the slow path: candidates, and every line while a HUD notification is open --------
    def _slow(self, raw: bytes, info: KeyInfo, offset: int, events: list[ParsedEvent]) -> None:
        if len(raw) > MAX_LINE:
            raw = raw[:MAX_LINE]
            self._stats.truncated_lines += 1
        text = raw.decode("utf-8", "replace").rstrip("\r")
        pending = self._pending
        if pending is not None:
            if info.kind in (Kind.CONTINUATION, Kind.BLANK) or info.bare:
                self._stitch(pending, info, text, len(raw), events)
                return
            events.extend(self._flush_pending())
        if info.kind is not Kind.CANDIDATE:
            info.count += 1
            return
        entry = entry_at(text, info.layout) if info.layout is not None else parse_structure(text)
        if entry is None:  # cannot happen for a candidate key; counted, never fatal
            self._stats.continuation += 1
            return
        self._stats.structured += 1
        if info.header and self._take_header(entry, text, offset, events):
            return
        if entry.name == HUD_EVENT_NAME and is_open_notification(entry.body):
            self._pending = _PendingHud(entry.timestamp, offset, entry.body, [text], 1, len(raw))
            return
        event = self._classify(entry)
        if event is None:
            self._count_unclassified(info, text)
            return
        if event.type in _HUD_TYPES and self._is_duplicate_hud(event):
            self._stats.duplicates += 1
            self._stats.silent += 1
            return
        self._stats.event_lines += 1
        self._count_event(event)
        events.append(ParsedEvent(event, text, offset))

    def _take_header(self, entry: Entry, text: str, offset: int, out: list[ParsedEvent]) -> bool:
        is_header, flushed, done = self._header.take(entry)
        if flushed is not None:
            out.append(ParsedEvent(flushed, self._header_raw, self._header_offset))
            self._count_event(flushed)
        if not is_header:
            return False
        if entry.body.startswith(("BackupNameAttachment=", "Log started on ")):
            # The event points at the `Log started on` line (or the first header line).
            self._header_offset, self._header_raw = offset, text
            self._recent_hud.clear()  # a new launch numbers its notifications anew
        self._stats.event_lines += 1
        if done is not None:
            out.append(ParsedEvent(done, self._header_raw, self._header_offset))
            self._count_event(done)
        return True

    def _classify(self, entry: Entry) -> BaseEvent | None:
        try:
            if entry.name == HUD_EVENT_NAME:
                return notification_event(entry.timestamp, entry.body)
            return classify_entry(entry)
        except Exception:  # a rule bug must not lose the rest of the log; it is counted
            self._stats.rule_errors += 1
            return None

    def _stitch(
        self, pending: _PendingHud, info: KeyInfo, text: str, size: int,
        events: list[ParsedEvent],
    ) -> None:  # fmt: skip
        if info.kind is Kind.BLANK:
            self._stats.blank += 1
        elif info.kind is Kind.CONTINUATION:
            self._stats.continuation += 1
        else:
            self._stats.structured += 1
            pending.structured_lines += 1
        if pending.size + size > MAX_LINE:
            # No notification spans a megabyte: the event keeps the lines so far (counted
            # above, this one is not part of it), so its raw line stays within one cut
            # line's bound, as every other event's does.
            events.extend(self._flush_pending())
            return
        pending.size += size
        # Timestamped continuation lines repeat the entry's timestamp: drop it when joining.
        # The logger writes one space after every timestamp; it is not part of the text.
        part = text
        if part.startswith("<"):
            part = part[part.find(">") + 1 :].removeprefix(" ")
        pending.body += "\n" + part
        pending.raw.append(text)
        if closes_notification(part) or len(pending.raw) > _MAX_STITCH:
            events.extend(self._flush_pending())

    def _flush_pending(self) -> list[ParsedEvent]:
        pending, self._pending = self._pending, None
        if pending is None:
            return []
        try:
            event = notification_event(pending.timestamp, pending.body)
        except Exception:  # same guarantee as _classify
            self._stats.rule_errors += 1
            event = None
        if event is None or self._is_duplicate_hud(event):
            if event is not None:
                self._stats.duplicates += 1
            self._stats.silent += pending.structured_lines
            return []
        self._stats.event_lines += pending.structured_lines
        self._count_event(event)
        return [ParsedEvent(event, "\n".join(pending.raw), pending.offset)]

    def _is_duplicate_hud(self, event: BaseEvent) -> bool:
        """Has this launch already reported the notification with this queue id and text?"""
        if isinstance(event, PlayerIncapacitated):
            key: tuple[int | None, str] = (event.queue_id, "incapacitated")
        elif isinstance(event, BlueprintReceived):
            key = (event.notification_id, event.blueprint)
        elif isinstance(event, HudNotification):
            key = (event.notification_id, event.text)
        else:
            return False
        if key[0] is None:
            return False
        if key in self._recent_hud:
            return True
        self._recent_hud[key] = None
        if len(self._recent_hud) > _RECENT_HUD:
            del self._recent_hud[next(iter(self._recent_hud))]
        return False

    # -- accounting ------------------------------------------------------------------------
    def _count_event(self, event: BaseEvent) -> None:
        self._stats.events[event.type] += 1

    def _count_unclassified(self, info: KeyInfo, text: str) -> None:
        if info.quiet:  # recognised, says nothing happened (classify.SILENT_KEYWORDS)
            self._stats.silent += 1
            return
        if info.noise_name:
            self._stats.noise += 1
            return
        if info.shape is None:
            info.shape = shape_of(mask(text))
        self._stats.unknown_lines += 1
        self._note_shape(info.shape, lambda: text)
        self._stats.shapes[info.shape].count += 1

    def _note_shape(self, shape: str, sample: Callable[[], str]) -> None:
        """Record a shape the first time it is seen, with its first line (PII-scrubbed)."""
        if shape not in self._stats.shapes:
            self._stats.shapes[shape] = ShapeStat(shape, 0, self._keys.sample(shape, sample))


def parse_line(state: LogParser, line: bytes | str) -> tuple[LogParser, list[ParsedEvent]]:
    """The reducer form: feed one complete line (its ending optional) to `state`."""
    data = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
    if not data.endswith(b"\n"):
        data += b"\n"
    return state, state.feed(data)
