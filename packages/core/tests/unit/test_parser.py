"""The parser engine: line accounting, HUD stitching and dedupe, the header, byte offsets.

Every line is hand-written in a real shape with made-up handles and ids.
"""

from collections.abc import Iterable

import pytest

from starstats_core.events.header import SessionStarted
from starstats_core.events.hud import BlueprintReceived, HudNotification, PlayerIncapacitated
from starstats_core.parser import LogParser, ParsedEvent, ParseStats, parse_line

TS = "2026-05-02T21:14:23.189Z"
ZERO = "00000000-0000-0000-0000-000000000000"
HUD_TAGS = "[Team_CoreGameplayFeatures][Missions][Comms]"

NOISE_LINE = f"<{TS}> [Notice] <Update group cache> Start [Team_GameServices][Social]"
CONTEXT_DONE = (
    f'<{TS}> [Notice] <Context Establisher Done> establisher="Game" runningTime=1.500000 '
    f'map="megamap" gamerules="SC_Default" sessionId="abc" [Team_Network][Network]'
)
CONTEXT_DONE_UNMATCHED = f"<{TS}> [Notice] <Context Establisher Done> nothing usable [Team_N]"
JOIN_PU = (
    f"<{TS}> [Notice] <Join PU> address[35.0.0.1] port[64300] shard[pub_euw1b_1_090] "
    "locationId[562954248454145] [Team_GameServices][GIM][Matchmaking]"
)
ACTOR_DEATH = (
    f"<{TS}> [Notice] <Actor Death> CActor::Kill: 'Victim_1' [100000000001] in zone "
    "'rs_int_p2l4' killed by 'Killer_2' [100000000002] using 'behr_rifle_ballistic_02_1' "
    "[Class behr_rifle_ballistic_02] with damage type 'Bullet' from direction x: 0.1, "
    "y: 0.2, z: 0.3 [Team_ActorTech][Actor]"
)
UNKNOWN_A = f"<{TS}> [Notice] <Foo Bar> value 12 for thing 7 [Team_X]"
UNKNOWN_B = f"<{TS}> [Notice] <Foo Bar> value 99 for thing 3 [Team_X]"
UNKNOWN_OTHER = f"<{TS}> [Error] <Baz Qux> something else entirely [Team_Y]"


def added(text: str, nid: int, *, mission: str = ZERO) -> str:
    return (
        f'<{TS}> [Notice] <SHUDEvent_OnNotification> Added notification "{text}" [{nid}] to '
        f"queue. New queue size: 1, MissionId: [{mission}], ObjectiveId: [] {HUD_TAGS}"
    )


def listing(text: str, nid: int) -> str:
    return f'<{TS}>    "{text}" [{nid}]'


def lifecycle(text: str, nid: int, action: str) -> str:
    return (
        f'<{TS}> [Notice] <UpdateNotificationItem> Notification "{text}" [{nid}], '
        f"Action: {action} {HUD_TAGS}"
    )


HUD_OPEN = f'<{TS}> [Notice] <SHUDEvent_OnNotification> Added notification "Line one'
HUD_CLOSE = (
    f'<{TS}> : " [15] to queue. New queue size: 1, MissionId: [{ZERO}], ObjectiveId: [] {HUD_TAGS}'
)

HEADER = [
    '<2026-05-02T21:01:49.000Z> BackupNameAttachment=" Build(11715810) 02 May 26 '
    '(23 01 47)"  -- used by backup system',
    "<2026-05-02T21:01:51.390Z> Log started on Sat May  2 21:01:51 2026",
    "<2026-05-02T21:01:51.391Z> Built on May  1 2026 10:00:00",
    "<2026-05-02T21:01:51.392Z> Executable: C:\\Program Files\\Roberts Space Industries"
    "\\StarCitizen\\LIVE\\Bin64\\StarCitizen.exe",
    "<2026-05-02T21:01:51.393Z> FileVersion: 4.7.178.50402",
    "<2026-05-02T21:01:51.394Z> [Trace] @session:      '6c4c0b6e-9e52-4e7a-b5a4-1b1d0d1bca55'",
    "<2026-05-02T21:01:51.395Z> [Trace] @env_session:  'pub-sc-alpha-470-11518367'",
    "<2026-05-02T21:01:51.396Z> Branch: sc-alpha-4.7.0",
    "<2026-05-02T21:01:51.397Z> Changelist: 11715810",
]


