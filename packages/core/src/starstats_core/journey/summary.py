"""From facts to answers: totals, per-place and per-ship time, contracts merged across
sessions, records, and the whole journey as one JSON-ready document.

Totals are computed per session and added up, so a server that keeps one row per session
and a client that folds a whole log give the same numbers. Kills and vehicle kills are None
for a session whose game version does not log them, and stay None in a sum of such sessions
only ("not logged", never zero).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from starstats_core.journey.facts import (
    Contract,
    Death,
    Fact,
    Kill,
    Leg,
    Life,
    Session,
    Stint,
    Stop,
    Trade,
)

# The totals' keys, in the order they are printed.
TOTAL_KEYS = (
    "sessions",
    "play_seconds",
    "pu_seconds",
    "arena_seconds",
    "menu_seconds",
    "quantum_legs",
    "jumps",
    "ship_seconds",
    "deaths",
    "kills",
    "vehicle_kills",
    "contracts_accepted",
    "contracts_completed",
    "contracts_failed",
    "contracts_abandoned",
    "trade_spent",
    "trade_earned",
    "trade_profit",
)
_NULLABLE = frozenset({"kills", "vehicle_kills"})
_COUNTED_TRADES = frozenset({"confirmed", "submitted"})


def fact_sums(fact: Fact) -> dict[str, float]:
    """What one fact (not a session) adds to its session's totals; kill counts are raw here
    and become None in `totals_of` for a session whose version does not log kills."""
    if isinstance(fact, Leg):
        if fact.status != "arrived":
            return {}
        return {"quantum_legs" if fact.leg_kind == "quantum" else "jumps": 1}
    if isinstance(fact, Stint):
        return {"ship_seconds": fact.seconds}
    if isinstance(fact, Death):
        return {"deaths": 1}
    if isinstance(fact, Kill):
        return {"kills" if fact.target_kind == "actor" else "vehicle_kills": 1}
    if isinstance(fact, Contract):
        found: dict[str, float] = {}
        if fact.accepted_in_session:
            found["contracts_accepted"] = 1
        if f"contracts_{fact.outcome}" in TOTAL_KEYS:
            found[f"contracts_{fact.outcome}"] = 1
        return found
    if isinstance(fact, Trade) and fact.status in _COUNTED_TRADES and fact.total:
        return {"trade_spent" if fact.side == "buy" else "trade_earned": fact.total}
    return {}


def add_sums(into: dict[str, float], part: dict[str, float]) -> None:
    """Add `part` (a `fact_sums`) into `into`."""
    for key, value in part.items():
        into[key] = into.get(key, 0) + value


def totals_of(session: Session, sums: dict[str, float]) -> dict[str, Any]:
    """A session's totals: its own times plus the sums of its other facts."""
    totals: dict[str, Any] = dict.fromkeys(TOTAL_KEYS, 0)
    for key, value in sums.items():
        if key in totals:
            totals[key] = value
    totals["sessions"] = 1
    totals["play_seconds"] = session.seconds
    totals["pu_seconds"] = session.pu_seconds
    totals["arena_seconds"] = session.arena_seconds
    totals["menu_seconds"] = session.menu_seconds
    if not session.combat_logged:
        totals["kills"] = totals["vehicle_kills"] = None
    return _rounded(totals)


def session_totals(session: Session, facts: Iterable[Fact]) -> dict[str, Any]:
    """One session's totals from its facts (every fact with its `session_id`)."""
    sums: dict[str, float] = {}
    for fact in facts:
        if not isinstance(fact, Session):
            add_sums(sums, fact_sums(fact))
    return totals_of(session, sums)


