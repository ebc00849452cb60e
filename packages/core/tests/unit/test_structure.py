"""The structural pass: a Game.log line split into timestamp, level, name, body and tags.

Lines copy the shapes of real corpus lines (4.1 and 4.7 logs) with made-up values.
"""

import pytest

from starstats_core.structure import Entry, parse_structure

TS = "2026-05-02T21:14:23.189Z"


def _entry(line: str) -> Entry:
    entry = parse_structure(line)
    assert entry is not None, line
    return entry


def test_a_join_pu_line_splits_into_all_five_parts() -> None:
    line = (
        f"<{TS}> [Notice] <Join PU> address[35.0.0.1] port[64300] shard[pub_euw1b_1_090] "
        "locationId[562954248454145] [Team_GameServices][GIM][Matchmaking]"
    )
    entry = _entry(line)
    assert entry.timestamp == TS
    assert entry.level == "Notice"
    assert entry.name == "Join PU"
    assert entry.body == (
        "address[35.0.0.1] port[64300] shard[pub_euw1b_1_090] locationId[562954248454145]"
    )
    assert entry.tags == ("Team_GameServices", "GIM", "Matchmaking")
    assert entry.line == line


def test_an_event_name_with_a_nested_lambda_is_captured_whole() -> None:
    entry = _entry(
        f"<{TS}> [Notice] <CSCLoadingPlatformManager::LoadEntitiesReference::<lambda_1>::"
        "operator ()> Platform manager 'LoadingPlatformManager_A' [200000000001] found "
        "loading platform 'LoadingPlatform_A' [200000000002] [Team_CoreGameplayFeatures][Cargo]"
    )
    assert entry.name == (
        "CSCLoadingPlatformManager::LoadEntitiesReference::<lambda_1>::operator ()"
    )
    assert entry.body.startswith("Platform manager 'LoadingPlatformManager_A'")
    assert entry.tags == ("Team_CoreGameplayFeatures", "Cargo")


def test_an_event_name_may_hold_square_brackets() -> None:
    name = "Adding non kept item [CSCActorCorpseUtils::PopulateItemPortForItemRecoveryEntitlement]"
    entry = _entry(
        f"<{TS}> [Notice] <{name}> Item 'body_01_noMagicPocket_200000000003 - "
        "Class(body_01_noMagicPocket) - Context(Streamable Runtime-spawned) - Socpak()', "
        "Recorded data is: Port Name 'Body_ItemPort' [Team_CoreGameplayFeatures][Unknown]"
    )
    assert entry.name == name
    assert entry.level == "Notice"
    assert entry.body.startswith("Item 'body_01_noMagicPocket_200000000003 - ")
    assert entry.tags == ("Team_CoreGameplayFeatures", "Unknown")


def test_a_spam_prefix_before_the_level_keeps_the_level_and_the_name() -> None:
    entry = _entry(
        f'<{TS}> [SPAM 3][Notice] <ContextEstablisherTaskFinished> establisher="Network" '
        'message="CET completed" taskname="PauseGame" [Team_Network][Network]'
    )
    assert entry.level == "Notice"
    assert entry.name == "ContextEstablisherTaskFinished"
    assert entry.body.startswith('establisher="Network" message="CET completed"')
    assert entry.tags == ("Team_Network", "Network")


def test_a_spam_prefix_without_a_level_reads_as_level_spam() -> None:
    entry = _entry(f"<{TS}> [SPAM 12] <Stream started> Result: OK(0) [Team_OnlineTech]")
    assert entry.level == "SPAM"
    assert entry.name == "Stream started"
    assert entry.body == "Result: OK(0)"


def test_a_line_without_level_keeps_its_event_name() -> None:
    entry = _entry(f"<{TS}> <Vehicle Control Flow> CVehicleMovementBase::SetDriver [Team_CGP4]")
    assert entry.level is None
    assert entry.name == "Vehicle Control Flow"
    assert entry.body == "CVehicleMovementBase::SetDriver"
    assert entry.tags == ("Team_CGP4",)


