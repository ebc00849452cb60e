"""Stored events as sentences a player reads ("Joined shard pub_euw1b… at 21:14") and event
types as names ("Quantum target selected"). Pure: no I/O; "now" is never needed.

`describe` reads the payload fields core's event models carry (starstats_core.events). A
payload from an older or newer client may lack a field or hold another type: every read
here checks, and a sentence that cannot be built falls back to the type's name, so a page
never fails on one odd event. Long on purpose: one small builder per event kind (67), kept
together so a new kind's sentence is written next to its neighbours'.
"""

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from starstats_core import names
from starstats_core.deaths import is_npc
from starstats_core.events import EventType
from starstats_core.names.tokens import prettify

# Opaque ids (shards, GEIDs, mission UUIDs) longer than this are cut, with an ellipsis.
_ID_KEEP = 9
_ID_MAX = 12
# Free text (HUD banners, launcher lines, reasons) is cut to this many characters.
_TEXT_MAX = 120
_ELLIPSIS = "…"
_HUGE = 10**15
_GUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")

_LABELS: Mapping[str, str] = {
    EventType.SESSION_STARTED: "Game launched",
    EventType.PROCESS_INIT: "Game process started",
    EventType.LEGACY_LOGIN: "Logged in",
    EventType.CHARACTER_STATUS: "Character loaded",
    EventType.INCOMING_CONNECTION: "Connection expected",
    EventType.JOIN_PU: "Shard joined",
    EventType.CHANGE_SERVER: "Server change",
    EventType.SEED_SOLAR_SYSTEM: "Solar system loaded",
    EventType.RESOLVE_SPAWN: "Fallback spawn",
    EventType.CONTEXT_ESTABLISHED: "Loading finished",
    EventType.LOADING_SCREEN_CLOSED: "Loading screen closed",
    EventType.PLAYER_SPAWNED: "Spawned",
    EventType.CHANNEL_DISCONNECTED: "Disconnected",
    EventType.PU_SESSION_ENDED: "Left the universe",
    EventType.SESSION_END: "Game closed",
    EventType.GAME_MODE_CHANGED: "Game mode changed",
    EventType.GAME_CRASH: "Game crash",
    EventType.LAUNCHER_ACTIVITY: "Launcher activity",
    EventType.ACTOR_DEATH: "Death or kill",
    EventType.VEHICLE_DESTRUCTION: "Ship destroyed",
    EventType.CORPSE: "Corpse",
    EventType.PLAYER_DEATH: "Died",
    EventType.PLAYER_INCAPACITATED: "Incapacitated",
    EventType.INCAP_LOGGED: "Incapacitation",
    EventType.STATUS_EFFECT: "Status effect",
    EventType.SPAWN_RESERVATION_LOST: "Spawn point lost",
    EventType.FATAL_COLLISION: "Fatal collision",
    EventType.ACTOR_STALL: "Connection stall",
    EventType.HOSTILE_HIT: "Hostile hit",
    EventType.ACTOR_EJECTED: "Ejected from zone",
    EventType.MED_BED_HEAL: "Med bed surgery",
    EventType.VEHICLE_CONTROL: "Ship controls",
    EventType.VEHICLE_SPAWNED: "Ship spawned",
    EventType.VEHICLE_STOWED: "Ship stowed",
    EventType.FLEET_SIZE: "Fleet size",
    EventType.INSURANCE_CLAIM: "Insurance claim",
    EventType.JUMP_DRIVE_STATE: "Jump drive",
    EventType.QUANTUM_TARGET_SELECTED: "Quantum target selected",
    EventType.QUANTUM_ROUTE: "Quantum route",
    EventType.QUANTUM_ARRIVED: "Quantum arrival",
    EventType.QUANTUM_REROUTED: "Quantum reroute",
    EventType.MISSION_QUANTUM_DESTINATION_SELECTED: "Contract beacon selected",
    EventType.LOCATION_INVENTORY_REQUESTED: "Inventory opened",
    EventType.PLANET_TERRAIN_LOAD: "Near a planet",
    EventType.PLANET_CELLS_LOADED: "At a planet",
    EventType.LOCATION_CHANGED: "Location changed",
    EventType.HUD_NOTIFICATION: "Notification",
    EventType.BLUEPRINT_RECEIVED: "Blueprint received",
    EventType.MISSION_START: "Contract accepted",
    EventType.MISSION_END: "Contract ended",
    EventType.MISSION_OBJECTIVE: "Objective text",
    EventType.OBJECTIVE_UPSERTED: "Objective update",
    EventType.MISSION_ENDED: "Contract result",
    EventType.TRAVEL_TO_CONTRACT_LOCATION: "Course to contract",
    EventType.SHOP_BUY_REQUEST: "Shop purchase",
    EventType.SHOP_SELL_REQUEST: "Shop sale",
    EventType.SHOP_FLOW_RESPONSE: "Shop answer",
    EventType.COMMODITY_BUY_REQUEST: "Commodity purchase",
    EventType.COMMODITY_SELL_REQUEST: "Commodity sale",
    EventType.COMMODITY_BOX_ADDED: "Cargo box loaded",
    EventType.SHOP_REQUEST_TIMED_OUT: "Shop timeout",
    EventType.ATTACHMENT_RECEIVED: "Item attached",
    EventType.ITEM_EQUIP_CHANGE: "Item equipped",
    EventType.ITEM_STORED: "Item stored",
    EventType.INVENTORY_MANAGEMENT: "Item moved",
    EventType.REMOTE_MATCH: "Server rule match",
    EventType.BURST_SUMMARY: "Repeated lines",
    # What the server stores for an envelope without an event.
    "unknown": "Unreadable event",
}

