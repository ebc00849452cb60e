"""Observed metadata: the primary entity of each event, and metadata that validates."""

from starstats_core.events.hud import HudNotification, PlayerIncapacitated
from starstats_core.events.session import JoinPu
from starstats_core.metadata import observed_metadata, primary_entity
from starstats_core.parser import LogParser
from starstats_core.synth import synthesize_log
from starstats_core.validators import metadata_problems
from starstats_core.wire import EntityRef

TS = "2026-05-02T21:14:23.189Z"


def test_a_shard_join_is_about_its_shard() -> None:
    event = JoinPu(timestamp=TS, address="1.2.3.4", port=64300, shard="pub_x_1", location_id="5")
    assert primary_entity(event, "TestPilot_01") == EntityRef(
        kind="session", id="pub_x_1", display_name="pub_x_1"
    )


def test_an_incapacitation_is_about_the_claimed_player() -> None:
    event = PlayerIncapacitated(timestamp=TS, queue_id=89)
    assert primary_entity(event, "TestPilot_01") == EntityRef(
        kind="player", id="TestPilot_01", display_name="TestPilot_01"
    )
    assert primary_entity(event, " ").id == "unknown"


def test_a_hud_banner_is_about_the_hud() -> None:
    event = HudNotification(timestamp=TS, text="Entered Monitored Space: ", notification_id=2)
    assert primary_entity(event, "x") == EntityRef(kind="system", id="hud", display_name="HUD")


def test_observed_metadata_has_full_confidence_and_a_group_key() -> None:
    event = JoinPu(timestamp=TS, address="1.2.3.4", port=64300, shard="pub_x_1", location_id="5")
    meta = observed_metadata(event, "TestPilot_01")
    assert meta.source == "observed"
    assert meta.confidence == 1.0
    assert meta.group_key == "join_pu:session:pub_x_1"
    assert metadata_problems(meta) == ()


def test_every_event_of_a_synthesized_log_gets_valid_metadata() -> None:
    parser = LogParser()
    data = "".join(synthesize_log(seed=11, sessions=2, era=None, lines_per_session=4000))
    parsed = parser.feed(data.encode()) + parser.finish()
    kinds = set()
    for item in parsed:
        meta = observed_metadata(item.event, "DemoPilot")
        assert metadata_problems(meta) == ()
        assert meta.primary_entity.id
        kinds.add(meta.primary_entity.kind)
    # Vehicles, items, locations, sessions and players all occur in a mixed-era log.
    assert {"vehicle", "item", "location", "session", "player"} <= kinds