def test_a_level_without_event_name_leaves_the_rest_as_body() -> None:
    entry = _entry(f"<{TS}> [Trace] @session:      '0a1b2c3d-0000-4000-8000-00000000abcd'")
    assert entry.level == "Trace"
    assert entry.name is None
    assert entry.body == "@session:      '0a1b2c3d-0000-4000-8000-00000000abcd'"
    assert entry.tags == ()


def test_cig_net_is_not_a_tag_and_stays_in_the_body() -> None:
    entry = _entry(
        f"<{TS}> [Notice] <Legacy login response> [CIG-net] User Login Success - "
        "Handle[Test_Pilot] - Time[123456789] [Team_GameServices][Login]"
    )
    assert entry.name == "Legacy login response"
    assert entry.body.startswith("[CIG-net] User Login Success - Handle[Test_Pilot]")
    assert entry.tags == ("Team_GameServices", "Login")
    assert "CIG-net" not in entry.tags


def test_a_trailing_cig_net_block_yields_no_tags_at_all() -> None:
    entry = _entry(f"<{TS}> [Notice] <Something> text [Team_X][CIG-net]")
    assert entry.tags == ()
    assert entry.body == "text [Team_X][CIG-net]"


def test_empty_brackets_are_not_a_tag() -> None:
    entry = _entry(
        f'<{TS}> [Notice] <SHUDEvent_OnNotification> Added notification "Entered Monitored '
        'Space: " [0] to queue. New queue size: 1, MissionId: '
        "[00000000-0000-0000-0000-000000000000], ObjectiveId: [] "
        "[Team_CoreGameplayFeatures][Missions][Comms]"
    )
    assert entry.body.endswith("ObjectiveId: []")
    assert entry.tags == ("Team_CoreGameplayFeatures", "Missions", "Comms")
    assert "" not in entry.tags


def test_a_line_ending_in_empty_brackets_has_no_tags() -> None:
    entry = _entry(f"<{TS}> [Notice] <Something> ObjectiveId: []")
    assert entry.tags == ()
    assert entry.body == "ObjectiveId: []"


def test_only_the_contiguous_run_at_the_end_counts_as_tags() -> None:
    entry = _entry(f"<{TS}> [Notice] <Something> [Alpha] middle [Beta] [Gamma][Delta]  ")
    assert entry.tags == ("Gamma", "Delta")
    assert entry.body == "[Alpha] middle [Beta]"


def test_the_log_started_line_has_no_level_no_event_and_no_tags() -> None:
    entry = _entry(f"<{TS}> Log started on Sat May  2 21:01:51 2026")
    assert entry.timestamp == TS
    assert entry.level is None
    assert entry.name is None
    assert entry.tags == ()
    assert entry.body == "Log started on Sat May  2 21:01:51 2026"


def test_a_queue_listing_row_is_a_bare_entry_whose_queue_id_reads_as_a_tag() -> None:
    # Upstream's tag rule takes any trailing `[word]` run, so the queue id `[4]` is a tag.
    entry = _entry(f'<{TS}>    "Contract Accepted:  Rookie Rank - Extra Small Cargo Haul : " [4]')
    assert entry.level is None
    assert entry.name is None
    assert entry.body == '"Contract Accepted:  Rookie Rank - Extra Small Cargo Haul : "'
    assert entry.tags == ("4",)


def test_a_timestamp_alone_is_an_entry_with_an_empty_body() -> None:
    entry = _entry(f"<{TS}>")
    assert (entry.timestamp, entry.level, entry.name, entry.body, entry.tags) == (
        TS,
        None,
        None,
        "",
        (),
    )


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not a log line",
        " <2026-05-02T21:14:23.189Z> [Notice] <Join PU> indented",
        "   grpc.keepalive_time_ms=120000",
        "===============================================================",
        " Size:[7] State:[state: eBS_BatchCompletion] FromObjectContainer:[true] ",
        "<> empty timestamp",
        "<" + "9" * 65 + "> timestamp too long",
        "<2026-05-02T21:14:23.189Z no closing bracket",
    ],
)
def test_lines_without_a_leading_timestamp_are_not_entries(line: str) -> None:
    assert parse_structure(line) is None
