"""Lives, deaths and kills of one session.

Which lines say the player died depends on the game version:

* 3.24-4.3 logs have `<Actor Death>`: the player's deaths are those where they are the
  victim (`deaths.classify_death`), kills those where they are the killer of someone else.
  The corpse item-recovery line (`player_death`) is ignored there: 4.1 writes it for other
  players' corpses as well, and after the player's own death it repeats that death.
* 4.4+ logs have no kill lines. A death is the "Incapacitated:" banner followed by the
  item-recovery line or a respawn within `INCAP_WINDOW_SECONDS` (one death, not two), or
  the item-recovery line alone. An incapacitation followed by neither within the window
  counts as a revive. Kills are not logged at all (the session's `combat_logged` is false).

A life runs from the player's spawn in the PU (or the start of a PU stretch) to a death or
to leaving the PU.
"""

from collections.abc import Callable

from starstats_core.deaths import DeathOutcome, classify_death, is_npc
from starstats_core.events.base import BaseEvent
from starstats_core.events.combat import ActorDeath
from starstats_core.journey.context import Context
from starstats_core.journey.facts import Death, Kill, Life
from starstats_core.journey.instants import instant, span
from starstats_core.names import actor_name, ship_name, strip_entity_id, weapon_name

INCAP_WINDOW_SECONDS = 15 * 60
# The outcomes as plain names: reading an enum member off its class costs ~0.1 µs in 3.11.
_OTHER, _KILL = DeathOutcome.OTHER, DeathOutcome.KILL
_CRASH, _SUICIDE = DeathOutcome.CRASH, DeathOutcome.SUICIDE
# A fatal collision of the player's ship this shortly before a death caused it.
COLLISION_WINDOW_SECONDS = 30.0


# `deaths.is_npc` per name (~1 µs each; pure): kills and deaths name the same actors again
# and again. Bounded: emptied when full, so a long log of ever new names costs no more.
_NPC_CACHE: dict[str, bool] = {}
_NPC_CACHE_SIZE = 4096


def _is_npc(name: str) -> bool:
    found = _NPC_CACHE.get(name)
    if found is None:
        if len(_NPC_CACHE) >= _NPC_CACHE_SIZE:
            _NPC_CACHE.clear()
        found = _NPC_CACHE[name] = is_npc(name)
    return found


