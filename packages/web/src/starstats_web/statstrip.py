"""The dashboard's stat strip: the numbers a player looks for first, each with a tone (its
colour) and a note that says what the number means when it is not obvious. Pure."""

from dataclasses import dataclass

from starstats_web import api_models as m
from starstats_web import present


@dataclass(frozen=True)
class Stat:
    name: str
    value: str
    note: str | None = None
    tone: str = ""  # accent, amber, danger, success, violet: a class in app.css


def stat_strip(stats: m.StatsOverviewOut, *, whose: str = "your") -> list[Stat]:
    """The strip for the player's own dashboard, or (`whose="their"`) for someone else's
    profile."""
    if stats.kills is None:
        # 4.4+ logs carry no kill lines: "0" would be a lie, so say why there is no number.
        kills = Stat("Kills", "not logged", "not logged by the game since 4.4")
    else:
        kills = Stat("Kills", present.count(stats.kills), tone="success")
    deaths_note = (
        f"{present.count(stats.deaths_inferred)} inferred from incapacitation"
        if stats.deaths_inferred
        else None
    )
    return [
        Stat(
            "Play time",
            present.duration(stats.play_time_seconds),
            present.plural(stats.sessions, "session"),
            "accent",
        ),
        Stat(
            "Active days",
            present.count(stats.active_days),
            present.plural(stats.shards_joined, "shard") + " joined",
            "violet",
        ),
        Stat("Ships flown", present.count(stats.ships_flown), tone="amber"),
        Stat("Locations", present.count(stats.locations_visited), "places visited", "accent"),
        kills,
        Stat("Deaths", present.count(stats.deaths), deaths_note, "danger"),
        Stat("Events", present.count(stats.total_events), f"read from {whose} Game.log"),
    ]
