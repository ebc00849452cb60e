"""Contracts of one session: one run per mission id, from every line that carries the id.

Signals: the HUD banners ("Contract Accepted:", "New Objective:", "Objective Complete:",
"Contract Complete:" / "Failed:" / "Abandoned:" / "Withdrawn:"), objective markers
(`mission_start`, which name the contract's class and generator), `objective_upserted`
(objective states), and the two end lines `mission_ended` (server push) and `mission_end`
(`<EndMission>`, CompletionType). The game writes both end lines for one end: the first
outcome wins and the rest are cited as evidence of the same run. A run with an outcome stays
open for `SETTLE_SECONDS` so those companion lines still join it.
"""

import re
from collections.abc import Callable
from functools import lru_cache

from starstats_core.events.base import BaseEvent
from starstats_core.journey.context import Context
from starstats_core.journey.facts import Contract, Objective
from starstats_core.journey.instants import instant, span

SETTLE_SECONDS = 60.0
# `Contracts.first_ended` when not known: any run may be past its wait.
_ANY = float("-inf")

_HUD_OUTCOMES = {
    "contract_complete": "completed",
    "contract_failed": "failed",
    "contract_abandoned": "abandoned",
    "contract_withdrawn": "withdrawn",
}
_PUSH_OUTCOMES = {
    "completed": "completed",
    "complete": "completed",
    "succeeded": "completed",
    "failed": "failed",
    "fail": "failed",
    "abandoned": "abandoned",
    "abandon": "abandoned",
    "withdrawn": "withdrawn",
    "withdraw": "withdrawn",
    "expired": "expired",
    "expire": "expired",
    "timedout": "expired",
}
# Contract kinds by words in the contract's class, generator or title, first match wins.
_KINDS = (
    ("hauling", ("haul", "cargo")),
    ("delivery", ("deliver", "courier", "package")),
    ("bounty", ("bounty", "eliminate", "kill")),
    ("salvage", ("salvage",)),
    ("mining", ("mining", "mine")),
    ("rescue", ("rescue", "recover")),
    ("escort", ("escort",)),
    ("patrol", ("patrol",)),
    ("investigation", ("investigat",)),
    ("combat", ("gauntlet", "defend", "assassinat", "combat", "mercenary")),
)
# Objective banners and the state they give the objective.
_BANNER_STATES = {
    "new_objective": "inprogress",
    "objective_complete": "completed",
    "objective_failed": "failed",
}
# Banners that say the player has (or had) the contract.
_RUN_CATEGORIES = frozenset(
    {"contract_accepted", *_HUD_OUTCOMES, "new_objective", "objective_complete", "objective_failed"}
)
_AUEC = re.compile(r"(?P<n>\d[\d,]{0,14})\s*aUEC")


def contract_kind(*hints: str | None) -> str:
    """A contract's kind (hauling, delivery, bounty, …, other) from its class, generator or
    title."""
    return _kind_of(hints)


@lru_cache(maxsize=4096)
def _kind_of(hints: tuple[str | None, ...]) -> str:
    text = " ".join(h for h in hints if h).casefold()
    for kind, words in _KINDS:
        if any(word in text for word in words):
            return kind
    return "other"


def _banner_text(text: str) -> str | None:
    """A banner's text after its label (`Contract Accepted: X` gives `X`), without the
    trailing colon the game may add; None when there is none."""
    # What `^[^:]*:\s*(?P<rest>.*?)\s*:?\s*$` (DOTALL) matched, stripped, by string methods
    # (`strip` and `\s` take the same whitespace): ~0.25 µs a banner, not ~1 µs.
    _, colon, after = text.partition(":")
    if not colon:
        return None
    rest = after.strip()
    if rest.endswith(":"):
        rest = rest[:-1].rstrip()
    return rest or None


