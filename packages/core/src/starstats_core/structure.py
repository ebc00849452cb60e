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


# A contiguous run of [Word] tags ending the line. `[CIG-net]` or `[]` are not tags
# (upstream rule), so they stay in the body. Matched on the last whitespace-separated token
# only: a regex search over the whole line from every position was the slowest step here.
_TAG_RUN = re.compile(r"(?:\[[A-Za-z0-9_]+\])+$")


def _split_tags(rest: str) -> tuple[str, tuple[str, ...]]:
    """The body and the tags of what follows the head of a line."""
    rest = rest.rstrip()
    if not rest.endswith("]"):
        return rest, ()
    cut = max(rest.rfind(" "), rest.rfind("\t")) + 1
    run = _TAG_RUN.search(rest, cut)
    if run is None:
        return rest, ()
    return rest[: run.start()].rstrip(), tuple(run.group(0)[1:-1].split("]["))


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
    rest, tags = _split_tags(line[head.end() :])
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


def parse_head(line: str) -> tuple[str | None, str | None, int] | None:
    """(level, event name, end of head) of a line, or None without a timestamp: the cheap
    part of `parse_structure`, enough to categorise a line."""
    if not line.startswith("<"):
        return None
    head = _HEAD.match(line)
    if head is None:
        return None
    level = head.group("level")
    if level is None and head.group("spam") is not None:
        level = "SPAM"
    return level, head.group("event"), head.end()
