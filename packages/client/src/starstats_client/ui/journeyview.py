"""The Journey tab's view model: what the local fold knows (`JourneyFacts`, read on a worker
thread by `read_journey`) and the words the tab shows (`JourneyView`, built by the pure
`journey_view` from those facts, "now" and the player's time zone).

Every name shown is already readable in the facts (core's `names`); the stories are core's
`session_story`, so the tray prints the same words as `starstats-client journey` and the web.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from starstats_client.localjourney import StoreJourney
from starstats_client.ui.viewmodel import day_start, display_time
from starstats_core.journey import Death, Session, Stint, add_totals, journey_document
from starstats_core.journey.instants import instant
from starstats_core.journey.story import (
    duration,
    fact_sentence,
    money,
    session_facts,
    session_story,
)
from starstats_core.journey.summary import ship_summary

# Sessions listed with their stories; what is arranged on every update (see read_journey).
RECENT_SESSIONS = 20
# A session whose last line is older than this is no longer "being played": the game may
# have crashed without a word, or the player may be in a long loading screen.
LIVE_SECONDS = 10 * 60


# -- what the fold knows (read on the worker thread) ------------------------------------------
@dataclass(frozen=True, slots=True)
class JourneyRequest:
    """The player's today: local midnight to the next, as UTC text like the events' times."""

    day_start: str
    day_end: str


def journey_request(now: datetime) -> JourneyRequest:
    return JourneyRequest(day_start(now), day_start(now + timedelta(days=1)))


@dataclass(frozen=True, slots=True)
class SessionFacts:
    session: dict[str, Any]  # a `journey_document` session row, with its totals
    facts: tuple[dict[str, Any], ...]  # its other facts, as the story takes them
    story: str


@dataclass(frozen=True, slots=True)
class JourneyFacts:
    request: JourneyRequest
    session_count: int
    sessions: tuple[SessionFacts, ...]  # the newest RECENT_SESSIONS, newest first
    current: tuple[dict[str, Any], ...]  # the open facts, the session being folded first
    today: dict[str, Any]  # totals of the sessions played on the request's day
    all_time: dict[str, Any]
    top_ship: str | None  # the readable name of the ship with most time at the controls
    last_death: dict[str, Any] | None


def read_journey(journey: StoreJourney, request: JourneyRequest) -> JourneyFacts:
    """Bring `journey` up to date with the store and arrange what the tab shows.

    Only the recent sessions are arranged as a journey document (with their stories): its
    cost grows with their facts, not the store's. The totals come from each session's own
    (`Session.totals`), so a million stored events cost one pass over the facts here."""
    journey.update()
    closed, current = journey.facts()
    facts = [*closed, *current]
    sessions: list[Session] = []
    stints: list[Stint] = []
    last_death: Death | None = None
    for fact in facts:
        if isinstance(fact, Session):
            sessions.append(fact)
        elif isinstance(fact, Stint):
            stints.append(fact)
        elif isinstance(fact, Death) and (
            last_death is None or (fact.started_at or "") >= (last_death.started_at or "")
        ):
            last_death = fact
    recent_ids = {s.session_id for s in sessions[-RECENT_SESSIONS:]}
    document = journey_document(journey.player(), [f for f in facts if f.session_id in recent_ids])
    recent = []
    for session in reversed(document["sessions"]):
        told = session_facts(document, session)
        recent.append(SessionFacts(session, tuple(told), "\n".join(session_story(session, told))))
    ships = ship_summary(stints)
    return JourneyFacts(
        request=request,
        session_count=len(sessions),
        sessions=tuple(recent),
        current=tuple(f.to_dict() for f in current),
        today=add_totals(s.totals for s in sessions if played_in(s, request)),
        all_time=add_totals(s.totals for s in sessions),
        top_ship=ships[0]["name"] if ships else None,
        last_death=None if last_death is None else last_death.to_dict(),
    )


def played_in(session: Session, day: JourneyRequest) -> bool:
    """Whether `session` was played on `day` (a session over midnight counts on both days)."""
    start = session.started_at or ""
    return start < day.day_end and (session.ended_at or start) >= day.day_start


# -- what the tab shows ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Stat:
    value: str
    caption: str


@dataclass(frozen=True, slots=True)
class SessionRow:
    session_id: str
    started: str
    length: str
    in_verse: str
    where: str
    ships: str
    contracts: str
    deaths: str
    story: str


@dataclass(frozen=True, slots=True)
class JourneyView:
    heading: str  # "Playing now", "Last session", or "No sessions yet"
    now: tuple[tuple[str, str], ...]  # (label, value) lines about the current session
    today: tuple[Stat, ...]
    today_note: str
    all_time: str
    sessions: tuple[SessionRow, ...]
    sessions_note: str


EMPTY = JourneyView(
    heading="No sessions yet",
    now=(),
    today=(),
    today_note="",
    all_time="Nothing in the local store yet: play, or import your backup logs (Status tab).",
    sessions=(),
    sessions_note="",
)


def journey_view(facts: JourneyFacts, now: datetime, tz: tzinfo) -> JourneyView:
    if not facts.session_count:
        return EMPTY
    heading, lines = current_lines(facts, now, tz)
    played = facts.today["sessions"]
    shown = len(facts.sessions)
    return JourneyView(
        heading=heading,
        now=lines,
        today=stats(facts.today),
        today_note=_count(played, "session") + " today" if played else "Nothing played today yet.",
        all_time=all_time_text(facts),
        sessions=tuple(session_row(s, tz) for s in facts.sessions),
        sessions_note=(
            f"The {shown:,} most recent of {facts.session_count:,} sessions"
            if shown < facts.session_count
            else _count(facts.session_count, "session")
        )
        + ". Pick one to read its story (times in UTC, as the game logs them).",
    )


def current_lines(
    facts: JourneyFacts, now: datetime, tz: tzinfo
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The heading and the lines about the session being folded (the newest)."""
    session, others = facts.current[0], facts.current[1:]
    last = instant(session["ended_at"] or session["started_at"] or "")
    live = (
        session["end"] != "quit"
        and last is not None
        and 0 <= now.timestamp() - last <= LIVE_SECONDS
    )
    if live:
        heading = "Playing now"
    else:
        how = "quit" if session["end"] == "quit" else "last line"
        heading = f"Last session ({how} {display_time(session['ended_at'], tz)[:16]})"
    version = " ".join(x for x in (session.get("game_version"), session.get("channel")) if x)
    who = session.get("character") or session.get("handle")
    lines = [
        (
            "Started",
            display_time(session["started_at"], tz)[:16] + (f", {version}" if version else ""),
        ),
        (
            "Time played",
            f"{duration(session['seconds'])} ({duration(session['pu_seconds'])} in the verse)",
        ),
        ("Where", where_now(others, live)),
        ("Ship", ship_now(others, live)),
        ("Contracts", contracts_now(others)),
        ("Last death", death_text(facts.last_death, session["session_id"], tz)),
    ]
    if who:
        lines.insert(0, ("Playing as" if live else "Played as", who))
    return heading, tuple(lines)


