"""The Game.log parser: an incremental reducer over bytes, fast enough for whole backup sets.

`LogParser.feed(bytes)` accepts any chunking (a tailer's few bytes or a 4 MiB read) and
returns the events of the complete lines in it; `finish()` flushes the rest. `parse_line`
is the same reducer one line at a time. Both run the same code, so they agree exactly.

Why it is fast: most lines are engine chatter. Every line is first reduced, at C speed, to a
key (the line with its digits masked: `bytes.translate`), and each distinct key is
categorised once and memoised (blank, continuation, noise, unknown shape, silent, or
candidate). Only candidates, a few percent of lines, go through the two passes in Python.
A category is a pure function of the key, so the memo never changes a result.
"""

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from itertools import accumulate, compress, count
from operator import add
from typing import Any, NamedTuple

from starstats_core.classify import KEYWORD_RULES, NAME_NEEDLES, NAME_RULES, classify_entry
from starstats_core.classify.header import HEADER_KEYWORDS, HeaderCollector
from starstats_core.classify.hud import (
    HUD_EVENT_NAME,
    LIFECYCLE_NAMES,
    QUEUE_LISTING,
    closes_notification,
    is_open_notification,
    notification_event,
)
from starstats_core.events.base import BaseEvent
from starstats_core.events.hud import BlueprintReceived, HudNotification, PlayerIncapacitated
from starstats_core.noise import DEFAULT_NOISE
from starstats_core.privacy import scrub_text
from starstats_core.shapes import shape_of, shapes_of
from starstats_core.structure import Entry, Layout, entry_at, layout_of, parse_structure

_DIGITS = bytes.maketrans(b"0123456789", b"0000000000")
_DIGITS_STR = str.maketrans("0123456789", "0000000000")
_MEMO_LIMIT = 50_000  # distinct keys kept; beyond it the memo restarts (constant memory)
_MAX_KEY = 4096  # longer lines are categorised every time instead of memoised
_MAX_STITCH = 20  # continuation lines a HUD notification may span before we give up
_MAX_LINE = 1 << 20  # bytes of one line kept; longer lines are cut (counted, never fatal)
_MAX_PARTIAL = 64 << 20  # an unterminated line this long is processed as a line anyway
_RECENT_HUD = 1024  # (id, text) pairs remembered for duplicate suppression
_HUD_TYPES = frozenset({"hud_notification", "player_incapacitated", "blueprint_received"})


class Kind(IntEnum):
    """What a line is, before (and for non-candidates instead of) classification."""

    BLANK = 0
    CONTINUATION = 1  # no timestamp: continues the previous entry
    NOISE = 2
    UNKNOWN = 3
    SILENT = 4  # recognised, but records nothing new (HUD lifecycle, queue listings)
    CANDIDATE = 5  # may produce an event: goes through both passes


def _mask(text: str) -> str:
    return text.translate(_DIGITS_STR)


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex matching any of `words`, factored by common prefixes (`Send(?:Shop|...)`):
    the regex engine tries far fewer branches per position than with a flat alternation."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the rest is optional
            body = "(?:" + body + ")?"
        return body

    return emit(trie) or "(?!)"


# The head of every line of a block of lines joined by (and starting with) "\n": (head,
# spam, level, event name); head is empty for a line without a timestamp. Same grammar as
# structure._HEAD; the leading literal newline lets the regex engine jump from line to line.
# A hex run of 16+ characters from a (masked) digit on: ids such as TraceIDs and GUIDs.
_HEX_RUN = re.compile(rb"0[0-9a-f]{15,}")
_HEADS = re.compile(
    r"\n(?:(<[^<>\r\n]{1,64}>[ \t]*(?:\[SPAM (\d+)\][ \t]*)?"
    r"(?:\[([A-Za-z][A-Za-z_]*)\][ \t]+)?(?:<(?!>)([^<>\n]*(?:<[^<>\n]*>[^<>\n]*)*)>)?[ \t]*))?"
)


@dataclass(slots=True)
class _KeyInfo:
    kind: Kind
    bare: bool  # timestamped line with neither level nor event name (may continue a HUD)
    noise_name: bool
    shape: str | None
    layout: Layout | None = None  # candidates only: where the parts of the line are
    header: bool = False  # candidates only: may be a header line (no name, header keyword)
    count: int = 0


