"""Golden journeys of the real Game.log corpus (../shared/corpus/gamelog): each file folded
whole, every expected number checked by hand against the lines themselves.

Evidence references are `L<n>`, the file's 1-based line number of the event's first line (with
the file's position in front, `1:L<n>`, when several files are folded), so each comment can
name the lines that prove a number and the test can check they are cited.
Times are the log's own UTC timestamps; a span is end minus start, to the millisecond.
"""

from pathlib import Path
from typing import Any

import pytest

from starstats_core.journey import JourneyFold, journey_document, order_key
from starstats_core.parser import LogParser

from .conftest import CORPUS_DIR, corpus_files

pytestmark = pytest.mark.corpus

CITIZENMON_0419 = "danieldeschain__citizenmon__Game-4.1.147-20250419T0556Z.log"
CITIZENMON_0413 = "danieldeschain__citizenmon__Game-4.1.147-20250413T1602Z.log"
CITIZENMON_TAIL = "danieldeschain__citizenmon__Game-tail-appended-real-lines-20250408.log"
ARENA_0407 = "RodriguesBruno__sckilltracker_client__Game-4.1.147-20250407T1558Z.log"
KILLTRACKER_LINES = "RodriguesBruno__sckilltracker_client__tests-embedded-lines-4.1-4.3.log"
KILLTRACKER_TAIL = "RodriguesBruno__sckilltracker_client__Game-tail-appended-lines.log"
SAMPLE_47 = "ntatschner__StarStats__sample_game_log-4.7.178-20260502.log"
LINES_47 = "ntatschner__StarStats__parser-rs-embedded-lines-4.7.log"
MISSIONS = "wednesdaywoe__mission-mate__Game-missions-excerpt-20260629.log"
GAUNTLET = "TheCodeSaiyan__StarStats-Platform__contract_combat_gauntlet-20260601.log"
STARLOGGER = "chrisrico__Starlogger__tests-embedded-lines-2026-06.log"


def journey_of(*names: str, handle: str | None = None) -> dict[str, Any]:
    """The journey document of corpus files, folded oldest first as the CLI does; skips
    when the corpus is absent."""
    corpus_files()
    fold = JourneyFold(handle)
    facts = []
    # Refs must be unique across files (a session's id is its first event's ref).
    streams = [
        _events(CORPUS_DIR / name, "" if len(names) == 1 else f"{i}:")
        for i, name in enumerate(names)
    ]
    streams.sort(key=lambda events: events[0][0] if events else (float("inf"), 0))
    for events in streams:
        facts += fold.feed((event, ref) for _, event, ref in events)
    facts += fold.finish()
    return journey_document(fold.player(), facts)


def _events(path: Path, prefix: str) -> list[tuple[tuple[float, int], Any, str]]:
    data = path.read_bytes()
    parser = LogParser()
    parsed = parser.feed(data) + parser.finish()
    found = [
        (
            order_key(p.event.timestamp, p.offset),
            p.event,
            f"{prefix}L{_line_number(data, p.offset)}",
        )
        for p in parsed
    ]
    found.sort(key=lambda item: item[0])
    return found


