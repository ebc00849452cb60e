"""The journey: a player's events folded into facts (sessions, places, legs, ships, lives,
combat, contracts, trades) and the answers built from them (totals, records)."""

from starstats_core.journey.facts import (
    FACT_KINDS,
    Contract,
    Death,
    Fact,
    Kill,
    Leg,
    Life,
    Session,
    Stint,
    Stop,
    Stretch,
    Trade,
)
from starstats_core.journey.fold import JourneyFold
from starstats_core.journey.instants import order_key
from starstats_core.journey.summary import (
    TOTAL_KEYS,
    add_totals,
    journey_document,
    session_totals,
)

__all__ = [
    "FACT_KINDS",
    "TOTAL_KEYS",
    "Contract",
    "Death",
    "Fact",
    "JourneyFold",
    "Kill",
    "Leg",
    "Life",
    "Session",
    "Stint",
    "Stop",
    "Stretch",
    "Trade",
    "add_totals",
    "journey_document",
    "order_key",
    "session_totals",
]
