"""Pass one of the parser: split a Game.log line into timestamp, level, event name, body, tags.

Shape: `<TIMESTAMP> [SPAM n][LEVEL] <Event Name> body [Tag1][Tag2]`. Level, event name and
tags are optional; an event name may hold one level of nested `<...>`. A line that does not
start with `<timestamp>` is not an entry: it continues the previous one.
"""

import re
from typing import NamedTuple

# Timestamp: anything but '>' inside the first <...> at column 0. Real lines carry
# `2026-05-02T21:14:23.189Z`; validation of the text is the validators' job, not ours.
_HEAD = re.compile(
    r"<(?P<ts>[^<>\r\n]{1,64})>[ \t]*"
    r"(?:\[SPAM (?P<spam>\d+)\][ \t]*)?"
    r"(?:\[(?P<level>[A-Za-z][A-Za-z_]*)\][ \t]+)?"
    # `(?:[^<>]|<[^<>]*>)+` unrolled: same language, twice as fast in the regex engine.
    r"(?:<(?!>)(?P<event>[^<>]*(?:<[^<>]*>[^<>]*)*)>)?"
    r"[ \t]*"
)


# A contiguous run of [Word] tags ending the line. `[CIG-net]` or `[]` are not tags
# (upstream rule), so they stay in the body. Matched on the last whitespace-separated token
# only: a regex search over the whole line from every position was the slowest step here.
_TAG_RUN = re.compile(r"(?:\[[A-Za-z0-9_]+\])+$")


def _tags_start(line: str, end: int) -> int:
    """Where the trailing tag run of line[:end] starts (end when there is none)."""
    if end == 0 or line[end - 1] != "]":
        return end
    cut = max(line.rfind(" ", 0, end), line.rfind("\t", 0, end)) + 1
    run = _TAG_RUN.search(line, cut, end)
    return end if run is None else run.start()


class Layout(NamedTuple):
    """Where the parts of a line are. Positions are the same in a line and in its copy with
    digits masked, so a layout found once for a masked key serves every line with that key.
    (NamedTuples, here and for `Entry`: one is built per candidate line, and frozen
    dataclasses construct several times slower.)"""

    ts_end: int
    level: str | None
    name_start: int  # -1: no event name
    name_end: int
    body_start: int
    body_end: int
    tags_start: int  # -1: no tags
    tags_end: int


class Entry(NamedTuple):
    """One structured log line (or, for stitched HUD notifications, several joined by \\n)."""

    timestamp: str
    level: str | None
    name: str | None
    body: str
    tags: tuple[str, ...]
    line: str


def layout_of(line: str) -> Layout | None:
    """The layout of one line (without its line ending); None if it has no timestamp."""
    if not line.startswith("<"):
        return None
    head = _HEAD.match(line)
    if head is None:
        return None
    ts_end, spam, level, (name_start, name_end) = (
        head.end(1),
        head.group(2),
        head.group(3),
        head.span(4),
    )
    if level is None and spam is not None:
        level = "SPAM"
    end = len(line.rstrip())
    body_start = min(head.end(), end)
    tags_at = _tags_start(line, end) if end > body_start else end
    body_end = body_start + len(line[body_start:tags_at].rstrip())
    if tags_at < end:
        return Layout(ts_end, level, name_start, name_end, body_start, body_end, tags_at, end)
    return Layout(ts_end, level, name_start, name_end, body_start, body_end, -1, -1)


def entry_at(line: str, layout: Layout) -> Entry:
    """The entry of `line` laid out as `layout` (found on this line or on its masked key)."""
    ts_end, level, name_start, name_end, body_start, body_end, tags_start, tags_end = layout
    return Entry(
        line[1:ts_end],
        level,
        line[name_start:name_end] if name_start >= 0 else None,
        line[body_start:body_end],
        tuple(line[tags_start + 1 : tags_end - 1].split("][")) if tags_start >= 0 else (),
        line,
    )


def parse_structure(line: str) -> Entry | None:
    """Split one line (without its line ending) into an `Entry`; None if it has no timestamp."""
    layout = layout_of(line)
    return None if layout is None else entry_at(line, layout)
