"""Rules for session and identity lines (see events/session.py).

Also two pure builders for events that do not come from Game.log: `classify_launcher_line`
(one RSI Launcher log line) and `game_crash_from_dir` (one crash folder, listed by the
caller). Neither is registered in the rule tables. (Over 400 lines: the session family has
the most kinds, about twenty short rules.)
"""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from starstats_core.classify.rule import KeywordRules, NameRules
from starstats_core.events.base import BaseEvent
from starstats_core.events.session import (
    ChangeServer,
    ChannelDisconnected,
    CharacterStatus,
    ContextEstablished,
    GameCrash,
    GameModeChanged,
    IncomingConnection,
    JoinPu,
    LauncherActivity,
    LegacyLogin,
    LoadingScreenClosed,
    PlayerSpawned,
    ProcessInit,
    PuSessionEnded,
    ResolveSpawn,
    SeedSolarSystem,
    SessionEnd,
)
from starstats_core.structure import Entry

# Integers that are quantities get a bounded digit run: `int()` refuses strings longer than
# 4300 digits, and a bound keeps any match convertible. Opaque ids stay unbounded strings.
_INT = r"-?\d{1,18}"
_FLOAT = r"-?\d{1,18}(?:\.\d+)?"

# `key=value` / `key="quoted value"` pairs, as on `<Channel Disconnected>`,
# `<Context Establisher Done>` and `<Expect Incoming Connection>`. Reading the pairs into a
# dict makes those rules independent of key order, which has changed between patches
# (4.7 inserted `isRemote=` and `hostType=` into the disconnect line).
_PAIR = re.compile(r'(?P<key>[A-Za-z_]\w*)=(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]*))')
_INT_TEXT = re.compile(_INT)
_FLOAT_TEXT = re.compile(_FLOAT)