def lines(*rows: str, eol: str = "\n") -> bytes:
    return "".join(row + eol for row in rows).encode()


def parse(data: bytes, **kwargs: object) -> tuple[list[ParsedEvent], ParseStats]:
    parser = LogParser(**kwargs)  # type: ignore[arg-type]
    events = parser.feed(data)
    events += parser.finish()
    return events, parser.stats


def types(events: Iterable[ParsedEvent]) -> list[str]:
    return [p.event.type for p in events]


def assert_invariants(stats: ParseStats) -> None:
    assert stats.lines == stats.structured + stats.continuation + stats.blank
    assert stats.structured == (
        stats.event_lines + stats.silent + stats.noise + stats.unknown_lines
    )


# -- noise and unknown lines -----------------------------------------------------------------


def test_a_noise_line_is_counted_as_noise_and_gives_no_event() -> None:
    events, stats = parse(lines(NOISE_LINE, NOISE_LINE))
    assert events == []
    assert stats.noise == 2
    assert stats.unknown_lines == 0
    assert_invariants(stats)


def test_a_noise_named_line_that_a_rule_classifies_is_an_event_not_noise() -> None:
    events, stats = parse(lines(CONTEXT_DONE))
    assert types(events) == ["context_established"]
    assert stats.noise == 0
    assert stats.event_lines == 1
    assert_invariants(stats)


def test_a_noise_named_line_that_its_rule_rejects_falls_back_to_noise() -> None:
    events, stats = parse(lines(CONTEXT_DONE_UNMATCHED))
    assert events == []
    assert stats.noise == 1
    assert stats.unknown_lines == 0
    assert_invariants(stats)


def test_unknown_lines_are_grouped_by_shape_with_a_count_and_a_sample() -> None:
    _, stats = parse(lines(UNKNOWN_A, UNKNOWN_B, UNKNOWN_OTHER))
    assert stats.unknown_lines == 3
    top = stats.top_shapes()
    assert [s.count for s in top] == [2, 1]
    assert top[0].shape == "<TS> [Notice] <Foo Bar> value <N> for thing <N> [Team_X]"
    assert top[0].sample == UNKNOWN_A
    assert top[1].sample == UNKNOWN_OTHER
    assert stats.top_shapes(1) == top[:1]
    assert_invariants(stats)


def test_unknown_shape_samples_are_scrubbed_of_user_names() -> None:
    line = f"<{TS}> [Notice] <Path Thing> loading C:\\Users\\RealName\\file.txt [Team_X]"
    _, stats = parse(lines(line))
    (shape,) = stats.top_shapes()
    assert "RealName" not in shape.sample
    assert "<user>" in shape.sample


def test_a_custom_noise_list_replaces_the_default_one() -> None:
    events, stats = parse(lines(UNKNOWN_A, UNKNOWN_B, NOISE_LINE), noise=["Foo Bar"])
    assert events == []
    assert stats.noise == 2
    assert stats.unknown_lines == 1  # `Update group cache` is no longer noise
    assert stats.top_shapes()[0].sample == NOISE_LINE
    assert_invariants(stats)


def test_a_noise_name_matches_that_event_name_with_its_digits_ignored() -> None:
    # Documented in noise.py and ADR 0001: categories are decided on digit-masked lines, so
    # `StatObjLoad 0x800 Format` also silences `StatObjLoad 0x123 Format`; other names stay.
    foo1 = f"<{TS}> [Notice] <Foo1> something [Team_X]"
    foo2 = f"<{TS}> [Notice] <Foo2> something [Team_X]"
    bar1 = f"<{TS}> [Notice] <Bar1> something [Team_X]"
    _, stats = parse(lines(foo1, foo2, bar1), noise=["Foo1"])
    assert stats.noise == 2
    assert stats.unknown_lines == 1


