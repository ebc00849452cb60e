"""Properties of the parser over generated input: it never raises, its line accounting
always balances, and how the bytes are chunked never changes what it reports."""

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from starstats_core.parser import LogParser, ParsedEvent, ParseStats, parse_line

TS = "<2026-05-02T21:14:23.{ms:03d}Z>"
ZERO = "00000000-0000-0000-0000-000000000000"
HUD_TAGS = "[Team_CoreGameplayFeatures][Missions][Comms]"

# Real-shaped lines; `{n}` is filled with a generated number so that ids vary.
TEMPLATES: tuple[str, ...] = (
    TS + ' BackupNameAttachment=" Build({n}) 02 May 26 (23 01 47)"  -- used by backup system',
    TS + " Log started on Sat May  2 21:01:51 2026",
    TS + " Executable: C:\\Program Files\\Roberts Space Industries\\StarCitizen\\LIVE\\Bin64\\"
    "StarCitizen.exe",
    TS + " FileVersion: 4.7.178.{n}",
    TS + " [Trace] @session:      '6c4c0b6e-9e52-4e7a-b5a4-1b1d0d1bca55'",
    TS + " Branch: sc-alpha-4.7.0",
    TS + " Changelist: {n}",
    TS + " [Notice] <Update group cache> Start [Team_GameServices][Social]",
    TS + ' [SPAM {n}][Notice] <ContextEstablisherTaskFinished> establisher="CReplicationModel" '
    'message="CET completed" taskname="PauseGame" [Team_Network][Network]',
    TS + ' [Notice] <Context Establisher Done> establisher="Game" runningTime=1.{n} '
    'map="megamap" gamerules="SC_Default" sessionId="abc" [Team_Network][Network]',
    TS + " [Notice] <Join PU> address[35.0.0.1] port[64300] shard[pub_euw1b_{n}_090] "
    "locationId[562954248454145] [Team_GameServices][GIM][Matchmaking]",
    TS + " [Notice] <Actor Death> CActor::Kill: 'Victim_{n}' [100000000001] in zone "
    "'rs_int_p2l4' killed by 'Killer_2' [100000000002] using 'behr_rifle_ballistic_02_1' "
    "[Class behr_rifle_ballistic_02] with damage type 'Bullet' from direction x: 0.1, "
    "y: 0.2, z: 0.3 [Team_ActorTech][Actor]",
    TS + " [Notice] <Legacy login response> [CIG-net] User Login Success - Handle[Pilot_{n}] "
    "- Time[123456789] [Team_GameServices][Login]",
    TS + " [Notice] <SHUDEvent_OnNotification> Added notification "
    '"Entered Monitored Space: " [{n}] to queue. New queue size: 1, MissionId: '
    f"[{ZERO}], ObjectiveId: [] {HUD_TAGS}",
    TS + " [Notice] <SHUDEvent_OnNotification> Added notification "
    '"Incapacitated: ask others to revive you." [{n}] to queue. New queue size: 1, '
    f"MissionId: [{ZERO}], ObjectiveId: [] {HUD_TAGS}",
    TS + " [Notice] <SHUDEvent_OnNotification> Added notification "
    '"Received Blueprint: Lawson Mining Laser: " [{n}] to queue. New queue size: 1, '
    f"MissionId: [{ZERO}], ObjectiveId: [] {HUD_TAGS}",
    TS + ' [Notice] <SHUDEvent_OnNotification> Added notification "New Objective: Deliver',
    TS + ' : " [{n}] to queue. New queue size: 1, MissionId: '
    f"[{ZERO}], ObjectiveId: [] {HUD_TAGS}",
    TS + '    "Entered Monitored Space: " [{n}]',
    TS + ' [Notice] <UpdateNotificationItem> Notification "Entered Monitored Space: " [{n}], '
    f"Action: Next {HUD_TAGS}",
    TS + " [Notice] <RequestLocationInventory> Player[Pilot_{n}] requested inventory for "
    "Location[Stanton1_Lorville] [Team_CoreGameplayFeatures][Inventory]",
    TS + " [Notice] <Foo Bar> value {n} for thing 7 [Team_X]",
    TS + " [Notice] <CSCLoadingPlatformManager::LoadEntitiesReference::<lambda_1>::operator ()>"
    " Platform manager 'LoadingPlatformManager_A' [{n}] [Team_CoreGameplayFeatures][Cargo]",
    TS + " [Notice] <Adding non kept item [CSCActorCorpseUtils::"
    "PopulateItemPortForItemRecoveryEntitlement]> Item 'body_01_noMagicPocket_{n} - "
    "Class(body_01_noMagicPocket) - Context(Streamable) - Socpak()' [Team_X][Unknown]",
    TS + " [CIG] CCIGBroker::FastShutdown",
    TS + " [Notice] <SystemQuit> CSystem::Quit invoked with - cause=30016, reason=User closed "
    "the application, exitCode=0, thread id={n}, main thread id={n} [Team_Unknown][System]",
    " Size:[{n}] State:[state: eBS_BatchCompletion] FromObjectContainer:[true] ",
    "   grpc.keepalive_time_ms={n}",
    "",
)

template_lines = st.builds(
    lambda template, n, ms: template.format(n=n, ms=ms),
    st.sampled_from(TEMPLATES),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=999),
)


def _chars(exclude: str) -> st.SearchStrategy[str]:
    return st.characters(codec="utf-8", exclude_characters=exclude)


junk_lines = st.text(alphabet=_chars("\r\n"), max_size=80) | st.builds(
    lambda ts, rest: f"<{ts}> {rest}",
    st.text(alphabet=_chars("<>\r\n"), min_size=1, max_size=30),
    st.text(alphabet=_chars("\r\n"), max_size=60),
)
line_endings = st.sampled_from(["\n", "\r\n"])


