"""The fold's state as plain JSON-ready data and back, so a server can keep a player's fold
between two batches (and a tray between two runs) without keeping the process.

`dump(fold)` and `load(data)` are exact inverses for everything the fold reads later: a fold
dumped after some events and loaded again gives the same facts for the rest as one that
never stopped (tested with hypothesis). The data is versioned by `STATE_VERSION`; a state of
another version is refused with ValueError and the caller folds again from the events.
"""

from typing import Any

from starstats_core.journey.context import Context
from starstats_core.journey.facts import (
    FACT_KINDS,
    Contract,
    Fact,
    Life,
    Objective,
    Session,
    Stint,
    Stop,
    Stretch,
    Trade,
)
from starstats_core.journey.fold import JourneyFold
from starstats_core.journey.session import SessionRun
from starstats_core.journey.travel import _Plan

STATE_VERSION = 1


def fact_from_dict(data: dict[str, Any]) -> Fact:
    """A fact rebuilt from its `to_dict()` form. Raises ValueError for an unknown kind."""
    fields = dict(data)
    kind = fields.pop("kind", None)
    cls = FACT_KINDS.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown fact kind {kind!r}")
    if cls is Session:
        fields["stretches"] = [fact_from_dict(s) for s in fields.get("stretches", [])]
    elif cls is Contract:
        fields["objectives"] = [
            Objective(
                objective_id=o["objective_id"],
                text=o.get("text"),
                state=o.get("state", "inprogress"),
                history=[list(h) for h in o.get("history", [])],
            )
            for o in fields.get("objectives", [])
        ]
    for key, value in fields.items():
        if isinstance(value, list) and key not in ("stretches", "objectives"):
            fields[key] = list(value)
    return cls(**fields)


def _opt(fact: Fact | None) -> dict[str, Any] | None:
    return None if fact is None else fact.to_dict()


def _plan_dict(plan: _Plan) -> dict[str, Any]:
    return {name: getattr(plan, name) for name in plan.__dataclass_fields__}


def _run_dict(run: SessionRun) -> dict[str, Any]:
    ctx = run.ctx
    lives, contracts = run.lives, run.contracts
    return {
        "session": ctx.session.to_dict(),
        "me": sorted(ctx.me),
        "next_n": ctx.next_n,
        "sums": dict(ctx.sums),
        "at": ctx.at,
        "ref": ctx.ref,
        "stop": _opt(ctx.stop),
        "stint": _opt(ctx.stint),
        "mode": ctx.mode,
        "system": ctx.system,
        "stretch": _opt(run.stretch),
        "hour": run.hour,
        "seen_process": run.seen_process,
        "plans": [_plan_dict(p) for p in run.travel.plans.values()],
        "life": _opt(lives.life),
        "provisional": lives.provisional,
        "incap_at": lives.incap_at,
        "incap_ref": lives.incap_ref,
        "collision_at": lives.collision_at,
        "vehicles": sorted(lives.vehicles),
        "runs": [r.to_dict() for r in contracts.runs.values()],
        "objective_missions": dict(contracts.objective_missions),
        "settling": [r.mission_id for r in contracts.settling],
        "pending": [[t.to_dict(), shop_id] for t, shop_id in run.trades.pending],
    }


def dump(fold: JourneyFold) -> dict[str, Any]:
    """Everything `fold` will need for the events still to come."""
    run = fold._run
    return {
        "version": STATE_VERSION,
        "given": fold._given,
        "learned": fold._learned,
        "handle": fold.handle,
        "run": None if run is None else _run_dict(run),
    }


def _typed(data: dict[str, Any] | None, cls: type[Fact]) -> Any:
    if data is None:
        return None
    fact = fact_from_dict(data)
    if not isinstance(fact, cls):
        raise ValueError(f"expected a {cls.KIND}, got a {fact.KIND}")
    return fact


def _load_run(data: dict[str, Any]) -> SessionRun:
    ctx = Context(session=_typed(data["session"], Session), me=set(data["me"]))
    ctx.next_n = int(data["next_n"])
    ctx.sums = dict(data["sums"])
    ctx.at, ctx.ref = data["at"], data["ref"]
    ctx.stop = _typed(data["stop"], Stop)
    ctx.stint = _typed(data["stint"], Stint)
    ctx.mode, ctx.system = data["mode"], data["system"]
    run = SessionRun(ctx)
    run.stretch = _typed(data["stretch"], Stretch)
    run.hour, run.seen_process = data["hour"], bool(data["seen_process"])
    for plan in data["plans"]:
        run.travel.plans[plan["vehicle_id"]] = _Plan(**plan)
    lives = run.lives
    lives.life = _typed(data["life"], Life)
    lives.provisional = bool(data["provisional"])
    lives.incap_at, lives.incap_ref = data["incap_at"], data["incap_ref"]
    lives.collision_at = data["collision_at"]
    lives.vehicles = set(data["vehicles"])
    contracts = run.contracts
    for raw in data["runs"]:
        contract = _typed(raw, Contract)
        contracts.runs[contract.mission_id] = contract
    contracts.objective_missions = dict(data["objective_missions"])
    contracts.settling = [contracts.runs[m] for m in data["settling"]]
    run.trades.pending = [(_typed(t, Trade), shop_id) for t, shop_id in data["pending"]]
    return run


def load(data: dict[str, Any]) -> JourneyFold:
    """The fold `dump` described. Raises ValueError for a state of another version or one
    that does not hold together."""
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        raise ValueError("journey state of an unknown version")
    fold = JourneyFold(None)
    try:
        fold._given = data["given"]
        fold._learned = data["learned"]
        fold.handle = data["handle"]
        fold._run = None if data["run"] is None else _load_run(data["run"])
    except (KeyError, TypeError) as err:
        raise ValueError(f"journey state does not hold together: {err}") from err
    return fold
