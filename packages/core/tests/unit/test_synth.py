"""The synthetic Game.log generator: shape, determinism and its ground-truth counts."""

import re
import time
from collections import Counter
from datetime import UTC, datetime
from itertools import islice

import pytest

from starstats_core.noise import DEFAULT_NOISE
from starstats_core.synth import (
    NOISE_TEMPLATE_NAMES,
    TRUTH_KEYS,
    Era,
    synthesize_log,
    synthesize_session,
)

START = datetime(2026, 5, 2, 21, 1, 51, 390_000, tzinfo=UTC)
HANDLE = "Test_Handle-42"
TS = re.compile(r"<(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)>")
# Same head as the structural pass: optional [SPAM n], optional [Level], optional <Event>.
HEAD = re.compile(
    r"<[^<>\r\n]{1,64}>[ \t]*(?:\[SPAM \d+\][ \t]*)?(?:\[[A-Za-z][A-Za-z_]*\][ \t]+)?"
    r"(?:<((?:[^<>]|<[^<>]*>)+)>)?"
)
HUD_CONTINUATION = re.compile(r'^<[^>]+> : " \[\d+\] to queue\.')

# Written independently of synth.TRUTH_MARKERS on purpose.
MARKERS: dict[str, tuple[str, ...]] = {
    "actor_death": ("<Actor Death>",),
    "vehicle_destruction": ("<Vehicle Destruction>",),
    "join_pu": ("<Join PU>",),
    "legacy_login": ("<Legacy login response>",),
    "system_quit": ("<SystemQuit>",),
    "fast_shutdown": ("CCIGBroker::FastShutdown",),
    "hud_added": ('Added notification "',),
    "incapacitated": ('Added notification "Incapacitated:',),
    "player_death": ("Item 'body_",),
    "quantum_target_selected": (
        "<Player Selected Quantum Target - Local>",
        "<Player Requested Fuel to Quantum Target - Server Routing>",
    ),
    "quantum_arrived": ("<Quantum Drive Arrived - Arrived at Final Destination>",),
    "quantum_route": ("<Calculate Route>",),
    "location_inventory_requested": ("<RequestLocationInventory>",),
    "attachment_received": ("<AttachmentReceived>",),
}


def _session(
    era: Era, *, seed: int = 1, lines: int = 20_000, crlf: bool = True
) -> tuple[list[str], Counter[str]]:
    truth: Counter[str] = Counter()
    out = list(
        synthesize_session(
            seed=seed,
            era=era,
            start=START,
            handle=HANDLE,
            target_lines=lines,
            crlf=crlf,
            truth=truth,
        )
    )
    return out, truth


@pytest.fixture(scope="module", name="sessions")
def sessions_fixture() -> dict[Era, tuple[list[str], Counter[str]]]:
    return {era: _session(era) for era in Era}


@pytest.mark.parametrize("era", list(Era))
def test_same_seed_gives_identical_lines(era: Era) -> None:
    assert _session(era, seed=9, lines=3_000)[0] == _session(era, seed=9, lines=3_000)[0]


@pytest.mark.parametrize("era", list(Era))
def test_different_seeds_differ(era: Era) -> None:
    assert _session(era, seed=1, lines=3_000)[0] != _session(era, seed=2, lines=3_000)[0]


@pytest.mark.parametrize("era", list(Era))
@pytest.mark.parametrize("target", [1_000, 5_000, 30_000])
def test_line_count_is_within_five_percent_of_target(era: Era, target: int) -> None:
    lines, truth = _session(era, seed=target, lines=target)
    assert abs(len(lines) - target) <= target * 0.05
    assert truth["lines"] == len(lines)


@pytest.mark.parametrize("era", list(Era))
def test_every_line_ends_with_crlf_by_default(
    era: Era, sessions: dict[Era, tuple[list[str], Counter[str]]]
) -> None:
    lines, _ = sessions[era]
    assert all(line.endswith("\r\n") for line in lines)
    assert all("\n" not in line[:-2] and "\r" not in line[:-2] for line in lines)


