"""Every event kind reads as a sentence naming what happened (from payloads built with core's
own models, parsed from synthesized logs, and parsed from the real corpus), and no payload,
however odd, makes `describe` fail."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starstats_core.events import EventType, event_to_dict
from starstats_core.events import combat as c
from starstats_core.events import commerce as m
from starstats_core.events import header as h
from starstats_core.events import hud as u
from starstats_core.events import inventory as i
from starstats_core.events import missions as s
from starstats_core.events import session as n
from starstats_core.events import system as y
from starstats_core.events import travel as t
from starstats_core.events.base import BaseEvent
from starstats_core.parser import LogParser
from starstats_core.synth import synthesize_log
from starstats_web.sentences import describe, label

AT = datetime(2026, 5, 2, 21, 14, 23, 189000, tzinfo=UTC)
TS = "2026-05-02T21:14:23.189Z"
CORPUS_DIR = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "gamelog"

# One realistic event per kind (values as the game logs them) and a fragment its sentence
# must contain: the key field as a player would read it.
EXAMPLES: list[tuple[BaseEvent, str]] = [
    (h.SessionStarted(timestamp=TS, file_version="4.7.178.50402", channel="LIVE"), "4.7.178"),
    (n.ProcessInit(timestamp=TS, local_session="2f33fc1e", env_session="pub-sc", online=True),
     "online"),
    (n.LegacyLogin(timestamp=TS, handle="TheCodeSaiyan", server_time="213000609"),
     "TheCodeSaiyan"),
    (n.CharacterStatus(timestamp=TS, geid="9794883988961", account_id="1", name="Ace_Pilot",
                       state="STATE_CURRENT", created_at=1, updated_at=2), "Ace_Pilot"),
    (n.IncomingConnection(timestamp=TS, session="s", nickname="Jon_Arris",
                          player_geid="202035112058"), "Jon_Arris"),
    (n.JoinPu(timestamp=TS, address="35.241.202.174", port=64300,
              shard="pub_euw1b_11704877_090", location_id="562954248454145"), "pub_euw1b…"),
    (n.ChangeServer(timestamp=TS, phase="end", is_shard_persisted=True, is_server=False,
                    is_multiplayer=True, is_online=True), "finished"),
    (n.SeedSolarSystem(timestamp=TS, solar_system="Stanton", shard="pub_euw1b_117",
                       success=True), "Stanton"),
    (n.ResolveSpawn(timestamp=TS, player_geid="9794883988961"), "fallback"),
    (n.ContextEstablished(timestamp=TS, establisher="CContextEstablisherTaskFinished",
                          map="megamap", gamerules="SC_Default", session_id="x",
                          running_time=12.5), "SC_Default"),
    (n.LoadingScreenClosed(timestamp=TS, map="megamap", gamerules="SC_Default", seconds=41.2),
     "41 s"),
    (n.PlayerSpawned(timestamp=TS), "Spawned"),
    (n.ChannelDisconnected(timestamp=TS, cause=30016, reason="User closed the application"),
     "User closed the application"),
    (n.PuSessionEnded(timestamp=TS), "persistent universe"),
    (n.SessionEnd(timestamp=TS, kind="system_quit", reason="User closed the application"),
     "Quit the game"),
    (n.GameModeChanged(timestamp=TS, player="Ace", from_mode="FreeFlight",
                       to_mode="SquadronBattle"), "SquadronBattle"),
    (n.GameCrash(timestamp=TS, channel="LIVE", crash_dir_name="2026-05-04-21-10-12",
                 total_size_bytes=1024), "LIVE"),
    (n.LauncherActivity(timestamp="2026-05-06 12:34:56.789", level="info",
                        message="Starting RSI Launcher 2.10.4", category="info"),
     "Starting RSI Launcher"),
    (c.ActorDeath(timestamp=TS, victim="Rival_1", zone="OOC_Stanton_2b_Daymar",
                  killer="Ace_Pilot", weapon="behr_rifle_ballistic_01_123",
                  damage_type="Bullet"), "killed by Ace_Pilot"),
    (c.VehicleDestruction(timestamp=TS, vehicle_class="DRAK_Cutlass_Red", destroy_level_from=1,
                          destroy_level_to=2, caused_by="Ace_Pilot", cause="Combat"),
     "Drake Cutlass Red was destroyed"),
    (c.Corpse(timestamp=TS, player="Jon_Arris", is_local=True,
              detail="Entering control state dead."), "Entering control state dead"),
    (c.PlayerDeath(timestamp=TS, body_class="body_01_noMagicPocket", body_id="9754924365641"),
     "Died"),
    (u.PlayerIncapacitated(timestamp=TS, queue_id=89), "Incapacitated"),
    (c.IncapLogged(timestamp=TS, nickname="Jon_Arris",
                   causes=(c.IncapCause(name="Bleed", damage=0.35),)), "Bleed"),
    (c.StatusEffect(timestamp=TS, nickname="Jon_Arris", effect="Concussion", phase="start"),
     "Concussion"),
    (c.SpawnReservationLost(timestamp=TS, player="Kestrel_9", player_geid="1", spawnpoint="Bed",
                            spawnpoint_id="2", location_id="3"), "Kestrel_9"),
    (c.FatalCollision(timestamp=TS, vehicle_class="ANVL_Hornet_F7CM_Mk2", player_pilot=True),
     "Anvil Hornet F7C-M Mk II"),
    (c.ActorStall(timestamp=TS, player="Kestrel_9", stall_type="downstream", length=2.5),
     "2.5 s"),
    (c.HostileHit(timestamp=TS, attacker="Kestrel_9", target="AEGS_Gladius"), "Aegis Gladius"),
    (c.ActorEjected(timestamp=TS, player="Kestrel_9", zone="RSI_Hermes_123"), "Kestrel_9"),
    (c.MedBedHeal(timestamp=TS, actor="Ace", outcome="Success", med_bed="MedBed_1",
                  head=True, torso=False, left_arm=True, right_arm=False, left_leg=False,
                  right_leg=False), "head, left arm"),
    (t.VehicleControl(timestamp=TS, action="entered", vehicle_class="CRUS_Starfighter_Ion",
                      vehicle_id="10012175043656"), "Crusader Ares Star Fighter Ion"),
    (t.VehicleSpawned(timestamp=TS, vehicle_class="RSI_Aurora_MR", vehicle_id="1",
                      player_geid="2"), "RSI Aurora MR"),
    (t.VehicleStowed(timestamp=TS, vehicle_id="10006174073187",
                     landing_area="LandingArea_ShipElevator_HangarMediumTop",
                     landing_area_id="10012175369898"), "ShipElevator HangarMediumTop"),
    (t.FleetSize(timestamp=TS, entitlement_count=12, player_geid="1"), "12 ships"),
    (t.InsuranceClaim(timestamp=TS, phase="requested",
                      entitlement_urn="urn:sc:global:entitlement:uuid:1", request_id=1),
     "insurance claim"),
    (t.JumpDriveState(timestamp=TS, phase="changed", state="Idle", system="Pyro",
                      drive_class="JDRV_TARS_S01_Explorer_SCItem", drive_id="1"), "Pyro"),
    (t.QuantumTargetSelected(timestamp=TS, phase="selected", vehicle_class="CRUS_Starfighter_Ion",
                             vehicle_id="10012175043656", destination="OOC_Stanton_2_Crusader"),
     "Quantum target selected: Crusader"),
    (t.QuantumRoute(timestamp=TS, vehicle_class="CRUS_Starfighter_Ion", vehicle_id="1",
                    start_location="Port Tressler", destination="Orison_LOC"), "Orison"),
    (t.QuantumArrived(timestamp=TS, vehicle_class="CRUS_Starfighter_Ion", vehicle_id="1"),
     "Crusader Ares Star Fighter Ion"),
    (t.QuantumRerouted(timestamp=TS, final_stop=-1), "rerouted"),
    (t.MissionQuantumDestinationSelected(timestamp=TS, phase="selected", beacon_id="4242",
                                         vehicle_class="AEGS_Gladius", vehicle_id="1"), "4242"),
    (t.LocationInventoryRequested(timestamp=TS, player="Ace", location="Stanton4_NewBabbage"),
     "New Babbage"),
    (t.PlanetTerrainLoad(timestamp=TS, planet="OOC_Stanton_2b_Daymar"), "Daymar"),
    (t.PlanetCellsLoaded(timestamp=TS, body="OOC_Stanton_1_Hurston", cells=133, meshes=58),
     "At Hurston"),
    (t.LocationChanged(timestamp=TS, **{"from": "Stanton2_Orison"}, to="Stanton1_Lorville"),
     "Lorville"),
    (u.HudNotification(timestamp=TS, text="Entered Hurston Dynamics Jurisdiction: ",
                       notification_id=2), "Entered Hurston Dynamics Jurisdiction”"),
    (u.BlueprintReceived(timestamp=TS, blueprint="Arclight Pistol", notification_id=3),
     "Arclight Pistol"),
    (s.MissionStart(timestamp=TS, mission_id="d4189858-f559-4923-a4b2-c2f726bb2e21",
                    marker_kind="phase", contract="Hauling_Stanton_Run"),
     "Hauling Stanton Run"),
    (s.MissionEnd(timestamp=TS, mission_id="d4189858", outcome="Complete"), "complete"),
    (s.MissionObjective(timestamp=TS, objective_id="o1", text="Go to Lorville"),
     "Go to Lorville"),
    (s.ObjectiveUpserted(timestamp=TS, objective_id="o1", state="inprogress"), "in progress"),
    (s.MissionEnded(timestamp=TS, mission_id="d4189858", state="completed"), "completed"),
    (s.TravelToContractLocation(timestamp=TS, beacon_id="4242"), "4242"),
    (m.ShopBuyRequest(timestamp=TS, shop_name="SCShop_Area18", item_class="apparel_helmet_blue",
                      price=1250.0, quantity=1, raw="raw"), "apparel_helmet_blue for 1,250 aUEC"),
    (m.ShopSellRequest(timestamp=TS, shop_name="SCShop_CenterMass_Area18",
                       item_class="behr_rifle_ballistic_01", price=810.0, quantity=1, raw="raw"),
     "behr_rifle_ballistic_01 for 810 aUEC"),
    (m.ShopFlowResponse(timestamp=TS, success=True, kind="Buying", raw="raw"), "confirmed"),
    (m.CommodityBuyRequest(timestamp=TS, commodity="Agricium", quantity=125.5,
                           quantity_unit="SCU", price=3000.0, raw="raw"), "125.50 SCU of Agricium"),
    (m.CommoditySellRequest(timestamp=TS, commodity="Quantanium", quantity=64.0, raw="raw"),
     "Quantanium"),
    (m.CommodityBoxAdded(timestamp=TS, commodity="ResourceType.Waste"), "Waste"),
    (m.ShopRequestTimedOut(timestamp=TS, item_class="apparel_helmet_blue",
                           timed_out_after_secs=30), "30 s"),
    (i.AttachmentReceived(timestamp=TS, player="Ace", item_class="rsi_odyssey_undersuit_01",
                          item_id="200000000232", status="persistent", port="Armor_Undersuit",
                          elapsed_seconds=27.5),
     "RSI odyssey undersuit attached to Armor Undersuit"),
    (i.ItemEquipChange(timestamp=TS, request_id=1, item_class="behr_rifle_ballistic_01",
                       port="Body_ItemPort:WEAPON_LEFT", inventory="x"),
     "Equipped Behring ballistic rifle 01 on WEAPON LEFT"),
    (i.ItemStored(timestamp=TS, request_id=1, item_class="Carryable_1H_SQ_Pyro_Serverblade_1",
                  item_id="1", player="Ace", player_geid="2", inventory="INVALID"),
     "Stored Carryable 1H SQ Pyro Serverblade 1"),
    (i.InventoryManagement(timestamp=TS, request_id=1, player="Ace", item_class="medpen_01",
                           source_inventory="a", target_inventory="b"), "Moved Medpen 01"),
    (y.RemoteMatch(timestamp=TS, rule_id="r1", event_name="armistice_entered", fields={}),
     "armistice_entered"),
    (y.BurstSummary(timestamp=TS, rule_id="r1", size=42, end_timestamp=TS), "42 similar lines"),
]  # fmt: skip


def generic(event_type: str) -> str:
    """What `describe` falls back to: the type's name and the time."""
    return f"{label(event_type)} at 21:14"


