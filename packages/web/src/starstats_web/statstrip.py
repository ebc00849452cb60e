"""The journey overview's stat strip: the numbers a player looks for first, each with a tone
(its colour) and a note that says what the number means when it is not obvious. Pure."""

from dataclasses import dataclass

from starstats_web import api_models as m
from starstats_web import present


@dataclass(frozen=True)
class Stat:
    name: str
    value: str
    note: str | None = None
    tone: str = ""  # accent, amber, danger, success, violet: a class in app.css


def journey_strip(totals: m.TotalsOut, previous: m.TotalsOut | None, window: str) -> list[Stat]:
    """The journey totals of the chosen window. Each number is compared with the window
    before only when the player played in it (`previous` is then given): no fake zero."""
    before = "the day before" if window == "24 h" else f"the {window} before"

    def versus(now: float, then: float | None, shown: str) -> str | None:
        if then is None:
            return None
        arrow = "▲" if now > then else "▼" if now < then else "="
        return f"{arrow} {shown} {before}"

    p = previous
    ended = totals.contracts_completed + totals.contracts_failed + totals.contracts_abandoned
    rate = f"{totals.contracts_completed / ended:.0%} completed" if ended else "none ended"
    if totals.kills is None:
        # 4.4+ logs carry no kill lines: "0" would be a lie, so say why there is no number.
        kills = Stat("Kills", "not logged", "kills are not logged since 4.4")
    else:
        kills = Stat(
            "Kills",
            present.count(totals.kills),
            versus(totals.kills, p.kills if p else None, present.count(p.kills if p else 0)),
            "success",
        )
    profit = totals.trade_profit
    return [
        Stat(
            "Play time",
            present.duration(totals.play_seconds),
            versus(
                totals.play_seconds,
                p.play_seconds if p else None,
                present.duration(p.play_seconds if p else 0),
            )
            or present.plural(totals.sessions, "session"),
            "accent",
        ),
        Stat(
            "In the verse",
            present.duration(totals.pu_seconds),
            f"{present.duration(totals.ship_seconds)} at the controls",
            "violet",
        ),
        Stat(
            "Quantum legs",
            present.count(totals.quantum_legs),
            versus(
                totals.quantum_legs,
                p.quantum_legs if p else None,
                present.count(p.quantum_legs if p else 0),
            )
            or (present.plural(totals.jumps, "jump") + " between systems"),
            "accent",
        ),
        Stat("Contracts", present.count(ended), rate, "success"),
        Stat(
            "Trade profit",
            f"{'+' if profit > 0 else '−' if profit < 0 else ''}{abs(profit):,.0f}",
            "aUEC, earned − spent",
            "success" if profit >= 0 else "danger",
        ),
        Stat(
            "Deaths",
            present.count(totals.deaths),
            versus(totals.deaths, p.deaths if p else None, present.count(p.deaths if p else 0)),
            "danger",
        ),
        kills,
    ]