@pytest.mark.parametrize("era", list(Era))
def test_lf_only_when_crlf_is_false(era: Era) -> None:
    lines, _ = _session(era, lines=3_000, crlf=False)
    assert all(line.endswith("\n") and not line.endswith("\r\n") for line in lines)
    assert all("\r" not in line for line in lines)


@pytest.mark.parametrize("era", list(Era))
def test_timestamps_are_utc_ms_and_never_go_back(
    era: Era, sessions: dict[Era, tuple[list[str], Counter[str]]]
) -> None:
    lines, _ = sessions[era]
    stamps = [m.group(1) for line in lines if (m := TS.match(line))]
    assert len(stamps) > len(lines) * 0.95
    assert stamps == sorted(stamps)
    assert stamps[0] == "2026-05-02T21:01:51.390Z"


@pytest.mark.parametrize("era", list(Era))
def test_header_block_comes_first_in_order(
    era: Era, sessions: dict[Era, tuple[list[str], Counter[str]]]
) -> None:
    lines, _ = sessions[era]
    assert re.match(
        r'<[^>]+> BackupNameAttachment=" Build\(\d+\) \d\d [A-Z][a-z]{2} \d\d '
        r'\(\d\d \d\d \d\d\)"  -- used by backup system\r\n$',
        lines[0],
    )
    assert lines[1].startswith("<2026-05-02T21:01:51.390Z> Log started on Sat May  2 21:01:51 2026")
    head = "".join(lines[:120])
    expected = [
        "Executable: C:\\Program Files\\Roberts Space Industries\\StarCitizen\\LIVE\\Bin64"
        "\\StarCitizen.exe",
        "FileVersion: 4.",
        "[Trace] @session:      '",
        "<Init> Process sc-client started (Local: ",
        "Branch: sc-alpha-4.",
        "Changelist: ",
    ]
    positions = [head.find(text) for text in expected]
    assert -1 not in positions
    assert positions == sorted(positions)
    init = next(line for line in lines if "<Init> Process sc-client started" in line)
    assert "bOnline[1]" in init
    assert init.rstrip().endswith("[Team_OnlineTech][ProcessInit]")
    branch = re.search(r"Branch: (sc-alpha-4\.(\d+)\.\d+)", head)
    assert branch is not None
    assert (branch.group(2) == "1") is (era is Era.LEGACY_4_1)


@pytest.mark.parametrize("era", list(Era))
def test_session_ends_with_system_quit_then_fast_shutdown(
    era: Era, sessions: dict[Era, tuple[list[str], Counter[str]]]
) -> None:
    lines, _ = sessions[era]
    assert "[Notice] <SystemQuit> CSystem::Quit invoked with - cause=30016" in lines[-2]
    assert lines[-1].endswith("> [CIG] CCIGBroker::FastShutdown\r\n")


@pytest.mark.parametrize("era", list(Era))
def test_session_phases_are_present(
    era: Era, sessions: dict[Era, tuple[list[str], Counter[str]]]
) -> None:
    text = "".join(sessions[era][0])
    for needle in (
        "<AccountLoginCharacterStatus_Character> Character: createdAt",
        "Loading screen for Frontend_Main : SC_Frontend closed after",
        "Loading screen for pu : SC_Frontend closed after",
        "<Context Establisher Done>",
        "<Channel Disconnected>",
        "[+] [CIG] {Join PU} [0] id[",
        "<CDisciplineServiceExternal::EndSession>",
    ):
        assert needle in text, needle


@pytest.mark.parametrize("era", list(Era))
def test_handle_is_in_the_login_line(
    era: Era, sessions: dict[Era, tuple[list[str], Counter[str]]]
) -> None:
    (login,) = [line for line in sessions[era][0] if "<Legacy login response>" in line]
    assert f"User Login Success - Handle[{HANDLE}] - Time[" in login