class ParsedEvent(NamedTuple):
    """An event with where it came from: the raw line(s) and the byte offset of the first.

    (A NamedTuple because one is built per event; frozen dataclasses are slower to build.)"""

    event: BaseEvent
    raw_line: str
    offset: int


@dataclass(slots=True)
class ShapeStat:
    """How often one unknown shape occurred, with the first (PII-scrubbed) line seen."""

    shape: str
    count: int
    sample: str


@dataclass(slots=True)
class ParseStats:
    """Line accounting. Invariants: lines == structured + continuation + blank, and
    structured == event_lines + silent + noise + unknown_lines."""

    lines: int = 0
    structured: int = 0
    continuation: int = 0
    blank: int = 0
    event_lines: int = 0
    silent: int = 0
    noise: int = 0
    unknown_lines: int = 0
    duplicates: int = 0
    truncated_lines: int = 0
    rule_errors: int = 0
    events: Counter[str] = field(default_factory=Counter)
    shapes: dict[str, ShapeStat] = field(default_factory=dict)

    def top_shapes(self, limit: int | None = None) -> list[ShapeStat]:
        """Unknown shapes, most frequent first (ties by shape text, for stable output)."""
        ordered = sorted(
            (s for s in self.shapes.values() if s.count), key=lambda s: (-s.count, s.shape)
        )
        return ordered if limit is None else ordered[:limit]


@dataclass(slots=True)
class _PendingHud:
    timestamp: str
    offset: int
    body: str
    raw: list[str]
    structured_lines: int


class _LinePositions:
    """Where each distinct key of a chunk first occurs, built once when a sample is needed
    (a `list.index` per new shape was quadratic in the chunk size)."""

    def __init__(self, keys: list[bytes]) -> None:
        self.first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
        self.starts = [0, *map(add, accumulate(map(len, keys)), count(1))]

    def original(self, key: bytes, buf: bytes) -> str:
        """The real (unmasked) text of the first line with this key."""
        start = self.starts[self.first[key]]
        raw = buf[start : start + min(len(key), _MAX_LINE)]
        return raw.decode("utf-8", "replace").rstrip("\r")