def test_an_empty_custom_noise_list_makes_every_unclassified_line_unknown() -> None:
    _, stats = parse(lines(NOISE_LINE, CONTEXT_DONE_UNMATCHED), noise=[])
    assert stats.noise == 0
    assert stats.unknown_lines == 2


def test_invariants_hold_over_a_mix_of_every_kind_of_line() -> None:
    data = lines(
        *HEADER,
        "",
        "   grpc.keepalive_time_ms=120000",
        NOISE_LINE,
        CONTEXT_DONE,
        UNKNOWN_A,
        JOIN_PU,
        added("Entered Monitored Space: ", 0),
        listing("Entered Monitored Space: ", 0),
        lifecycle("Entered Monitored Space: ", 0, "Next"),
        HUD_OPEN,
        HUD_CLOSE,
        ACTOR_DEATH,
        "  ",
    )
    events, stats = parse(data)
    assert_invariants(stats)
    assert stats.lines == data.count(b"\n") == len(HEADER) + 13
    assert stats.blank == 2
    assert stats.continuation == 1
    assert sum(stats.events.values()) == len(events)
    assert stats.rule_errors == 0


# -- HUD notifications -----------------------------------------------------------------------


def test_a_two_line_notification_with_a_timestamped_continuation_is_one_event() -> None:
    data = lines(UNKNOWN_A, HUD_OPEN, HUD_CLOSE, JOIN_PU)
    events, stats = parse(data)
    assert types(events) == ["hud_notification", "join_pu"]
    hud = events[0]
    assert isinstance(hud.event, HudNotification)
    assert hud.event.text.startswith("Line one\n")
    assert hud.event.notification_id == 15
    assert hud.event.mission_id is None
    assert hud.raw_line == f"{HUD_OPEN}\n{HUD_CLOSE}"
    assert hud.offset == len(UNKNOWN_A) + 1
    assert data[hud.offset :].startswith(hud.raw_line.encode())
    assert stats.event_lines == 3  # both notification lines, and the join
    assert_invariants(stats)


def test_a_timestamped_continuation_joins_without_the_separator_space() -> None:
    events, _ = parse(lines(HUD_OPEN, HUD_CLOSE))
    (hud,) = events
    assert isinstance(hud.event, HudNotification)
    assert hud.event.text == "Line one\n: "


def test_an_untimestamped_continuation_also_stitches() -> None:
    closing = f'Line two" [16] to queue. New queue size: 1, MissionId: [{ZERO}], ObjectiveId: []'
    events, stats = parse(lines(HUD_OPEN, closing, JOIN_PU))
    assert types(events) == ["hud_notification", "join_pu"]
    hud = events[0].event
    assert isinstance(hud, HudNotification)
    assert hud.text == "Line one\nLine two"
    assert hud.notification_id == 16
    assert events[0].raw_line == f"{HUD_OPEN}\n{closing}"
    assert stats.continuation == 1
    assert_invariants(stats)


def test_a_notification_spanning_three_lines_keeps_both_newlines() -> None:
    events, _ = parse(lines(HUD_OPEN, "middle line", HUD_CLOSE))
    (hud,) = events
    assert isinstance(hud.event, HudNotification)
    assert hud.event.text.count("\n") == 2
    assert hud.raw_line.count("\n") == 2


def test_an_unterminated_notification_at_end_of_input_still_yields_an_event() -> None:
    events, stats = parse(lines(UNKNOWN_A, HUD_OPEN))
    (hud,) = events
    assert isinstance(hud.event, HudNotification)
    assert hud.event.text == "Line one"
    assert hud.event.notification_id is None
    assert hud.raw_line == HUD_OPEN
    assert hud.offset == len(UNKNOWN_A) + 1
    assert_invariants(stats)