@pytest.mark.parametrize("era", list(Era))
def test_truth_counts_match_marker_lines(
    era: Era, sessions: dict[Era, tuple[list[str], Counter[str]]]
) -> None:
    lines, truth = sessions[era]
    for key, needles in MARKERS.items():
        assert truth[key] == sum(any(n in line for n in needles) for line in lines), key
    assert truth["lines"] == len(lines)
    assert set(truth) <= set(TRUTH_KEYS)


@pytest.mark.parametrize("era", list(Era))
def test_noise_and_continuation_counts_match(
    era: Era, sessions: dict[Era, tuple[list[str], Counter[str]]]
) -> None:
    lines, truth = sessions[era]
    names = [m.group(1) if (m := HEAD.match(line)) else None for line in lines]
    assert truth["noise_lines"] == sum(name in DEFAULT_NOISE for name in names)
    untimestamped = sum(not line.startswith("<") for line in lines)
    hud_continued = sum(bool(HUD_CONTINUATION.match(line)) for line in lines)
    assert untimestamped > 0
    assert truth["continuation_lines"] == untimestamped + hud_continued
    assert truth["untimestamped_lines"] == untimestamped
    assert truth["context_established"] == sum(name == "Context Establisher Done" for name in names)
    assert (hud_continued > 0) is (era is Era.MODERN_4_7)


def test_every_default_noise_name_occurs_in_a_synthesized_log() -> None:
    # synth.NOISE_TEMPLATE_NAMES is noise.DEFAULT_NOISE itself: check the lines, not the set.
    assert len(NOISE_TEMPLATE_NAMES) == 24
    seen: set[str] = set()
    for era in Era:
        for line in synthesize_session(
            seed=3, era=era, start=START, handle=HANDLE, target_lines=40_000
        ):
            if (m := HEAD.match(line)) and m.group(1):
                seen.add(m.group(1))
    assert seen >= NOISE_TEMPLATE_NAMES


@pytest.mark.parametrize("era", list(Era))
def test_most_lines_are_noise_or_unclassified_chatter(
    era: Era, sessions: dict[Era, tuple[list[str], Counter[str]]]
) -> None:
    _, truth = sessions[era]
    share = (truth["noise_lines"] + truth["chatter_lines"]) / truth["lines"]
    # Calibrated on the real corpus, where 7-14 % of lines are classified events.
    assert 0.75 <= share <= 0.92
    assert truth["noise_lines"] > truth["lines"] * 0.3


def test_modern_era_has_no_combat_lines(
    sessions: dict[Era, tuple[list[str], Counter[str]]],
) -> None:
    lines, truth = sessions[Era.MODERN_4_7]
    text = "".join(lines)
    for combat in ("<Actor Death>", "<Vehicle Destruction>", "[ActorState] Corpse", "Actor stall"):
        assert combat not in text
    assert truth["actor_death"] == truth["vehicle_destruction"] == 0
    for modern in (
        "<Player Selected Quantum Target - Local>",
        "<Calculate Route>",
        "<Quantum Drive Arrived - Arrived at Final Destination>",
        "<Local Route Guard - Server Rerouted>",
        "<CLocalMissionPhaseMarker::CreateMarker> Creating objective marker: missionId [",
        'Added notification "Contract Accepted:  ',
        "Action: Next",
        "Action: StartFade",
        "Action: Remove",
        "<ObjectiveUpserted>",
        "<EndMission> Ending mission for player. MissionId[",
        "<MissionEnded>",
        'Added notification "Incapacitated: ',
        "Jurisdiction: ",
        "<Vehicle Control Flow>",
        "SendCommodityBuyRequest",
        "SendCommoditySellRequest",
        "[STOWING ON UNREGISTER]",
        "<RequestLocationInventory>",
        "<AttachmentReceived>",
    ):
        assert modern in text, modern
    assert re.search(r'\n<[^>]+>    "[^"]+" \[\d+\]\r\n', text), "queue listing line"
    for key in ("hud_added", "incapacitated", "player_death", "quantum_arrived"):
        assert truth[key] > 0, key


