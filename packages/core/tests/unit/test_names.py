"""Readable names for class names, place codes, shops, commodities and actors."""

import re
from collections import defaultdict
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from starstats_core.names import (
    Place,
    PlaceKind,
    actor_name,
    commodity_name,
    item_category,
    item_name,
    manufacturer_name,
    place,
    place_name,
    ship_name,
    shop_name,
    strip_entity_id,
    weapon_name,
)
from starstats_core.names.items import CATEGORIES
from starstats_core.parser import LogParser

from .conftest import corpus_files

ID_RUN = re.compile(r"\d{9,}")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AEGS_Avenger_Titan_2741024526900", "AEGS_Avenger_Titan"),
        ("behr_rifle_ballistic_02_civilian_2741024526900", "behr_rifle_ballistic_02_civilian"),
        ("ANVL_Hornet_F7CS_Mk2_721505167979[721505167979]", "ANVL_Hornet_F7CS_Mk2"),
        ("behr_rifle_ballistic_02", "behr_rifle_ballistic_02"),
        ("POWR_JUST_S02_Genoa_SCItem", "POWR_JUST_S02_Genoa_SCItem"),
        ("Carryable_1H_SQ_Pyro_Serverblade_1", "Carryable_1H_SQ_Pyro_Serverblade_1"),
        ("Jon_Arris", "Jon_Arris"),
    ],
)
def test_strip_entity_id_removes_only_long_trailing_ids(raw: str, expected: str) -> None:
    assert strip_entity_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ship_123456789", "Ship"),  # nine digits are enough
        ("Ship_12345678", "Ship_12345678"),  # eight are not
        ("Ship_123456789[12]", "Ship"),  # the echo may differ from the id
        ("Ship_123456789[12", "Ship_123456789[12"),  # no echo, and no `]` to end one
        ("Ship_123456789x", "Ship_123456789x"),
        ("Ship_" + "\u0661" * 9, "Ship"),  # `\d` is any Nd digit (Arabic-Indic one here)
        ("Ship_" + "\u00b2" * 9, "Ship_" + "\u00b2" * 9),  # superscripts are not
        ("Sh\nip_123456789", "Sh\nip_123456789"),  # a line break before the id keeps it
        ("_123456789", "_123456789"),  # nothing before the id
        ("  Ship_123456789  ", "Ship"),
    ],
)
def test_strip_entity_id_edges_match_the_pattern(raw: str, expected: str) -> None:
    """The cut without the regex gives what `^(.+?)_\\d{9,}(?:\\[\\d+\\])?$` gave."""
    assert strip_entity_id(raw) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("AEGS", "Aegis"), ("klwe", "Klaus & Werner"), ("CNOU", "C.O."), ("JUST", "Juno Starwerk"),
     ("XNAA", "Aopoa"), ("ZZZZ", None), ("", None)],
)  # fmt: skip
def test_manufacturer_codes_give_the_brand_players_use(code: str, expected: str | None) -> None:
    assert manufacturer_name(code) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("AEGS_Avenger_Titan", "Aegis Avenger Titan"),
        ("AEGS_Avenger_Titan_2741024526900", "Aegis Avenger Titan"),
        ("MRAI_Guardian_QI", "Mirai Guardian QI"),
        ("DRAK_Cutlass_Black", "Drake Cutlass Black"),
        ("ANVL_Hornet_F7CM_Mk2", "Anvil Hornet F7C-M Mk II"),
        ("MISC_Reliant_Sen_PU_AI_CRIM", "MISC Reliant Sen (NPC criminal)"),
        ("RSI_Constellation_Taurus", "RSI Constellation Taurus"),
        ("ARGO_SRV", "Argo SRV"),
        ("CNOU_Mustang_Alpha", "C.O. Mustang Alpha"),
        ("ORIG_m50_PU_AI_CRIM", "Origin M50 (NPC criminal)"),
        ("ORIG_350r_PU_AI_CRIM", "Origin 350r (NPC criminal)"),
        ("ANVL_C8R_Pisces_2619314706583", "Anvil C8R Pisces Rescue"),
        ("CRUS_Starfighter_Ion", "Crusader Ares Star Fighter Ion"),
    ],
)
def test_ship_classes_read_as_players_name_them(raw: str, expected: str) -> None:
    assert ship_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("KLWE_LaserRepeater_S4_2770766024215", "Klaus & Werner Laser Repeater (S4)"),
        ("behr_rifle_ballistic_02_civilian", "Behring ballistic rifle 02 (civilian)"),
        ("behr_lmg_ballistic_01_2529333258789", "Behring ballistic LMG 01"),
        ("MRCK_S03_AEGS_Sabre_Firebird_2470687086457", "Aegis Sabre Firebird missile rack (S3)"),
        ("unknown", "unknown weapon"),
        ("Player", "no weapon (player)"),
    ],
)
def test_weapons_read_as_words(raw: str, expected: str) -> None:
    assert weapon_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "name", "category"),
    [
        ("POWR_JUST_S02_Genoa_SCItem", "Genoa power plant (S2)", "ship component"),
        ("JDRV_TARS_S01_Explorer_SCItem", "Explorer jump drive (S1)", "ship component"),
        ("behr_rifle_ballistic_02_mag_civilian", "Behring ballistic rifle 02 magazine (civilian)",
         "ammo"),
        ("klwe_rifle_energy_01_gold01", "Klaus & Werner energy rifle 01 (gold)", "personal weapon"),
        ("cds_armor_light_helmet_01_01_01", "Clark Defense Systems light armor helmet", "armor"),
        ("crlf_consumable_healing_01", "CureLife consumable healing", "consumable"),
        ("grin_multitool_01", "Greycat multi-tool", "tool"),
        ("body_01_noMagicPocket", "Body 01 No Magic Pocket", "other"),
    ],
)  # fmt: skip
def test_items_have_a_name_and_a_spend_category(raw: str, name: str, category: str) -> None:
    assert item_name(raw) == name
    assert item_category(raw) == category


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ResourceType.Waste", "Waste"),
        ("9e65a7bd-adcf-4129-9ef5-26f4fe13f85b", "Unidentified commodity (9e65a7bd)"),
        ("quantanium", "Quantanium"),
    ],
)
def test_commodities_read_as_traders_name_them(raw: str, expected: str) -> None:
    assert commodity_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SCShop_Admin_lt_base_g", "Commodity kiosk"),
        ("SCShop_ht_delta_shubin_m_store", "Shubin Interstellar"),
        ("SCShop_OmegaPro_NewBabbage", "Omega Pro, New Babbage"),
        ("SCShop_Aparelli_NewBabbage", "Aparelli, New Babbage"),
    ],
)
def test_shops_read_as_their_shop_fronts(raw: str, expected: str) -> None:
    assert shop_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jon_Arris", "Jon_Arris"),
        ("DC-7250-ZM", "DC-7250-ZM"),
        ("unknown", "unknown"),
        ("PU_Human-NineTails-Grunt-Male-Grunt_10_2741024526900", "NineTails grunt (NPC)"),
        ("AIModule_Unmanned_PU_Advocacy_2761029301887", "Advocacy drone (NPC)"),
        ("NPC_Archetypes-Male-Human-FrontierFighters_Pilot_2741024526900",
         "Frontier Fighters pilot (NPC)"),
        ("Kopion_Adult_pet_2741024526900", "Kopion (creature)"),
    ],
)  # fmt: skip
def test_players_keep_their_handle_and_npcs_are_described(raw: str, expected: str) -> None:
    assert actor_name(raw) == expected