def _line_number(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _only(rows: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(rows) == 1, rows
    return rows[0]


# -- 4.1: a PU session with three deaths (citizenmon, 2025-04-19) -----------------------------
def test_citizenmon_0419_session_and_its_time_in_the_verse() -> None:
    doc = journey_of(CITIZENMON_0419)
    session = _only(doc["sessions"])
    # L2 "Log started" 05:56:39.247; L5048 <SystemQuit> "Quit via console command" 06:42:04.043
    # (L5052's FastShutdown 200 ms later is the same quit): 45 min 24.796 s.
    assert (session["started_at"], session["ended_at"]) == (
        "2025-04-19T05:56:39.247Z",
        "2025-04-19T06:42:04.043Z",
    )
    assert session["seconds"] == 2724.796
    assert (session["end"], session["quit_reason"]) == ("quit", "Quit via console command")
    # L4 FileVersion 4.1.147.53417; L209-210 "Legacy login … Handle[Jon_Arris]".
    assert (session["game_version"], session["handle"]) == ("4.1.147", "Jon_Arris")
    # 4.1 logs <Actor Death>, so kills are counted (L1167 is one such line).
    assert session["combat_logged"] is True
    stretch = _only(session["stretches"])
    # In the PU from L555 "<Change Server End> IsShardPersisted[1] IsServer[0]" 05:57:26.767
    # (4.1 writes no <Join PU> line with a shard; shards stay empty) to L5009 "<Channel
    # Disconnected> … Player requested disconnect … gamerules=SC_Default" 06:41:59.430.
    assert (stretch["mode"], stretch["started_at"], stretch["ended_at"], stretch["end"]) == (
        "pu",
        "2025-04-19T05:57:26.767Z",
        "2025-04-19T06:41:59.430Z",
        "left",
    )
    assert session["shards"] == []
    # 06:41:59.430 - 05:57:26.767 = 44 min 32.663 s; the rest (52.133 s) is menus/loading.
    assert session["pu_seconds"] == stretch["seconds"] == 2672.663
    assert (session["arena_seconds"], session["menu_seconds"]) == (0.0, 52.133)


def test_citizenmon_0419_one_stop_at_checkmate_until_the_player_left_the_verse() -> None:
    doc = journey_of(CITIZENMON_0419)
    stop = _only(doc["sessions"][0]["stops"])
    # L922 "<RequestLocationInventory> Player[Jon_Arris] … Location[RR_P2_L4]" 05:58:28.508 is
    # the first place line; L1307, L2877, L4435, L4604 name the same place (no other place
    # line, no quantum arrival in the file). The stop ends when the player leaves the PU
    # (L5009, 06:41:59.430): 43 min 30.922 s.
    assert (stop["place"], stop["name"], stop["raw"]) == ("checkmate", "Checkmate", "RR_P2_L4")
    assert (stop["started_at"], stop["ended_at"]) == (
        "2025-04-19T05:58:28.508Z",
        "2025-04-19T06:41:59.430Z",
    )
    assert stop["seconds"] == 2610.922
    assert (stop["arrived_by"], stop["signals"]) == ("inventory", ["inventory"])
    assert stop["evidence"][0] == "L922"
    place = _only(doc["places"])
    assert (place["place"], place["visits"], place["seconds"]) == ("checkmate", 1, 2610.922)


def test_citizenmon_0419_three_deaths_and_four_lives() -> None:
    doc = journey_of(CITIZENMON_0419)
    deaths = doc["deaths"]
    # Three <Actor Death> lines, the victim 'Jon_Arris' each time:
    # L1167 06:02:17.860 killed by 'Jon_Arris' using 'Jon_Arris' [Class Player], damage
    #   'Suicide' (the respawn key, "backspace");
    # L2560 06:21:11.116 in zone 'ANVL_C8R_Pisces_2619314706583' killed by 'JTomahawk' using
    #   'KLWE_LaserRepeater_S4_2770766024215', damage 'VehicleDestruction' (a player, in combat);
    # L4205 06:35:52.446 Suicide again.
    # The corpse item-recovery lines (L1604 for another player's corpse, L2572 for the player's
    # own after L2560) are not deaths in a 4.1 log.
    assert [(d["started_at"], d["cause"], d["evidence"]) for d in deaths] == [
        ("2025-04-19T06:02:17.860Z", "backspace", ["L1167"]),
        ("2025-04-19T06:21:11.116Z", "combat", ["L2560"]),
        ("2025-04-19T06:35:52.446Z", "backspace", ["L4205"]),
    ]
    combat = deaths[1]
    assert (combat["killer"], combat["killer_is_npc"], combat["weapon"]) == (
        "JTomahawk",
        False,
        "KLWE_LaserRepeater_S4",
    )
    assert combat["damage_type"] == "VehicleDestruction"
    assert all(d["place"] == "checkmate" and d["game_mode"] == "pu" for d in deaths)
    # A life runs from a spawn to a death: spawns L773 05:58:03.297, L1266 06:02:48.611,
    # L2807 06:22:09.400, L4399 06:36:29.462 (L4563's spawn 28 s later is in the same life);
    # the last life ends when the player leaves the PU (L5009 06:41:59.430).
    lives = [(life["started_at"], life["seconds"], life["end"]) for life in doc["lives"]]
    assert lives == [
        ("2025-04-19T05:58:03.297Z", 254.563, "death"),  # to 06:02:17.860
        ("2025-04-19T06:02:48.611Z", 1102.505, "death"),  # to 06:21:11.116
        ("2025-04-19T06:22:09.400Z", 823.046, "death"),  # to 06:35:52.446
        ("2025-04-19T06:36:29.462Z", 329.968, "left"),  # to 06:41:59.430
    ]


def test_citizenmon_0419_no_kills_and_one_vehicle_destroyed() -> None:
    doc = journey_of(CITIZENMON_0419)
    # No <Actor Death> has Jon_Arris as killer of someone else (all three above are his own).
    # Of the 22 <Vehicle Destruction> lines, four name 'Jon_Arris' as the cause: L4193
    # Mustang Alpha 0->1, L4196 Lightning F8C 0->1 (both only disabled), L4199 Zeus CL 0->1 and
    # L4200 Zeus CL 1->2 at 06:35:11.894: one vehicle brought to destroy level 2.
    kill = _only(doc["kills"])
    assert (kill["target_kind"], kill["victim"], kill["started_at"], kill["evidence"]) == (
        "vehicle",
        "RSI_Zeus_CL",
        "2025-04-19T06:35:11.894Z",
        ["L4200"],
    )
    # An NPC-free class name: a player's ship (no `_PU_AI`), destroyed in the PU.
    assert (kill["victim_is_npc"], kill["game_mode"]) == (False, "pu")
    totals = doc["totals"]
    assert (totals["deaths"], totals["kills"], totals["vehicle_kills"]) == (3, 0, 1)
    # No quantum line, no <Vehicle Control Flow> line (4.1), no contract, no shop line.
    assert doc["legs"] == doc["ships"] == doc["contracts"] == doc["trades"] == []
    assert (totals["quantum_legs"], totals["ship_seconds"]) == (0, 0.0)


def test_citizenmon_0419_records() -> None:
    records = journey_of(CITIZENMON_0419)["records"]
    assert records["longest_session"]["value"] == 2724.796
    # The second life (06:02:48.611 to 06:21:11.116) is the longest of the four above.
    assert (records["longest_life"]["value"], records["longest_life"]["at"]) == (
        1102.505,
        "2025-04-19T06:02:48.611Z",
    )
    for none in ("most_quantum_legs", "most_contracts_completed", "biggest_sale"):
        assert records[none] is None
    assert records["most_time_in_one_ship"] is None


# -- 4.1: a launch that never reached the PU (citizenmon, 2025-04-13) -------------------------
def test_citizenmon_0413_a_join_that_never_connected_is_no_time_in_the_verse() -> None:
    doc = journey_of(CITIZENMON_0413)
    session = _only(doc["sessions"])
    # L2 16:02:04.915 to L561 <SystemQuit> "User closed the application" 16:13:34.206.
    assert session["seconds"] == 689.291
    assert session["quit_reason"] == "User closed the application"
    # L510 "{Join PU}" at 16:02:44.007 asks to join, but the connection never completes:
    # "CET running for a long time … WaitForConnectionEstablished" every minute from 16:03:44
    # to 16:12:44 (L537-L560), no <Change Server End> into the PU, no spawn in it. So no
    # stretch, no life, no stop: all 689.291 s are menus and loading.
    assert session["stretches"] == []
    assert session["pu_seconds"] == 0.0
    assert session["menu_seconds"] == 689.291
    assert doc["lives"] == doc["deaths"] == doc["kills"] == []
    # Still a 4.1 log: kills are 0 (they could have been logged), not None.
    assert (doc["totals"]["kills"], doc["totals"]["vehicle_kills"]) == (0, 0)


# -- 4.1: an Arena Commander session (sckilltracker, 2025-04-07) ------------------------------
def test_arena_session_has_three_matches_and_no_pu_time() -> None:
    doc = journey_of(ARENA_0407)
    session = _only(doc["sessions"])
    # L2 15:58:31.643 to L2459 <SystemQuit> "Quit via console command" 16:00:43.917.
    assert session["seconds"] == 132.274
    assert (session["handle"], session["game_version"]) == ("BluePanda", "4.1.147")
    # Each match runs from its first <Context Establisher Done> with gamerules="EA_…" to the
    # "Player requested disconnect" <Channel Disconnected> of that match:
    matches = [
        (s["game_mode"], s["started_at"][11:], s["ended_at"][11:], s["seconds"], s["end"])
        for s in session["stretches"]
    ]
    assert matches == [
        # L850 15:59:25.495 to L914 15:59:34.786
        ("EA_FreeFlight", "15:59:25.495Z", "15:59:34.786Z", 9.291, "left"),
        # L1485 15:59:49.421 to L1552 16:00:05.158
        ("EA_SquadronBattle", "15:59:49.421Z", "16:00:05.158Z", 15.737, "left"),
        # L2106 16:00:24.851 (the Network establisher is done before the loading screen
        # closes at L2115) to L2166 16:00:39.331
        ("EA_FPSGunGame", "16:00:24.851Z", "16:00:39.331Z", 14.48, "left"),
    ]
    assert all(s["mode"] == "arena" for s in session["stretches"])
    # 9.291 + 15.737 + 14.48 = 39.508 s in matches; no SC_Default, so no PU time.
    assert (session["arena_seconds"], session["pu_seconds"]) == (39.508, 0.0)
    assert session["menu_seconds"] == 92.766


def test_arena_session_has_no_kills_of_the_player() -> None:
    doc = journey_of(ARENA_0407)
    # The only <Vehicle Destruction> (L1547, AEGS_Gladius 0->2) was caused by 'Jack-Grimm',
    # and there is no <Actor Death>: no kill, no death. The corpse lines (L1434, L1548, …)
    # are other players' ('PapillonSc', 'Crane228', …).
    totals = doc["totals"]
    assert (totals["kills"], totals["vehicle_kills"], totals["deaths"]) == (0, 0, 0)
    assert doc["places"] == []
    assert doc["lives"] == []


# -- 4.7: a full session with no combat lines (ntatschner sample, 2026-05-02) -----------------
def test_sample_47_session_stretch_and_stop() -> None:
    doc = journey_of(SAMPLE_47)
    session = _only(doc["sessions"])
    # L2 21:01:51.390 to L1803 <SystemQuit> "User closed the application" 21:29:47.243.
    assert session["seconds"] == 1675.853
    assert (session["game_version"], session["handle"]) == ("4.7.178", "TheCodeSaiyan")
    # L747 "<Join PU> address[35.241.202.174] port[64300] shard[pub_euw1b_11704877_090]"
    # 21:14:23.189 to the quit at 21:29:47.243: 15 min 24.054 s in the verse.
    stretch = _only(session["stretches"])
    assert (stretch["shard"], stretch["started_at"], stretch["end"]) == (
        "pub_euw1b_11704877_090",
        "2026-05-02T21:14:23.189Z",
        "quit",
    )
    assert session["pu_seconds"] == 924.054
    assert session["menu_seconds"] == 751.799
    # L1503 "Location[Stanton1_Lorville]" 21:15:27.248 places the player at Lorville. The
    # planet-cell dump at L1706 (21:22:12.778, OOC_Stanton_1_Hurston) is the body Lorville is
    # on, so it does not replace the city. The stop ends at the quit: 14 min 19.995 s.
    stop = _only(session["stops"])
    assert (stop["place"], stop["name"], stop["system"]) == ("lorville", "Lorville", "Stanton")
    assert (stop["started_at"], stop["ended_at"], stop["seconds"]) == (
        "2026-05-02T21:15:27.248Z",
        "2026-05-02T21:29:47.243Z",
        859.995,
    )
    assert stop["signals"] == ["inventory"]


def test_sample_47_logs_no_kills_and_no_jump_of_the_player() -> None:
    doc = journey_of(SAMPLE_47)
    totals = doc["totals"]
    # 4.7 writes no <Actor Death> or <Vehicle Destruction>: kills are "not logged" (None),
    # and no death line of any 4.4+ kind (Incapacitated banner, item recovery) is in the file.
    assert (totals["kills"], totals["vehicle_kills"], totals["deaths"]) == (None, None, 0)
    assert doc["sessions"][0]["combat_logged"] is False
    # The 17 "<Local Route Guard - Server Rerouted>" lines (L1267-L1785) are the server
    # rerouting vehicles; there is no quantum target selection or arrival: no leg.
    assert doc["legs"] == []
    assert totals["quantum_legs"] == 0
    # One life, from the PU spawn L1332 21:15:03.056 (the spawn at L604 is in the menus) to
    # the quit: 14 min 44.187 s.
    life = _only(doc["lives"])
    assert (life["started_at"], life["seconds"], life["end"]) == (
        "2026-05-02T21:15:03.056Z",
        884.187,
        "left",
    )


# -- 4.7: the incapacitation + item recovery lines (ntatschner parser.rs) ---------------------
def test_lines_47_an_incapacitation_then_the_item_recovery_is_one_death() -> None:
    doc = journey_of(LINES_47)
    # L1 "Incapacitated: …" 2026-05-01 18:45:45.141, then L2 "<Adding non kept item
    # [CSCActorCorpseUtils::PopulateItemPortForItemRecoveryEntitlement]>" 18:46:15.085 (30 s
    # later; L3 is the same burst): one death, timed at the incapacitation.
    death = _only(doc["deaths"])
    assert (death["started_at"], death["ended_at"], death["cause"]) == (
        "2026-05-01T18:45:45.141Z",
        "2026-05-01T18:46:15.085Z",
        "incapacitation",
    )
    assert death["evidence"] == ["L1", "L2"]
    assert (doc["totals"]["deaths"], doc["totals"]["kills"]) == (1, None)
    # L4 is two days later (2026-05-03): more than 6 hours of silence, a second session.
    assert [s["started_at"][:10] for s in doc["sessions"]] == ["2026-05-01", "2026-05-03"]


def test_lines_47_places_and_a_planned_leg_that_never_arrived() -> None:
    doc = journey_of(LINES_47)
    # L6 "Location[INVALID_LOCATION_ID]" is no place; L12 "Location[Stanton2_Orison]"
    # 18:09:28.551 is, until the fragment's last line L13 19:19:05.518.
    stop = _only(doc["sessions"][1]["stops"])
    assert (stop["place"], stop["started_at"], stop["seconds"]) == (
        "orison",
        "2026-05-03T18:09:28.551Z",
        4176.967,
    )
    # L9 selects OOC_Stanton_2_Crusader, L11 requests fuel to Orison_LOC (another target, so
    # a new plan); no "Quantum Drive Arrived" follows: the leg is aborted, never counted.
    leg = _only(doc["legs"])
    assert (leg["vehicle"], leg["destination_raw"], leg["status"]) == (
        "CRUS_Starfighter_Ion",
        "Orison_LOC",
        "aborted",
    )
    assert leg["seconds"] is None
    assert doc["totals"]["quantum_legs"] == 0


# -- contracts ---------------------------------------------------------------------------------
MISSION_ENDS = {
    # mission id: (CreateMarker line and time, <EndMission> line and time)
    "3af45943-4580-483c-9f6c-1d7006eb5e66": ("22:42:54.060", "23:45:07.921"),  # L2, L107
    "3da7ed5d-1d23-443a-85af-8d78dfc7a53f": ("22:43:15.319", "23:45:07.921"),  # L9, L106
    "13aee81c-43f1-4a56-9298-a30504c3a8b6": ("22:43:28.279", "23:45:07.921"),  # L15, L108
    "45d13d1d-b90a-4dcf-bc23-569fb8ecd5be": ("22:43:38.945", "23:45:07.933"),  # L25, L109
    "28ae6839-8fe3-4c4f-9bbc-68e681f5a084": ("22:44:13.203", "23:32:53.483"),  # L40, L100
    "5d4969cd-cce3-4af7-a05e-bf75d1d939a8": ("22:44:29.938", "23:45:37.148"),  # L50, L110
    "c4d6a452-3997-419a-86c9-588dc76f1025": ("22:44:50.162", "23:32:53.457"),  # L68, L99
}


def test_mission_mate_seven_hauling_contracts_all_completed() -> None:
    doc = journey_of(MISSIONS)
    contracts = doc["contracts"]
    # Seven mission ids get "<CLocalMissionPhaseMarker::CreateMarker> … generator name
    # [Covalex_Hauling], contract [HaulCargo_…]" lines and a "Contract Accepted:  Rookie Rank -
    # Extra Small Cargo Haul" banner; each ends with "<EndMission> … CompletionType[Complete]"
    # (L99, L100, L106-L110).
    assert {
        c["mission_id"]: (c["started_at"][11:-1], c["ended_at"][11:-1]) for c in contracts
    } == MISSION_ENDS
    for contract in contracts:
        assert contract["outcome"] == "completed"
        assert contract["outcome_by"] == "end_mission"
        assert contract["contract_kind"] == "hauling"
        assert contract["generator"] == "Covalex_Hauling"
        assert contract["title"] == "Rookie Rank - Extra Small Cargo Haul"
        assert contract["accepted_in_session"] is True
        # A pickup and a dropoff, each with two boxes (objective ids pickup_…_0/_1,
        # dropoff_…_0/_1 in the <ObjectiveUpserted> lines L76-L105).
        assert len(contract["objectives"]) == 4
    totals = doc["totals"]
    assert (totals["contracts_accepted"], totals["contracts_completed"]) == (7, 7)
    assert (totals["contracts_failed"], totals["contracts_abandoned"]) == (0, 0)
    assert doc["records"]["most_contracts_completed"]["value"] == 7


def test_mission_mate_an_objective_keeps_its_state_history() -> None:
    doc = journey_of(MISSIONS)
    run = next(c for c in doc["contracts"] if c["mission_id"].startswith("5d4969cd"))
    states = {o["objective_id"]: o["history"] for o in run["objectives"]}
    # dropoff_3f53ceb8-…_0 of 5d4969cd: L92 MISSION_OBJECTIVE_STATE_COMPLETED at 23:24:16.439;
    # dropoff_…_1: L102 MISSION_OBJECTIVE_STATE_INPROGRESS at 23:45:07.872, and the mission
    # still ended Complete at L110 (23:45:37.148): the outcome is the end line's.
    assert states["dropoff_3f53ceb8-1c97-445d-9ce9-7d528e36e5f5_0"][-1] == [
        "2026-06-29T23:24:16.439Z",
        "completed",
    ]
    assert states["dropoff_3f53ceb8-1c97-445d-9ce9-7d528e36e5f5_1"][-1] == [
        "2026-06-29T23:45:07.872Z",
        "inprogress",
    ]
    assert run["outcome"] == "completed"


def test_gauntlet_contract_completed_by_its_banner() -> None:
    doc = journey_of(GAUNTLET)
    contract = _only(doc["contracts"])
    # L1 "Contract Accepted:  Combat Gauntlet - Scenario #4" 18:20:30.238 to L4 "Contract
    # Complete: Combat Gauntlet - Scenario #4" 18:23:33.251: 3 min 3.013 s.
    assert contract["title"] == "Combat Gauntlet - Scenario #4"
    assert (contract["outcome"], contract["outcome_by"]) == ("completed", "banner")
    assert contract["seconds"] == 183.013
    assert contract["contract_kind"] == "combat"
    # L2 "Objective Complete: Go to a debris field above Cellin" (813bd6d9…), L3 "New
    # Objective: Defeat Hostile Ships" (8c46cb45…).
    assert [(o["objective_id"][:8], o["state"]) for o in contract["objectives"]] == [
        ("813bd6d9", "completed"),
        ("8c46cb45", "inprogress"),
    ]
    assert doc["totals"]["contracts_completed"] == 1


# -- trades ------------------------------------------------------------------------------------
def test_starlogger_commodity_orders_are_whole_order_totals() -> None:
    doc = journey_of(STARLOGGER)
    sell, buy = doc["trades"]
    # L1 SendCommoditySellRequest 2026-06-01 03:46:57.282: amount[793520.000000] quantity[224]
    # (boxSize[16] x unitAmount[14] = 224 SCU): 793,520 aUEC for the order, 3,542.5 aUEC/SCU.
    assert (sell["side"], sell["quantity"], sell["unit"], sell["total"]) == (
        "sell",
        224.0,
        "SCU",
        793520.0,
    )
    assert sell["unit_price"] == 3542.5
    # L3 SendCommodityBuyRequest 16:20:49.543: price[1067040.000000] for quantity[28800.000000
    # cSCU] (288 SCU = boxSize 16 x unitAmount 18) at shopPricePerCentiSCU[37.049999]:
    # 37.049999 x 28,800 = 1,067,040 aUEC, 3,705 aUEC/SCU.
    assert (buy["side"], buy["quantity"], buy["unit"], buy["total"]) == (
        "buy",
        28800.0,
        "cSCU",
        1067040.0,
    )
    assert buy["unit_price"] == 3705.0
    # Commodity terminals log no answer: both stay "submitted", and both count.
    assert {sell["status"], buy["status"]} == {"submitted"}
    totals = doc["totals"]
    assert (totals["trade_spent"], totals["trade_earned"]) == (1067040.0, 793520.0)
    assert totals["trade_profit"] == -273520.0
    biggest = doc["records"]["biggest_sale"]
    assert (biggest["value"], biggest["at"]) == (793520.0, "2026-06-01T03:46:57.282Z")
    # L1 (03:46), L2-L3 (16:19-16:20) and L5-L8 (2026-06-22) are more than 6 h apart.
    assert doc["totals"]["sessions"] == 3


# -- kills and deaths of a named player in 4.1-4.3 lines ------------------------------------
def test_killtracker_lines_count_bluepanda_kills_and_deaths() -> None:
    doc = journey_of(KILLTRACKER_LINES, KILLTRACKER_TAIL, handle="BluePanda")
    # Killer 'BluePanda' of someone else: L1 of the lines file 2025-04-02 21:34:55.219 'nocxua'
    # (MRCK_S03 missile rack, VehicleDestruction), the tail's L3 2025-04-03 01:26:11.622
    # 'beast3PO' (KLWE laser repeater), L6 2025-04-08 22:36:40.104 'Fr33' (behr LMG, Bullet).
    assert [(k["started_at"], k["victim"], k["damage_type"]) for k in doc["kills"]] == [
        ("2025-04-02T21:34:55.219Z", "nocxua", "VehicleDestruction"),
        ("2025-04-03T01:26:11.622Z", "beast3PO", "VehicleDestruction"),
        ("2025-04-08T22:36:40.104Z", "Fr33", "Bullet"),
    ]
    # Victim 'BluePanda': L7 2025-04-08 23:16:39.092 killed by 'BluePanda' with 'Crash', and
    # L21 2025-09-08 13:10:18.208 killed by 'unknown' [0] with 'Crash'. CBCORP's two deaths
    # (L2, L3) are someone else's.
    assert [(d["started_at"], d["cause"]) for d in doc["deaths"]] == [
        ("2025-04-08T23:16:39.092Z", "crash"),
        ("2025-09-08T13:10:18.208Z", "crash"),
    ]
    totals = doc["totals"]
    assert (totals["kills"], totals["deaths"], totals["vehicle_kills"]) == (3, 2, 0)


def test_citizenmon_tail_a_death_in_a_destroyed_cutlass() -> None:
    doc = journey_of(CITIZENMON_TAIL, handle="Jon_Arris")
    # L2 16:34:53.791: 'Jon_Arris' in zone 'DRAK_Cutlass_Red_…' killed by 'Zassenach' using
    # 'HRST_LaserRepeater_S4_…', damage 'VehicleDestruction'. The Cutlass lines (L1 0->1 by
    # 'arielrsim', L3 1->2 by 'Zassenach') and the Golem (L4, 'Switchback83') are not his.
    death = _only(doc["deaths"])
    assert (death["cause"], death["killer"], death["weapon"]) == (
        "combat",
        "Zassenach",
        "HRST_LaserRepeater_S4",
    )
    assert (doc["totals"]["kills"], doc["totals"]["vehicle_kills"]) == (0, 0)


# -- era honesty -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "kills", "vehicle_kills", "deaths"),
    [
        # 4.1: three deaths of his own and the Zeus CL (see above), no person killed.
        (CITIZENMON_0419, 0, 1, 3),
        (CITIZENMON_0413, 0, 0, 0),  # 4.1: never in the PU, but kills are loggable: 0
        (ARENA_0407, 0, 0, 0),  # 4.1 arena
        (SAMPLE_47, None, None, 0),  # 4.7: no kill line exists, so "not logged"
        (LINES_47, None, None, 1),  # 4.7: incapacitation + item recovery = one death
    ],
)
def test_a_41_log_counts_kills_and_a_47_log_says_they_are_not_logged(
    name: str, kills: int | None, vehicle_kills: int | None, deaths: int
) -> None:
    totals = journey_of(name)["totals"]
    assert (totals["kills"], totals["vehicle_kills"], totals["deaths"]) == (
        kills,
        vehicle_kills,
        deaths,
    )


def test_a_41_and_a_47_log_together_count_the_41_kills() -> None:
    # A sum of sessions is None only when no session could log kills.
    totals = journey_of(CITIZENMON_0419, SAMPLE_47)["totals"]
    assert (totals["sessions"], totals["kills"], totals["vehicle_kills"]) == (2, 0, 1)
    assert totals["deaths"] == 3
