"""The journey's facts: what a player did, each with its time span and its evidence.

A fact is a plain mutable record while the fold keeps it open (a stop the player is still
at, a stint still at the controls) and is never touched again once the fold has closed and
returned it. `evidence` holds the references the caller gave with each event (idempotency
keys, or offsets), at most `MAX_EVIDENCE` per fact; `evidence_count` says how many there were.
Every fact has `session_id` (the reference of the session's first event) and `n`, its number
within the session in the order the facts were opened, so (session_id, n) names it.
Times are the log's own UTC timestamps as text; seconds are floats rounded to milliseconds.
"""

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

MAX_EVIDENCE = 16


@dataclass(slots=True)
class Fact:
    """Fields shared by every fact."""

    KIND: ClassVar[str] = "fact"

    session_id: str
    n: int
    started_at: str | None
    ended_at: str | None = None
    evidence: list[str] = field(default_factory=list)
    evidence_count: int = 0

    def cite(self, ref: str) -> None:
        """Record that the event `ref` supports this fact (once, however often cited)."""
        evidence = self.evidence
        if evidence and evidence[-1] == ref:
            return
        self.evidence_count += 1
        if len(evidence) < MAX_EVIDENCE:
            evidence.append(ref)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form, with `kind` first."""
        out: dict[str, Any] = {"kind": self.KIND}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, list) else value
        return out


@dataclass(slots=True)
class Stretch(Fact):
    """Time in the persistent universe (`pu`) or in an Arena Commander match (`arena`)."""

    KIND: ClassVar[str] = "stretch"

    mode: str = "pu"
    shard: str | None = None
    # `EA_FreeFlight`, … for arena stretches; None in the PU.
    game_mode: str | None = None
    seconds: float = 0.0
    # left (the player left), disconnected, quit (the game quit), unclosed (the log ends).
    end: str | None = None


@dataclass(slots=True)
class Stop(Fact):
    """A place the player was at, from arrival to departure."""

    KIND: ClassVar[str] = "stop"

    place: str = ""
    raw: str = ""
    name: str = ""
    place_kind: str = ""
    system: str | None = None
    body: str | None = None
    seconds: float = 0.0
    # The signal that placed the player here first, then every other signal seen.
    arrived_by: str = ""
    signals: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Leg(Fact):
    """A quantum jump (`quantum`) or a jump-point transit between systems (`jump`)."""

    KIND: ClassVar[str] = "leg"

    leg_kind: str = "quantum"
    vehicle: str | None = None
    vehicle_name: str | None = None
    vehicle_id: str | None = None
    origin: str | None = None
    origin_name: str | None = None
    destination: str | None = None
    destination_raw: str | None = None
    destination_name: str | None = None
    seconds: float | None = None
    # arrived, or aborted (planned and fuelled, then dropped for another or never arrived).
    status: str = "arrived"
    rerouted: bool = False


@dataclass(slots=True)
class Stint(Fact):
    """Time at the controls of one ship."""

    KIND: ClassVar[str] = "stint"

    ship: str = ""
    name: str = ""
    vehicle_id: str = ""
    seconds: float = 0.0
    # released, destroyed, stored, left (the player left the PU or the match), session_end.
    end: str | None = None
    legs: int = 0


@dataclass(slots=True)
class Life(Fact):
    """From a spawn (or the start of play) to a death or the end of the session."""

    KIND: ClassVar[str] = "life"

    seconds: float = 0.0
    # death or session_end.
    end: str | None = None
    cause: str | None = None
    place: str | None = None
    place_name: str | None = None
    ship: str | None = None
    incapacitations: int = 0
    revived: int = 0
    med_bed_heals: int = 0


@dataclass(slots=True)
class Death(Fact):
    """The player died."""

    KIND: ClassVar[str] = "death"

    # combat, crash, collision, suicide, backspace, incapacitation, environment, unknown.
    cause: str = "unknown"
    killer: str | None = None
    killer_name: str | None = None
    killer_is_npc: bool | None = None
    weapon: str | None = None
    weapon_name: str | None = None
    damage_type: str | None = None
    place: str | None = None
    place_name: str | None = None
    ship: str | None = None
    game_mode: str = "pu"


@dataclass(slots=True)
class Kill(Fact):
    """The player killed someone (`<Actor Death>`) or destroyed a vehicle (level 2)."""

    KIND: ClassVar[str] = "kill"

    # actor or vehicle.
    target_kind: str = "actor"
    victim: str = ""
    victim_name: str = ""
    victim_is_npc: bool = False
    weapon: str | None = None
    weapon_name: str | None = None
    damage_type: str | None = None
    place: str | None = None
    place_name: str | None = None
    ship: str | None = None
    game_mode: str = "pu"


@dataclass(slots=True)
class Objective:
    """One objective of a contract, with every state the log gave it."""

    objective_id: str
    text: str | None = None
    state: str = "inprogress"
    # [timestamp, state] pairs in log order.
    history: list[list[str]] = field(default_factory=list)


@dataclass(slots=True)
class Contract(Fact):
    """One contract (mission id) as this session saw it."""

    KIND: ClassVar[str] = "contract"

    mission_id: str = ""
    title: str | None = None
    contract: str | None = None
    generator: str | None = None
    contract_kind: str = "other"
    # completed, failed, abandoned, withdrawn, expired, or in_progress (no outcome logged).
    outcome: str = "in_progress"
    outcome_by: str | None = None
    seconds: float | None = None
    reward: float | None = None
    accepted_in_session: bool = False
    objectives: list[Objective] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = Fact.to_dict(self)
        out["objectives"] = [
            {
                "objective_id": o.objective_id,
                "text": o.text,
                "state": o.state,
                "history": [list(h) for h in o.history],
            }
            for o in self.objectives
        ]
        return out


@dataclass(slots=True)
class Trade(Fact):
    """A purchase or a sale at a shop or a commodity terminal."""

    KIND: ClassVar[str] = "trade"

    side: str = "buy"
    # item or commodity.
    market: str = "item"
    good: str | None = None
    good_name: str = ""
    category: str = "other"
    quantity: float | None = None
    # SCU, cSCU or items.
    unit: str | None = None
    unit_price: float | None = None
    total: float | None = None
    shop: str | None = None
    shop_name: str | None = None
    place: str | None = None
    place_name: str | None = None
    # confirmed, rejected, unconfirmed (no answer logged), submitted (commodity terminals
    # log no answer at all).
    status: str = "submitted"


@dataclass(slots=True)
class Session(Fact):
    """One game launch, from the log's start to the quit (or its last line)."""

    KIND: ClassVar[str] = "session"

    game_version: str | None = None
    build: str | None = None
    branch: str | None = None
    channel: str | None = None
    handle: str | None = None
    character: str | None = None
    seconds: float = 0.0
    pu_seconds: float = 0.0
    arena_seconds: float = 0.0
    menu_seconds: float = 0.0
    # quit (the game logged its quit) or unclosed (a crash, or still running).
    end: str = "unclosed"
    quit_reason: str | None = None
    crashed: bool = False
    # Whether this game version logs kills (3.24-4.3); None when the version is unknown
    # and no combat line was seen.
    combat_logged: bool | None = None
    shards: list[str] = field(default_factory=list)
    stretches: list[Stretch] = field(default_factory=list)
    # The session's totals (summary.totals_of), set when it closes and in open snapshots.
    totals: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = Fact.to_dict(self)
        out["stretches"] = [s.to_dict() for s in self.stretches]
        out["totals"] = dict(self.totals)
        return out


FACT_KINDS: dict[str, type[Fact]] = {
    cls.KIND: cls
    for cls in (Session, Stretch, Stop, Leg, Stint, Life, Death, Kill, Contract, Trade)
}
