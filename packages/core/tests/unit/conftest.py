"""Shared test helpers for core unit tests."""

import pytest

from starstats_core.classify import classify_entry
from starstats_core.events.base import BaseEvent
from starstats_core.structure import parse_structure


def classify_line(line: str) -> BaseEvent | None:
    """Structural pass then classify pass on one line, with no parser state."""
    entry = parse_structure(line)
    return None if entry is None else classify_entry(entry)


@pytest.fixture(name="classify")
def classify_fixture() -> object:
    return classify_line