def example(event_type: str) -> BaseEvent:
    return next(event for event, _ in EXAMPLES if event.type == event_type)


def test_the_examples_cover_every_event_kind() -> None:
    assert {event.type for event, _ in EXAMPLES} == {kind.value for kind in EventType}


@pytest.mark.parametrize(("event", "fragment"), EXAMPLES, ids=lambda x: getattr(x, "type", ""))
def test_every_kind_reads_as_a_sentence_with_its_key_field(event: BaseEvent, fragment: str) -> None:
    sentence = describe(event.type, event_to_dict(event), AT)
    assert sentence.endswith(" at 21:14")
    assert sentence != generic(event.type), sentence
    assert fragment in sentence, sentence


@pytest.mark.parametrize(
    ("event", "sentence"),
    [
        (example("join_pu"), "Joined shard pub_euw1b… at 21:14"),
        (example("quantum_target_selected"), "Quantum target selected: Crusader at 21:14"),
        (
            c.ActorDeath(
                timestamp=TS,
                victim="Ace",
                zone="OOC_Stanton_1_Hurston",
                killer="PU_Human-NineTails-Grunt-Male-Grunt_10_2770766024215",
                weapon="w",
                damage_type="Bullet",
            ),
            "Ace was killed by an NPC (Bullet) in Hurston at 21:14",
        ),
        (
            c.ActorDeath(
                timestamp=TS,
                victim="Ace",
                zone="z",
                killer="unknown",
                weapon="w",
                damage_type="Crash",
            ),
            "Ace died in a crash in Z at 21:14",
        ),
        (
            t.VehicleControl(
                timestamp=TS, action="left", vehicle_class="MISC_Prospector", vehicle_id="1"
            ),
            "Left the controls of MISC Prospector at 21:14",
        ),
        (
            m.ShopSellRequest(
                timestamp=TS,
                shop_id="342890646018",
                shop_name="SCShop_CenterMass_Area18",
                item_class="behr_rifle_ballistic_01",
                price=810.0,
                quantity=1,
                raw="raw",
            ),
            "Asked to sell behr_rifle_ballistic_01 for 810 aUEC at SCShop_CenterMass_Area18"
            " at 21:14",
        ),
        (
            m.ShopFlowResponse(timestamp=TS, success=True, kind="Selling", raw="raw"),
            "The shop confirmed the sale at 21:14",
        ),
        (
            t.PlanetCellsLoaded(timestamp=TS, body="pyro5f", cells=12, meshes=3),
            "At Vuur (terrain loaded) at 21:14",
        ),
    ],
)
def test_some_sentences_word_for_word(event: BaseEvent, sentence: str) -> None:
    assert describe(event.type, event_to_dict(event), AT) == sentence