@st.composite
def real_shaped_logs(draw: st.DrawFn) -> bytes:
    rows = draw(st.lists(template_lines, max_size=60))
    eol = draw(line_endings)
    text = "".join(row + eol for row in rows)
    drop_last_ending: bool = draw(st.booleans())
    if rows and drop_last_ending:
        text = text[: -len(eol)]  # the last line may lack its ending
    return text.encode()


@st.composite
def mixed_logs(draw: st.DrawFn) -> bytes:
    rows = draw(st.lists(template_lines | junk_lines, max_size=60))
    return "".join(row + draw(line_endings) for row in rows).encode()


# Arbitrary bytes, with the bytes that matter to the parser made common.
PIECES = (b"\n", b"\r\n", b"\r", b"<", b">", b"[", b"]", b'"', b" ", b"\x00", b"\xff")
arbitrary_bytes = st.binary(max_size=2_000) | st.lists(
    st.sampled_from(PIECES) | st.binary(max_size=12) | template_lines.map(str.encode),
    max_size=80,
).map(b"".join)


def run(data: bytes) -> tuple[list[ParsedEvent], ParseStats]:
    parser = LogParser()
    events = parser.feed(data)
    events += parser.finish()
    return events, parser.stats


def run_chunks(chunks: Sequence[bytes]) -> tuple[list[ParsedEvent], ParseStats]:
    parser = LogParser()
    events: list[ParsedEvent] = []
    for chunk in chunks:
        events += parser.feed(chunk)
    events += parser.finish()
    return events, parser.stats


def triples(events: Sequence[ParsedEvent]) -> list[tuple[object, str, int]]:
    return [(p.event, p.raw_line, p.offset) for p in events]


def assert_balanced(stats: ParseStats) -> None:
    assert stats.lines == stats.structured + stats.continuation + stats.blank
    assert stats.structured == (
        stats.event_lines + stats.silent + stats.noise + stats.unknown_lines
    )
    assert (
        min(
            stats.lines,
            stats.structured,
            stats.continuation,
            stats.blank,
            stats.event_lines,
            stats.silent,
            stats.noise,
            stats.unknown_lines,
            stats.duplicates,
        )
        >= 0
    )
    assert sum(stats.events.values()) >= 0


def expected_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


@settings(max_examples=200, deadline=None)
@given(arbitrary_bytes)
def test_arbitrary_bytes_never_raise_and_every_line_is_accounted(data: bytes) -> None:
    events, stats = run(data)
    assert_balanced(stats)
    assert stats.lines == expected_lines(data)
    assert sum(stats.events.values()) == len(events)
    for parsed in events:
        assert parsed.offset >= 0
        assert parsed.offset < max(len(data), 1)


@settings(max_examples=200, deadline=None)
@given(mixed_logs())
def test_a_mix_of_real_shapes_and_junk_keeps_the_accounting_balanced(data: bytes) -> None:
    events, stats = run(data)
    assert_balanced(stats)
    assert stats.lines == expected_lines(data)
    assert sum(stats.events.values()) == len(events)


@settings(max_examples=200, deadline=None)
@given(real_shaped_logs())
def test_real_shaped_lines_never_trip_a_rule(data: bytes) -> None:
    events, stats = run(data)
    assert stats.rule_errors == 0
    assert_balanced(stats)
    for parsed in events:
        first_line = parsed.raw_line.split("\n", 1)[0]
        assert data[parsed.offset :].startswith(first_line.encode())


@settings(max_examples=100, deadline=None)
@given(mixed_logs())
def test_two_runs_over_the_same_bytes_are_identical(data: bytes) -> None:
    first_events, first_stats = run(data)
    second_events, second_stats = run(data)
    assert triples(first_events) == triples(second_events)
    assert first_stats == second_stats


@settings(max_examples=200, deadline=None)
@given(st.data(), mixed_logs() | arbitrary_bytes)
def test_chunking_never_changes_events_or_stats(data: st.DataObject, log: bytes) -> None:
    whole_events, whole_stats = run(log)

    # Sizes cycle; a size of 0 feeds an empty chunk (a tailer's read that found nothing).
    sizes = data.draw(st.lists(st.integers(min_value=0, max_value=64), min_size=1))
    if not any(sizes):
        sizes.append(1)
    chunks: list[bytes] = []
    at = 0
    while at < len(log):
        size = sizes[len(chunks) % len(sizes)]
        chunks.append(log[at : at + size])
        at += size
    random_events, random_stats = run_chunks(chunks)
    assert triples(random_events) == triples(whole_events)
    assert random_stats == whole_stats

    byte_events, byte_stats = run_chunks([log[i : i + 1] for i in range(len(log))])
    assert triples(byte_events) == triples(whole_events)
    assert byte_stats == whole_stats


@settings(max_examples=100, deadline=None)
@given(real_shaped_logs())
def test_line_by_line_feeding_and_parse_line_match_one_feed(log: bytes) -> None:
    whole_events, whole_stats = run(log)
    rows = log.splitlines(keepends=True)

    fed_events, fed_stats = run_chunks(rows)
    assert triples(fed_events) == triples(whole_events)
    assert fed_stats == whole_stats

    if not log.endswith(b"\n"):
        return  # parse_line completes every line; an unterminated tail is feed's case
    state = LogParser()
    stepped: list[ParsedEvent] = []
    for row in rows:
        state, new = parse_line(state, row)
        stepped += new
    stepped += state.finish()
    assert triples(stepped) == triples(whole_events)
    assert state.stats == whole_stats
