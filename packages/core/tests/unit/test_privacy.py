"""scrub_text's shortcut (no cue, no regex) gives exactly what running every pattern gives."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from starstats_core.privacy import scrub_all, scrub_text

from .conftest import corpus_files

PII_LINES = [
    "Executable: C:\\Users\\jane.doe\\Games\\StarCitizen.exe",
    "path c:/users/Bob/AppData/x",
    "D:\\Documents and Settings\\bob\\x",
    "/home/alice/.wine/drive_c",
    "/Users/carol/Library",
    "username Jane signedIn 1",
    "network hostname: DESKTOP-1234",
    "Hostname   box",
    "ip: 192.168.1.20 and 10.0.0.7 and 172.20.1.1 and 169.254.3.4",
]

FRAGMENTS = st.sampled_from(
    [
        " ",
        "C:",
        "\\",
        "/",
        "Users",
        "users",
        "home",
        "username ",
        "HOSTNAME",
        "hostname:",
        "10.",
        "192.168.",
        "172.16.",
        "169.254.",
        "1",
        "0",
        ".",
        "bob",
        "x",
        "Documents and Settings",
    ]
)


@pytest.mark.parametrize("line", PII_LINES)
def test_pii_is_scrubbed_as_by_the_core(line: str) -> None:
    assert scrub_text(line) == scrub_all(line) != line


@given(st.lists(FRAGMENTS | st.text(max_size=5), max_size=30).map("".join))
def test_any_text_scrubs_like_the_core(text: str) -> None:
    assert scrub_text(text) == scrub_all(text)


def test_synthesized_lines_scrub_like_the_full_path() -> None:
    from starstats_core.synth import synthesize_log

    for line in synthesize_log(seed=5, sessions=2, lines_per_session=2000):
        assert scrub_text(line) == scrub_all(line)


def test_real_corpus_lines_scrub_like_the_full_path() -> None:
    files: list[Path] = corpus_files()
    changed = 0
    for path in files:
        for line in path.read_bytes().decode("utf-8", "replace").splitlines():
            scrubbed = scrub_text(line)
            assert scrubbed == scrub_all(line)
            changed += scrubbed != line
    assert changed > 0  # the corpus has PII (user names, host names): the slow path ran
