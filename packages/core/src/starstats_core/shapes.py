"""Unknown-line shapes: a line with its variable parts masked, so similar lines group.

The parser builds shapes from lines whose digits are already masked to `0`. A shape replaces
the timestamp with `<TS>`, quoted strings with `"…"`/`'…'`, and every run that starts at a
digit and continues through hex digits, dots and dashes (numbers, ids glued to names, hex,
UUIDs from their first digit on) with `<N>`; runs of spaces become one space.

`shapes_of` masks many lines in one pass per pattern over their joined text, so the regex
engine, not Python, walks the characters: it runs once per distinct line, and on real logs a
quarter to a half of all lines are distinct. Every pattern starts with a literal (digits
are masked to `0` first), which lets the regex engine skip ahead with a fast scan.
"""

import re

MAX_SHAPE = 400
_TS = re.compile(r"\n<[^<>\n]*>")
_DQ = re.compile(r'"[^"\n]*"')
_SQ = re.compile(r"'[^'\n]*'")
_RUN = re.compile(r"0[0-9A-Fa-f.\-]*")
_BLANKS = re.compile(r"  +")
_DIGITS = str.maketrans("0123456789", "0000000000")


def shapes_of(lines: list[str]) -> list[str]:
    """The shape of each line (lines must not contain a newline)."""
    if not lines:
        return []
    text = ("\n" + "\n".join(lines)).translate(_DIGITS)
    text = _TS.sub("\n<TS>", text)
    if '"' in text:
        text = _DQ.sub('"…"', text)
    if "'" in text:
        text = _SQ.sub("'…'", text)
    text = _RUN.sub("<N>", text)
    if "  " in text:
        text = _BLANKS.sub(" ", text)
    return [shape.rstrip()[:MAX_SHAPE] for shape in text[1:].split("\n")]


def shape_of(line: str) -> str:
    """The shape of one line: the same for lines that differ only in ids, numbers or text."""
    return shapes_of([line.replace("\n", " ").rstrip("\r")])[0]