def _pairs(body: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for m in _PAIR.finditer(body):
        # First occurrence wins: later duplicates would come from free text, not the header.
        value = m["quoted"] if m["quoted"] is not None else m["bare"]
        pairs.setdefault(m["key"], value)
    return pairs


def _int_or_none(text: str | None) -> int | None:
    if text is None or _INT_TEXT.fullmatch(text) is None:
        return None
    return int(text)


def _float_or_none(text: str | None) -> float | None:
    if text is None or _FLOAT_TEXT.fullmatch(text) is None:
        return None
    return float(text)


def _text_or_none(text: str | None) -> str | None:
    if text is None:
        return None
    stripped = text.strip()
    return stripped or None


# -- process and login ----------------------------------------------------------------------

_PROCESS_INIT = re.compile(
    r"Process sc-client started\s*\(Local:\s*(?P<local>[^.]+)\.\s*Env:\s*(?P<env>[^)]+)\)"
    r".*?bOnline\[(?P<online>\d)\]"
)


def process_init(entry: Entry) -> BaseEvent | None:
    # `<Init>` also names other start-up lines; only the one tagged ProcessInit is the launch.
    if "ProcessInit" not in entry.tags:
        return None
    m = _PROCESS_INIT.search(entry.body)
    if m is None:
        return None
    local, env = m["local"].strip(), m["env"].strip()
    if not local or not env:
        return None
    return ProcessInit(
        timestamp=entry.timestamp, local_session=local, env_session=env, online=m["online"] == "1"
    )


_LEGACY_LOGIN = re.compile(
    r"User Login Success\s*-\s*Handle\[(?P<handle>[^\]]+)\](?:\s*-\s*Time\[(?P<time>[^\]]+)\])?"
)


def legacy_login(entry: Entry) -> BaseEvent | None:
    m = _LEGACY_LOGIN.search(entry.body)
    if m is None:
        return None
    handle = m["handle"].strip()
    if not handle:
        return None
    return LegacyLogin(
        timestamp=entry.timestamp, handle=handle, server_time=_text_or_none(m["time"])
    )


_CHARACTER = re.compile(
    rf"createdAt\s+(?P<created>{_INT})\s*-\s*updatedAt\s+(?P<updated>{_INT})\s*-\s*"
    r"geid\s+(?P<geid>\d+)\s*-\s*accountId\s+(?P<account>\d+)\s*-\s*"
    r"name\s+(?P<name>\S+)\s*-\s*state\s+(?P<state>\S+)"
)


def character_status(entry: Entry) -> BaseEvent | None:
    m = _CHARACTER.search(entry.body)
    if m is None:
        return None
    return CharacterStatus(
        timestamp=entry.timestamp,
        geid=m["geid"],
        account_id=m["account"],
        name=m["name"],
        state=m["state"],
        created_at=int(m["created"]),
        updated_at=int(m["updated"]),
    )


def incoming_connection(entry: Entry) -> BaseEvent | None:
    pairs = _pairs(entry.body)
    session = pairs.get("session", "")
    nickname = pairs.get("nickname", "").strip()
    geid = pairs.get("playerGEID", "")
    if not session or not nickname or not geid.isdigit():
        return None
    return IncomingConnection(
        timestamp=entry.timestamp, session=session, nickname=nickname, player_geid=geid
    )


_JOIN_PU = re.compile(
    r"address\[(?P<address>[^\]]+)\]\s*port\[(?P<port>\d+)\]\s*shard\[(?P<shard>[^\]]+)\]"
    r"\s*locationId\[(?P<loc>[^\]]+)\]"
)


def join_pu(entry: Entry) -> BaseEvent | None:
    m = _JOIN_PU.search(entry.body)
    if m is None:
        return None
    port = int(m["port"]) if len(m["port"]) <= 5 else 0
    if not 0 < port < 65536:
        return None
    return JoinPu(
        timestamp=entry.timestamp,
        address=m["address"],
        port=port,
        shard=m["shard"],
        location_id=m["loc"],
    )


# -- loading a server, a system, a context --------------------------------------------------

_CHANGE_SERVER = re.compile(
    r"IsShardPersisted\[(?P<shard>[01])\]\s*IsServer\[(?P<server>[01])\]"
    r"\s*IsMultiplayer\[(?P<mp>[01])\](?:\s*IsOnline\[(?P<online>[01])\])?"
)


def _change_server(entry: Entry, phase: str) -> BaseEvent | None:
    m = _CHANGE_SERVER.search(entry.body)
    if m is None:
        return None
    return ChangeServer(
        timestamp=entry.timestamp,
        phase="start" if phase == "start" else "end",
        is_shard_persisted=m["shard"] == "1",
        is_server=m["server"] == "1",
        is_multiplayer=m["mp"] == "1",
        is_online=None if m["online"] is None else m["online"] == "1",
    )


def change_server_start(entry: Entry) -> BaseEvent | None:
    return _change_server(entry, "start")


def change_server_end(entry: Entry) -> BaseEvent | None:
    return _change_server(entry, "end")


_SEED_SOLAR_SYSTEM = re.compile(r"Solar System '(?P<ss>[^']+)' for shard (?P<shard>\S+)")


def _seed_solar_system(entry: Entry, *, success: bool) -> BaseEvent | None:
    m = _SEED_SOLAR_SYSTEM.search(entry.body)
    if m is None:
        return None
    return SeedSolarSystem(
        timestamp=entry.timestamp, solar_system=m["ss"], shard=m["shard"], success=success
    )


def seed_solar_system(entry: Entry) -> BaseEvent | None:
    return _seed_solar_system(entry, success=False)


def seed_solar_system_success(entry: Entry) -> BaseEvent | None:
    return _seed_solar_system(entry, success=True)


_RESOLVE_SPAWN = re.compile(r"player id:\s*\[(?P<geid>\d+)\]")


def resolve_spawn(entry: Entry) -> BaseEvent | None:
    m = _RESOLVE_SPAWN.search(entry.body)
    if m is None:
        return None
    return ResolveSpawn(timestamp=entry.timestamp, player_geid=m["geid"])


def context_established(entry: Entry) -> BaseEvent | None:
    pairs = _pairs(entry.body)
    running_time = _float_or_none(pairs.get("runningTime"))
    establisher = pairs.get("establisher", "")
    gamerules = pairs.get("gamerules", "")
    if running_time is None or not establisher or not gamerules:
        return None
    return ContextEstablished(
        timestamp=entry.timestamp,
        establisher=establisher,
        map=pairs.get("map", ""),
        gamerules=gamerules,
        session_id=pairs.get("sessionId", ""),
        running_time=running_time,
    )


# No event name and no level: `<ts> Loading screen for pu : SC_Frontend closed after 53.29
# seconds`. The first word is the map (`pu`, `Frontend_Main`, `EA_Echo11_FPSGunGame`, …),
# the second the gamerules.
_LOADING_SCREEN = re.compile(
    rf"Loading screen for (?P<map>\S+) : (?P<rules>\S+) closed after (?P<secs>{_FLOAT}) seconds"
)


def loading_screen_closed(entry: Entry) -> BaseEvent | None:
    m = _LOADING_SCREEN.search(entry.body)
    if m is None:
        return None
    return LoadingScreenClosed(
        timestamp=entry.timestamp, map=m["map"], gamerules=m["rules"], seconds=float(m["secs"])
    )


def player_spawned(entry: Entry) -> BaseEvent | None:
    # The keyword is the whole message, so any line holding it is the spawn.
    return PlayerSpawned(timestamp=entry.timestamp)


# Arena Commander lobby: `… TestPilot_01 Requesting Mode Change from GameMode.EA_ClassicRace[5]
# to EA_SquadronBattle[3] | PlayerChoice[1]`. Matched by keyword, not by the
# `[EALobby] EALobbyChangeMode` event name, which carries a bracketed team-style prefix.
_MODE_CHANGE = re.compile(
    r"(?P<player>[\w-]+)\s+Requesting Mode Change from\s+(?P<from>\S+?)\[-?\d+\]"
    r"\s+to\s+(?P<to>\S+?)\[-?\d+\](?:\s*\|\s*PlayerChoice\[(?P<choice>[01])\])?"
)
_GAME_MODE_PREFIX = "GameMode."


def _mode_name(raw: str) -> str | None:
    name = raw.removeprefix(_GAME_MODE_PREFIX)
    return None if name in {"", "INVALID"} else name


def game_mode_changed(entry: Entry) -> BaseEvent | None:
    m = _MODE_CHANGE.search(entry.body)
    if m is None:
        return None
    to_mode = _mode_name(m["to"])
    if to_mode is None:
        return None
    return GameModeChanged(
        timestamp=entry.timestamp,
        player=m["player"],
        from_mode=_mode_name(m["from"]),
        to_mode=to_mode,
        player_choice=None if m["choice"] is None else m["choice"] == "1",
    )


# -- leaving ---------------------------------------------------------------------------------


def channel_disconnected(entry: Entry) -> BaseEvent | None:
    # remoteAddr / localAddr / node_id / session are dropped on purpose: addresses are
    # PII-ish and the rest is transport detail nobody reports on.
    pairs = _pairs(entry.body)
    cause = _int_or_none(pairs.get("cause"))
    reason = pairs.get("reason")
    if cause is None or reason is None:
        return None
    geid = pairs.get("playerGEID")
    return ChannelDisconnected(
        timestamp=entry.timestamp,
        cause=cause,
        reason=reason,
        nickname=_text_or_none(pairs.get("nickname")),
        player_geid=geid if geid is not None and geid.isdigit() else None,
        map=_text_or_none(pairs.get("map")),
        gamerules=_text_or_none(pairs.get("gamerules")),
        uptime_secs=_float_or_none(pairs.get("uptime_secs")),
    )


def pu_session_ended(entry: Entry) -> BaseEvent | None:
    if "Ending session" not in entry.body:
        return None
    return PuSessionEnded(timestamp=entry.timestamp)


# `CSystem::Quit invoked with - cause=30016, reason=User closed the application, exitCode=0,
# thread id=…`: comma-separated, the reason holds spaces, so not the key=value reader.
_QUIT_REASON = re.compile(r"reason=(?P<reason>[^,]*)")
_QUIT_EXIT_CODE = re.compile(rf"exitCode=(?P<code>{_INT})\b")


def system_quit(entry: Entry) -> BaseEvent | None:
    # Always an event (upstream): the quit matters even if the body changes shape.
    reason = _QUIT_REASON.search(entry.body)
    code = _QUIT_EXIT_CODE.search(entry.body)
    return SessionEnd(
        timestamp=entry.timestamp,
        kind="system_quit",
        reason=None if reason is None else _text_or_none(reason["reason"]),
        exit_code=None if code is None else int(code["code"]),
    )


def fast_shutdown(entry: Entry) -> BaseEvent | None:
    return SessionEnd(timestamp=entry.timestamp, kind="fast_shutdown")


NAME_RULES: NameRules = {
    "Init": process_init,
    "Legacy login response": legacy_login,
    "AccountLoginCharacterStatus_Character": character_status,
    "Expect Incoming Connection": incoming_connection,
    "Join PU": join_pu,
    "Change Server Start": change_server_start,
    "Change Server End": change_server_end,
    "Seed Solar System": seed_solar_system,
    "Seed Solar System Success": seed_solar_system_success,
    "ResolveSpawnLocation Location Not Found": resolve_spawn,
    # Also in the default noise list; noise only applies to lines no rule classified.
    "Context Establisher Done": context_established,
    "Channel Disconnected": channel_disconnected,
    "CDisciplineServiceExternal::EndSession": pu_session_ended,
    "SystemQuit": system_quit,
}
KEYWORD_RULES: KeywordRules = (
    ("Loading screen for ", loading_screen_closed),
    ("[CSessionManager::OnClientSpawned] Spawned!", player_spawned),
    ("Requesting Mode Change", game_mode_changed),
    ("CCIGBroker::FastShutdown", fast_shutdown),
)


# -- not from Game.log: the RSI Launcher log and crash folders -------------------------------

_LAUNCHER_LINE = re.compile(r"^\[(?P<ts>[^\]]+)\]\s*\[(?P<level>[A-Za-z]+)\]\s*(?P<msg>.*)$")

# Upstream's category rules: case-insensitive substrings, first category that matches wins.
_ERROR_LEVELS = frozenset({"error", "fatal"})
_ERROR_WORDS = ("error", "failed", "failure", "exception", "err_")
_AUTH_WORDS = (
    "log in",
    "logged in",
    "logging in",
    "log out",
    "logged out",
    "sign in",
    "signed in",
    "authenticat",
    "credential",
    "session refresh",
    "token refresh",
    "oauth",
)
_PATCH_WORDS = ("patch", "delta", "applying update", "applying ")
_INSTALL_WORDS = (
    "install",
    "download",
    "verify",
    "verification",
    "integrity",
    "repair",
    "file check",
)
_UPDATE_WORDS = ("launcher update", "self-update", "self update", "checking for updates")


def _launcher_category(
    level: str, message: str
) -> Literal["auth", "install", "patch", "update", "error", "info"]:
    text = message.lower()
    if level in _ERROR_LEVELS or any(word in text for word in _ERROR_WORDS):
        return "error"
    if any(word in text for word in _AUTH_WORDS):
        return "auth"
    if any(word in text for word in _PATCH_WORDS):
        return "patch"
    if any(word in text for word in _INSTALL_WORDS):
        return "install"
    if any(word in text for word in _UPDATE_WORDS):
        return "update"
    return "info"


def classify_launcher_line(line: str) -> LauncherActivity | None:
    """One RSI Launcher log line (`[2026-05-06 12:34:56.789] [info] …`), or None."""
    m = _LAUNCHER_LINE.match(line.rstrip("\r\n"))
    if m is None:
        return None
    message = m["msg"].strip()
    timestamp = m["ts"].strip()
    if not message or not timestamp:
        return None
    level = m["level"].lower()
    return LauncherActivity(
        timestamp=timestamp,
        level=level,
        message=message,
        category=_launcher_category(level, message),
    )


_CRASH_DIR = re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}")


