"""Session and identity rules, one positive and one negative line per variant.

Lines copy the shapes of real corpus lines (4.1 and 4.7 logs) with made-up handles, GEIDs,
session ids and addresses. The launcher lines copy upstream's launcher test shape. The last
tests replay the real corpus and count events against the lines that carry each shell.
"""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from starstats_core.classify import session
from starstats_core.classify.session import classify_launcher_line, game_crash_from_dir
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

from .conftest import classify_line, corpus_lines

TS = "2026-05-02T21:02:10.402Z"
HANDLE = "TestPilot_01"
GEID = "100000000001"
SESSION = "0123456789abcdef0123456789abcdef"


def test_join_pu_line_gives_shard_address_port_and_location() -> None:
    line = (
        "<2026-05-02T21:14:23.189Z> [Notice] <Join PU> address[35.241.202.174] port[64300] "
        "shard[pub_euw1b_11704877_090] locationId[562954248454145] "
        "[Team_GameServices][GIM][Matchmaking]"
    )
    assert classify_line(line) == JoinPu(
        timestamp="2026-05-02T21:14:23.189Z",
        address="35.241.202.174",
        port=64300,
        shard="pub_euw1b_11704877_090",
        location_id="562954248454145",
    )


def test_join_pu_with_port_out_of_range_is_not_an_event() -> None:
    line = (
        "<2026-05-02T21:14:23.189Z> [Notice] <Join PU> address[1.2.3.4] port[70000] "
        "shard[pub_x] locationId[5] [Team_GameServices]"
    )
    assert classify_line(line) is None


def test_join_pu_with_an_absurdly_long_port_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Join PU> address[1.2.3.4] port[{'9' * 5000}] "
        "shard[pub_x] locationId[5] [Team_GameServices]"
    )
    assert classify_line(line) is None


# -- process_init ----------------------------------------------------------------------------

INIT_BODY = (
    "Process sc-client started (Local: 11111111-2222-3333-4444-555555555555. "
    "Env: pub-sc-alpha-470-11518367). bDedicatedServer[0] bIsService[0] bIsHeadlessClient[0] "
    "bOnline[1] bShardPersistence[1] bTools[0] "
    'szSystemCmdLine["C:/Games/StarCitizen/LIVE/Bin64/StarCitizen.exe" -envtag PUB -no-vr] '
)


def test_init_line_tagged_process_init_gives_local_and_env_sessions() -> None:
    line = f"<{TS}> [Notice] <Init> {INIT_BODY} [Team_OnlineTech][ProcessInit]"
    assert classify_line(line) == ProcessInit(
        timestamp=TS,
        local_session="11111111-2222-3333-4444-555555555555",
        env_session="pub-sc-alpha-470-11518367",
        online=True,
    )


def test_init_line_without_the_process_init_tag_is_not_a_launch() -> None:
    line = f"<{TS}> [Notice] <Init> {INIT_BODY} [Team_OnlineTech]"
    assert classify_line(line) is None


def test_offline_process_init_says_so() -> None:
    body = INIT_BODY.replace("bOnline[1]", "bOnline[0]")
    event = classify_line(f"<{TS}> [Notice] <Init> {body} [Team_OnlineTech][ProcessInit]")
    assert isinstance(event, ProcessInit)
    assert event.online is False


# -- legacy_login ----------------------------------------------------------------------------


def test_login_success_gives_handle_and_server_time() -> None:
    line = (
        f"<{TS}> [Notice] <Legacy login response> [CIG-net] User Login Success - "
        f"Handle[{HANDLE}] - Time[213000609] [Team_GameServices][Login]"
    )
    assert classify_line(line) == LegacyLogin(timestamp=TS, handle=HANDLE, server_time="213000609")


def test_login_success_without_time_still_gives_the_handle() -> None:
    line = (
        f"<{TS}> [Notice] <Legacy login response> [CIG-net] User Login Success - "
        f"Handle[{HANDLE}] [Team_GameServices][Login]"
    )
    assert classify_line(line) == LegacyLogin(timestamp=TS, handle=HANDLE, server_time=None)


