"""Game versions, and what each version's Game.log can tell.

Star Citizen wrote kill and vehicle-destruction lines from 3.24 up to 4.3 and removed them
in 4.4 (peers-and-gamelog §0). A statistic about kills must say "not logged by the game"
for later sessions instead of showing zero; `logs_combat` is that test.
"""

import re
from typing import NamedTuple

_VERSION = re.compile(r"(?P<major>\d{1,3})\.(?P<minor>\d{1,3})(?:\.(?P<patch>\d{1,6}))?")


class GameVersion(NamedTuple):
    """major.minor.patch of a game build (`4.1.147` from FileVersion `4.1.147.53417`)."""

    major: int
    minor: int
    patch: int


def parse_version(text: str | None) -> GameVersion | None:
    """The version in a `FileVersion` (`4.7.178.50402`) or `Branch` (`sc-alpha-4.7.0`)."""
    if not text:
        return None
    m = _VERSION.search(text)
    if m is None:
        return None
    return GameVersion(int(m["major"]), int(m["minor"]), int(m["patch"] or 0))


FIRST_COMBAT_LOGS = GameVersion(3, 24, 0)
COMBAT_LOGS_REMOVED = GameVersion(4, 4, 0)


def logs_combat(version: GameVersion | None) -> bool | None:
    """Does a log of this version carry `<Actor Death>` / `<Vehicle Destruction>` lines?
    None when the version is unknown."""
    if version is None:
        return None
    return FIRST_COMBAT_LOGS <= version < COMBAT_LOGS_REMOVED