def test_an_open_notification_is_flushed_by_the_next_structured_line() -> None:
    events, stats = parse(lines(HUD_OPEN, JOIN_PU))
    assert types(events) == ["hud_notification", "join_pu"]
    assert isinstance(events[0].event, HudNotification)
    assert events[0].event.notification_id is None
    assert events[0].raw_line == HUD_OPEN
    assert_invariants(stats)


def test_a_repeated_added_notification_yields_one_event_and_counts_a_duplicate() -> None:
    text = "Entered Monitored Space: "
    data = lines(added(text, 0), listing(text, 0), added(text, 0), listing(text, 0))
    events, stats = parse(data)
    assert types(events) == ["hud_notification"]
    assert stats.duplicates == 1
    assert stats.event_lines == 1
    assert stats.silent == 3  # two queue listings and the duplicate
    assert_invariants(stats)


def test_the_same_id_with_another_text_is_a_new_notification() -> None:
    events, stats = parse(lines(added("Entered Monitored Space: ", 3), added("Other: ", 3)))
    assert types(events) == ["hud_notification", "hud_notification"]
    assert stats.duplicates == 0


def test_queue_listings_and_lifecycle_lines_are_silent() -> None:
    text = "Contract Accepted:  Rookie Rank - Extra Small Cargo Haul : "
    data = lines(
        listing(text, 4),
        lifecycle(text, 4, "Next"),
        lifecycle(text, 4, "StartFade"),
        lifecycle(text, 4, "Remove"),
    )
    events, stats = parse(data)
    assert events == []
    assert stats.silent == 4
    assert stats.unknown_lines == 0
    assert stats.noise == 0
    assert_invariants(stats)


def test_a_notification_gets_its_category_and_mission_id() -> None:
    mission = "3af45943-4580-483c-9f6c-1d7006eb5e66"
    events, _ = parse(lines(added("Contract Accepted:  Haul Job : ", 4, mission=mission)))
    (hud,) = events
    assert isinstance(hud.event, HudNotification)
    assert hud.event.category == "contract_accepted"
    assert hud.event.mission_id == mission
    assert hud.event.notification_id == 4


def test_an_incapacitated_notification_is_player_incapacitated() -> None:
    text = "Incapacitated: While incapacitated, ask others in your party to revive you."
    events, stats = parse(lines(added(text, 89)))
    (parsed,) = events
    assert isinstance(parsed.event, PlayerIncapacitated)
    assert parsed.event.queue_id == 89
    assert stats.events == {"player_incapacitated": 1}


def test_a_received_blueprint_notification_is_blueprint_received() -> None:
    events, _ = parse(lines(added("Received Blueprint: Lawson Mining Laser: ", 340)))
    (parsed,) = events
    assert isinstance(parsed.event, BlueprintReceived)
    assert parsed.event.blueprint == "Lawson Mining Laser"
    assert parsed.event.notification_id == 340


def test_a_new_header_resets_the_duplicate_memory() -> None:
    text = "Entered Monitored Space: "
    data = lines(*HEADER[:2], added(text, 0), *HEADER[:2], added(text, 0))
    events, stats = parse(data)
    assert types(events).count("hud_notification") == 2
    assert stats.duplicates == 0


# -- the header ------------------------------------------------------------------------------


def test_header_lines_give_exactly_one_session_started() -> None:
    data = lines(*HEADER, JOIN_PU)
    events, stats = parse(data)
    assert types(events) == ["session_started", "join_pu"]
    started = events[0]
    assert isinstance(started.event, SessionStarted)
    assert started.event.timestamp == "2026-05-02T21:01:51.390Z"
    assert started.event.log_started == "Sat May  2 21:01:51 2026"
    assert started.event.build == "11715810"
    assert started.event.file_version == "4.7.178.50402"
    assert started.event.branch == "sc-alpha-4.7.0"
    assert started.event.changelist == "11715810"
    assert started.event.session_guid == "6c4c0b6e-9e52-4e7a-b5a4-1b1d0d1bca55"
    assert started.event.env_session == "pub-sc-alpha-470-11518367"
    assert started.event.channel == "LIVE"
    assert started.raw_line == HEADER[1]
    assert started.offset == len(HEADER[0]) + 1
    assert data[started.offset :].startswith(started.raw_line.encode())
    assert stats.events["session_started"] == 1
    assert_invariants(stats)