def add_totals(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The sum of several sessions' totals (None + None stays None: not logged)."""
    total: dict[str, Any] = dict.fromkeys(TOTAL_KEYS, 0)
    for key in _NULLABLE:
        total[key] = None
    for part in parts:
        for key in TOTAL_KEYS:
            value = part.get(key)
            if value is None:
                continue
            total[key] = value if total[key] is None else total[key] + value
    return _rounded(total)


def _rounded(totals: dict[str, Any]) -> dict[str, Any]:
    for key in (
        "sessions",
        "quantum_legs",
        "jumps",
        "deaths",
        "contracts_accepted",
        "contracts_completed",
        "contracts_failed",
        "contracts_abandoned",
    ):
        totals[key] = int(totals[key])
    for key in ("kills", "vehicle_kills"):
        if totals[key] is not None:
            totals[key] = int(totals[key])
    for key in ("play_seconds", "pu_seconds", "arena_seconds", "menu_seconds", "ship_seconds"):
        totals[key] = round(float(totals[key]), 3)
    totals["trade_spent"] = round(float(totals["trade_spent"]), 2)
    totals["trade_earned"] = round(float(totals["trade_earned"]), 2)
    totals["trade_profit"] = round(totals["trade_earned"] - totals["trade_spent"], 2)
    return totals


def place_summary(stops: Iterable[Stop]) -> list[dict[str, Any]]:
    """Time and visits per place, most time first."""
    by_place: dict[str, dict[str, Any]] = {}
    for stop in stops:
        row = by_place.get(stop.place)
        if row is None:
            row = by_place[stop.place] = {
                "place": stop.place,
                "name": stop.name,
                "place_kind": stop.place_kind,
                "system": stop.system,
                "seconds": 0.0,
                "visits": 0,
                "first_at": stop.started_at,
                "last_at": stop.ended_at,
                "signals": [],
            }
        row["seconds"] = round(row["seconds"] + stop.seconds, 3)
        row["visits"] += 1
        row["last_at"] = stop.ended_at or stop.started_at
        row["signals"] = sorted({*row["signals"], *stop.signals})
    return sorted(by_place.values(), key=lambda r: (-r["seconds"], r["place"]))


def ship_summary(stints: Iterable[Stint]) -> list[dict[str, Any]]:
    """Time at the controls per ship class, most time first."""
    by_ship: dict[str, dict[str, Any]] = {}
    for stint in stints:
        row = by_ship.get(stint.ship)
        if row is None:
            row = by_ship[stint.ship] = {
                "ship": stint.ship,
                "name": stint.name,
                "seconds": 0.0,
                "stints": 0,
                "legs": 0,
                "first_at": stint.started_at,
                "last_at": stint.ended_at,
            }
        row["seconds"] = round(row["seconds"] + stint.seconds, 3)
        row["stints"] += 1
        row["legs"] += stint.legs
        row["last_at"] = stint.ended_at or stint.started_at
    return sorted(by_ship.values(), key=lambda r: (-r["seconds"], r["ship"]))


def merge_contracts(runs: Iterable[Contract]) -> list[dict[str, Any]]:
    """One run per mission id across sessions: the first start, the last outcome, every
    objective; in the order the contracts started."""
    merged: dict[str, dict[str, Any]] = {}
    for run in sorted(runs, key=lambda r: (r.started_at or "", r.n)):
        data = run.to_dict()
        row = merged.get(run.mission_id)
        if row is None:
            data["sessions"] = [run.session_id]
            merged[run.mission_id] = data
            continue
        row["sessions"].append(run.session_id)
        for key in ("title", "contract", "generator", "reward"):
            row[key] = row[key] if row[key] is not None else data[key]
        if row["contract_kind"] == "other":
            row["contract_kind"] = data["contract_kind"]
        if data["outcome"] != "in_progress":
            row["outcome"], row["outcome_by"] = data["outcome"], data["outcome_by"]
        row["ended_at"] = data["ended_at"]
        row["accepted_in_session"] = row["accepted_in_session"] or data["accepted_in_session"]
        row["evidence"] = (row["evidence"] + data["evidence"])[: len(row["evidence"]) + 16]
        row["evidence_count"] += data["evidence_count"]
        known = {o["objective_id"]: o for o in row["objectives"]}
        for objective in data["objectives"]:
            if objective["objective_id"] in known:
                mine = known[objective["objective_id"]]
                mine["state"] = objective["state"]
                mine["history"] += objective["history"]
                mine["text"] = mine["text"] or objective["text"]
            else:
                row["objectives"].append(objective)
    return list(merged.values())


def _best(rows: Sequence[Any], value: Any) -> Any:
    best = None
    for row in rows:
        if value(row) is not None and (best is None or value(row) > value(best)):
            best = row
    return best


def records(
    sessions: Sequence[tuple[Session, dict[str, Any]]],
    lives: Sequence[Life],
    trades: Sequence[Trade],
    ships: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """The player's bests: longest session and life, most quantum legs and completed
    contracts in one session, biggest sale, most time in one ship (None where none)."""

    def session_record(value: Any, unit: str) -> dict[str, Any] | None:
        best = _best(sessions, value)
        if best is None or not value(best):
            return None
        return {
            "value": value(best),
            "unit": unit,
            "session_id": best[0].session_id,
            "at": best[0].started_at,
        }

    longest_life = _best(lives, lambda life: life.seconds)
    sales = [t for t in trades if t.side == "sell" and t.status in _COUNTED_TRADES]
    biggest = _best(sales, lambda t: t.total)
    top_ship = ships[0] if ships else None
    return {
        "longest_session": session_record(lambda s: s[0].seconds, "seconds"),
        "longest_life": None
        if longest_life is None or not longest_life.seconds
        else {
            "value": longest_life.seconds,
            "unit": "seconds",
            "session_id": longest_life.session_id,
            "at": longest_life.started_at,
        },
        "most_quantum_legs": session_record(lambda s: s[1]["quantum_legs"], "legs"),
        "most_contracts_completed": session_record(
            lambda s: s[1]["contracts_completed"], "contracts"
        ),
        "biggest_sale": None
        if biggest is None or not biggest.total
        else {
            "value": biggest.total,
            "unit": "aUEC",
            "session_id": biggest.session_id,
            "at": biggest.started_at,
            "good": biggest.good_name,
        },
        "most_time_in_one_ship": None
        if top_ship is None or not top_ship["seconds"]
        else {
            "value": top_ship["seconds"],
            "unit": "seconds",
            "ship": top_ship["ship"],
            "name": top_ship["name"],
        },
    }


def journey_document(player: dict[str, Any], facts: Sequence[Fact]) -> dict[str, Any]:
    """Every fact of a fold, arranged as the `journey --format json` document."""
    sessions = [f for f in facts if isinstance(f, Session)]
    by_session: dict[str, list[Fact]] = {s.session_id: [] for s in sessions}
    for fact in facts:
        if not isinstance(fact, Session):
            by_session.setdefault(fact.session_id, []).append(fact)
    per_session = [(s, session_totals(s, by_session[s.session_id])) for s in sessions]

    def of(kind: type[Fact]) -> list[Any]:
        return sorted(
            (f for f in facts if isinstance(f, kind)),
            key=lambda f: (f.started_at or f.ended_at or "", f.session_id, f.n),
        )

    stops, stints, lives, trades = of(Stop), of(Stint), of(Life), of(Trade)
    ships = ship_summary(stints)
    session_rows = []
    for session, totals in per_session:
        row = session.to_dict()
        row["totals"] = totals
        row["stops"] = [s.to_dict() for s in stops if s.session_id == session.session_id]
        row["stints"] = [s.to_dict() for s in stints if s.session_id == session.session_id]
        session_rows.append(row)
    # The character is the newest session's (a fold keeps nothing across sessions but the
    # handle).
    character = next((s.character for s in reversed(sessions) if s.character), None)
    return {
        "player": {**player, "character": character},
        "totals": add_totals(t for _, t in per_session),
        "sessions": session_rows,
        "places": place_summary(stops),
        "legs": [f.to_dict() for f in of(Leg)],
        "ships": ships,
        "lives": [f.to_dict() for f in lives],
        "kills": [f.to_dict() for f in of(Kill)],
        "deaths": [f.to_dict() for f in of(Death)],
        "contracts": merge_contracts(of(Contract)),
        "trades": [f.to_dict() for f in trades],
        "records": records(per_session, lives, trades, ships),
    }
