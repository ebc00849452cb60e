"""Session and identity rules, one positive and one negative line per variant."""

from starstats_core.events.session import JoinPu

from .conftest import classify_line


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
