"""The journey fold: a player's events in log order in, facts out. Pure: no I/O, no clock.

`JourneyFold.feed(items)` takes `(event, ref)` pairs sorted by `instants.order_key` (`ref`
is the caller's evidence reference: an idempotency key, or an offset) and returns the facts
that closed; `finish()` closes the rest; `open_facts()` shows what is still open without
closing it. Feeding the events in any number of chunks gives exactly the facts of feeding
them at once.

A session is one game launch. It starts at the launch's header (`session_started`), at a
second `process_init`, at any event after the game logged its quit, or after a silence of
`SESSION_GAP_SECONDS` (or a jump back in time as long); every part of the fold starts afresh
with it, so sessions can be folded independently. Inside a session, stretches of play are
the time in the persistent universe (a shard joined) and in Arena Commander matches; the
rest is menus and loading.
"""

from collections.abc import Iterable
from typing import Any, Protocol, cast

from starstats_core.journey.context import Context
from starstats_core.journey.facts import Fact, Session
from starstats_core.journey.instants import MILLISECONDS_Z, MINUTES_SECONDS, instant
from starstats_core.journey.session import SessionRun

SESSION_GAP_SECONDS = 6 * 3600


class EventLike(Protocol):
    """What the fold reads of every event. An event of a type not in `RELEVANT_TYPES` may
    be any object with these two attributes; the others must be the core event models."""

    @property
    def type(self) -> str: ...

    @property
    def timestamp(self) -> str: ...


class JourneyFold:
    """The fold's state for one player (see the module docstring)."""

    __slots__ = ("_given", "_learned", "_run", "handle")

    def __init__(self, handle: str | None = None) -> None:
        self._given = handle.strip().casefold() if handle and handle.strip() else None
        # A handle learnt from a login line, kept for later sessions without one (only
        # when no handle was given).
        self._learned: str | None = None
        self._run: SessionRun | None = None
        self.handle = handle.strip() if handle and handle.strip() else None

    def _start(self, event: EventLike, ref: str) -> SessionRun:
        me = {h for h in (self._given, self._learned) if h}
        session = Session(session_id=ref, n=0, started_at=event.timestamp)
        session.cite(ref)
        run = SessionRun(Context(session=session, me=me))
        run.ctx.at, run.ctx.ref = event.timestamp, ref
        self._run = run
        return run

    def _finish_run(self, run: SessionRun) -> list[Fact]:
        run.close()
        session = run.ctx.session
        if session.handle:
            if self.handle is None:
                self.handle = session.handle
            if self._given is None:
                self._learned = session.handle.casefold()
        out = run.ctx.closed
        run.ctx.closed = []
        run.release()
        self._run = None
        return out

    def feed(self, items: Iterable[tuple["EventLike", str]]) -> list[Fact]:
        """Fold `(event, ref)` pairs in log order; return the facts that closed."""
        out: list[Fact] = []
        run = self._run
        # The open run's parts as locals (set again on the long way, the only one that can
        # change the run); `ticking`: a tick is pending (an incapacitation, a contract
        # settling, a trade waiting for its answer), so every event runs the ticks; `quit`:
        # the game quit, so the next event may start a session and must take the long way.
        if run is not None:
            ctx, handler_of, hour = run.ctx, run.handlers.get, run.hour
            lives, contracts, trades = run.lives, run.contracts, run.trades
            ticking, quit = run.ticking(), run.ctx.session.end == "quit"
        else:
            hour, ticking, quit = "", False, True
        pairs = cast(Iterable[tuple[Any, str]], items)
        # The timestamp of the last event that took the short way: an event with the same
        # time (a third of them) may take it again without its time being looked at. Reset
        # on the long way, which may change the hour.
        seen: str | None = None
        for event, ref in pairs:
            timestamp = event.timestamp
            if timestamp == seen or (
                # `timestamp[:13] == hour` without the slice: `hour` has 13 characters, or
                # is empty only with no run open, when `quit` sends the event the long way.
                timestamp.startswith(hour)
                and timestamp[13:19] in MINUTES_SECONDS
                and timestamp[19:] in MILLISECONDS_Z
            ):
                # A log time in the game's form (`:14:23.189Z` after the hour: what the two
                # look-ups accept), in the hour of the last event (whose time was read): no
                # gap can lie between them, so only a header or the quit can break here.
                kind = event.type
                short = not quit and kind not in _BREAKING
            elif len(timestamp) < 19 or timestamp[10] != "T" or instant(timestamp) is None:
                continue  # not a log time: such an event cannot be placed in the story
            else:
                kind = event.type
                short = False
            if short:
                seen = timestamp
            else:
                # The long way: a new session may start here.
                seen = None
                if run is None:
                    run = self._start(event, ref)
                elif (kind in _BREAKING or quit or timestamp[:13] != hour) and self._breaks_at(
                    run, event
                ):
                    out += self._finish_run(run)
                    run = self._start(event, ref)
                ctx, handler_of = run.ctx, run.handlers.get
                lives, contracts, trades = run.lives, run.contracts, run.trades
                hour = run.hour = timestamp[:13]
                ticking, quit = run.ticking(), ctx.session.end == "quit"
            ctx.at, ctx.ref = timestamp, ref
            handler = handler_of(kind)
            if handler is not None:
                handler(event)
                quit = ctx.session.end == "quit"
            elif not ticking:
                continue  # an event nothing reads only moves the clock
            if ticking or lives.incap_at is not None or contracts.settling or trades.pending:
                assert run is not None  # the hour is only set with a run open
                ticking = run.tick()  # after the event's handler, the pending ticks run
            if ctx.closed:
                out += ctx.closed
                ctx.closed = []
        return out

    def _breaks_at(self, run: SessionRun, event: EventLike) -> bool:
        kind = event.type
        if kind == "session_started":
            return True
        if run.ctx.session.end == "quit":
            return kind != "session_end"
        if kind == "process_init" and run.seen_process:
            return True
        last, now = instant(run.ctx.at), instant(event.timestamp)
        # Either way: input that jumps back in time by as much (fragments of several logs
        # in one file) is no continuation of this session either.
        return last is not None and now is not None and abs(now - last) > SESSION_GAP_SECONDS

    def finish(self) -> list[Fact]:
        """Close the open session (at its last event) and return its remaining facts."""
        run = self._run
        return [] if run is None else self._finish_run(run)

    def open_facts(self) -> list[Fact]:
        """Copies of the facts still open, as they stand at the last event (the session
        first); not final. Looking changes nothing."""
        return [] if self._run is None else self._run.open_facts()

    @property
    def session_id(self) -> str | None:
        """The id of the session being folded (None before the first event or after
        `finish`)."""
        return None if self._run is None else self._run.ctx.session.session_id

    def player(self) -> dict[str, Any]:
        """Who the player is, as far as the log and the caller said."""
        return {"handle": self.handle}


# Event types that may start a session whatever the time since the last event.
_BREAKING = frozenset({"session_started", "process_init"})
# The event types some part of the fold reads. Any other event only moves the clock (its
# `type` and `timestamp` are all that is read), so a caller may pass a light stand-in.
RELEVANT_TYPES = frozenset(SessionRun(Context(session=Session("", 0, None), me=set())).handlers)
