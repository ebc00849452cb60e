"""Class-name tokens: removing entity ids and turning engine identifiers into words.

The game names things `MAKER_Model_Variant_<entity id>`; these helpers split such names into
tokens, drop ids, GUIDs and bracketed debris, and join what is left as readable text.
"""

import re
from functools import lru_cache

# An entity id is a run of 9+ digits (GEIDs in real logs have 12-13); shorter trailing
# numbers (`_01`, `_S02`, `Serverblade_1`) are part of a class name and stay.
# The `_<id>` suffix of `_TRAILING_ID`'s shape, `^(.+?)_\d{9,}(?:\[\d+\])?$`, read after the
# last `_` (the suffix holds no other `_`): the lazy pattern backtracks over the whole name.
_ID_SUFFIX = re.compile(r"\d{9,}(?:\[\d+\])?").fullmatch
_BRACKETED_ID = re.compile(r"\[\d+\]$")
_ID_RUN = re.compile(r"\d{9,}")
_GUID = re.compile(
    r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?"
)
_BRACKETED = re.compile(r"\[[^\]]*\]")
_SEPARATORS = re.compile(r"[_\s\-./:@\[\]{}()<>\"'`|,;]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SIZE = re.compile(r"^[sS]0*(\d{1,2})$")
# After `str.lower()` no ASCII capital is left, so "ASCII and alphanumeric" is `[a-z0-9]`.
_NOT_SQUASHED = re.compile(r"[^a-z0-9]+")


def strip_entity_id(class_name: str) -> str:
    """`AEGS_Avenger_Titan_2741024526900` -> `AEGS_Avenger_Titan`.

    Removes a trailing `_<9+ digits>` (and a `[<digits>]` echo of it); short trailing
    numbers that belong to the class (`_01`, `_S02`, `Serverblade_1`) are kept. Never raises.
    """
    # A trailing id is cut here, uncached: names carry a new id on almost every line, so a
    # cache of them only missed (and a miss cost twice this function's own work).
    text = class_name.strip()
    cut = text.rfind("_")
    if cut >= 1:
        tail = text[cut + 1 :]
        # `tail.isdecimal()` is what `\d` matches (Unicode Nd): a plain id is told without
        # the regex, which runs only for a bracketed echo (its first nine are digits too).
        # `.` in the pattern stops at a line break: a name with one before the id kept it.
        if (
            len(tail) >= 9
            and tail[:9].isdecimal()
            and (tail.isdecimal() or _ID_SUFFIX(tail) is not None)
            and text.find("\n", 0, cut) < 0
        ):
            return text[:cut]
    return _without_inner_id(text)


@lru_cache(maxsize=4096)
def _without_inner_id(text: str) -> str:
    """The rest of `strip_entity_id`, for names without a trailing id: those repeat."""
    return _BRACKETED_ID.sub("", text) if _ID_RUN.search(text) else text


def tokens(raw: str) -> list[str]:
    """The non-empty tokens of `raw`: split at `_`, `-`, spaces and punctuation, with entity
    ids, GUIDs and `[bracketed]` debris removed. CamelCase is not split here."""
    text = _GUID.sub(" ", _BRACKETED.sub(" ", raw))
    return [t for t in _SEPARATORS.split(text) if t and not _ID_RUN.fullmatch(t)]


def split_camel(token: str) -> list[str]:
    """`LaserRepeater` -> [`Laser`, `Repeater`]; `NewBabbage` -> [`New`, `Babbage`]."""
    return [part for part in _CAMEL.split(token) if part]


def size_of(token: str) -> int | None:
    """The size in a size token (`S02`, `s2`) or None when `token` is not one."""
    match = _SIZE.match(token)
    return int(match.group(1)) if match else None


def word(token: str) -> str:
    """One token as a word: all-lower tokens are capitalised, others kept as written."""
    return token[:1].upper() + token[1:] if token.islower() else token


def prettify(raw: str, *, camel: bool = True) -> str:
    """Any identifier as words: `Hangar_LargeTop_Orison` -> `Hangar Large Top Orison`.

    Text that already reads as words (has spaces, no `_`) is returned trimmed. The result
    is never empty: an input with nothing readable gives `unknown`."""
    text = raw.strip()
    if " " in text and "_" not in text and not _ID_RUN.search(text):
        return " ".join(text.split())
    parts: list[str] = []
    for token in tokens(text):
        parts.extend(split_camel(token) if camel else [token])
    return " ".join(word(p) for p in parts) or "unknown"


def slug(text: str) -> str:
    """A stable lower-case key: `Everus Harbor` -> `everus-harbor`."""
    return "-".join(t.lower() for t in tokens(text.replace("&", " and "))) or "unknown"


def squash(text: str) -> str:
    """Lower-case letters and digits only, the form names are looked up by
    (`Port Tressler`, `PortTressler` and `port_tressler` all give `porttressler`)."""
    return _NOT_SQUASHED.sub("", text.lower())