def test_the_install_path_of_the_executable_line_is_not_kept() -> None:
    events, _ = parse(lines(*HEADER))
    dumped = events[0].event.model_dump_json()
    assert "Program Files" not in dumped
    assert "StarCitizen.exe" not in dumped


def test_a_header_without_changelist_is_emitted_at_finish() -> None:
    parser = LogParser()
    early = parser.feed(lines(*HEADER[:-1]))
    assert early == []
    late = parser.finish()
    assert types(late) == ["session_started"]
    assert isinstance(late[0].event, SessionStarted)
    assert late[0].event.changelist is None
    assert late[0].event.branch == "sc-alpha-4.7.0"
    assert late[0].offset == len(HEADER[0]) + 1


def test_a_second_header_flushes_the_first() -> None:
    first = HEADER[:-1]  # no Changelist: only the next header can close it
    second = [row.replace("2026-05-02T21:0", "2026-05-03T08:0") for row in HEADER]
    data = lines(*first, *second)
    events, stats = parse(data)
    assert types(events) == ["session_started", "session_started"]
    one, two = (p.event for p in events)
    assert isinstance(one, SessionStarted)
    assert isinstance(two, SessionStarted)
    assert one.timestamp == "2026-05-02T21:01:51.390Z"
    assert one.changelist is None
    assert two.timestamp == "2026-05-03T08:01:51.390Z"
    assert two.changelist == "11715810"
    for parsed in events:
        assert data[parsed.offset :].startswith(parsed.raw_line.encode())
    assert events[1].offset > events[0].offset
    assert_invariants(stats)


def test_header_fields_after_changelist_are_not_header_lines() -> None:
    events, _ = parse(lines(*HEADER, "<2026-05-02T21:01:52.000Z> Branch: sc-alpha-9.9.9"))
    assert types(events) == ["session_started"]


# -- offsets, line endings, robustness -------------------------------------------------------


def test_event_offsets_are_exact_byte_offsets() -> None:
    data = lines(
        "<2026-05-02T21:14:23.189Z> [Notice] <Foo> héllo wörld ✓ [Team_X]",  # multi-byte
        "",
        *HEADER,
        JOIN_PU,
        NOISE_LINE,
        HUD_OPEN,
        HUD_CLOSE,
        ACTOR_DEATH,
        added("Entered Monitored Space: ", 0),
    )
    events, _ = parse(data)
    assert types(events) == [
        "session_started",
        "join_pu",
        "hud_notification",
        "actor_death",
        "hud_notification",
    ]
    for parsed in events:
        assert data[parsed.offset :].startswith(parsed.raw_line.encode()), parsed


def test_offsets_continue_from_a_starting_offset() -> None:
    parser = LogParser(offset=1000)
    (parsed,) = parser.feed(lines(UNKNOWN_A, JOIN_PU))
    assert parsed.offset == 1000 + len(UNKNOWN_A) + 1


def test_crlf_and_lf_give_the_same_events() -> None:
    rows = (*HEADER, NOISE_LINE, JOIN_PU, added("Entered Monitored Space: ", 0), ACTOR_DEATH)
    lf_events, lf_stats = parse(lines(*rows))
    crlf_data = lines(*rows, eol="\r\n")
    crlf_events, crlf_stats = parse(crlf_data)
    assert [(p.event, p.raw_line) for p in lf_events] == [
        (p.event, p.raw_line) for p in crlf_events
    ]
    assert not any(p.raw_line.endswith("\r") for p in crlf_events)
    for parsed in crlf_events:
        assert crlf_data[parsed.offset :].startswith(parsed.raw_line.encode())
    assert lf_stats.events == crlf_stats.events
    assert lf_stats.lines == crlf_stats.lines