def test_login_queue_status_is_not_a_login() -> None:
    line = (
        f"<{TS}> [Notice] <Legacy login queue status> Legacy login success "
        "[Team_GameServices][Login]"
    )
    assert classify_line(line) is None


def test_login_response_without_success_is_not_a_login() -> None:
    line = (
        f"<{TS}> [Notice] <Legacy login response> [CIG-net] User Login Failed - "
        f"Handle[{HANDLE}] [Team_GameServices][Login]"
    )
    assert classify_line(line) is None


# -- character_status ------------------------------------------------------------------------

CHARACTER = (
    "Character: createdAt 1743247513737 - updatedAt 1743247514262 - geid 100000000001 - "
    f"accountId 1000001 - name {HANDLE} - state STATE_CURRENT"
)


def test_character_line_gives_geid_account_name_state_and_times() -> None:
    line = (
        f"<{TS}> [Notice] <AccountLoginCharacterStatus_Character> {CHARACTER} "
        "[Team_GameServices][Login]"
    )
    assert classify_line(line) == CharacterStatus(
        timestamp=TS,
        geid=GEID,
        account_id="1000001",
        name=HANDLE,
        state="STATE_CURRENT",
        created_at=1743247513737,
        updated_at=1743247514262,
    )


def test_character_line_without_a_state_is_not_an_event() -> None:
    body = CHARACTER.replace(" - state STATE_CURRENT", "")
    line = f"<{TS}> [Notice] <AccountLoginCharacterStatus_Character> {body} [Team_GameServices]"
    assert classify_line(line) is None


# -- incoming_connection ---------------------------------------------------------------------


def test_expected_connection_gives_session_nickname_and_geid() -> None:
    line = (
        f"<{TS}> [Notice] <Expect Incoming Connection> session={SESSION} "
        f'node_id=00000000-0000-0000-0000-0000001bfd08 nickname="{HANDLE}" '
        f"playerGEID={GEID} [Team_Network][Network][Gateway]"
    )
    assert classify_line(line) == IncomingConnection(
        timestamp=TS, session=SESSION, nickname=HANDLE, player_geid=GEID
    )


def test_expected_connection_without_a_geid_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Expect Incoming Connection> session={SESSION} "
        f'nickname="{HANDLE}" [Team_Network][Network][Gateway]'
    )
    assert classify_line(line) is None


# -- change_server ---------------------------------------------------------------------------


def test_change_server_start_has_no_online_flag() -> None:
    line = (
        f"<{TS}> [Notice] <Change Server Start> IsShardPersisted[1] IsServer[0] "
        "IsMultiplayer[0] [Team_Network][Network][Loading]"
    )
    assert classify_line(line) == ChangeServer(
        timestamp=TS,
        phase="start",
        is_shard_persisted=True,
        is_server=False,
        is_multiplayer=False,
        is_online=None,
    )


def test_change_server_end_carries_the_online_flag() -> None:
    line = (
        f"<{TS}> [Notice] <Change Server End> IsShardPersisted[0] IsServer[1] IsMultiplayer[1] "
        "IsOnline[1] IsPersistedInEnvironment[1] IsPersistedInGameMode[0] "
        "[Team_Network][Network][Loading]"
    )
    assert classify_line(line) == ChangeServer(
        timestamp=TS,
        phase="end",
        is_shard_persisted=False,
        is_server=True,
        is_multiplayer=True,
        is_online=True,
    )


def test_change_server_without_the_server_flag_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Change Server End> IsShardPersisted[0] IsMultiplayer[1] "
        "[Team_Network][Network][Loading]"
    )
    assert classify_line(line) is None


# -- seed_solar_system -----------------------------------------------------------------------