def _p(key: str, name: str, kind: PlaceKind, system: str | None, body: str | None) -> Place:
    return Place(key, name, kind, system, body)


EVERUS = _p("everus-harbor", "Everus Harbor", PlaceKind.STATION, "Stanton", "hurston")
LORVILLE = _p("lorville", "Lorville", PlaceKind.CITY, "Stanton", "hurston")
CHECKMATE = _p("checkmate", "Checkmate", PlaceKind.REST_STOP, "Pyro", "monox")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("RR_HUR_LEO", EVERUS),
        ("Everus Harbor", EVERUS),
        ("Stanton1_Transfer", EVERUS),
        ("Stanton1_Lorville", LORVILLE),
        ("@Stanton1_Hurston_Lorville_Hospital", LORVILLE),
        ("RR_P2_L4", CHECKMATE),
        ("Orison_LOC", _p("orison", "Orison", PlaceKind.CITY, "Stanton", "crusader")),
        ("Stanton3_Area18", _p("area18", "Area18", PlaceKind.CITY, "Stanton", "arccorp")),
        ("Stanton4_NewBabbage",
         _p("new-babbage", "New Babbage", PlaceKind.CITY, "Stanton", "microtech")),
        ("RR_CRU_LEO",
         _p("seraphim-station", "Seraphim Station", PlaceKind.STATION, "Stanton", "crusader")),
        ("Port Tressler",
         _p("port-tressler", "Port Tressler", PlaceKind.STATION, "Stanton", "microtech")),
        ("RR_ARC_LEO",
         _p("baijini-point", "Baijini Point", PlaceKind.STATION, "Stanton", "arccorp")),
        ("RR_HUR_L1", _p("green-glade-station", "HUR-L1 Green Glade Station",
                         PlaceKind.REST_STOP, "Stanton", "hurston")),
        ("RR_MIC_L4", _p("red-crossroads-station", "MIC-L4 Red Crossroads Station",
                         PlaceKind.REST_STOP, "Stanton", "microtech")),
        ("Stanton", _p("stanton", "Stanton", PlaceKind.SYSTEM, "Stanton", None)),
        ("OOC_Stanton_1_Hurston", _p("hurston", "Hurston", PlaceKind.PLANET, "Stanton", None)),
        ("OOC_Stanton_1a_Ariel", _p("arial", "Arial", PlaceKind.MOON, "Stanton", None)),
        ("OOC_Stanton_2b_Daymar", _p("daymar", "Daymar", PlaceKind.MOON, "Stanton", None)),
        ("OOC_Stanton_4_Microtech",
         _p("microtech", "microTech", PlaceKind.PLANET, "Stanton", None)),
        ("pyro2", _p("monox", "Monox", PlaceKind.PLANET, "Pyro", None)),
        ("pyro5c", _p("adir", "Adir", PlaceKind.MOON, "Pyro", None)),
        ("pyro6", _p("terminus", "Terminus", PlaceKind.PLANET, "Pyro", None)),
        ("Stanton1_L1", _p("hur-l1", "HUR-L1", PlaceKind.LAGRANGE, "Stanton", "hurston")),
        ("p2l4_contestedzone", _p("pyro2-l4-contested-zone", "Pyro II L4 contested zone",
                                  PlaceKind.ZONE, "Pyro", "monox")),
        ("Hangar_LargeTop_Orison_2286313505020",
         _p("orison-hangar", "Orison hangar", PlaceKind.ZONE, "Stanton", "crusader")),
        ("SolarSystem_2741054412411", _p("space", "in space", PlaceKind.ZONE, None, None)),
    ],
)  # fmt: skip
def test_place_codes_resolve_to_one_place(raw: str, expected: Place) -> None:
    assert place(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["INVALID_LOCATION_ID", "", "   ", "PartyMemberMarker_718290597259",
     "MISSION_QT_Quantum_Beacon_12345", "ANVL_C8R_Pisces_2619314706583", "Stanton Gateway"],
)  # fmt: skip
def test_non_places_and_ambiguous_names_are_not_places(raw: str) -> None:
    assert place(raw) is None