def test_times_are_utc_hours_and_minutes_and_optional() -> None:
    event = example("join_pu")
    cest = AT.astimezone(timezone(timedelta(hours=2)))
    assert describe(event.type, event_to_dict(event), cest).endswith(" at 21:14")
    assert describe(event.type, event_to_dict(event), None) == "Joined shard pub_euw1b…"


@pytest.mark.parametrize(("event", "fragment"), EXAMPLES, ids=lambda x: getattr(x, "type", ""))
def test_missing_fields_fall_back_without_raising(event: BaseEvent, fragment: str) -> None:
    payload = event_to_dict(event)
    assert describe(event.type, {}, AT).endswith(" at 21:14")
    assert describe(event.type, None, None)
    for key in payload:
        partial = {k: v for k, v in payload.items() if k != key}
        assert describe(event.type, partial, AT).endswith(" at 21:14")


def test_unknown_and_future_types_read_as_their_name() -> None:
    assert describe("unknown", None, AT) == "Unreadable event at 21:14"
    assert describe("warp_gate_opened", {"gate": "Pyro"}, AT) == "Warp gate opened at 21:14"
    assert label("quantum_target_selected") == "Quantum target selected"
    assert label("warp_gate_opened") == "Warp gate opened"
    assert label("") == "Event"


