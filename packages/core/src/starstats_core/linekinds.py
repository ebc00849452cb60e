"""Line kinds: what each distinct line key is, decided once and remembered.

A key is a line with its digits masked (`bytes.translate`), so lines that differ only in
numbers and timestamps share one. `KeyCatalog` categorises new keys in batches (blank,
continuation, noise, unknown with its shape, silent, or candidate for the classifier) and
remembers them up to a fixed number, so memory stays constant. A kind is a pure function of
the key: the parser's results never depend on what the catalog happens to remember.
"""

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from itertools import accumulate, count
from operator import add
from typing import Any

from starstats_core.classify import (
    KEYWORD_RULES,
    NAME_NEEDLES,
    NAME_RULES,
    SILENT_KEYS,
    SILENT_KEYWORDS,
)
from starstats_core.classify.header import HEADER_KEYWORDS
from starstats_core.classify.hud import HUD_EVENT_NAME, LIFECYCLE_NAMES, QUEUE_LISTING
from starstats_core.privacy import scrub_text
from starstats_core.shapes import shapes_of
from starstats_core.stats import ParseStats, ShapeStat
from starstats_core.structure import Layout, layout_of

DIGITS = bytes.maketrans(b"0123456789", b"0000000000")
_DIGITS_STR = str.maketrans("0123456789", "0000000000")
MEMO_LIMIT = 50_000  # distinct keys kept; beyond it the memo restarts (constant memory)
MAX_KEY = 4096  # longer lines are categorised every time instead of remembered
MAX_LINE = 1 << 20  # bytes of one line kept; longer lines are cut (counted, never fatal)


class Kind(IntEnum):
    """What a line is, before (and for non-candidates instead of) classification."""

    BLANK = 0
    CONTINUATION = 1  # no timestamp: continues the previous entry
    NOISE = 2
    UNKNOWN = 3
    SILENT = 4  # recognised, records nothing new (HUD lifecycle, queue listings, empty bodies)
    CANDIDATE = 5  # may produce an event: goes through both passes


def mask(text: str) -> str:
    """`text` with every ASCII digit replaced by `0`: how keys, names and keywords compare."""
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


# A hex run of 16+ characters from a (masked) digit on: ids such as TraceIDs and GUIDs.
_HEX_RUN = re.compile(rb"0[0-9a-f]{15,}")
# The head of every line of a block of lines joined by (and starting with) "\n": (head,
# spam, level, event name); head is empty for a line without a timestamp. Same grammar as
# structure._HEAD; the leading literal newline lets the regex engine jump from line to line.
_HEADS = re.compile(
    r"\n(?:(<[^<>\r\n]{1,64}>[ \t]*(?:\[SPAM (\d+)\][ \t]*)?"
    r"(?:\[([A-Za-z][A-Za-z_]*)\][ \t]+)?(?:<(?!>)([^<>\n]*(?:<[^<>\n]*>[^<>\n]*)*)>)?[ \t]*))?"
)


@dataclass(slots=True)
class KeyInfo:
    """What one key is. Non-candidate infos may be shared by several keys (see
    `KeyCatalog.learn`); `count` is folded into the stats per object, once."""

    kind: Kind
    bare: bool  # timestamped line with neither level nor event name (may continue a HUD)
    noise_name: bool
    shape: str | None
    layout: Layout | None = None  # candidates only: where the parts of the line are
    header: bool = False  # candidates only: may be a header line (no name, header keyword)
    quiet: bool = False  # candidates only: silent, not unknown, when no event comes of it
    count: int = 0


class LinePositions:
    """The real text of the first line with a given key, for keys asked in the order of
    their first occurrence (as new keys come): one forward scan per batch in all."""

    def __init__(self, keys: list[bytes], buf: bytes) -> None:
        self._keys = keys
        self._buf = buf
        self._at = 0  # index of the last line found
        self._pos = 0  # its byte position in buf

    def original(self, key: bytes) -> str:
        """The real (unmasked) text of the first line with this key."""
        keys = self._keys
        index = keys.index(key, self._at)
        self._pos += sum(map(len, keys[self._at : index])) + (index - self._at)
        self._at = index
        raw = self._buf[self._pos : self._pos + min(len(key), MAX_LINE)]
        return raw.decode("utf-8", "replace").rstrip("\r")