# Placeholders the game logs for "none": never shown as a name.
_NOBODY = frozenset(
    {"unknown", "UNKNOWN", "none", "None", "NULL", "INVALID", "INVALID_LOCATION_ID"}
)


def label(event_type: str) -> str:
    """The human name of an event type, for filters, legends and charts
    (`quantum_target_selected` -> "Quantum target selected"); any other type's own words."""
    name = _LABELS.get(event_type)
    if name is not None:
        return name
    words = " ".join(str(event_type).replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else "Event"


def describe(event_type: str, payload: Mapping[str, Any] | None, at: datetime | None) -> str:
    """One event as a sentence, with the time of day as HH:MM (UTC) when `at` is given.

    Unknown types and payloads missing what a sentence needs give "<label> at HH:MM"."""
    builder = _SENTENCES.get(event_type)
    fields = _Fields(payload if isinstance(payload, Mapping) else {})
    sentence = builder(fields) if builder is not None else None
    return (sentence or label(event_type)) + _clock(at)


def _clock(at: datetime | None) -> str:
    if not isinstance(at, datetime):
        return ""
    shown = at.astimezone(UTC) if at.tzinfo is not None else at  # naive: taken as UTC
    return f" at {shown:%H:%M}"


# -- reading payload fields safely -------------------------------------------------------------
def _clean(text: str, limit: int = _TEXT_MAX) -> str:
    """One line, at most `limit` characters (a longer one ends in an ellipsis)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + _ELLIPSIS


def _short_id(text: str) -> str:
    """`pub_euw1b_11704877_090` -> `pub_euw1b…`: enough to tell ids apart at a glance."""
    return text if len(text) <= _ID_MAX else text[:_ID_KEEP] + _ELLIPSIS


def _ship(name: str) -> str:
    """A vehicle class as players name it (core's `names`, the one table every app uses):
    `ANVL_Hornet_F7CM_Mk2` -> `Anvil Hornet F7C-M Mk II`; an AI ship is marked as one."""
    return _clean(names.ship_name(name), 60) or name


def _place(name: str) -> str:
    """A game place key as its name (core's `names`): `OOC_Stanton_2_Crusader` ->
    `Crusader`, `Stanton4_NewBabbage` -> `New Babbage`, `RR_HUR_LEO` -> `Everus Harbor`."""
    return _clean(names.place_name(name), 60) or name


def _item(name: str) -> str:
    """An item or attachment class as words (core's `names`): `crlf_consumable_healing_01`
    -> `CureLife consumable healing`; a class name never reaches the page."""
    return _clean(names.item_name(name), 80) or name


def _port(name: str) -> str:
    """An item port (`medPen_attach_1`) in words: `Med Pen Attach 1`."""
    return _clean(prettify(name), 60) or name


def _amount(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


class _Fields:
    """Typed, forgiving reads of a payload: a value of the wrong type counts as missing."""

    def __init__(self, payload: Mapping[Any, Any]) -> None:
        self._payload = payload

    def text(self, key: str, limit: int = 80) -> str | None:
        value = self._payload.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = self.number(key)
            value = None if number is None else _amount(number).replace(",", "")
        if not isinstance(value, str):
            return None
        text = _clean(value, limit)
        return text if text and text not in _NOBODY else None

    def number(self, key: str) -> float | None:
        value = self._payload.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        # A huge int cannot become a float (nor, past 4,300 digits, a string): not a count.
        if isinstance(value, int) and abs(value) >= _HUGE:
            return None
        return float(value) if math.isfinite(value) else None

    def flag(self, key: str) -> bool | None:
        value = self._payload.get(key)
        return value if isinstance(value, bool) else None

    def ship(self, key: str = "vehicle_class") -> str | None:
        name = self.text(key)
        return None if name is None else _ship(name)

    def place(self, key: str) -> str | None:
        name = self.text(key)
        return None if name is None else _place(name)

    def ident(self, key: str) -> str | None:
        name = self.text(key, limit=200)
        return None if name is None else _short_id(name)

    def actor(self, key: str) -> str | None:
        """A player's handle, or "an NPC" for the game's AI actor names."""
        name = self.text(key, limit=200)
        if name is None:
            return None
        return "an NPC" if is_npc(name) else _clean(name, 40)

    def items(self, key: str) -> list[Any]:
        value = self._payload.get(key)
        return list(value) if isinstance(value, list | tuple) else []


Sentence = Callable[[_Fields], str | None]


def _words(text: str | None) -> str | None:
    """`STATE_CURRENT` / `inprogress` -> `current` / `in progress`."""
    if text is None:
        return None
    text = text.removeprefix("STATE_").removeprefix("MISSION_STATE_")
    return text.replace("_", " ").replace("inprogress", "in progress").lower()


# -- session and identity ---------------------------------------------------------------------
def _session_started(f: _Fields) -> str:
    version = f.text("file_version") or f.text("branch") or f.text("build")
    channel = f.text("channel")
    detail = " ".join(part for part in (version, f"({channel})" if channel else None) if part)
    return f"Launched Star Citizen {detail}".rstrip()


def _process_init(f: _Fields) -> str:
    online = f.flag("online")
    if online is None:
        return "Game process started"
    return f"Game process started {'online' if online else 'offline'}"


def _join_pu(f: _Fields) -> str | None:
    shard = f.ident("shard")
    return None if shard is None else f"Joined shard {shard}"


def _change_server(f: _Fields) -> str | None:
    phase = f.text("phase")
    if phase == "start":
        return "Server change started"
    if phase == "end":
        return "Server change finished" + (" (online)" if f.flag("is_online") else "")
    return None


def _seed_solar_system(f: _Fields) -> str | None:
    system, shard = f.place("solar_system"), f.ident("shard")
    if system is None:
        return None
    verb = "Loaded" if f.flag("success") else "Loading"
    return f"{verb} the {system} system" + (f" for shard {shard}" if shard else "")


def _context_established(f: _Fields) -> str | None:
    rules, where = f.text("gamerules"), f.text("map")
    if rules is None:
        return None
    return f"Finished loading {rules}" + (f" on {where}" if where and where != rules else "")


def _loading_screen_closed(f: _Fields) -> str | None:
    seconds, rules = f.number("seconds"), f.text("gamerules")
    if seconds is None:
        return None
    return f"Loading screen closed after {seconds:,.0f} s" + (f" ({rules})" if rules else "")


def _channel_disconnected(f: _Fields) -> str | None:
    reason = f.text("reason")
    return None if reason is None else f"Disconnected: {reason}"


def _session_end(f: _Fields) -> str | None:
    kind, reason = f.text("kind"), f.text("reason")
    if kind == "fast_shutdown":
        return "Game shut down"
    if kind == "system_quit":
        return "Quit the game" + (f" ({reason})" if reason else "")
    return None


def _game_mode_changed(f: _Fields) -> str | None:
    to, old = f.text("to_mode"), f.text("from_mode")
    if to is None:
        return None
    return f"Switched game mode to {to}" + (f" from {old}" if old else "")


def _game_crash(f: _Fields) -> str | None:
    channel, folder = f.text("channel"), f.ident("crash_dir_name")
    if channel is None and folder is None:
        return None
    where = " ".join(p for p in (channel, f"(crash report {folder})" if folder else None) if p)
    return f"The game crashed: {where}"


# -- combat -----------------------------------------------------------------------------------
def _actor_death(f: _Fields) -> str | None:
    victim, killer = f.actor("victim"), f.actor("killer")
    if victim is None:
        return None
    damage = (f.text("damage_type") or "").casefold()
    where = f.place("zone")
    suffix = f" in {where}" if where and damage != "vehicledestruction" else ""
    if victim == "an NPC":
        victim = "An NPC"  # the sentence starts with it
    if damage == "crash":
        return f"{victim} died in a crash{suffix}"
    same = f.text("killer", limit=200) == f.text("victim", limit=200)
    if damage == "suicide" or (killer is not None and same):
        return f"{victim} died (suicide){suffix}"
    if killer is None:
        return f"{victim} died{suffix}"
    how = f" ({f.text('damage_type')})" if f.text("damage_type") else ""
    return f"{victim} was killed by {killer}{how}{suffix}"


def _vehicle_destruction(f: _Fields) -> str | None:
    ship, level = f.ship(), f.number("destroy_level_to")
    if ship is None:
        return None
    state = "disabled" if level == 1 else "destroyed"
    by = f.actor("caused_by")
    return f"{ship} was {state}" + (f" by {by}" if by else "")


def _corpse(f: _Fields) -> str | None:
    player, detail = f.actor("player"), f.text("detail")
    if player is None:
        return None
    whose = "Your corpse" if f.flag("is_local") else f"Corpse of {player}"
    return f"{whose}: {detail}" if detail else whose


def _incap_logged(f: _Fields) -> str | None:
    who = f.actor("nickname")
    if who is None:
        return None
    causes = [c.get("name") for c in f.items("causes") if isinstance(c, Mapping)]
    named = ", ".join(_clean(c, 30) for c in causes if isinstance(c, str) and c.strip())
    return f"{who} was incapacitated" + (f" ({named})" if named else "")


def _status_effect(f: _Fields) -> str | None:
    effect = f.text("effect")
    if effect is None:
        return None
    phase = {"start": "began", "end": "ended"}.get(f.text("phase") or "", "changed")
    return f"Status effect {effect} {phase}"


def _fatal_collision(f: _Fields) -> str | None:
    ship = f.ship()
    if ship is None:
        return None
    hit = f.text("hit_entity")
    return f"{ship} crashed" + (f" into {hit}" if hit else "")


def _actor_stall(f: _Fields) -> str | None:
    who, length = f.actor("player"), f.number("length")
    if who is None:
        return None
    return f"{who}'s connection stalled" + (f" for {length:.1f} s" if length is not None else "")


def _hostile_hit(f: _Fields) -> str | None:
    attacker, target = f.actor("attacker"), f.ship("target")
    if attacker is None or target is None:
        return None
    return f"{attacker} hit {target}"


def _actor_ejected(f: _Fields) -> str | None:
    who, zone = f.actor("player"), f.place("zone")
    if who is None:
        return None
    return f"{who} was thrown out of {zone} dead" if zone else f"{who} was thrown out dead"


_LIMBS = (
    ("head", "head"),
    ("torso", "torso"),
    ("left_arm", "left arm"),
    ("right_arm", "right arm"),
    ("left_leg", "left leg"),
    ("right_leg", "right leg"),
)


def _med_bed_heal(f: _Fields) -> str | None:
    healed = [name for key, name in _LIMBS if f.flag(key)]
    outcome = f.text("outcome")
    if not healed and outcome is None:
        return None
    parts = f"healed {', '.join(healed)}" if healed else (outcome or "").lower()
    return f"Med bed surgery: {parts}"


# -- ships, travel and places -----------------------------------------------------------------
def _vehicle_control(f: _Fields) -> str | None:
    ship, action = f.ship(), f.text("action")
    if ship is None:
        return None
    return f"Left the controls of {ship}" if action == "left" else f"Took the controls of {ship}"


def _vehicle_stowed(f: _Fields) -> str | None:
    pad = f.text("landing_area", limit=200)
    if pad is None:
        return None
    pad = pad.removeprefix("[PROC]").split("{", 1)[0].removeprefix("LandingArea_")
    return f"Ship stowed at {_clean(pad.replace('_', ' ').strip(), 60) or 'a landing pad'}"


def _fleet_size(f: _Fields) -> str | None:
    count = f.number("entitlement_count")
    if count is None:
        return None
    return f"Fleet: {count:,.0f} ship{'' if count == 1 else 's'} owned"


def _insurance_claim(f: _Fields) -> str | None:
    phase = f.text("phase")
    if phase == "requested":
        return "Filed an insurance claim"
    if phase == "completed":
        return "Insurance claim completed"
    return None


def _jump_drive_state(f: _Fields) -> str | None:
    state, system = f.text("state"), f.place("system")
    if state is None:
        return None
    verb = "asked to go" if f.text("phase") == "requested" else "is now"
    return f"Jump drive {verb} {state.lower()}" + (f" ({system})" if system else "")


def _quantum_target(f: _Fields) -> str | None:
    where = f.place("destination")
    if where is None:
        return None
    if f.text("phase") == "fuel_requested":
        return f"Quantum fuel calculated for {where}"
    return f"Quantum target selected: {where}"


def _quantum_route(f: _Fields) -> str | None:
    where, start = f.place("destination"), f.place("start_location")
    if where is None:
        return None
    return f"Quantum route plotted to {where}" + (f" from {start}" if start else "")


def _quantum_arrived(f: _Fields) -> str:
    ship = f.ship()
    return "Quantum jump completed" + (f" in {ship}" if ship else "")


def _location_changed(f: _Fields) -> str | None:
    to, old = f.place("to"), f.place("from")
    if to is None:
        return None
    return f"Moved from {old} to {to}" if old else f"Arrived at {to}"


# -- HUD, contracts and missions --------------------------------------------------------------
def _hud_notification(f: _Fields) -> str | None:
    text = f.text("text")
    if text is None:
        return None
    return f"Notification: “{text.rstrip(': ').strip() or text}”"


def _mission_start(f: _Fields) -> str | None:
    contract = f.text("contract")
    name = f.text("mission_name") or (prettify(contract) if contract else f.ident("mission_id"))
    return None if name is None else f"Contract accepted: {name}"


def _mission_end(f: _Fields) -> str | None:
    outcome, reason = f.text("outcome"), f.text("reason")
    if outcome is None and reason is None:
        return None
    text = " ".join(p for p in (outcome and outcome.lower(), reason and f"({reason})") if p)
    return f"Contract ended: {text}"


def _objective_upserted(f: _Fields) -> str | None:
    state = _words(f.text("state"))
    return None if state is None else f"Objective {state}"


def _mission_ended(f: _Fields) -> str | None:
    state = _words(f.text("state"))
    return None if state is None else f"Contract {state}"


# -- commerce ---------------------------------------------------------------------------------
def _priced(f: _Fields) -> str:
    price = f.number("price")
    return f" for {_amount(price)} aUEC" if price is not None else ""


def _shop_buy_request(f: _Fields) -> str | None:
    item, shop = f.text("item_class"), f.text("shop_name")
    if item is None:
        return None if shop is None else f"Sent a purchase request at {shop}{_priced(f)}"
    count = f.number("quantity")
    many = f"{count:,.0f} × " if count is not None and count != 1 else ""
    return f"Asked to buy {many}{item}{_priced(f)}"


def _shop_sell_request(f: _Fields) -> str | None:
    item, shop = f.text("item_class"), f.text("shop_name")
    if item is None:
        return None if shop is None else f"Sent a sale request at {shop}{_priced(f)}"
    count = f.number("quantity")
    many = f"{count:,.0f} × " if count is not None and count != 1 else ""
    return f"Asked to sell {many}{item}{_priced(f)}" + (f" at {shop}" if shop else "")


def _shop_flow_response(f: _Fields) -> str:
    success = f.flag("success")
    if success is None:
        return "The shop answered"
    if not success:
        return "The shop refused the request"
    what = "sale" if f.text("kind") == "Selling" else "purchase"
    return f"The shop confirmed the {what}"


def _commodity(f: _Fields, verb: str) -> str | None:
    what = f.text("commodity")
    if what is None:
        return None
    if _GUID.fullmatch(what):
        what = f"commodity {_short_id(what)}"  # real lines give the resource GUID only
    count, unit = f.number("quantity"), f.text("quantity_unit")
    amount = f"{_amount(count)} {unit or 'units'} of " if count is not None else ""
    return f"{verb} {amount}{what}{_priced(f)}"


def _commodity_box_added(f: _Fields) -> str | None:
    what = f.text("commodity")
    return None if what is None else f"Cargo box of {what.removeprefix('ResourceType.')} loaded"


def _shop_request_timed_out(f: _Fields) -> str | None:
    seconds = f.number("timed_out_after_secs")
    if seconds is None:
        return None
    item = f.text("item_class")
    return f"A shop request{f' for {item}' if item else ''} got no answer in {seconds:,.0f} s"


# -- loadout and inventory --------------------------------------------------------------------
def _attachment_received(f: _Fields) -> str | None:
    item, port = f.text("item_class"), f.text("port")
    if item is None:
        return None
    return f"{_item(item)} attached" + (f" to {_port(port)}" if port else "")


def _item_equip_change(f: _Fields) -> str | None:
    item, port = f.text("item_class"), f.text("port", limit=200)
    if item is None:
        return None
    slot = port.rsplit(":", 1)[-1] if port else None
    return f"Equipped {_item(item)}" + (f" on {_port(slot)}" if slot else "")


def _burst_summary(f: _Fields) -> str | None:
    size = f.number("size")
    return None if size is None else f"{size:,.0f} similar lines collapsed into one"


def _text_after(prefix: str, key: str, *, how: Callable[[_Fields, str], str | None]) -> Sentence:
    """A sentence "<prefix><value>" that needs one field."""

    def build(f: _Fields) -> str | None:
        value = how(f, key)
        return None if value is None else f"{prefix}{value}"

    return build


def _item_of(f: _Fields, key: str) -> str | None:
    item = f.text(key)
    return None if item is None else _item(item)


def _text(f: _Fields, key: str) -> str | None:
    return f.text(key)


_SENTENCES: Mapping[str, Sentence] = {
    EventType.SESSION_STARTED: _session_started,
    EventType.PROCESS_INIT: _process_init,
    EventType.LEGACY_LOGIN: _text_after("Logged in as ", "handle", how=_Fields.actor),
    EventType.CHARACTER_STATUS: lambda f: (
        None
        if f.text("name") is None
        else f"Playing as {f.text('name')}"
        + (f" ({_words(f.text('state'))})" if f.text("state") else "")
    ),
    EventType.INCOMING_CONNECTION: _text_after(
        "Expecting a connection from ", "nickname", how=_Fields.actor
    ),
    EventType.JOIN_PU: _join_pu,
    EventType.CHANGE_SERVER: _change_server,
    EventType.SEED_SOLAR_SYSTEM: _seed_solar_system,
    EventType.RESOLVE_SPAWN: lambda f: "No spawn point found: spawned at the system's fallback",
    EventType.CONTEXT_ESTABLISHED: _context_established,
    EventType.LOADING_SCREEN_CLOSED: _loading_screen_closed,
    EventType.PLAYER_SPAWNED: lambda f: "Spawned into the game",
    EventType.CHANNEL_DISCONNECTED: _channel_disconnected,
    EventType.PU_SESSION_ENDED: lambda f: "Left the persistent universe",
    EventType.SESSION_END: _session_end,
    EventType.GAME_MODE_CHANGED: _game_mode_changed,
    EventType.GAME_CRASH: _game_crash,
    EventType.LAUNCHER_ACTIVITY: _text_after("Launcher: ", "message", how=_text),
    EventType.ACTOR_DEATH: _actor_death,
    EventType.VEHICLE_DESTRUCTION: _vehicle_destruction,
    EventType.CORPSE: _corpse,
    EventType.PLAYER_DEATH: lambda f: "Died: the body went to item recovery",
    EventType.PLAYER_INCAPACITATED: lambda f: "Incapacitated: waiting for a revive",
    EventType.INCAP_LOGGED: _incap_logged,
    EventType.STATUS_EFFECT: _status_effect,
    EventType.SPAWN_RESERVATION_LOST: _text_after(
        "Spawn point released for ", "player", how=_Fields.actor
    ),
    EventType.FATAL_COLLISION: _fatal_collision,
    EventType.ACTOR_STALL: _actor_stall,
    EventType.HOSTILE_HIT: _hostile_hit,
    EventType.ACTOR_EJECTED: _actor_ejected,
    EventType.MED_BED_HEAL: _med_bed_heal,
    EventType.VEHICLE_CONTROL: _vehicle_control,
    EventType.VEHICLE_SPAWNED: _text_after("Ship ready: ", "vehicle_class", how=_Fields.ship),
    EventType.VEHICLE_STOWED: _vehicle_stowed,
    EventType.FLEET_SIZE: _fleet_size,
    EventType.INSURANCE_CLAIM: _insurance_claim,
    EventType.JUMP_DRIVE_STATE: _jump_drive_state,
    EventType.QUANTUM_TARGET_SELECTED: _quantum_target,
    EventType.QUANTUM_ROUTE: _quantum_route,
    EventType.QUANTUM_ARRIVED: _quantum_arrived,
    EventType.QUANTUM_REROUTED: lambda f: "The server rerouted the quantum jump",
    EventType.MISSION_QUANTUM_DESTINATION_SELECTED: _text_after(
        "Quantum target selected: contract beacon ", "beacon_id", how=_Fields.ident
    ),
    EventType.LOCATION_INVENTORY_REQUESTED: lambda f: (
        f"Opened the local inventory at {f.place('location')}"
        if f.place("location")
        else "Opened a local inventory (the game did not name the place)"
    ),
    # Real 4.1 lines name the planet only as the literal `planet`.
    EventType.PLANET_TERRAIN_LOAD: lambda f: (
        "Near a planet (the log does not name it)"
        if f.text("planet") in (None, "planet")
        else f"Near {f.place('planet')}"
    ),
    EventType.PLANET_CELLS_LOADED: lambda f: (
        None if f.place("body") is None else f"At {f.place('body')} (terrain loaded)"
    ),
    EventType.LOCATION_CHANGED: _location_changed,
    EventType.HUD_NOTIFICATION: _hud_notification,
    EventType.BLUEPRINT_RECEIVED: _text_after("Received a blueprint: ", "blueprint", how=_text),
    EventType.MISSION_START: _mission_start,
    EventType.MISSION_END: _mission_end,
    EventType.MISSION_OBJECTIVE: _text_after("Objective: ", "text", how=_text),
    EventType.OBJECTIVE_UPSERTED: _objective_upserted,
    EventType.MISSION_ENDED: _mission_ended,
    EventType.TRAVEL_TO_CONTRACT_LOCATION: _text_after(
        "Set course for contract beacon ", "beacon_id", how=_Fields.ident
    ),
    EventType.SHOP_BUY_REQUEST: _shop_buy_request,
    EventType.SHOP_SELL_REQUEST: _shop_sell_request,
    EventType.SHOP_FLOW_RESPONSE: _shop_flow_response,
    EventType.COMMODITY_BUY_REQUEST: lambda f: _commodity(f, "Asked to buy"),
    EventType.COMMODITY_SELL_REQUEST: lambda f: _commodity(f, "Asked to sell"),
    EventType.COMMODITY_BOX_ADDED: _commodity_box_added,
    EventType.SHOP_REQUEST_TIMED_OUT: _shop_request_timed_out,
    EventType.ATTACHMENT_RECEIVED: _attachment_received,
    EventType.ITEM_EQUIP_CHANGE: _item_equip_change,
    EventType.ITEM_STORED: _text_after("Stored ", "item_class", how=_item_of),
    EventType.INVENTORY_MANAGEMENT: lambda f: (
        None
        if f.text("item_class") is None
        else f"Moved {_item_of(f, 'item_class')} to another inventory"
    ),
    EventType.REMOTE_MATCH: _text_after("Matched a server rule: ", "event_name", how=_text),
    EventType.BURST_SUMMARY: _burst_summary,
}