def test_seeding_a_solar_system_is_not_yet_a_success() -> None:
    line = (
        f"<{TS}> [Notice] <Seed Solar System> Seed Solar System Root "
        "'objectcontainers/sm/fps_loadout.socpak' in Solar System 'DefaultSolarSystem' "
        "for shard local_shard [Team_OnlineTech][EntityGraph][Seeding][Services]"
    )
    assert classify_line(line) == SeedSolarSystem(
        timestamp=TS, solar_system="DefaultSolarSystem", shard="local_shard", success=False
    )


def test_seed_solar_system_success_line_is_a_success() -> None:
    line = (
        f"<{TS}> [Notice] <Seed Solar System Success> Seed Solar System 'Stanton' "
        "for shard pub_euw1b_00000000_001 [Team_OnlineTech][EntityGraph][Seeding][Services]"
    )
    assert classify_line(line) == SeedSolarSystem(
        timestamp=TS, solar_system="Stanton", shard="pub_euw1b_00000000_001", success=True
    )


def test_seed_line_without_a_shard_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Seed Solar System> Seed Solar System 'Stanton' "
        "[Team_OnlineTech][EntityGraph]"
    )
    assert classify_line(line) is None


# -- resolve_spawn ---------------------------------------------------------------------------


def test_spawn_location_not_found_gives_the_player_geid_and_fallback() -> None:
    line = (
        f"<{TS}> [Notice] <ResolveSpawnLocation Location Not Found> Could not resolve initial "
        f"spawn location from spawning module for player id: [{GEID}], setting spawn zone "
        "location zonehost to solar system fallback [Team_BackendServices][Services]"
    )
    assert classify_line(line) == ResolveSpawn(timestamp=TS, player_geid=GEID, fallback=True)


def test_spawn_location_line_without_a_numeric_player_id_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <ResolveSpawnLocation Location Not Found> Could not resolve initial "
        "spawn location for player id: [nobody] [Team_BackendServices][Services]"
    )
    assert classify_line(line) is None


# -- context_established ---------------------------------------------------------------------


def test_context_establisher_done_gives_gamerules_session_and_running_time() -> None:
    line = (
        f'<{TS}> [Notice] <Context Establisher Done> establisher="Network" '
        f'runningTime=63.215488 map="megamap" gamerules="SC_Default" sessionId="{SESSION}" '
        "[Team_Network][Network][Replication][Loading][Persistence]"
    )
    assert classify_line(line) == ContextEstablished(
        timestamp=TS,
        establisher="Network",
        map="megamap",
        gamerules="SC_Default",
        session_id=SESSION,
        running_time=63.215488,
    )


def test_context_establisher_done_without_running_time_is_not_an_event() -> None:
    line = (
        f'<{TS}> [Notice] <Context Establisher Done> establisher="Game" map="megamap" '
        f'gamerules="SC_Frontend" sessionId="{SESSION}" [Team_Network]'
    )
    assert classify_line(line) is None


# -- loading_screen_closed -------------------------------------------------------------------


def test_loading_screen_closed_gives_map_gamerules_and_seconds() -> None:
    line = f"<{TS}> Loading screen for pu : SC_Frontend closed after 53.29 seconds"
    assert classify_line(line) == LoadingScreenClosed(
        timestamp=TS, map="pu", gamerules="SC_Frontend", seconds=53.29
    )


def test_arena_commander_loading_screen_names_the_arena_mode() -> None:
    line = (
        f"<{TS}> Loading screen for EA_Echo11_FPSGunGame : EA_FPSGunGame closed after 6.80 seconds"
    )
    assert classify_line(line) == LoadingScreenClosed(
        timestamp=TS, map="EA_Echo11_FPSGunGame", gamerules="EA_FPSGunGame", seconds=6.8
    )


def test_loading_screen_request_is_not_a_closed_screen() -> None:
    line = (
        f"<{TS}> [CGlobalGameUI::OpenLoadingScreen] Request context transition to LoadingScreenView"
    )
    assert classify_line(line) is None