class Contracts:
    """The contract runs of one session, by mission id."""

    __slots__ = (
        "ctx",
        "first_ended",
        "handlers",
        "objective_missions",
        "runs",
        "settling",
        "ticked_at",
    )

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.runs: dict[str, Contract] = {}
        self.objective_missions: dict[str, str] = {}
        # Runs with an outcome, waiting `SETTLE_SECONDS` before they close (also in `runs`).
        self.settling: list[Contract] = []
        # The time of the last tick: a tick at the same time again closes nothing (what it
        # would close, that one did; a run settling since ended at that time).
        self.ticked_at: str | None = None
        # The earliest instant a settling run ended at (None: no run's end is an instant;
        # -inf: not known, after a run starts settling or a load, so the next tick looks at
        # every run and works it out): no run closes before the tick at which this one does.
        self.first_ended: float | None = _ANY
        self.handlers: dict[str, Callable[[BaseEvent], None]] = {
            "hud_notification": self._hud,
            "mission_start": self._marker,
            "objective_upserted": self._upserted,
            "mission_objective": self._objective_text,
            "mission_ended": self._ended,
            "mission_end": self._end_mission,
        }

    def _run(self, mission_id: str) -> Contract:
        run = self.runs.get(mission_id)
        if run is None:
            ctx = self.ctx
            # Positional, in the fields' order (facts.Contract): ~0.2 µs less than by keyword.
            run = Contract(ctx.session.session_id, ctx.number(), ctx.at, None, [], 0, mission_id)
            self.runs[mission_id] = run
        run.cite(self.ctx.ref)
        return run

    def _objective(self, run: Contract, objective_id: str) -> Objective:
        for objective in run.objectives:
            if objective.objective_id == objective_id:
                return objective
        objective = Objective(objective_id=objective_id)
        run.objectives.append(objective)
        self.objective_missions[objective_id] = run.mission_id
        return objective

    def _set_state(self, objective: Objective, state: str) -> None:
        if objective.state != state or not objective.history:
            objective.state = state
            objective.history.append([self.ctx.at, state])

    def _finish(self, run: Contract, outcome: str, by: str) -> None:
        if run.outcome != "in_progress":
            return
        run.outcome = outcome
        run.outcome_by = by
        run.ended_at = self.ctx.at
        run.seconds = span(run.started_at, run.ended_at) if run.accepted_in_session else None
        self.settling.append(run)
        self.first_ended = _ANY

    def _retitle(self, run: Contract) -> None:
        run.contract_kind = contract_kind(run.contract, run.generator, run.title)

    # -- signals ----------------------------------------------------------------------------
    def _hud(self, event: BaseEvent) -> None:
        mission_id = getattr(event, "mission_id", None)
        if not mission_id:
            return
        category: str = getattr(event, "category", "other")
        text: str = getattr(event, "text", "")
        if category not in _RUN_CATEGORIES and mission_id not in self.runs:
            return  # an offer ("Contract Available:") or a notice about no known run
        run = self._run(mission_id)
        if category == "contract_accepted":
            run.accepted_in_session = True
            run.title = run.title or _banner_text(text)
            self._retitle(run)
        elif category in _HUD_OUTCOMES:
            run.title = run.title or _banner_text(text)
            self._retitle(run)
            self._finish(run, _HUD_OUTCOMES[category], "banner")
        elif category in _BANNER_STATES:
            objective_id = getattr(event, "objective_id", None) or f"banner:{_banner_text(text)}"
            objective = self._objective(run, objective_id)
            objective.text = objective.text or _banner_text(text)
            self._set_state(objective, _BANNER_STATES[category])
        else:
            m = _AUEC.search(text)
            if m is not None:
                run.reward = (run.reward or 0.0) + float(m["n"].replace(",", ""))

    def _marker(self, event: BaseEvent) -> None:
        run = self._run(getattr(event, "mission_id", ""))
        run.accepted_in_session = True
        run.contract = run.contract or getattr(event, "contract", None)
        run.generator = run.generator or getattr(event, "generator", None)
        run.title = run.title or getattr(event, "mission_name", None)
        self._retitle(run)
        objective_id = getattr(event, "objective_id", None)
        if objective_id:
            self._objective(run, objective_id)

    def _upserted(self, event: BaseEvent) -> None:
        mission_id = getattr(event, "mission_id", None) or self.objective_missions.get(
            getattr(event, "objective_id", "")
        )
        if not mission_id:
            return
        run = self._run(mission_id)
        objective = self._objective(run, getattr(event, "objective_id", ""))
        self._set_state(objective, str(getattr(event, "state", "")).lower())

    def _objective_text(self, event: BaseEvent) -> None:
        objective_id = getattr(event, "objective_id", "")
        mission_id = self.objective_missions.get(objective_id)
        text = getattr(event, "text", None)
        if mission_id is None or not text:
            return
        run = self._run(mission_id)
        self._objective(run, objective_id).text = text

    def _ended(self, event: BaseEvent) -> None:
        run = self._run(getattr(event, "mission_id", ""))
        state = str(getattr(event, "state", "")).lower()
        self._finish(run, _PUSH_OUTCOMES.get(state, state or "unknown"), "mission_ended")

    def _end_mission(self, event: BaseEvent) -> None:
        mission_id = getattr(event, "mission_id", None)
        if not mission_id:
            return
        run = self._run(mission_id)
        outcome = str(getattr(event, "outcome", "") or "").lower()
        self._finish(run, _PUSH_OUTCOMES.get(outcome, outcome or "unknown"), "end_mission")

    # -- closing ----------------------------------------------------------------------------
    def tick(self) -> None:
        """Close runs whose outcome is older than `SETTLE_SECONDS` (called while any is)."""
        at = self.ctx.at
        if at == self.ticked_at:
            return
        self.ticked_at = at
        now = instant(at)
        first = self.first_ended
        # `now - ended` is largest for the earliest end (subtraction rounds monotonically):
        # when that one is not past the wait, none is, and the runs stay as they are.
        if now is None or first is None or not now - first > SETTLE_SECONDS:
            return
        keep: list[Contract] = []
        for run in self.settling:
            ended = instant(run.ended_at or "")
            if now is not None and ended is not None and now - ended > SETTLE_SECONDS:
                del self.runs[run.mission_id]
                self.ctx.close(run)
            else:
                keep.append(run)
        self.settling = keep
        self.first_ended = _first_ended(keep)

    def close(self) -> None:
        """The session ends: every run closes; one without an outcome stays `in_progress`."""
        for run in self.runs.values():
            if run.ended_at is None:
                run.ended_at = self.ctx.at
            self.ctx.close(run)
        self.runs.clear()
        self.settling.clear()
        self.first_ended = None

    def open_facts(self) -> list[Contract]:
        return list(self.runs.values())


def _first_ended(runs: list[Contract]) -> float | None:
    """The earliest instant among the runs' ends (None when none is an instant)."""
    first: float | None = None
    for run in runs:
        ended = instant(run.ended_at or "")
        if ended is not None and (first is None or ended < first):
            first = ended
    return first