def test_legacy_era_has_combat_and_no_hud_lines(
    sessions: dict[Era, tuple[list[str], Counter[str]]],
) -> None:
    lines, truth = sessions[Era.LEGACY_4_1]
    text = "".join(lines)
    assert "SHUDEvent_OnNotification" not in text
    assert "UpdateNotificationItem" not in text
    assert "[ItemNavigation]" not in text
    for legacy in (
        "damage type 'Bullet'",
        "damage type 'Suicide'",
        "damage type 'Crash'",
        "damage type 'VehicleDestruction'",
        "advanced from destroy level 0 to 1",
        "advanced from destroy level 1 to 2",
        "advanced from destroy level 0 to 2",
        "with 'Combat'",
        "with 'Collision'",
        "<[ActorState] Corpse>",
        "<local client>: Entering control state dead.",
        "lost reservation for spawnpoint",
        "<FatalCollision> Fatal Collision occured for vehicle",
        "<Jump Drive State Changed>",
        "<CWallet::ProcessClaimToNextStep> New Insurance Claim Request",
        "PU_AI_CRIM_",
    ):
        assert legacy in text, legacy
    kills_by_player = sum(f"killed by '{HANDLE}'" in line for line in lines)
    deaths_of_player = sum(f"CActor::Kill: '{HANDLE}'" in line for line in lines)
    assert kills_by_player > 0
    assert deaths_of_player > 0
    assert truth["player_death"] > 0
    assert truth["hud_added"] == truth["incapacitated"] == 0


def test_synthesize_log_alternates_eras_and_keeps_time_moving() -> None:
    truth: Counter[str] = Counter()
    lines = list(synthesize_log(seed=5, sessions=4, lines_per_session=2_000, truth=truth))
    quits = [i for i, line in enumerate(lines) if "<SystemQuit>" in line]
    assert len(quits) == 4
    assert truth["system_quit"] == truth["join_pu"] == truth["legacy_login"] == 4
    assert truth["lines"] == len(lines)
    branches = re.findall(r"Branch: sc-alpha-4\.(\d+)\.", "".join(lines))
    assert [b == "1" for b in branches] == [True, False, True, False]
    stamps = [m.group(1) for line in lines if (m := TS.match(line))]
    assert stamps == sorted(stamps)
    backups = [line for line in lines if "BackupNameAttachment=" in line]
    assert len(backups) == 4
    assert lines[0] == backups[0]


def test_synthesize_log_with_one_era_and_lf() -> None:
    lines = list(
        synthesize_log(seed=6, sessions=2, era=Era.MODERN_4_7, lines_per_session=1_500, crlf=False)
    )
    assert all(not line.endswith("\r\n") for line in lines)
    assert "<Actor Death>" not in "".join(lines)


def test_synthesize_log_is_deterministic() -> None:
    first = list(synthesize_log(seed=11, sessions=3, lines_per_session=1_000))
    again = list(synthesize_log(seed=11, sessions=3, lines_per_session=1_000))
    assert first == again


def test_naive_start_is_taken_as_utc() -> None:
    naive = datetime(2025, 4, 7, 15, 58, 31, 643_000)  # the case under test
    first = next(
        synthesize_session(seed=1, era=Era.LEGACY_4_1, start=naive, handle=HANDLE, target_lines=500)
    )
    assert first.startswith("<2025-04-07T15:58:31.643Z> BackupNameAttachment=")


def test_partial_consumption_still_closes_cleanly() -> None:
    truth: Counter[str] = Counter()
    gen = synthesize_session(
        seed=1, era=Era.MODERN_4_7, start=START, handle=HANDLE, target_lines=5_000, truth=truth
    )
    head = list(islice(gen, 200))
    gen.close()
    assert len(head) == 200
    assert truth["legacy_login"] == 1
    assert truth["system_quit"] == 0


@pytest.mark.slow
def test_a_million_lines_take_well_under_twenty_seconds() -> None:
    began = time.perf_counter()
    count = sum(1 for _ in synthesize_log(seed=1, sessions=100, lines_per_session=10_000))
    elapsed = time.perf_counter() - began
    assert count >= 950_000
    assert elapsed < 15.0