def test_loading_screen_without_seconds_is_not_an_event() -> None:
    assert classify_line(f"<{TS}> Loading screen for pu : SC_Frontend closed after") is None


# -- player_spawned --------------------------------------------------------------------------


def test_client_spawned_line_is_a_spawn() -> None:
    line = f"<{TS}> [CSessionManager::OnClientSpawned] Spawned!"
    assert classify_line(line) == PlayerSpawned(timestamp=TS)


def test_client_connected_line_is_not_a_spawn() -> None:
    assert classify_line(f"<{TS}> [CSessionManager::OnClientConnected] Connected!") is None


# -- channel_disconnected --------------------------------------------------------------------


def test_channel_disconnect_keeps_reason_player_and_uptime_but_not_addresses() -> None:
    line = (
        f'<{TS}> [Notice] <Channel Disconnected> cause=30010 reason="Nub destroyed" '
        'frame=35278 isRemote=0 map="megamap" gamerules="SC_Frontend" hostType="Replicant" '
        "remoteAddr=10.0.0.1:12300 localAddr=<local>:16 connection={1, 0} "
        f"session={SESSION} node_id=00000000-0000-0000-0000-000000610e0f "
        f'nickname="{HANDLE}" playerGEID={GEID} uptime_secs=732.992981 '
        "[Team_Network][Network][Gateway][Disconnection]"
    )
    event = classify_line(line)
    assert event == ChannelDisconnected(
        timestamp=TS,
        cause=30010,
        reason="Nub destroyed",
        nickname=HANDLE,
        player_geid=GEID,
        map="megamap",
        gamerules="SC_Frontend",
        uptime_secs=732.992981,
    )
    assert "10.0.0.1" not in event.model_dump_json()


def test_remote_disconnect_keeps_its_reason_with_spaces() -> None:
    line = (
        f"<{TS}> [Notice] <Channel Disconnected> cause=30016 "
        'reason="Remote Disconnect - Player requested disconnect" frame=4140 map="megamap" '
        'gamerules="EA_SquadronBattle" [Team_Network]'
    )
    assert classify_line(line) == ChannelDisconnected(
        timestamp=TS,
        cause=30016,
        reason="Remote Disconnect - Player requested disconnect",
        map="megamap",
        gamerules="EA_SquadronBattle",
    )


def test_channel_disconnect_without_a_cause_is_not_an_event() -> None:
    line = f'<{TS}> [Notice] <Channel Disconnected> reason="Nub destroyed" [Team_Network]'
    assert classify_line(line) is None


# -- pu_session_ended ------------------------------------------------------------------------


def test_discipline_service_ending_session_ends_the_pu_session() -> None:
    line = (
        f"<{TS}> [Notice] <CDisciplineServiceExternal::EndSession> Ending session "
        "[Team_GameSec][AntiCheat][EAC]"
    )
    assert classify_line(line) == PuSessionEnded(timestamp=TS)


def test_discipline_service_line_without_ending_session_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <CDisciplineServiceExternal::EndSession> Session already closed "
        "[Team_GameSec][AntiCheat]"
    )
    assert classify_line(line) is None


# -- session_end -----------------------------------------------------------------------------


def test_system_quit_gives_reason_and_exit_code() -> None:
    line = (
        f"<{TS}> [Notice] <SystemQuit> CSystem::Quit invoked with - cause=30016, "
        "reason=User closed the application, exitCode=0, thread id=30252, "
        "main thread id=30252 [Team_Unknown][System]"
    )
    assert classify_line(line) == SessionEnd(
        timestamp=TS, kind="system_quit", reason="User closed the application", exit_code=0
    )


def test_system_quit_with_an_unknown_body_is_still_a_quit() -> None:
    line = f"<{TS}> [Notice] <SystemQuit> CSystem::Quit invoked [Team_Unknown][System]"
    assert classify_line(line) == SessionEnd(timestamp=TS, kind="system_quit")


