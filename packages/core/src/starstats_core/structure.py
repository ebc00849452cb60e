"""Pass one of the parser: split a Game.log line into timestamp, level, event name, body, tags.

Shape: `<TIMESTAMP> [SPAM n][LEVEL] <Event Name> body [Tag1][Tag2]`. Level, event name and
tags are optional; an event name may hold one level of nested `<...>`. A line that does not
start with `<timestamp>` is not an entry: it continues the previous one.
"""

import re
from dataclasses import dataclass
from typing import NamedTuple

# Timestamp: anything but '>' inside the first <...> at column 0. Real lines carry
# `2026-05-02T21:14:23.189Z`; validation of the text is the validators' job, not ours.
_HEAD = re.compile(
    r"<(?P<ts>[^<>\r\n]{1,64})>[ \t]*"
    r"(?:\[SPAM (?P<spam>\d+)\][ \t]*)?"
    r"(?:\[(?P<level>[A-Za-z][A-Za-z_]*)\][ \t]+)?"
    r"(?:<(?P<event>(?:[^<>]|<[^<>]*>)+)>)?"
    r"[ \t]*"
)


# A contiguous run of [Word] tags ending the line. `[CIG-net]` or `[]` are not tags
# (upstream rule), so they stay in the body. Matched on the last whitespace-separated token
# only: a regex search over the whole line from every position was the slowest step here.
_TAG_RUN = re.compile(r"(?:\[[A-Za-z0-9_]+\])+$")


def _tags_start(rest: str, end: int) -> int:
    """Where the trailing tag run of rest[:end] starts (end when there is none)."""
    if end == 0 or rest[end - 1] != "]":
        return end
    cut = max(rest.rfind(" ", 0, end), rest.rfind("\t", 0, end)) + 1
    run = _TAG_RUN.search(rest, cut, end)
    return end if run is None else run.start()


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the parts of a line are. Positions are the same in a line and in its copy with
    digits masked, so a layout found once for a masked key serves every line with that key."""

    ts_end: int
    level: str | None
    name_start: int  # -1: no event name
    name_end: int
    body_start: int
    body_end: int
    tags_end: int


class Entry(NamedTuple):
    """One structured log line (or, for stitched HUD notifications, several joined by \\n).

    A NamedTuple, not a dataclass: one is built per candidate line, and frozen dataclasses
    construct several times slower."""

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
    level = head.group("level")
    if level is None and head.group("spam") is not None:
        level = "SPAM"
    end = len(line.rstrip())
    body_start = min(head.end(), end)
    tags_at = _tags_start(line, end) if end > body_start else end
    body_end = tags_at
    while body_end > body_start and line[body_end - 1] in " \t":
        body_end -= 1
    return Layout(
        ts_end=head.end("ts"),
        level=level,
        name_start=head.start("event"),
        name_end=head.end("event"),
        body_start=body_start,
        body_end=body_end,
        tags_end=end if tags_at < end else -1,
    )


def entry_at(line: str, layout: Layout) -> Entry:
    """The entry of `line` laid out as `layout` (found on this line or on its masked key)."""
    tags: tuple[str, ...] = ()
    if layout.tags_end >= 0:
        start = (
            layout.body_end
            + len(line[layout.body_end : layout.tags_end])
            - len(line[layout.body_end : layout.tags_end].lstrip())
        )
        tags = tuple(line[start + 1 : layout.tags_end - 1].split("]["))
    return Entry(
        line[1 : layout.ts_end],
        layout.level,
        line[layout.name_start : layout.name_end] if layout.name_start >= 0 else None,
        line[layout.body_start : layout.body_end],
        tags,
        line,
    )


def parse_structure(line: str) -> Entry | None:
    """Split one line (without its line ending) into an `Entry`; None if it has no timestamp."""
    layout = layout_of(line)
    return None if layout is None else entry_at(line, layout)


def parse_head(line: str) -> tuple[str | None, str | None, int] | None:
    """(level, event name, where the body starts) of a line, or None without a timestamp."""
    layout = layout_of(line)
    if layout is None:
        return None
    name = line[layout.name_start : layout.name_end] if layout.name_start >= 0 else None
    return layout.level, name, layout.body_start
