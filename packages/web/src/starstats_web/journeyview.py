"""The journey API's answers shaped for pages: times parsed, play time per day for the
heatmap, contracts by kind, records and deaths in words, and a session's story as rows and
as the very text `starstats-client journey --format text` prints. Pure: no I/O.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from starstats_core import names
from starstats_core.journey.story import session_story
from starstats_web import api_models as m
from starstats_web import present

# Death causes as a card lists them (the story's own wording is core's `story`).
CAUSES = {
    "combat": "Killed in combat",
    "crash": "Crashed",
    "collision": "Collision",
    "suicide": "Self-inflicted",
    "backspace": "Respawned by choice",
    "incapacitation": "Went down, not revived",
    "environment": "The environment",
    "unknown": "Cause not logged",
}
CONTRACT_KINDS_SHOWN = 8

StoryFact = m.StopFact | m.LegFact | m.StintFact | m.LifeFact | m.DeathFact | m.KillFact
AnyFact = StoryFact | m.ContractFact | m.TradeFact | m.StretchFact


def parse_at(text: str | None) -> datetime | None:
    """A fact's time (`2026-12-07T18:58:55.831Z`) as an aware datetime; None stays None."""
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def session_title(session: m.SessionFact) -> str:
    """`Session of 7 Dec 2026, 18:58 UTC`."""
    at = parse_at(session.started_at)
    return "Session of " + (f"{present.day(at)}, {at:%H:%M} UTC" if at else "an unknown day")


def death_causes(combat: m.CombatSummaryOut | m.CombatOut) -> list[tuple[str, int]]:
    return [(CAUSES.get(c.cause or "unknown", "Other"), c.count) for c in combat.deaths_by_cause]


@dataclass(frozen=True)
class KindRow:
    kind: str
    completed: int
    failed: int
    abandoned: int
    open: int

    @property
    def rate(self) -> str:
        ended = self.completed + self.failed + self.abandoned
        return f"{self.completed / ended:.0%}" if ended else "—"


def contract_kinds(rows: Sequence[m.ContractKindOut]) -> list[KindRow]:
    """The API's outcomes per contract kind (most missions first) in words."""
    return [
        KindRow(r.kind.replace("_", " ").capitalize(), r.completed, r.failed, r.abandoned,
                r.in_progress)
        for r in rows[:CONTRACT_KINDS_SHOWN]
    ]  # fmt: skip


@dataclass(frozen=True)
class Record:
    name: str
    value: str
    detail: str | None
    session_id: str | None


def records(found: m.RecordsOut) -> list[Record]:
    """The player's bests in words, each with the session it happened in where known."""
    shown: list[Record] = []

    def add(name: str, record: m.RecordOut | None, value: str, detail: str | None = None) -> None:
        if record is not None:
            shown.append(Record(name, value, detail, record.session_id))

    r = found
    if r.longest_session:
        add("Longest session", r.longest_session, present.duration(r.longest_session.value))
    if r.longest_life:
        add("Longest life", r.longest_life, present.duration(r.longest_life.value))
    if r.most_quantum_legs:
        add("Most quantum legs", r.most_quantum_legs, f"{r.most_quantum_legs.value:,.0f}")
    if r.most_contracts_completed:
        value = f"{r.most_contracts_completed.value:,.0f}"
        add("Most contracts completed", r.most_contracts_completed, value)
    if r.biggest_sale:
        add("Biggest sale", r.biggest_sale, money(r.biggest_sale.value), r.biggest_sale.label)
    if r.most_time_in_one_ship:
        ship = r.most_time_in_one_ship
        add("Most time in one ship", ship, present.duration(ship.value), ship.label)
    return shown


def money(amount: float, *, signed: bool = False) -> str:
    """`1,067,040 aUEC`; signed: `+1,067,040 aUEC`, a loss with a minus sign."""
    sign = ("+" if amount > 0 else "−" if amount < 0 else "") if signed else ""
    return f"{sign}{abs(amount) if signed else amount:,.0f} aUEC"


# -- a session's story ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StoryRow:
    at: datetime | None
    kind: str  # the fact's kind (its colour), or "session" for the launch and the end
    text: str
    seconds: float | None


# The order the CLI's document hands `session_story` a session's facts in (its
# `_session_facts`). `session_story` sorts by time and keeps this order between facts of the
# same instant, so the web must give the same order to tell the same text.
_CLI_ORDER = {
    kind: rank
    for rank, kind in enumerate(
        ("stretch", "stop", "stint", "leg", "death", "kill", "trade", "contract", "life")
    )
}


def _dicts(story: m.SessionStoryOut) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    session = story.session.model_dump(mode="json")
    facts = [*(session.get("stretches") or []), *(f.model_dump(mode="json") for f in story.facts)]
    facts.sort(key=lambda f: (_CLI_ORDER.get(f["kind"], len(_CLI_ORDER)), f["n"]))
    return session, facts


def story_text(story: m.SessionStoryOut) -> str:
    """The session exactly as `starstats-client journey --format text` tells it."""
    session, facts = _dicts(story)
    return "\n".join(session_story(session, facts)) + "\n"


def story_rows(story: m.SessionStoryOut) -> list[StoryRow]:
    """The story line by line with each fact's kind and duration. Each fact's words come
    from core's `session_story` told with that fact alone (its lines between the launch and
    the end), so the page and the copied text can never say different things."""
    session, facts = _dicts(story)
    lines = session_story(session, [])
    rows = [StoryRow(parse_at(session.get("started_at")), "session", _words(lines[0]), None)]
    for fact in sorted(facts, key=lambda f: f.get("started_at") or f.get("ended_at") or ""):
        told = session_story(session, [fact])[1:-1]
        for line in told:
            at = parse_at(fact.get("started_at") or fact.get("ended_at"))
            rows.append(StoryRow(at, fact["kind"], _words(line), fact.get("seconds")))
    rows.append(
        StoryRow(
            parse_at(session.get("ended_at")), "session", _words(lines[-1]), story.session.seconds
        )
    )
    return rows


def _words(line: str) -> str:
    """A story line without its leading date and clock (the page shows the time itself)."""
    rest = line.strip()
    return rest.split("  ", 1)[1] if "  " in rest else rest


def ship_name(name: str | None, ship: str | None) -> str:
    """The API's readable name, or core's reading of the class name when the API had none
    (it then falls back to the class name itself)."""
    if name and name != ship:
        return name
    return names.ship_name(names.strip_entity_id(ship)) if ship else "an unknown ship"


def leg_took(leg: m.LegFact) -> str:
    """How long a leg took, in a table cell."""
    if leg.status != "arrived":
        return "did not arrive"
    if leg.seconds is None:  # a jump-point transit logs its arrival, not its start
        return "jump" if leg.leg_kind == "jump" else "—"
    return present.duration(leg.seconds)


def profit_by_day(trades: Iterable[m.TradeFact]) -> list[tuple[date, float]]:
    """Earned minus spent per UTC day, oldest first, counting the trades the totals count
    (confirmed or submitted)."""
    days: defaultdict[date, float] = defaultdict(float)
    for trade in trades:
        at = parse_at(trade.started_at)
        if at is None or trade.total is None or trade.status not in ("confirmed", "submitted"):
            continue
        days[at.date()] += trade.total if trade.side == "sell" else -trade.total
    return sorted(days.items())
