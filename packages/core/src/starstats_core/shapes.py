"""Unknown-line shapes: a line with its variable parts masked, so similar lines group.

Masks timestamps, UUIDs, hex, numbers (including ids glued to names) and quoted strings.
The result is what a parser-health view counts and what a new rule would be written for.
Each mask runs only when a cheap substring test says it can match: this runs once per
distinct line, which on real logs is a third of all lines.
"""

import re

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_HEX = re.compile(r"\b0x[0-9A-Fa-f]+\b|\b(?=[0-9A-Fa-f]*\d)[0-9A-Fa-f]{12,}\b")
_DQ = re.compile(r'"[^"]*"')
_SQ = re.compile(r"'[^']*'")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SPACES = re.compile(r"[ \t]{2,}")


def shape_of(line: str) -> str:
    """The shape of one line: the same for lines that differ only in ids, numbers or text."""
    shape = line.rstrip("\r\n")
    if shape.startswith("<"):
        close = shape.find(">")
        if close > 0:
            shape = "<TS>" + shape[close + 1 :]
    if shape.count("-") >= 4:
        shape = _UUID.sub("<UUID>", shape)
    shape = _HEX.sub("<HEX>", shape)
    if '"' in shape:
        shape = _DQ.sub('"…"', shape)
    if "'" in shape:
        shape = _SQ.sub("'…'", shape)
    shape = _NUMBER.sub("<N>", shape)
    if "  " in shape or "\t" in shape:
        shape = _SPACES.sub(" ", shape)
    return shape[:400]