def test_long_free_text_is_cut_and_flattened() -> None:
    text = "Line one\nline two " + "x" * 300
    sentence = describe("hud_notification", {"text": text}, None)
    assert "\n" not in sentence
    assert len(sentence) < 160
    assert "…" in sentence


def _parsed(data: bytes) -> list[BaseEvent]:
    parser = LogParser()
    return [p.event for p in parser.feed(data) + parser.finish()]


def test_every_event_of_a_synthesized_log_reads_as_a_sentence() -> None:
    data = "".join(synthesize_log(seed=9, sessions=4, lines_per_session=4000)).encode()
    events = _parsed(data)
    assert len({e.type for e in events}) > 30
    for event in events:
        sentence = describe(event.type, event_to_dict(event), AT)
        assert sentence != generic(event.type), (event.type, event_to_dict(event))


def test_every_event_of_the_real_corpus_reads_as_a_sentence() -> None:
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"real Game.log corpus not found at {CORPUS_DIR} (../shared beside the repo)")
    generic_ones = []
    kinds = set()
    for path in sorted(CORPUS_DIR.glob("*.log")):
        for event in _parsed(path.read_bytes()):
            kinds.add(event.type)
            if describe(event.type, event_to_dict(event), AT) == generic(event.type):
                generic_ones.append((path.name, event_to_dict(event)))
    assert len(kinds) > 40
    assert generic_ones == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
_kinds = st.sampled_from([k.value for k in EventType]) | st.text(max_size=20)
# Payloads that use the fields the sentences read, with any values at all.
_keys = st.sampled_from(
    sorted({key for event, _ in EXAMPLES for key in event_to_dict(event)} | {"from", "causes"})
)


@settings(max_examples=400, deadline=None)
@given(
    kind=_kinds,
    payload=st.dictionaries(_keys, _json, max_size=8) | st.dictionaries(st.text(), _json),
    at=st.none() | st.datetimes(timezones=st.none() | st.just(UTC)),
)
def test_describe_never_raises(kind: str, payload: dict[str, Any], at: datetime | None) -> None:
    sentence = describe(kind, payload, at)
    assert isinstance(sentence, str)
    assert sentence
    assert "\n" not in sentence
