"""Session and identity events: launches, logins, shards, loading, disconnects, quits.

Ids the game treats as opaque (GEIDs, account ids, session GUIDs, shard names) stay
strings; counts, durations and codes are numbers. Field names follow upstream StarStats
where it has the variant. `game_crash` and `launcher_activity` do not come from Game.log
lines: the client builds them from a crash folder listing and from RSI Launcher log lines.
"""

from typing import ClassVar, Literal

from starstats_core.events.base import BaseEvent


class ProcessInit(BaseEvent):
    """The game process started (`<Init> Process sc-client started …` tagged `[ProcessInit]`)."""

    type: Literal["process_init"] = "process_init"
    local_session: str
    env_session: str
    online: bool

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("local_session", "env_session")


class LegacyLogin(BaseEvent):
    """The account logged in (`<Legacy login response> … User Login Success - Handle[X]`)."""

    type: Literal["legacy_login"] = "legacy_login"
    handle: str
    # The `Time[…]` value: a server clock reading whose unit the game does not state.
    server_time: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("handle",)


class CharacterStatus(BaseEvent):
    """The character the account plays (`<AccountLoginCharacterStatus_Character>`)."""

    type: Literal["character_status"] = "character_status"
    geid: str
    account_id: str
    name: str
    # Verbatim, e.g. `STATE_CURRENT`.
    state: str
    # Unix epoch milliseconds, as logged.
    created_at: int
    updated_at: int

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("geid", "name")


class IncomingConnection(BaseEvent):
    """The client expects a connection for a player (`<Expect Incoming Connection>`)."""

    type: Literal["incoming_connection"] = "incoming_connection"
    session: str
    nickname: str
    player_geid: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("nickname",)


class JoinPu(BaseEvent):
    """The client joined a persistent-universe shard (`<Join PU>`)."""

    type: Literal["join_pu"] = "join_pu"
    address: str
    port: int
    shard: str
    location_id: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("shard",)


class ChangeServer(BaseEvent):
    """A server change began or finished (`<Change Server Start>` / `<Change Server End>`)."""

    type: Literal["change_server"] = "change_server"
    phase: Literal["start", "end"]
    is_shard_persisted: bool
    is_server: bool
    is_multiplayer: bool
    # Only the `End` line carries `IsOnline[…]`.
    is_online: bool | None = None


class SeedSolarSystem(BaseEvent):
    """A solar system was seeded for a shard (`<Seed Solar System>` / `… Success>`)."""

    type: Literal["seed_solar_system"] = "seed_solar_system"
    solar_system: str
    shard: str
    success: bool

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("solar_system",)


class ResolveSpawn(BaseEvent):
    """No spawn location was found, so the player spawns at the solar-system fallback."""

    type: Literal["resolve_spawn"] = "resolve_spawn"
    player_geid: str
    # Always true: the only line we know of is the fallback one (upstream keeps the field).
    fallback: bool = True


class ContextEstablished(BaseEvent):
    """A loading context finished (`<Context Establisher Done>`): menu, PU or arena mode."""

    type: Literal["context_established"] = "context_established"
    establisher: str
    map: str
    gamerules: str
    session_id: str
    running_time: float

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("gamerules",)


class LoadingScreenClosed(BaseEvent):
    """A loading screen closed (`Loading screen for pu : SC_Frontend closed after N seconds`)."""

    type: Literal["loading_screen_closed"] = "loading_screen_closed"
    map: str
    gamerules: str
    seconds: float


class PlayerSpawned(BaseEvent):
    """The local player spawned (`[CSessionManager::OnClientSpawned] Spawned!`)."""

    type: Literal["player_spawned"] = "player_spawned"


class ChannelDisconnected(BaseEvent):
    """A network channel closed (`<Channel Disconnected>`). Addresses are not kept."""

    type: Literal["channel_disconnected"] = "channel_disconnected"
    cause: int
    reason: str
    nickname: str | None = None
    player_geid: str | None = None
    map: str | None = None
    gamerules: str | None = None
    uptime_secs: float | None = None


class PuSessionEnded(BaseEvent):
    """The anti-cheat session ended: the player left the PU or an arena match."""

    type: Literal["pu_session_ended"] = "pu_session_ended"


class SessionEnd(BaseEvent):
    """The game is quitting (`<SystemQuit>`) or shutting down (`CCIGBroker::FastShutdown`)."""

    type: Literal["session_end"] = "session_end"
    kind: Literal["system_quit", "fast_shutdown"]
    # From the `<SystemQuit>` body, e.g. `User closed the application`; None otherwise.
    reason: str | None = None
    exit_code: int | None = None


class GameModeChanged(BaseEvent):
    """The player picked another Arena Commander mode (`Requesting Mode Change from A to B`)."""

    type: Literal["game_mode_changed"] = "game_mode_changed"
    player: str
    # Mode names without the `GameMode.` prefix the game sometimes adds; `INVALID` is None.
    from_mode: str | None = None
    to_mode: str
    # `PlayerChoice[1]`: the player picked the mode (0 when the lobby set it).
    player_choice: bool | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("to_mode",)


class GameCrash(BaseEvent):
    """A crash folder `<install>/<channel>/Crashes/<dir>/` exists (built by the client)."""

    type: Literal["game_crash"] = "game_crash"
    channel: str
    crash_dir_name: str
    # The largest `.log` file in the folder, or None when it holds none.
    primary_log_name: str | None = None
    total_size_bytes: int

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("channel", "crash_dir_name")


class LauncherActivity(BaseEvent):
    """One RSI Launcher log line. `timestamp` is the launcher's own `YYYY-MM-DD HH:MM:SS.mmm`."""

    type: Literal["launcher_activity"] = "launcher_activity"
    level: str
    message: str
    category: Literal["auth", "install", "patch", "update", "error", "info"]

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("message",)