def test_fast_shutdown_line_ends_the_session() -> None:
    line = f"<{TS}> [CIG] CCIGBroker::FastShutdown"
    assert classify_line(line) == SessionEnd(timestamp=TS, kind="fast_shutdown")


def test_other_broker_line_is_not_a_shutdown() -> None:
    assert classify_line(f"<{TS}> [CIG] CCIGBroker::Init") is None


# -- game_mode_changed -----------------------------------------------------------------------

EA_LOBBY = (
    "<{ts}> [Notice] <[EALobby] EALobbyChangeMode> [EALobby][CEALobby::RequestChangeGameMode]"
)


def test_mode_change_request_gives_old_and_new_arena_modes() -> None:
    line = (
        EA_LOBBY.format(ts=TS) + f" {HANDLE} Requesting Mode Change from "
        "GameMode.EA_ClassicRace[5] to EA_SquadronBattle[3] | PlayerChoice[1] "
        "[Team_ArenaCommanderFeature][Code][EA]"
    )
    assert classify_line(line) == GameModeChanged(
        timestamp=TS,
        player=HANDLE,
        from_mode="EA_ClassicRace",
        to_mode="EA_SquadronBattle",
        player_choice=True,
    )


def test_first_mode_change_comes_from_no_mode() -> None:
    line = (
        EA_LOBBY.format(ts=TS) + f" {HANDLE} Requesting Mode Change from INVALID[-1] to "
        "EA_ExperimentalMode_3[17] | PlayerChoice[0] [Team_ArenaCommanderFeature][Code][EA]"
    )
    assert classify_line(line) == GameModeChanged(
        timestamp=TS,
        player=HANDLE,
        from_mode=None,
        to_mode="EA_ExperimentalMode_3",
        player_choice=False,
    )


def test_mode_change_request_without_a_target_is_not_an_event() -> None:
    line = (
        EA_LOBBY.format(ts=TS) + f" {HANDLE} Requesting Mode Change from INVALID[-1] "
        "[Team_ArenaCommanderFeature][Code][EA]"
    )
    assert classify_line(line) is None


def test_lobby_settings_mode_line_is_not_a_mode_change() -> None:
    assert classify_line(f"<{TS}> Mode[EA_FreeFlight][1]") is None


# -- launcher_activity -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level", "message", "category"),
    [
        (
            "[2026-05-06 12:34:56.789] [info] Starting RSI Launcher 2.10.4",
            "info",
            "Starting RSI Launcher 2.10.4",
            "info",
        ),
        ("[2026-05-06 12:34:57.001] [ERROR] Something odd", "error", "Something odd", "error"),
        (
            "[2026-05-06 12:34:57.002] [warn] Download failed, retrying",
            "warn",
            "Download failed, retrying",
            "error",
        ),
        ("[2026-05-06 12:34:57.003] [info] User logged in", "info", "User logged in", "auth"),
        (
            "[2026-05-06 12:34:57.004] [info] Applying delta 4.7.1",
            "info",
            "Applying delta 4.7.1",
            "patch",
        ),
        (
            "[2026-05-06 12:34:57.005] [info] Verifying game files",
            "info",
            "Verifying game files",
            "install",
        ),
        (
            "[2026-05-06 12:34:57.006] [info] Checking for updates",
            "info",
            "Checking for updates",
            "update",
        ),
    ],
)
def test_launcher_line_gets_level_message_and_first_matching_category(
    line: str, level: str, message: str, category: str
) -> None:
    assert classify_launcher_line(line) == LauncherActivity.model_validate(
        {
            "timestamp": line[1:24],
            "level": level,
            "message": message,
            "category": category,
        }
    )


def test_launcher_line_with_an_empty_message_is_dropped() -> None:
    assert classify_launcher_line("[2026-05-06 12:34:56.789] [info]   ") is None