def test_every_stanton_lagrange_station_has_its_name() -> None:
    for code in ("HUR", "CRU", "ARC", "MIC"):
        for point in range(1, 6):
            found = place(f"RR_{code}_L{point}")
            assert found is not None
            assert found.kind is PlaceKind.REST_STOP
            assert found.name.startswith(f"{code}-L{point}")


def test_place_names_fall_back_to_words_never_ids() -> None:
    assert place_name("PartyMemberMarker_718290597259") == "party member"
    assert place_name("INVALID_LOCATION_ID") == "unknown location"
    assert place_name("ANVL_C8R_Pisces_2619314706583") == "Anvil C8R Pisces Rescue"
    assert (
        place_name("util_a_orbital_001_occu_a_final_int") == "Util A Orbital 001 Occu A Final Int"
    )


# Which readable-name function applies to which event field.
_FIELDS: dict[str, Callable[[str], str]] = {
    "vehicle_class": ship_name,
    "weapon": weapon_name,
    "weapon_class": weapon_name,
    "item_class": item_name,
    "body_class": item_name,
    "drive_class": item_name,
    "blueprint": item_name,
    "zone": place_name,
    "location": place_name,
    "destination": place_name,
    "start_location": place_name,
    "planet": place_name,
    "landing_area": place_name,
    "system": place_name,
    "solar_system": place_name,
    "killer": actor_name,
    "victim": actor_name,
    "caused_by": actor_name,
    "driver": actor_name,
    "shop_name": shop_name,
    "commodity": commodity_name,
}
_NO_UNDERSCORE = {ship_name, weapon_name, place_name, item_name}


def _corpus_values() -> dict[str, set[str]]:
    values: dict[str, set[str]] = defaultdict(set)
    for path in corpus_files():
        parser = LogParser()
        for parsed in parser.feed(path.read_bytes()) + parser.finish():
            for field, value in parsed.event.model_dump().items():
                if field in _FIELDS and isinstance(value, str):
                    values[field].add(value)
    return values


def test_corpus_values_get_readable_names() -> None:
    values = _corpus_values()
    assert values, "the corpus gave no class-like values"
    for field, raws in values.items():
        name_of = _FIELDS[field]
        for raw in raws:
            readable = name_of(raw)
            context = f"{field}={raw!r} -> {readable!r}"
            assert readable.strip(), context
            assert not ID_RUN.search(readable), context
            maker = raw.lstrip("[").split("_", 1)[0]
            if name_of in _NO_UNDERSCORE and manufacturer_name(maker) is not None:
                assert "_" not in readable, context
        if field == "item_class":
            assert all(item_category(raw) in CATEGORIES for raw in raws)


_ALL: tuple[Callable[[str], object], ...] = (
    strip_entity_id, ship_name, weapon_name, item_name, item_category, commodity_name,
    shop_name, actor_name, place_name,
)  # fmt: skip


@given(st.text())
def test_any_text_gives_a_non_empty_name_and_never_raises(text: str) -> None:
    for name_of in _ALL:
        result = name_of(text)
        assert isinstance(result, str)
        if name_of is not strip_entity_id:
            assert result
    assert manufacturer_name(text) is None or manufacturer_name(text)
    found = place(text)
    assert found is None or (found.key and found.name)


@given(st.from_regex(r"[A-Za-z]{2,6}(_[A-Za-z0-9]{1,8}){0,4}_[0-9]{9,14}", fullmatch=True))
def test_class_like_text_never_keeps_its_entity_id(text: str) -> None:
    for name_of in (ship_name, weapon_name, item_name, place_name, commodity_name, shop_name):
        assert not ID_RUN.search(name_of(text)), (name_of.__name__, text)