def test_a_last_line_without_newline_is_parsed_at_finish() -> None:
    data = lines(UNKNOWN_A) + JOIN_PU.encode()
    parser = LogParser()
    assert parser.feed(data) == []
    (parsed,) = parser.finish()
    assert parsed.event.type == "join_pu"
    assert parsed.offset == len(UNKNOWN_A) + 1
    assert parsed.raw_line == JOIN_PU
    assert parser.stats.lines == 2
    assert parser.offset == len(data)


def test_feeding_an_empty_chunk_adds_no_line() -> None:
    parser = LogParser()
    assert parser.feed(b"") == []
    parser.feed(lines(UNKNOWN_A))
    parser.feed(b"")
    parser.finish()
    assert parser.stats.lines == 1
    assert parser.stats.blank == 0


def test_an_empty_input_has_no_lines() -> None:
    events, stats = parse(b"")
    assert events == []
    assert stats == ParseStats()


def test_invalid_utf8_and_nul_bytes_do_not_raise_and_are_counted() -> None:
    data = (
        b"\xff\xfe garbage before any timestamp\n"
        + f"<{TS}> [Notice] <Foo\x00Bar> b\xc3(ar \x00 [Team_X]\n".encode("latin-1")
        + b"\x00\x00\x00\n"
        + JOIN_PU.encode()
        + b"\n"
    )
    events, stats = parse(data)
    assert types(events) == ["join_pu"]
    assert data[events[0].offset :].startswith(events[0].raw_line.encode())
    assert stats.lines == 4
    assert stats.continuation == 2
    assert stats.unknown_lines == 1
    assert_invariants(stats)


def test_a_one_megabyte_line_does_not_raise_and_is_accounted() -> None:
    huge_unknown = f"<{TS}> [Notice] <Huge> ".encode() + b"x" * (1 << 20)
    huge_candidate = f"<{TS}> [Notice] <Actor Death> ".encode() + b"y" * (1 << 20) + b"z" * 10
    data = huge_unknown + b"\n" + huge_candidate + b"\n" + ACTOR_DEATH.encode() + b"\n"
    events, stats = parse(data)
    assert types(events) == ["actor_death"]
    assert data[events[0].offset :].startswith(events[0].raw_line.encode())
    assert stats.lines == 3
    assert stats.truncated_lines == 1  # the candidate went through the slow path, cut
    assert stats.unknown_lines == 2
    assert stats.rule_errors == 0
    assert_invariants(stats)


def test_a_one_megabyte_line_fed_in_pieces_gives_the_same_result() -> None:
    data = f"<{TS}> [Notice] <Huge> ".encode() + b"x" * (1 << 20) + b"\n" + lines(JOIN_PU)
    whole_events, whole_stats = parse(data)
    parser = LogParser()
    pieces: list[ParsedEvent] = []
    for start in range(0, len(data), 65_536):
        pieces += parser.feed(data[start : start + 65_536])
    pieces += parser.finish()
    assert [(p.event, p.offset) for p in pieces] == [(p.event, p.offset) for p in whole_events]
    assert parser.stats.lines == whole_stats.lines == 2


# -- the two public forms agree --------------------------------------------------------------


def test_parse_line_gives_the_same_events_as_one_feed() -> None:
    rows = [
        *HEADER,
        "",
        NOISE_LINE,
        JOIN_PU,
        HUD_OPEN,
        HUD_CLOSE,
        added("Entered Monitored Space: ", 0),
        added("Entered Monitored Space: ", 0),
        ACTOR_DEATH,
        UNKNOWN_A,
    ]
    whole_events, whole_stats = parse(lines(*rows))
    state = LogParser()
    stepped: list[ParsedEvent] = []
    for row in rows:
        state, new = parse_line(state, row)
        stepped += new
    stepped += state.finish()
    assert stepped == whole_events
    assert state.stats == whole_stats


def test_parse_line_accepts_bytes_with_their_line_ending() -> None:
    state = LogParser()
    state, events = parse_line(state, JOIN_PU.encode() + b"\r\n")
    assert types(events) == ["join_pu"]
    assert events[0].raw_line == JOIN_PU
    assert state.offset == len(JOIN_PU) + 2