def test_game_log_line_is_not_a_launcher_line() -> None:
    assert classify_launcher_line(f"<{TS}> [Notice] <SystemQuit> CSystem::Quit") is None


# -- game_crash ------------------------------------------------------------------------------


def test_crash_folder_named_by_time_gives_utc_time_largest_log_and_total_size() -> None:
    files = {"Game.log": 2048, "crash.log": 512, "minidump.dmp": 10_000}
    assert game_crash_from_dir(
        "LIVE", "2026-05-04-21-10-12", files, "2026-05-05T00:00:00.000Z"
    ) == GameCrash(
        timestamp="2026-05-04T21:10:12.000Z",
        channel="LIVE",
        crash_dir_name="2026-05-04-21-10-12",
        primary_log_name="Game.log",
        total_size_bytes=12_560,
    )


def test_crash_folder_with_another_name_and_no_log_uses_the_fallback_time() -> None:
    assert game_crash_from_dir(
        "PTU", "2026-13-40-99-00-00", {"dump.dmp": 7}, "2026-05-05T00:00:00.000Z"
    ) == GameCrash(
        timestamp="2026-05-05T00:00:00.000Z",
        channel="PTU",
        crash_dir_name="2026-13-40-99-00-00",
        primary_log_name=None,
        total_size_bytes=7,
    )


def test_crash_logs_of_equal_size_are_picked_by_name() -> None:
    crash = game_crash_from_dir("LIVE", "x", {"b.log": 5, "a.LOG": 5}, "2026-05-05T00:00:00.000Z")
    assert crash.primary_log_name == "a.LOG"


# -- robustness ------------------------------------------------------------------------------

SESSION_RULES = [*session.NAME_RULES.values(), *(rule for _, rule in session.KEYWORD_RULES)]


@given(body=st.text(max_size=300), tags=st.lists(st.text(max_size=12), max_size=3))
def test_no_session_rule_raises_on_any_body(body: str, tags: list[str]) -> None:
    entry = Entry(
        timestamp=TS, level="Notice", name=None, body=body, tags=(*tags, "ProcessInit"), line=body
    )
    for rule in SESSION_RULES:
        rule(entry)


@given(line=st.text(max_size=300))
def test_launcher_classifier_never_raises(line: str) -> None:
    classify_launcher_line(line)


# -- the real corpus -------------------------------------------------------------------------


@pytest.mark.corpus
def test_every_session_shell_in_the_corpus_becomes_exactly_one_event() -> None:
    lines = corpus_lines()
    counts = Counter(event.type for event in map(classify_line, lines) if event is not None)

    def having(*needles: str) -> int:
        return sum(all(needle in line for needle in needles) for line in lines)

    expected = {
        "process_init": having("<Init>", "[ProcessInit]"),
        "legacy_login": having("<Legacy login response>", "User Login Success"),
        "character_status": having("<AccountLoginCharacterStatus_Character>"),
        "incoming_connection": having("<Expect Incoming Connection>"),
        "join_pu": having("<Join PU>"),
        "change_server": having("<Change Server Start>") + having("<Change Server End>"),
        "seed_solar_system": having("<Seed Solar System>") + having("<Seed Solar System Success>"),
        "resolve_spawn": having("<ResolveSpawnLocation Location Not Found>"),
        "context_established": having("<Context Establisher Done>"),
        "loading_screen_closed": having("Loading screen for", "closed after"),
        "player_spawned": having("[CSessionManager::OnClientSpawned] Spawned!"),
        "channel_disconnected": having("<Channel Disconnected>"),
        "pu_session_ended": having("<CDisciplineServiceExternal::EndSession>"),
        "session_end": having("<SystemQuit>") + having("CCIGBroker::FastShutdown"),
        "game_mode_changed": having("Requesting Mode Change"),
    }
    assert {kind: counts[kind] for kind in expected} == expected
    # Every one of these shells is in the corpus: a zero would make the check above vacuous.
    assert all(expected.values())
