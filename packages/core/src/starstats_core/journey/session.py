"""One session being folded (`SessionRun`): its context, the parts of the fold (travel, lives,
contracts, trades) and the session's own lines: the header, logins, the PU and arena
stretches, the quit. `fold.JourneyFold` starts one per game launch and feeds it events.
"""

import copy
from collections.abc import Callable

from starstats_core.events.base import BaseEvent
from starstats_core.journey.context import Context
from starstats_core.journey.contracts import Contracts
from starstats_core.journey.facts import Fact, Life, Session, Stint, Stop, Stretch
from starstats_core.journey.instants import span
from starstats_core.journey.lives import Lives
from starstats_core.journey.summary import add_sums, fact_sums, totals_of
from starstats_core.journey.trade import Trades
from starstats_core.journey.travel import Travel
from starstats_core.versions import logs_combat, parse_version

_FRONTEND = "SC_Frontend"
_PU_RULES = "SC_Default"
_Handler = Callable[[BaseEvent], None]


class SessionRun:
    """One session being folded: its context, the parts of the fold and their handlers."""

    __slots__ = (
        "contracts",
        "ctx",
        "handlers",
        "hour",
        "lives",
        "seen_process",
        "stretch",
        "ticked_at",
        "trades",
        "travel",
    )

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.travel = Travel(ctx)
        self.lives = Lives(ctx)
        self.contracts = Contracts(ctx)
        self.trades = Trades(ctx)
        self.stretch: Stretch | None = None
        # The hour (`YYYY-MM-DDTHH`) of the last event: only a new hour can hide a long gap.
        self.hour = ""
        self.seen_process = False
        # The time of the last tick (not kept in the state: after a load, the first tick
        # runs whatever the time).
        self.ticked_at: str | None = None
        own: dict[str, _Handler] = {
            "session_started": self._header,
            "process_init": self._process,
            "legacy_login": self._login,
            "character_status": self._character,
            "join_pu": self._join,
            "change_server": self._change_server,
            "context_established": self._context,
            "pu_session_ended": self._left,
            "channel_disconnected": self._disconnected,
            "session_end": self._quit,
            "game_crash": self._crash,
        }
        handlers: dict[str, list[_Handler]] = {}
        for part in (
            own,
            self.travel.handlers,
            self.lives.handlers,
            self.contracts.handlers,
            self.trades.handlers,
        ):
            for name, handler in part.items():
                handlers.setdefault(name, []).append(handler)
        # One callable per type: most types have one handler, called directly (no loop over
        # a tuple of one on every event read); the few with more get one calling them all.
        self.handlers: dict[str, _Handler] = {
            name: found[0] if len(found) == 1 else _all_of(tuple(found))
            for name, found in handlers.items()
        }

    # -- the session's own lines ----------------------------------------------------------
    def _header(self, event: BaseEvent) -> None:
        session = self.ctx.session
        version = parse_version(getattr(event, "file_version", None)) or parse_version(
            getattr(event, "branch", None)
        )
        if version is not None:
            session.game_version = f"{version.major}.{version.minor}.{version.patch}"
            combat = logs_combat(version)
            if combat is not None and not session.combat_logged:
                session.combat_logged = combat
        session.build = getattr(event, "changelist", None) or getattr(event, "build", None)
        session.branch = getattr(event, "branch", None)
        session.channel = getattr(event, "channel", None)
        session.cite(self.ctx.ref)

    def _process(self, event: BaseEvent) -> None:
        self.seen_process = True
        self.ctx.session.cite(self.ctx.ref)

    def _login(self, event: BaseEvent) -> None:
        handle = getattr(event, "handle", None)
        if handle:
            self.ctx.session.handle = handle
            self.ctx.me.add(handle.casefold())

    def _character(self, event: BaseEvent) -> None:
        name = getattr(event, "name", None)
        if name:
            self.ctx.session.character = name
            self.ctx.me.add(name.casefold())

    def _crash(self, event: BaseEvent) -> None:
        self.ctx.session.crashed = True
        self.ctx.session.cite(self.ctx.ref)

    # -- stretches ----------------------------------------------------------------------------
    def open_stretch(self, mode: str, game_mode: str | None = None) -> Stretch:
        ctx = self.ctx
        stretch = self.stretch
        if stretch is not None and stretch.mode == mode and stretch.game_mode == game_mode:
            return stretch
        if stretch is not None:
            self.close_stretch("left")
        stretch = Stretch(
            session_id=ctx.session.session_id,
            n=ctx.number(),
            started_at=ctx.at,
            mode=mode,
            game_mode=game_mode,
        )
        stretch.cite(ctx.ref)
        self.stretch = stretch
        ctx.mode = mode
        self.lives.begin(provisional=True)
        return stretch

    def close_stretch(self, how: str) -> None:
        stretch = self.stretch
        if stretch is None:
            return
        ctx = self.ctx
        self.lives.leave()
        # Out of the PU or the match, the player is at no place and at no controls: a stop
        # or stint left open would run on through the menus past the quit.
        self.travel.end_stint("left")
        self.travel.leave(ctx.at)
        stretch.ended_at = ctx.at
        stretch.seconds = span(stretch.started_at, ctx.at)
        stretch.end = how
        stretch.cite(ctx.ref)
        session = ctx.session
        session.stretches.append(stretch)
        if stretch.mode == "pu":
            session.pu_seconds = round(session.pu_seconds + stretch.seconds, 3)
        else:
            session.arena_seconds = round(session.arena_seconds + stretch.seconds, 3)
        self.stretch = None
        ctx.mode = None

    def _join(self, event: BaseEvent) -> None:
        stretch = self.open_stretch("pu")
        shard = getattr(event, "shard", None)
        if shard:
            stretch.shard = shard
            if shard not in self.ctx.session.shards:
                self.ctx.session.shards.append(shard)

    def _change_server(self, event: BaseEvent) -> None:
        if (
            getattr(event, "phase", "") == "end"
            and getattr(event, "is_shard_persisted", False)
            and not getattr(event, "is_server", True)
            and (self.stretch is None or self.stretch.mode != "pu")
        ):
            self.open_stretch("pu")

    def _context(self, event: BaseEvent) -> None:
        rules = getattr(event, "gamerules", "") or ""
        if rules == _PU_RULES:
            if self.stretch is None or self.stretch.mode != "pu":
                self.open_stretch("pu")
        elif rules.startswith("EA_"):
            self.open_stretch("arena", rules)
        elif rules == _FRONTEND:
            self.close_stretch("left")

    def _left(self, event: BaseEvent) -> None:
        self.close_stretch("left")

    def _disconnected(self, event: BaseEvent) -> None:
        rules = getattr(event, "gamerules", None)
        if self.stretch is None or not rules or rules == _FRONTEND:
            return
        reason = str(getattr(event, "reason", "") or "")
        self.close_stretch("left" if "requested disconnect" in reason else "disconnected")

    def _quit(self, event: BaseEvent) -> None:
        session = self.ctx.session
        if session.end != "quit":
            session.end = "quit"
            session.ended_at = self.ctx.at
        reason = getattr(event, "reason", None)
        if reason and session.quit_reason is None:
            session.quit_reason = reason
        session.cite(self.ctx.ref)
        self.close_stretch("quit")

    # -- the end ------------------------------------------------------------------------------
    def close(self) -> None:
        """Close every open fact at the last event, then the session itself."""
        self.close_stretch("unclosed")
        self.lives.leave()
        self.travel.close()
        self.contracts.close()
        self.trades.close()
        session = self.ctx.session
        if session.end != "quit":
            session.ended_at = self.ctx.at
        timed(session)
        session.totals = totals_of(session, self.ctx.sums)
        self.ctx.close(session)

    def ticking(self) -> bool:
        """Must the next event run the ticks: an incapacitation, a contract settling or a
        trade waiting for its answer is pending."""
        return bool(
            self.lives.incap_at is not None or self.contracts.settling or self.trades.pending
        )

    def tick(self) -> bool:
        """Run the pending ticks; is any still pending?"""
        at = self.ctx.at
        lives, contracts, trades = self.lives, self.contracts, self.trades
        # A tick at the time of the last one closes nothing: what it would close, that one
        # did, and whatever became pending since did so at this very time (its wait has not
        # begun). A third of the events share the time of the one before.
        if at != self.ticked_at:
            self.ticked_at = at
            if lives.incap_at is not None:
                lives.tick()
            if contracts.settling:
                contracts.tick()
            if trades.pending:
                trades.tick()
        # `ticking()`, inlined: this runs on every event while anything is pending.
        return bool(lives.incap_at is not None or contracts.settling or trades.pending)

    def release(self) -> None:
        """Drop the handler tables of a closed run. They hold bound methods of the parts
        that own them (cycles): without them the run is freed at once by reference
        counting, not left for the cyclic collector (~12 % fewer young collections)."""
        for part in (self, self.travel, self.lives, self.contracts, self.trades):
            part.handlers = {}

    def open_facts(self) -> list[Fact]:
        """Copies of the open facts as they stand at the last event: times run to it, the
        open stretch is in the session's, the session's totals count the open facts too."""
        ctx = self.ctx
        found: list[Fact] = []
        live: list[Fact] = [
            *self.travel.open_facts(),
            *self.lives.open_facts(),
            *self.contracts.open_facts(),
            *self.trades.open_facts(),
        ]
        for fact in live:
            snapshot = copy.copy(fact)
            if isinstance(snapshot, Stop | Stint | Life) and snapshot.ended_at is None:
                snapshot.seconds = span(snapshot.started_at, ctx.at)
            found.append(snapshot)
        session = copy.copy(ctx.session)
        session.stretches = list(session.stretches)
        if self.stretch is not None:
            stretch = copy.copy(self.stretch)
            stretch.seconds = span(stretch.started_at, ctx.at)
            session.stretches.append(stretch)
            if stretch.mode == "pu":
                session.pu_seconds = round(session.pu_seconds + stretch.seconds, 3)
            else:
                session.arena_seconds = round(session.arena_seconds + stretch.seconds, 3)
        if session.end != "quit":
            session.ended_at = ctx.at
        timed(session)
        sums = dict(ctx.sums)
        for fact in found:
            add_sums(sums, fact_sums(fact))
        session.totals = totals_of(session, sums)
        return [session, *found]


def _all_of(handlers: tuple[_Handler, ...]) -> _Handler:
    """One handler calling `handlers` in order."""
    if len(handlers) == 2:  # the usual case (`vehicle_destruction`): no loop per event
        first, second = handlers

        def run_both(event: BaseEvent) -> None:
            first(event)
            second(event)

        return run_both

    def run_all(event: BaseEvent) -> None:
        for handler in handlers:
            handler(event)

    return run_all


def timed(session: Session) -> None:
    """Set a session's length and its time in menus from its ends and stretches."""
    session.seconds = span(session.started_at, session.ended_at)
    session.menu_seconds = round(
        max(0.0, session.seconds - session.pu_seconds - session.arena_seconds), 3
    )