class Lives:
    """The player's lives, deaths and kills in one session."""

    __slots__ = (
        "collision_at",
        "ctx",
        "handlers",
        "incap_at",
        "incap_ref",
        "life",
        "provisional",
        "vehicles",
    )

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.life: Life | None = None
        # The open life was opened by entering the PU, not by a spawn line: the first spawn
        # that follows moves its start there (loading into the PU is not living).
        self.provisional = False
        self.incap_at: str | None = None
        self.incap_ref: str | None = None
        self.collision_at: str | None = None
        # Vehicle ids the player brought to destroy level 2 (counted once each).
        self.vehicles: set[str] = set()
        self.handlers: dict[str, Callable[[BaseEvent], None]] = {
            "player_spawned": self._spawned,
            "actor_death": self._actor_death,
            "player_incapacitated": self._incapacitated,
            "player_death": self._recovery,
            "vehicle_destruction": self._vehicle_destruction,
            "fatal_collision": self._collision,
            "med_bed_heal": self._med_bed,
        }

    # -- lives ------------------------------------------------------------------------------
    def begin(self, *, provisional: bool = False) -> None:
        """Open a life now, unless one is open (the player spawned, or `provisional`ly,
        entered the PU)."""
        ctx = self.ctx
        if self.life is not None:
            if self.provisional and not provisional and self.life.evidence_count == 1:
                self.life.started_at = ctx.at
                self.life.evidence[0] = ctx.ref
                self.provisional = False
            return
        if ctx.mode != "pu":
            return
        life = Life(session_id=ctx.session.session_id, n=ctx.number(), started_at=ctx.at)
        life.cite(ctx.ref)
        self.life = life
        self.provisional = provisional

    def end(self, how: str, at: str, cause: str | None = None) -> None:
        """Close the open life at `at`."""
        life = self.life
        if life is None:
            return
        life.ended_at = at
        life.seconds = span(life.started_at, at)
        life.end = how
        life.cause = cause
        stop, stint = self.ctx.stop, self.ctx.stint
        life.place = None if stop is None else stop.place
        life.place_name = None if stop is None else stop.name
        life.ship = None if stint is None else stint.ship
        self.life = None
        self.ctx.close(life)

    def _spawned(self, event: BaseEvent) -> None:
        if self.incap_at is not None:
            self._died_incapacitated()
        self.begin()

    def tick(self) -> None:
        """Called for every event while an incapacitation is pending: past the window with
        no death signal, the player was revived."""
        incap = instant(self.incap_at or "")
        now = instant(self.ctx.at)
        if incap is not None and now is not None and now - incap > INCAP_WINDOW_SECONDS:
            if self.life is not None:
                self.life.revived += 1
            self.incap_at = self.incap_ref = None

    # -- deaths -----------------------------------------------------------------------------
    def _death(
        self,
        cause: str,
        started_at: str,
        *,
        killer: str | None = None,
        killer_name: str | None = None,
        killer_is_npc: bool | None = None,
        weapon: str | None = None,
        weapon_name: str | None = None,
        damage_type: str | None = None,
    ) -> Death:
        ctx = self.ctx
        stop, stint = ctx.stop, ctx.stint
        # Positional, in the fields' order (facts.Death): ~0.5 µs less than by keyword.
        return Death(
            ctx.session.session_id,
            ctx.number(),
            started_at,
            ctx.at,
            [],
            0,
            cause,
            killer,
            killer_name,
            killer_is_npc,
            weapon,
            weapon_name,
            damage_type,
            None if stop is None else stop.place,
            None if stop is None else stop.name,
            None if stint is None else stint.ship,
            ctx.mode or "menu",
        )

    def _record_death(self, death: Death) -> None:
        ctx = self.ctx
        # A death with no life open (dead again before any spawn line) ends no life.
        if self.life is not None:
            self.life.cite(ctx.ref)
            self.end("death", death.started_at or ctx.at, death.cause)
        ctx.close(death)

    def _recent_collision(self, at: str) -> bool:
        if self.collision_at is None:
            return False
        gap = span(self.collision_at, at)
        return gap <= COLLISION_WINDOW_SECONDS and instant(self.collision_at) is not None

    def _actor_death(self, event: BaseEvent) -> None:
        if not isinstance(event, ActorDeath):
            return
        ctx = self.ctx
        ctx.session.combat_logged = True
        me = ctx.me
        outcome = classify_death(event, next(iter(me), ""))
        if outcome is _OTHER and len(me) > 1:
            for handle in me:
                outcome = classify_death(event, handle)
                if outcome is not _OTHER:
                    break
        if outcome is _OTHER:
            return
        if outcome is _KILL:
            self._kill("actor", event.victim, strip_entity_id(event.weapon), event.damage_type)
            return
        damage = event.damage_type
        if outcome is _CRASH:
            cause = "collision" if self._recent_collision(ctx.at) else "crash"
        elif outcome is _SUICIDE:
            cause = "backspace" if damage.casefold() == "suicide" else "suicide"
        elif event.killer.casefold() == "unknown":
            cause = "environment"
        else:
            cause = "combat"
        if cause in ("crash", "collision", "backspace", "suicide"):
            death = self._death(cause, ctx.at, damage_type=damage)
        else:
            killer = event.killer
            # The weapon is read only here and for kills: a crash or a suicide names none.
            weapon = strip_entity_id(event.weapon)
            death = self._death(
                cause,
                ctx.at,
                killer=killer,
                killer_name=actor_name(killer),
                killer_is_npc=_is_npc(killer),
                weapon=weapon,
                weapon_name=weapon_name(weapon),
                damage_type=damage,
            )
        death.cite(ctx.ref)
        self._record_death(death)

    def _incapacitated(self, event: BaseEvent) -> None:
        if self.incap_at is not None:
            self._died_incapacitated()
        self.incap_at, self.incap_ref = self.ctx.at, self.ctx.ref
        if self.life is not None:
            self.life.incapacitations += 1

    def _died_incapacitated(self) -> None:
        at = self.incap_at or self.ctx.at
        cause = "collision" if self._recent_collision(at) else "incapacitation"
        death = self._death(cause, at)
        if self.incap_ref is not None:
            death.cite(self.incap_ref)
        self.incap_at = self.incap_ref = None
        self._record_death(death)

    def _recovery(self, event: BaseEvent) -> None:
        ctx = self.ctx
        if ctx.session.combat_logged:
            return
        if self.incap_at is not None:
            at = self.incap_at
            cause = "collision" if self._recent_collision(at) else "incapacitation"
            death = self._death(cause, at)
            if self.incap_ref is not None:
                death.cite(self.incap_ref)
            self.incap_at = self.incap_ref = None
        else:
            cause = "collision" if self._recent_collision(ctx.at) else "unknown"
            death = self._death(cause, ctx.at)
        death.cite(ctx.ref)
        self._record_death(death)

    def _collision(self, event: BaseEvent) -> None:
        ctx = self.ctx
        stint = ctx.stint
        vehicle = strip_entity_id(getattr(event, "vehicle_class", "") or "")
        mine = getattr(event, "player_pilot", None) is True or (
            stint is not None and stint.ship == vehicle
        )
        if mine:
            self.collision_at = ctx.at

    def _med_bed(self, event: BaseEvent) -> None:
        if not self.ctx.is_me(getattr(event, "actor", None)):
            return
        if self.life is not None:
            self.life.med_bed_heals += 1
            if self.incap_at is not None:
                self.life.revived += 1
        self.incap_at = self.incap_ref = None

    # -- kills ------------------------------------------------------------------------------
    def _kill(self, target_kind: str, victim: str, weapon: str | None, damage: str | None) -> None:
        ctx = self.ctx
        stop, stint = ctx.stop, ctx.stint
        # Positional, in the fields' order (facts.Kill): ~0.5 µs less than by keyword.
        kill = Kill(
            ctx.session.session_id,
            ctx.number(),
            ctx.at,
            ctx.at,
            [ctx.ref],
            1,
            target_kind,
            victim,
            ship_name(victim) if target_kind == "vehicle" else actor_name(victim),
            _is_npc(victim) if target_kind == "actor" else "_PU_AI" in victim,
            weapon,
            None if weapon is None else weapon_name(weapon),
            damage,
            None if stop is None else stop.place,
            None if stop is None else stop.name,
            None if stint is None else stint.ship,
            ctx.mode or "menu",
        )
        ctx.close(kill)

    def _vehicle_destruction(self, event: BaseEvent) -> None:
        ctx = self.ctx
        ctx.session.combat_logged = True
        vehicle_id = getattr(event, "vehicle_id", None) or ""
        stint = ctx.stint
        if (
            (getattr(event, "destroy_level_to", 0) or 0) < 2
            or not ctx.is_me(getattr(event, "caused_by", None))
            or vehicle_id in self.vehicles
            or (stint is not None and stint.vehicle_id == vehicle_id)
        ):
            return
        self.vehicles.add(vehicle_id)
        vehicle = strip_entity_id(getattr(event, "vehicle_class", "") or "")
        self._kill("vehicle", vehicle, None, getattr(event, "cause", None))

    # -- the end ----------------------------------------------------------------------------
    def leave(self) -> None:
        """The player left the PU (or the session ended): the life ends without a death."""
        self.end("left", self.ctx.at)

    def open_facts(self) -> list[Life]:
        return [] if self.life is None else [self.life]