class KeyCatalog:
    """Remembered line keys and what they are, for one parser's noise list."""

    def __init__(self, noise: Iterable[str]) -> None:
        self._noise = frozenset(noise)
        self.masked_noise = frozenset(mask(n) for n in noise)
        self._masked_names = frozenset(mask(n) for n in (*NAME_RULES, HUD_EVENT_NAME))
        self._masked_needles = {
            mask(name): tuple(mask(n) for n in needles) for name, needles in NAME_NEEDLES.items()
        }
        keywords = {mask(k) for k in (*(kw for kw, _ in KEYWORD_RULES), *HEADER_KEYWORDS)}
        self._keyword_re = re.compile(_trie_pattern(keywords))
        self._masked_silent = tuple(mask(k) for k in SILENT_KEYWORDS)
        self._silent_keys = tuple(SILENT_KEYS)
        self._masked_lifecycle = frozenset(mask(n) for n in LIFECYCLE_NAMES)
        self.memo: dict[bytes, KeyInfo] = {}
        self.candidates: set[bytes] = set()  # keys of kind CANDIDATE in `memo`
        self._templates: dict[bytes, KeyInfo] = {}  # see learn
        self.transient: list[KeyInfo] = []  # infos of keys too long to remember
        # The first (PII-scrubbed) line of each unknown shape, kept for parsers that share
        # this catalog: they meet known shapes without categorising them again.
        self._samples: dict[str, str] = {}

    def is_for(self, noise: frozenset[str]) -> bool:
        """Whether this catalog was made for `noise`."""
        return self._noise == noise

    def sample(self, shape: str, first_line: Callable[[], str]) -> str:
        """The remembered sample of `shape`, or `first_line()` scrubbed and remembered."""
        known = self._samples.get(shape)
        if known is None:
            if len(self._samples) >= MEMO_LIMIT:
                self._samples.clear()
            known = self._samples[shape] = scrub_text(first_line())
        return known

    def make_room(self, incoming: int, stats: ParseStats) -> None:
        """Forget every key if `incoming` more would pass the limit (counts are kept)."""
        if len(self.memo) + incoming > MEMO_LIMIT:
            self.fold(stats)
            self.memo.clear()
            self.candidates.clear()

    def learn(
        self,
        new: list[bytes],
        keys: list[bytes],
        buf: bytes,
        local: dict[bytes, KeyInfo],
        note_shape: Callable[[str, Callable[[], str]], None],
    ) -> list[KeyInfo]:
        """Categorise keys seen for the first time (each a pure function of its key).

        Many keys differ only in a long hex id (`TraceID: 0dad0b…`, session GUIDs of other
        launches). Such keys share a *template* (the key with each hex run of 16+ characters
        starting at a masked digit collapsed): its category, noise flag and shape are the
        same, since no name, keyword or needle holds such a run and shapes mask the run
        anyway. Only keys with a new template, and candidates (whose layout is per key), are
        categorised in full.
        """
        memo2 = self._templates
        if len(memo2) > MEMO_LIMIT:
            memo2.clear()
        templates = _HEX_RUN.sub(b"#", b"\n".join(new)).split(b"\n")
        firsts: dict[bytes, int] = {}  # each new template is categorised once, via its first key
        for index, template in enumerate(templates):
            if template not in memo2 and template not in firsts:
                firsts[template] = index
        fresh = list(firsts.values())
        fresh_info: dict[int, KeyInfo] = {}
        if fresh:
            full = self._categorise([new[i] for i in fresh], keys, buf, note_shape)
            fresh_info = dict(zip(fresh, full, strict=True))
            for index, info in fresh_info.items():
                memo2[templates[index]] = info
        memo = self.memo
        learnt: list[KeyInfo] = []
        for index, (key, template) in enumerate(zip(new, templates, strict=True)):
            known = fresh_info.get(index) or memo2[template]
            if known.kind is Kind.CANDIDATE and index not in fresh_info:
                # Same flags, but the layout is per key: the slow path finds it itself.
                known = KeyInfo(
                    Kind.CANDIDATE,
                    known.bare,
                    known.noise_name,
                    None,
                    None,
                    known.header,
                    known.quiet,
                )
            # Non-candidates share the template's object: counts fold per object, once.
            if len(key) > MAX_KEY:
                local[key] = known  # not remembered: huge lines would make the memo huge
            else:
                memo[key] = known
                if known.kind is Kind.CANDIDATE:
                    self.candidates.add(key)
            learnt.append(known)
        return learnt

    def _categorise(
        self,
        new: list[bytes],
        keys: list[bytes],
        buf: bytes,
        note_shape: Callable[[str, Callable[[], str]], None],
    ) -> list[KeyInfo]:
        """Full categorisation. The regex work runs once over all keys joined, so the regex
        engine walks the characters; Python only looks at the groups it returns per key."""
        joined = b"\n".join(key[:MAX_LINE] for key in new).decode("utf-8", "replace")
        if "\r" in joined:
            joined = joined.replace("\r\n", "\n").removesuffix("\r")
        texts = joined.split("\n")
        heads = _HEADS.findall("\n" + joined)
        if len(heads) != len(texts) or len(texts) != len(new):  # never expected; stay exact
            return [self._categorise([key], keys, buf, note_shape)[0] for key in new]
        ends = list(map(add, accumulate(map(len, texts)), count()))
        with_keyword = {bisect_right(ends, m.start()) for m in self._keyword_re.finditer(joined)}
        infos: list[KeyInfo] = []
        unknown: list[int] = []
        for index, (text, (head, spam, level, name)) in enumerate(zip(texts, heads, strict=True)):
            if not head:
                kind = Kind.BLANK if not text.strip() else Kind.CONTINUATION
                infos.append(KeyInfo(kind, False, False, None))
                continue
            bare = not name and not level and not spam
            noise_name = bool(name) and name in self.masked_noise
            named = bool(name) and name in self._masked_names
            if named and name in self._masked_needles:
                named = any(needle in text for needle in self._masked_needles[name])
            keyword = index in with_keyword
            if keyword and any(p.search(text) for p in self._silent_keys):
                infos.append(KeyInfo(Kind.SILENT, bare, noise_name, None))
            elif named or keyword:
                layout = layout_of(text)
                header = (
                    not name
                    and layout is not None
                    and text.startswith(HEADER_KEYWORDS, layout.body_start)
                )
                quiet = keyword and any(k in text for k in self._masked_silent)
                infos.append(KeyInfo(Kind.CANDIDATE, bare, noise_name, None, layout, header, quiet))
            elif (name and name in self._masked_lifecycle) or (bare and QUEUE_LISTING.match(text)):
                infos.append(KeyInfo(Kind.SILENT, bare, noise_name, None))
            elif noise_name:
                infos.append(KeyInfo(Kind.NOISE, bare, True, None))
            else:
                infos.append(KeyInfo(Kind.UNKNOWN, bare, False, None))
                unknown.append(index)
        where = LinePositions(keys, buf)

        def sample_of(key: bytes) -> Callable[[], str]:
            return lambda: where.original(key)

        for index, shape in zip(unknown, shapes_of([texts[i] for i in unknown]), strict=True):
            infos[index].shape = shape
            note_shape(shape, sample_of(new[index]))
        return infos

    def fold(self, stats: ParseStats) -> None:
        """Move the per-key counters into `stats` (before forgetting keys, or to report)."""
        infos = [*self.memo.values(), *self.transient]
        self.transient.clear()
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
                    shape = stats.shapes.get(info.shape)
                    if shape is None:  # learnt by an earlier parser sharing this catalog
                        sample = self._samples.get(info.shape, "")
                        shape = stats.shapes[info.shape] = ShapeStat(info.shape, 0, sample)
                    shape.count += n
