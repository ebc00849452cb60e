"""What a classification rule is: a pure function from one structured entry to an event.

Family modules (`classify/<family>.py`) export two tables that the classifier merges:
`NAME_RULES` (dispatch on the exact event name) and `KEYWORD_RULES` (body substrings,
tried in order for lines whose event name has no rule); optionally `NAME_NEEDLES`,
`SILENT_KEYWORDS` and `SILENT_KEYS` (below).
"""

import re
from collections.abc import Callable, Mapping, Sequence

from starstats_core.events.base import BaseEvent
from starstats_core.structure import Entry

Rule = Callable[[Entry], BaseEvent | None]
NameRules = Mapping[str, Rule]
KeywordRules = Sequence[tuple[str, Rule]]
# Optional per-name prefilter: the rule for that name can only match lines containing one
# of these substrings (no digits). Lines of a chatty event name without them are never
# candidates, so the parser skips them at C speed. A needle must be a necessary condition.
NameNeedles = Mapping[str, tuple[str, ...]]
# Optional: keywords (each also in the family's KEYWORD_RULES, no digits) whose lines are
# recognised even when their rule returns no event, because the line itself says nothing
# happened (a planet-cell dump line with 0 cells). Such a line is counted silent, not unknown.
# Decided by value, not by key: `0` and `7` cells mask to the same key.
SilentKeywords = Sequence[str]
# Optional: patterns over the digit-masked line for lines of a SILENT_KEYWORDS keyword that
# can be known silent from their key alone, so they are counted in bulk and never reach the
# rule (the common empty case, kept off the slow path for speed: ADR 0001).
SilentKeys = Sequence[re.Pattern[str]]


def word_search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)`, accepting only a match that starts a word.

    The same as a leading `\\b` on a pattern that starts with a word character, but the
    pattern keeps its literal prefix, which the regex engine finds with a fast scan: with
    `\\b` in front, these searches were 15-30 times slower.
    """
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start = m.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):
            return m
        pos = start + 1
    return None