def _open(facts: Sequence[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    found = [f for f in facts if f["kind"] == kind and f.get("ended_at") is None]
    return found[-1] if found else None


def where_now(facts: Sequence[dict[str, Any]], live: bool) -> str:
    stop = _open(facts, "stop")
    if stop is None:
        return "not logged yet this session" if live else "no place logged at the end"
    return f"{stop['name']} for {duration(stop['seconds'])}" + ("" if live else " (last seen)")


def ship_now(facts: Sequence[dict[str, Any]], live: bool) -> str:
    stint = _open(facts, "stint")
    if stint is None:
        return "not at the controls of a ship"
    return f"{stint['name']}, at the controls for {duration(stint['seconds'])}" + (
        "" if live else " (last seen)"
    )


def contracts_now(facts: Sequence[dict[str, Any]]) -> str:
    running = [
        f.get("title")
        or (
            "an unnamed contract"
            if f["contract_kind"] == "other"
            else f"a {f['contract_kind']} contract"
        )
        for f in facts
        if f["kind"] == "contract" and f["outcome"] == "in_progress"
    ]
    return "; ".join(running) if running else "none in progress"


def death_text(death: dict[str, Any] | None, session_id: str, tz: tzinfo) -> str:
    if death is None:
        return "none logged"
    # The story's own sentence for a death, so the tray and the CLI say it in the same words.
    what = fact_sentence(death)
    when = display_time(death["started_at"], tz)[:16]
    this = ", this session" if death["session_id"] == session_id else ""
    return f"{what} ({when}{this})"


def stats(totals: dict[str, Any]) -> tuple[Stat, ...]:
    kills = totals["kills"]
    done = totals["contracts_completed"]
    ended = done + totals["contracts_failed"] + totals["contracts_abandoned"]
    return (
        Stat(duration(totals["play_seconds"]), "played"),
        Stat(duration(totals["pu_seconds"]), "in the verse"),
        Stat(f"{totals['quantum_legs']:,}", "quantum legs"),
        Stat(duration(totals["ship_seconds"]), "at the controls"),
        Stat(f"{done:,}" if not ended else f"{done:,} of {ended:,}", "contracts completed"),
        Stat(money(totals["trade_profit"]), "trade profit"),
        Stat(f"{totals['deaths']:,}", "deaths"),
        Stat("not logged" if kills is None else f"{kills:,}", "kills"),
    )


def all_time_text(facts: JourneyFacts) -> str:
    t = facts.all_time
    parts = [
        _count(t["sessions"], "session"),
        f"{duration(t['play_seconds'])} played ({duration(t['pu_seconds'])} in the verse)",
        _count(t["quantum_legs"], "quantum leg"),
        f"{t['contracts_completed']:,} contracts completed",
        _count(t["deaths"], "death"),
    ]
    if facts.top_ship:
        parts.append(f"most flown: {facts.top_ship}")
    return "All time: " + ", ".join(parts) + "."


def session_row(item: SessionFacts, tz: tzinfo) -> SessionRow:
    session, totals = item.session, item.session["totals"]
    stops = sorted(session.get("stops", []), key=lambda s: -s["seconds"])
    done, deaths = totals["contracts_completed"], totals["deaths"]
    return SessionRow(
        session_id=session["session_id"],
        started=display_time(session["started_at"], tz)[:16],
        length=duration(session["seconds"]),
        in_verse=duration(session["pu_seconds"]) if session["pu_seconds"] else "—",
        where=stops[0]["name"] if stops else "—",
        ships=", ".join(ships_of(item.facts)) or "—",
        contracts=f"{done:,} completed" if done else "—",
        deaths=f"{deaths:,}" if deaths else "—",
        story=item.story,
    )


def ships_of(facts: Sequence[dict[str, Any]]) -> list[str]:
    """The readable names of the ships a session flew: most time at the controls first,
    then those only seen carrying the player on a quantum leg."""
    stints = sorted((f for f in facts if f["kind"] == "stint"), key=lambda f: -f["seconds"])
    names = [f["name"] for f in stints]
    names += [f["vehicle_name"] for f in facts if f["kind"] == "leg" and f.get("vehicle_name")]
    return list(dict.fromkeys(names))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