def _crash_dir_timestamp(dir_name: str) -> str | None:
    # Crash folders are named `%Y-%m-%d-%H-%M-%S` in UTC. We render the time like Game.log
    # timestamps (`…T21:10:12.000Z`, not upstream's `+00:00`) so all events sort as text.
    # strptime alone would also accept single digits (`2026-5-4-…`); the regex does not.
    if _CRASH_DIR.fullmatch(dir_name) is None:
        return None
    try:  # month 13, day 31 of April, …
        when = datetime.strptime(dir_name, "%Y-%m-%d-%H-%M-%S")
    except ValueError:
        return None
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def game_crash_from_dir(
    channel: str, dir_name: str, files: Mapping[str, int], fallback_timestamp: str
) -> GameCrash:
    """The crash event for folder `dir_name`, given its regular files' names and sizes.

    `fallback_timestamp` (the folder's mtime, or now) is used when the name is not a time.
    """
    sizes = {name: max(size, 0) for name, size in files.items()}
    logs = [name for name in sizes if name.lower().endswith(".log")]
    # Largest `.log` wins; equal sizes fall back to name order so the pick is deterministic.
    primary = min(logs, key=lambda name: (-sizes[name], name)) if logs else None
    return GameCrash(
        timestamp=_crash_dir_timestamp(dir_name) or fallback_timestamp,
        channel=channel,
        crash_dir_name=dir_name,
        primary_log_name=primary,
        total_size_bytes=sum(sizes.values()),
    )
