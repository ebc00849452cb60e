"""What every part of the fold shares within one session: the session fact, fact numbering,
the player's own names, the facts closed so far, and where and in what the player is now.
"""

from dataclasses import dataclass, field

from starstats_core.journey.facts import Death, Fact, Kill, Life, Session, Stint, Stop, Stretch
from starstats_core.journey.summary import fact_sums


@dataclass(slots=True)
class Context:
    """One session's shared state. `closed` collects facts as they close; the fold hands
    them out after each `feed`."""

    session: Session
    # Case-folded handles that are the player: the given one and the session's login.
    me: set[str]
    closed: list[Fact] = field(default_factory=list)
    next_n: int = 1
    # The latest event seen: its timestamp and reference.
    at: str = ""
    ref: str = ""
    stop: Stop | None = None
    stint: Stint | None = None
    # `pu` or `arena` while a stretch is open, else None (menus).
    mode: str | None = None
    # The solar system the player is in, when a line said so.
    system: str | None = None
    # What the closed facts add to the session's totals so far (summary.fact_sums).
    sums: dict[str, float] = field(default_factory=dict)

    def number(self) -> int:
        """The next fact number of this session."""
        n = self.next_n
        self.next_n += 1
        return n

    def is_me(self, name: str | None) -> bool:
        """Is `name` the player (compared case-insensitively)?"""
        return name is not None and name.casefold() in self.me

    def close(self, fact: Fact) -> None:
        """Hand a finished fact out."""
        kind = type(fact)
        if kind in _NO_SUMS:
            pass
        elif kind is Kill:
            # `fact_sums` of the commonest facts that count, inlined (no dict made).
            key = "kills" if fact.target_kind == "actor" else "vehicle_kills"  # type: ignore[attr-defined]
            self.sums[key] = self.sums.get(key, 0) + 1
        elif kind is Death:
            self.sums["deaths"] = self.sums.get("deaths", 0) + 1
        elif not isinstance(fact, Session):
            # `add_sums`, inlined: a call less for every fact that counts.
            sums = self.sums
            for key, value in fact_sums(fact).items():
                sums[key] = sums.get(key, 0) + value
        self.closed.append(fact)


# Facts that add nothing to the totals (`fact_sums` gives them nothing; a session's own
# times are read when it closes), skipped without asking.
_NO_SUMS = frozenset({Session, Stop, Life, Stretch})
