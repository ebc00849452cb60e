"""Pass one of the parser: split a Game.log line into timestamp, level, event name, body, tags.

Shape: `<TIMESTAMP> [SPAM n][LEVEL] <Event Name> body [Tag1][Tag2]`. Level, event name and
tags are optional; an event name may hold one level of nested `<...>`. A line that does not
start with `<timestamp>` is not an entry: it continues the previous one.
"""

import re
from dataclasses import dataclass

# Timestamp: anything but '>' inside the first <...> at column 0. Real lines carry
# `2026-05-02T21:14:23.189Z`; validation of the text is the validators' job, not ours.
_HEAD = re.compile(
    r"<(?P<ts>[^<>\r\n]{1,64})>[ \t]*"
    r"(?:\[SPAM (?P<spam>\d+)\][ \t]*)?"
    r"(?:\[(?P<level>[A-Za-z][A-Za-z_]*)\][ \t]+)?"
    r"(?:<(?P<event>(?:[^<>]|<[^<>]*>)+)>)?"
    r"[ \t]*"
)
# A contiguous run of [Word] tags at the very end of the line. `[CIG-net]` or `[]` are not
# tags (upstream rule), so they stay in the body.
_TAGS = re.compile(r"[ \t]*((?:\[[A-Za-z0-9_]+\])+)[ \t]*$")
_TAG = re.compile(r"\[([A-Za-z0-9_]+)\]")


@dataclass(frozen=True, slots=True)
class Entry:
    """One structured log line (or, for stitched HUD notifications, several joined by \\n)."""

    timestamp: str
    level: str | None
    name: str | None
    body: str
    tags: tuple[str, ...]
    line: str


def parse_structure(line: str) -> Entry | None:
    """Split one line (without its line ending) into an `Entry`; None if it has no timestamp."""
    if not line.startswith("<"):
        return None
    head = _HEAD.match(line)
    if head is None:
        return None
    rest = line[head.end() :]
    tags: tuple[str, ...] = ()
    tail = _TAGS.search(rest)
    if tail is not None:
        tags = tuple(_TAG.findall(tail.group(1)))
        rest = rest[: tail.start()]
    level = head.group("level")
    if level is None and head.group("spam") is not None:
        level = "SPAM"
    return Entry(
        timestamp=head.group("ts"),
        level=level,
        name=head.group("event"),
        body=rest.strip(),
        tags=tags,
        line=line,
    )


def event_name_of(line: str) -> str | None:
    """Just the event name of a line, or None (cheaper than a full `parse_structure`)."""
    head = _HEAD.match(line)
    return None if head is None else head.group("event")
