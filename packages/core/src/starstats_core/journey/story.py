"""The journey told as text: each session as a short story in readable words, then totals.

Pure formatting of `journey_document`'s shape (facts as `Fact.to_dict()`, sessions as the
document's). It lives in core because the CLI (`starstats-client journey`), the web app's
"copy as text" and the tray's Journey tab must print the very same words; every name shown is
already readable in the facts (core's `names`).
"""

from typing import Any

_CAUSES = {
    "combat": "killed",
    "crash": "died in a crash",
    "collision": "died in a collision",
    "suicide": "died by their own hand",
    "backspace": "respawned by choice (backspace)",
    "incapacitation": "went down and was not revived",
    "environment": "died to the environment",
    "unknown": "died (cause not logged)",
}


def duration(seconds: float | None) -> str:
    """`1 h 05 min`, `12 min`, `40 s`."""
    if seconds is None:
        return "?"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


def money(amount: float | None) -> str:
    """`1,067,040 aUEC`."""
    return "? aUEC" if amount is None else f"{amount:,.0f} aUEC"


def _clock(timestamp: str | None) -> str:
    return "--:--" if not timestamp else timestamp[11:16]


def _quoted(title: str) -> str:
    return title if title.startswith(("a ", "an ")) else f"contract “{title}”"


def fact_sentence(fact: dict[str, Any]) -> str | None:
    """What one fact says in the story (`None` for kinds the story does not tell)."""
    kind = fact["kind"]
    if kind == "stretch":
        if fact["mode"] == "pu":
            shard = f" (shard {fact['shard']})" if fact.get("shard") else ""
            return f"joined the persistent universe{shard}"
        return f"started an Arena Commander match ({fact.get('game_mode') or 'unknown mode'})"
    if kind == "stop":
        return f"arrived at {fact['name']} (by {fact['arrived_by'].replace('_', ' ')})"
    if kind == "leg":
        where = fact.get("destination_name") or "an unlogged destination"
        ship = f" in the {fact['vehicle_name']}" if fact.get("vehicle_name") else ""
        if fact["leg_kind"] == "jump":
            return f"jumped to the {where} system{ship}"
        if fact["status"] != "arrived":
            return f"set course for {where}{ship} but did not arrive"
        took = f" ({duration(fact['seconds'])})" if fact.get("seconds") else ""
        return f"quantum travelled to {where}{ship}{took}"
    if kind == "stint":
        ended = {"destroyed": ", which was destroyed", "stored": ", then stored it"}.get(
            fact.get("end") or "", ""
        )
        return f"took the controls of the {fact['name']} for {duration(fact['seconds'])}{ended}"
    if kind == "death":
        killer = f" by {fact['killer_name']}" if fact.get("killer_name") else ""
        weapon = f" ({fact['weapon_name']})" if fact.get("weapon_name") else ""
        where = f" at {fact['place_name']}" if fact.get("place_name") else ""
        return f"{_CAUSES.get(fact['cause'], 'died')}{killer}{weapon}{where}"
    if kind == "kill":
        what = "destroyed the" if fact["target_kind"] == "vehicle" else "killed"
        return f"{what} {fact['victim_name']}"
    if kind == "contract":
        kind = fact["contract_kind"]
        title = fact.get("title") or (
            "an unnamed contract" if kind == "other" else f"a {kind} contract"
        )
        if fact["outcome"] == "in_progress":
            return f"worked on {_quoted(title)} (no outcome logged)"
        return f"{_quoted(title)}: {fact['outcome'].replace('_', ' ')}"
    if kind == "trade":
        verb = "bought" if fact["side"] == "buy" else "sold"
        qty = fact.get("quantity")
        amount = "" if qty is None else f"{qty:g} {fact.get('unit') or ''} of ".replace("  ", " ")
        status = "" if fact["status"] in ("confirmed", "submitted") else f" ({fact['status']})"
        return f"{verb} {amount}{fact['good_name']} for {money(fact.get('total'))}{status}"
    return None


def session_story(session: dict[str, Any], facts: list[dict[str, Any]]) -> list[str]:
    """One session's lines: launch, each fact in time order, the end."""
    version = session.get("game_version") or "an unknown version"
    channel = f" {session['channel']}" if session.get("channel") else ""
    lines = [
        f"{session['started_at'][:10]} {_clock(session['started_at'])}  launched"
        f" {version}{channel}" + (f" as {session['handle']}" if session.get("handle") else "")
    ]
    for fact in sorted(facts, key=lambda f: f.get("started_at") or f.get("ended_at") or ""):
        text = fact_sentence(fact)
        if text is not None:
            lines.append(
                f"           {_clock(fact.get('started_at') or fact.get('ended_at'))}  {text}"
            )
    end = "quit" if session["end"] == "quit" else "the log ends (crash or still running)"
    lines.append(
        f"           {_clock(session.get('ended_at'))}  {end} — {duration(session['seconds'])}"
        f" played, {duration(session['pu_seconds'])} in the verse"
    )
    return lines


def session_facts(document: dict[str, Any], session: dict[str, Any]) -> list[dict[str, Any]]:
    """The facts of one session in a journey document, as `session_story` takes them."""
    sid = session["session_id"]
    found: list[dict[str, Any]] = [
        *session.get("stretches", []),
        *session.get("stops", []),
        *session.get("stints", []),
    ]
    for key in ("legs", "deaths", "kills", "trades"):
        found += [f for f in document[key] if f["session_id"] == sid]
    found += [c for c in document["contracts"] if sid in c.get("sessions", [sid])]
    return found


def render(document: dict[str, Any]) -> str:
    """The whole journey as text."""
    out: list[str] = []
    player = document["player"].get("handle") or "the player"
    out.append(f"Journey of {player}")
    out.append("")
    for session in document["sessions"]:
        out += session_story(session, session_facts(document, session))
        out.append("")
    t = document["totals"]
    kills = "not logged by these game versions" if t["kills"] is None else str(t["kills"])
    out += [
        "Totals",
        f"  sessions            {t['sessions']}",
        f"  time played         {duration(t['play_seconds'])}"
        f" ({duration(t['pu_seconds'])} in the verse)",
        f"  quantum legs        {t['quantum_legs']}",
        f"  time at the controls {duration(t['ship_seconds'])}",
        f"  contracts           {t['contracts_completed']} completed,"
        f" {t['contracts_failed']} failed, {t['contracts_abandoned']} abandoned",
        f"  trade               spent {money(t['trade_spent'])}, earned {money(t['trade_earned'])}"
        f" (profit {money(t['trade_profit'])})",
        f"  deaths              {t['deaths']}",
        f"  kills               {kills}",
    ]
    if document["ships"]:
        top = document["ships"][0]
        out.append(f"  most flown          {top['name']} ({duration(top['seconds'])})")
    if document["places"]:
        top = document["places"][0]
        out.append(f"  most time at        {top['name']} ({duration(top['seconds'])})")
    return "\n".join(out) + "\n"
