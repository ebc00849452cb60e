"""What a death means for one handle, and which actor names are NPCs.

The NPC names copy the shapes the peers list (peers-and-gamelog §4 Pitfalls) with made-up
id suffixes; the player handles copy real handle shapes (hyphens, underscores) with made-up
names.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from starstats_core.deaths import DeathOutcome, classify_death, is_npc
from starstats_core.events.combat import ActorDeath

ME = "TestPilot_01"


def death(victim: str, killer: str, damage: str = "Bullet") -> ActorDeath:
    return ActorDeath(
        timestamp="2025-04-19T09:31:50.461Z",
        victim=victim,
        zone="ab_pyro_int_dung_exec_002",
        killer=killer,
        weapon="behr_rifle_ballistic_02_civilian_100000000900",
        damage_type=damage,
    )


def test_killing_another_player_is_a_kill() -> None:
    assert classify_death(death("Rival-07-X", ME), ME) == DeathOutcome.KILL


def test_killing_an_npc_is_still_a_kill() -> None:
    npc = "PU_Human-NineTails-Grunt-Male-Grunt_10_100000000123"
    assert classify_death(death(npc, ME), ME) == DeathOutcome.KILL


def test_being_killed_by_another_player_is_a_death() -> None:
    assert classify_death(death(ME, "Rival-07-X"), ME) == DeathOutcome.DEATH


def test_handle_matches_whatever_the_case() -> None:
    assert classify_death(death(ME.upper(), "Rival-07-X"), ME.lower()) == DeathOutcome.DEATH


def test_killing_yourself_is_a_suicide() -> None:
    assert classify_death(death(ME, ME, "Suicide"), ME) == DeathOutcome.SUICIDE


def test_suicide_damage_is_a_suicide_even_with_another_killer_name() -> None:
    assert classify_death(death(ME, "unknown", "Suicide"), ME) == DeathOutcome.SUICIDE


def test_crashing_your_own_ship_is_a_crash_not_a_suicide() -> None:
    assert classify_death(death(ME, ME, "Crash"), ME) == DeathOutcome.CRASH


def test_crash_with_nobody_as_killer_is_a_crash() -> None:
    assert classify_death(death(ME, "unknown", "Crash"), ME) == DeathOutcome.CRASH


def test_death_to_nobody_is_environment() -> None:
    assert classify_death(death(ME, "unknown", "VehicleDestruction"), ME) == (
        DeathOutcome.ENVIRONMENT
    )


def test_death_to_an_npc_is_environment() -> None:
    npc = "NPC_Archetypes-Male-Human-FrontierFighters_Pilot_100000000124"
    assert classify_death(death(ME, npc), ME) == DeathOutcome.ENVIRONMENT


def test_a_death_between_two_other_actors_is_other() -> None:
    assert classify_death(death("Rival-07-X", "Jon_Doe"), ME) == DeathOutcome.OTHER


def test_an_empty_handle_matches_nobody() -> None:
    assert classify_death(death(ME, "Rival-07-X"), "  ") == DeathOutcome.OTHER


@pytest.mark.parametrize(
    "name",
    [
        "PU_Human-NineTails-Grunt-Male-Grunt_10_100000000123",
        "PU_Human_Enemy_GroundCombat_NPC_Ninetails_cqc_100000000125",
        "NPC_Archetypes-Male-Human-FrontierFighters_Pilot_100000000124",
        "Kopion_Ground_pet_100000000126",
        "AIModule_Unmanned_PU_Advocacy_100000000127",
        "MISC_Reliant_Sen_PU_AI_CRIM_100000000128",
        "Criminal-Pilot_Light_01",
        "Some_Entity_Class_100000000129",
        "A" * 41,
        "Four-Hyphen-Name-X",
    ],
)
def test_npc_name_shapes_are_npcs(name: str) -> None:
    assert is_npc(name)


@pytest.mark.parametrize(
    "name", ["AB-1234-CD", "Jane_Roe", ME, "KAI_Fighter", "Rival-07-X", "unknown", "A" * 40]
)
def test_player_handles_are_not_npcs(name: str) -> None:
    assert not is_npc(name)


@pytest.mark.parametrize(
    ("name", "npc"),
    [
        ("Some_Entity_12345678901", True),  # `_\d{11,}$`
        ("Some_Entity_12345678901\n", True),  # `$` also matches before a final line break
        ("Some_Entity_12345678901\n\n", False),
        ("Some_Entity_1234567890", False),  # ten digits are not an entity id
        ("Some_12345678901x", False),
        ("12345678901", False),  # no `_` before the digits
        ("Some_\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661", True),
    ],
)
def test_entity_id_suffix_as_the_pattern_reads_it(name: str, npc: bool) -> None:
    assert is_npc(name) is npc


@given(victim=st.text(max_size=60), killer=st.text(max_size=60), handle=st.text(max_size=60))
def test_classify_death_always_gives_an_outcome(victim: str, killer: str, handle: str) -> None:
    assert classify_death(death(victim, killer), handle) in set(DeathOutcome)
