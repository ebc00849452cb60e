"""Game versions and whether their logs carry combat lines."""

import pytest

from starstats_core.versions import GameVersion, logs_combat, parse_version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4.1.147.53417", GameVersion(4, 1, 147)),
        ("sc-alpha-4.7.0", GameVersion(4, 7, 0)),
        ("3.24", GameVersion(3, 24, 0)),
        ("", None),
        (None, None),
        ("no version here", None),
    ],
)
def test_versions_are_read_from_file_version_or_branch(
    text: str | None, expected: GameVersion | None
) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("3.23.1", False),  # no kill lines before 3.24
        ("3.24.0", True),
        ("4.1.147", True),
        ("4.3.158", True),
        ("4.4.0", False),  # removed "to reduce griefing"
        ("4.7.178", False),
    ],
)
def test_combat_lines_exist_only_from_3_24_to_4_3(version: str, expected: bool) -> None:
    assert logs_combat(parse_version(version)) is expected


def test_an_unknown_version_gives_no_answer() -> None:
    assert logs_combat(None) is None