def test_candidate_lines_longer_than_the_key_limit_are_classified_and_not_remembered() -> None:
    shard = "pub_" + "x" * 5000  # makes the line longer than the 4 KiB a remembered key may be
    line = (
        f"<{TS}> [Notice] <Join PU> address[1.2.3.4] port[64300] shard[{shard}] "
        "locationId[5] [Team_GameServices]\n"
    ).encode()
    parser = LogParser()
    events = []
    for _ in range(1500):
        events += parser.feed(line)
    events += parser.finish()
    assert [e.event.type for e in events] == ["join_pu"] * 1500
    assert parser.stats.event_lines == 1500
    assert not parser._keys.candidates  # long keys live for one chunk only
    assert len(parser._keys.transient) <= 1000


def test_the_header_local_time_gives_the_players_utc_offset() -> None:
    data = (
        b"<2025-04-19T05:56:39.247Z> Log started on Sat Apr 19 05:56:39 2025\r\n"
        b"<2025-04-19T05:56:41.721Z> Local time is 07:56:41 04/19/25, system running for 8483 "
        b"minutes\r\n"
        b"<2025-04-19T05:56:41.755Z> Changelist: 9687209\r\n"
    )
    parser = LogParser()
    (started,) = [p.event for p in parser.feed(data) + parser.finish()]
    assert started.type == "session_started"
    assert started.utc_offset_minutes == 120  # type: ignore[attr-defined]
    assert parser.stats.unknown_lines == 0


def test_utc_offsets_are_whole_quarter_hours_and_unreadable_clocks_give_none() -> None:
    from starstats_core.classify.header import utc_offset_minutes

    # India is UTC+5:30; the local clock was read a second after the UTC stamp.
    assert utc_offset_minutes("11:30:01 01/02/26", "2026-01-02T06:00:00.000Z") == 330
    # West of Greenwich, across midnight.
    assert utc_offset_minutes("20:00:00 01/01/26", "2026-01-02T01:00:00.000Z") == -300
    assert utc_offset_minutes("25:00:00 01/01/26", "2026-01-02T01:00:00.000Z") is None
    assert utc_offset_minutes("01:00:00 01/01/26", "not a time") is None
    # An offset no time zone has is refused (a clock set a day wrong).
    assert utc_offset_minutes("01:00:00 01/03/26", "2026-01-01T01:00:00.000Z") is None


def test_parsers_sharing_a_catalog_give_what_fresh_parsers_give() -> None:
    """A backup set parsed file by file with one shared KeyCatalog: same events and the same
    statistics per file as with a fresh parser for each file. Only a shape's sample may
    differ: it is the first line of that shape in the whole set, maybe from an earlier file."""
    from starstats_core.linekinds import KeyCatalog
    from starstats_core.noise import DEFAULT_NOISE
    from starstats_core.synth import synthesize_log

    files: list[bytes] = []
    current: list[str] = []
    for line in synthesize_log(seed=11, sessions=4, lines_per_session=1500):
        current.append(line)
        if line.endswith("CCIGBroker::FastShutdown\r\n"):
            files.append("".join(current).encode())
            current = []
    assert len(files) >= 3
    catalog = KeyCatalog(DEFAULT_NOISE)
    for data in files:
        fresh, shared = LogParser(), LogParser(catalog=catalog)
        fresh_events = fresh.feed(data) + fresh.finish()
        shared_events = shared.feed(data) + shared.finish()
        assert shared_events == fresh_events
        counts = {k: v.count for k, v in shared.stats.shapes.items()}
        assert counts == {k: v.count for k, v in fresh.stats.shapes.items()}
        assert all(v.sample for v in shared.stats.shapes.values())
        shared.stats.shapes.clear()
        fresh.stats.shapes.clear()
        assert shared.stats == fresh.stats


def test_a_shared_catalog_must_match_the_noise_list() -> None:
    from starstats_core.linekinds import KeyCatalog

    with pytest.raises(ValueError, match="noise"):
        LogParser(noise={"Foo"}, catalog=KeyCatalog({"Bar"}))