class LogParser:
    """Parser state for one log file (or one stream of concatenated logs).

    `noise`: event names to treat as noise (default: the built-in list). `offset`: the byte
    offset of the first byte that will be fed (a tailer resuming mid-file passes its cursor).
    The state is mutated in place: `feed` is the reducer step, and no I/O or clock is used.
    """

    def __init__(self, noise: Iterable[str] | None = None, *, offset: int = 0) -> None:
        self.noise = frozenset(DEFAULT_NOISE if noise is None else noise)
        self._masked_noise = frozenset(_mask(n) for n in self.noise)
        self._masked_names = frozenset(_mask(n) for n in (*NAME_RULES, HUD_EVENT_NAME))
        self._masked_needles = {
            _mask(name): tuple(_mask(n) for n in needles) for name, needles in NAME_NEEDLES.items()
        }
        keywords = {_mask(k) for k in (*(kw for kw, _ in KEYWORD_RULES), *HEADER_KEYWORDS)}
        self._keyword_re = re.compile(_trie_pattern(keywords))
        self._masked_lifecycle = frozenset(_mask(n) for n in LIFECYCLE_NAMES)
        self.offset = offset
        self._stats = ParseStats()
        self._memo: dict[bytes, _KeyInfo] = {}
        self._cand_keys: set[bytes] = set()
        self._templates: dict[bytes, _KeyInfo] = {}  # see _learn_many
        self._transient: list[_KeyInfo] = []
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
        self._fold_counts()
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
        self._fold_counts()
        return events

    # -- the hot loop ----------------------------------------------------------------------
    def _process(self, buf: bytes, end: int) -> list[ParsedEvent]:
        """Parse buf[:end], which ends with a newline.

        Every line is counted by its key in C (`Counter`); only candidate lines (and lines
        met while a HUD notification is open) are visited one by one, in file order.
        """
        events: list[ParsedEvent] = []
        keys = buf[:end].translate(_DIGITS).split(b"\n")
        keys.pop()  # the piece after the final newline is empty
        counts = Counter(keys)  # insertion order = first occurrence: samples are stable
        memo = self._memo
        if len(memo) + len(counts) > _MEMO_LIMIT:
            self._fold_counts()
            memo.clear()
            self._cand_keys.clear()
        get = memo.get
        candidate = Kind.CANDIDATE
        unseen: list[tuple[bytes, int]] = []
        for key, seen in counts.items():
            info = get(key)
            if info is None:
                unseen.append((key, seen))
            elif info.kind is not candidate:
                info.count += seen
        local: dict[bytes, _KeyInfo] = {}
        if unseen:
            learnt = self._learn_many([key for key, _ in unseen], keys, buf, local)
            for (_, seen), info in zip(unseen, learnt, strict=True):
                if info.kind is not candidate:
                    info.count += seen
        if self._pending is not None or not self._cand_keys.isdisjoint(counts):
            self._walk(keys, buf, local, events)
        self._transient.extend(local.values())
        self.offset += end
        self._stats.lines += len(keys)
        return events

    def _walk(
        self, keys: list[bytes], buf: bytes, local: dict[bytes, _KeyInfo], out: list[ParsedEvent]
    ) -> None:
        """Visit candidate lines in order, and every line while a HUD notification is open."""
        memo = self._memo
        todo = list(compress(range(len(keys)), map(self._cand_keys.__contains__, keys)))
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

    def _learn_many(
        self, new: list[bytes], keys: list[bytes], buf: bytes, local: dict[bytes, _KeyInfo]
    ) -> list[_KeyInfo]:
        """Categorise keys seen for the first time (each a pure function of its key).

        Many keys differ only in a long hex id (`TraceID: 0dad0b…`, session GUIDs of other
        launches). Such keys share a *template* (the key with each hex run of 16+ characters
        starting at a masked digit collapsed): its category, noise flag and shape are the
        same, since no name, keyword or needle holds such a run and shapes mask the run
        anyway. Only keys with a new template, and candidates (whose layout is per key), are
        categorised in full.
        """
        memo2 = self._templates
        if len(memo2) > _MEMO_LIMIT:
            memo2.clear()
        templates = _HEX_RUN.sub(b"#", b"\n".join(new)).split(b"\n")
        firsts: dict[bytes, int] = {}  # each new template is categorised once, via its first key
        for index, template in enumerate(templates):
            if template not in memo2 and template not in firsts:
                firsts[template] = index
        fresh = list(firsts.values())
        fresh_info: dict[int, _KeyInfo] = {}
        if fresh:
            full = self._categorise_many([new[i] for i in fresh], keys, buf)
            fresh_info = dict(zip(fresh, full, strict=True))
            for index, info in fresh_info.items():
                memo2[templates[index]] = info
        memo = self._memo
        learnt: list[_KeyInfo] = []
        for index, (key, template) in enumerate(zip(new, templates, strict=True)):
            known = fresh_info.get(index) or memo2[template]
            if known.kind is Kind.CANDIDATE and index not in fresh_info:
                # Same flags, but the layout is per key: the slow path finds it itself.
                known = _KeyInfo(
                    Kind.CANDIDATE, known.bare, known.noise_name, None, None, known.header
                )
            # Non-candidates share the template's object: counts fold per object, once.
            if len(key) > _MAX_KEY:
                local[key] = known  # not memoised: huge lines would make the memo huge
            else:
                memo[key] = known
            if known.kind is Kind.CANDIDATE:
                self._cand_keys.add(key)
            learnt.append(known)
        return learnt

    def _categorise_many(self, new: list[bytes], keys: list[bytes], buf: bytes) -> list[_KeyInfo]:
        """Full categorisation. The regex work runs once over all keys joined, so the regex
        engine walks the characters; Python only looks at the groups it returns per key."""
        joined = b"\n".join(key[:_MAX_LINE] for key in new).decode("utf-8", "replace")
        if "\r" in joined:
            joined = joined.replace("\r\n", "\n").removesuffix("\r")
        texts = joined.split("\n")
        heads = _HEADS.findall("\n" + joined)
        if len(heads) != len(texts) or len(texts) != len(new):  # never expected; stay exact
            return [self._categorise_many([key], keys, buf)[0] for key in new]
        ends = list(map(add, accumulate(map(len, texts)), count()))
        with_keyword = {bisect_right(ends, m.start()) for m in self._keyword_re.finditer(joined)}
        infos: list[_KeyInfo] = []
        unknown: list[int] = []
        for index, (text, (head, spam, level, name)) in enumerate(zip(texts, heads, strict=True)):
            if not head:
                kind = Kind.BLANK if not text.strip() else Kind.CONTINUATION
                infos.append(_KeyInfo(kind, False, False, None))
                continue
            bare = not name and not level and not spam
            noise_name = bool(name) and name in self._masked_noise
            named = bool(name) and name in self._masked_names
            if named and name in self._masked_needles:
                named = any(needle in text for needle in self._masked_needles[name])
            if named or index in with_keyword:
                layout = layout_of(text)
                header = (
                    not name
                    and layout is not None
                    and text.startswith(HEADER_KEYWORDS, layout.body_start)
                )
                infos.append(_KeyInfo(Kind.CANDIDATE, bare, noise_name, None, layout, header))
            elif (name and name in self._masked_lifecycle) or (bare and QUEUE_LISTING.match(text)):
                infos.append(_KeyInfo(Kind.SILENT, bare, noise_name, None))
            elif noise_name:
                infos.append(_KeyInfo(Kind.NOISE, bare, True, None))
            else:
                infos.append(_KeyInfo(Kind.UNKNOWN, bare, False, None))
                unknown.append(index)
        where: _LinePositions | None = None
        for index, shape in zip(unknown, shapes_of([texts[i] for i in unknown]), strict=True):
            infos[index].shape = shape
            if shape not in self._stats.shapes:
                where = where or _LinePositions(keys)
                self._note_shape(shape, where.original(new[index], buf))
        return infos

    # -- the slow path: candidates, and every line while a HUD notification is open --------
    def _slow(self, raw: bytes, info: _KeyInfo, offset: int, events: list[ParsedEvent]) -> None:
        if len(raw) > _MAX_LINE:
            raw = raw[:_MAX_LINE]
            self._stats.truncated_lines += 1
        text = raw.decode("utf-8", "replace").rstrip("\r")
        pending = self._pending
        if pending is not None:
            if info.kind in (Kind.CONTINUATION, Kind.BLANK) or info.bare:
                self._stitch(pending, info, text, events)
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
            self._pending = _PendingHud(entry.timestamp, offset, entry.body, [text], 1)
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
        self, pending: _PendingHud, info: _KeyInfo, text: str, events: list[ParsedEvent]
    ) -> None:
        if info.kind is Kind.BLANK:
            self._stats.blank += 1
        elif info.kind is Kind.CONTINUATION:
            self._stats.continuation += 1
        else:
            self._stats.structured += 1
            pending.structured_lines += 1
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

    def _count_unclassified(self, info: _KeyInfo, text: str) -> None:
        if info.noise_name:
            self._stats.noise += 1
            return
        if info.shape is None:
            info.shape = shape_of(_mask(text))
        self._stats.unknown_lines += 1
        self._note_shape(info.shape, text)
        self._stats.shapes[info.shape].count += 1

    def _note_shape(self, shape: str, sample: str) -> None:
        if shape not in self._stats.shapes:
            self._stats.shapes[shape] = ShapeStat(shape, 0, scrub_text(sample))

    def _fold_counts(self) -> None:
        """Move the per-key counters of the memo into the stats (before a memo reset)."""
        stats = self._stats
        infos = [*self._memo.values(), *self._transient]
        self._transient.clear()
        for info in infos:
            n, info.count = info.count, 0
            if not n:
                continue
            kind = info.kind
            if kind is Kind.BLANK:
                stats.blank += n
            elif kind is Kind.CONTINUATION:
                stats.continuation += n
            else:
                stats.structured += n
                if kind is Kind.NOISE:
                    stats.noise += n
                elif kind is Kind.SILENT:
                    stats.silent += n
                elif kind is Kind.UNKNOWN and info.shape is not None:
                    stats.unknown_lines += n
                    stats.shapes[info.shape].count += n


def parse_line(state: LogParser, line: bytes | str) -> tuple[LogParser, list[ParsedEvent]]:
    """The reducer form: feed one complete line (its ending optional) to `state`."""
    data = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
    if not data.endswith(b"\n"):
        data += b"\n"
    return state, state.feed(data)
