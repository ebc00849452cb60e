"""Synthetic Game.log sessions: a project-owned generator of realistic, fake logs.

The real corpus is small and cannot be redistributed, so tests and benchmarks use logs
made here. The line shapes follow the real ones (spec: peers-and-gamelog §3/§4,
upstream-facts §2) but every value is random: handles other than the caller's, GEIDs,
entity ids, GUIDs, shards, addresses, hardware. Nothing is copied from a real log.

Two eras:

* `Era.LEGACY_4_1`: 4.1-style combat (`<Actor Death>`, `<Vehicle Destruction>`,
  `<[ActorState] Corpse>`, `<FatalCollision>`, `<Spawn Flow>`, jump drive, insurance claims)
  and no HUD notification lines.
* `Era.MODERN_4_7`: 4.7+-style, no combat lines; `[ItemNavigation]` quantum travel,
  contracts and HUD notifications, "Incapacitated:" plus the corpse-recovery burst,
  `<Vehicle Control Flow>`, commodity trades, ships stowed.

Both eras start with the real header block, log in, join the PU and end with
`<SystemQuit>` then `CCIGBroker::FastShutdown`. Calibrated on the real corpus: 8-13 % of
the lines are classified events, the rest engine noise (the 24 default noise names) and
unclassified chatter.

It is one long module on purpose: it is a table of line templates for two eras sharing one
session driver, and splitting the templates from the driver would only add imports.

Pure: no file, clock or network access. All randomness comes from one
`random.Random(seed)`, so a seed gives the same bytes on every run. Ground truth: pass a
`collections.Counter` as `truth`; see `TRUTH_MARKERS` and `TRUTH_KEYS` for what each key
counts. The counts are added when the iterator is exhausted; if it is closed early they
also cover the few lines generated but not yet yielded.
"""

from __future__ import annotations

import heapq
import random  # the one module in core allowed to use it: seeded, never for secrets
from collections import Counter
from collections.abc import Callable, Generator, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from starstats_core.noise import DEFAULT_NOISE

__all__ = [
    "DEFAULT_HANDLE",
    "DEFAULT_START",
    "NOISE_TEMPLATE_NAMES",
    "TRUTH_KEYS",
    "TRUTH_MARKERS",
    "Era",
    "synthesize_log",
    "synthesize_session",
]


class Era(StrEnum):
    """Which game patch family the synthetic session imitates."""

    LEGACY_4_1 = "legacy_4_1"
    MODERN_4_7 = "modern_4_7"


DEFAULT_START = datetime(2025, 4, 7, 15, 58, 31, 643_000, tzinfo=UTC)
DEFAULT_HANDLE = "Synth_Pilot"

# Truth key -> substrings; the key counts the lines holding any of them (untimestamped and
# `<ts> : "` HUD continuation lines aside, which `continuation_lines` counts). `hud_added`
# includes the "Incapacitated:" notifications, which `incapacitated` counts again.
TRUTH_MARKERS: dict[str, tuple[str, ...]] = {
    "actor_death": ("<Actor Death>",),
    "vehicle_destruction": ("<Vehicle Destruction>",),
    "join_pu": ("<Join PU>",),
    "legacy_login": ("<Legacy login response>",),
    "system_quit": ("<SystemQuit>",),
    "fast_shutdown": ("CCIGBroker::FastShutdown",),
    "hud_added": ('Added notification "',),
    "incapacitated": ('Added notification "Incapacitated:',),
    "player_death": ("PopulateItemPortForItemRecoveryEntitlement]> Item 'body_",),
    "quantum_target_selected": (
        "<Player Selected Quantum Target - Local>",
        "<Player Requested Fuel to Quantum Target - Server Routing>",
    ),
    "quantum_arrived": ("<Quantum Drive Arrived - Arrived at Final Destination>",),
    "quantum_route": ("<Calculate Route>",),
    "location_inventory_requested": ("<RequestLocationInventory>",),
    "attachment_received": ("<AttachmentReceived>",),
}
# Plus the line-kind counters: `noise_lines` (event name is one of the 24 default noise
# names, `[SPAM n]` lines included; `context_established` of them are
# `<Context Establisher Done>`, which a parser may classify instead), `chatter_lines` (filler
# that is not noise), `continuation_lines` (no timestamp, or a `<ts> : "` HUD text
# continuation; `untimestamped_lines` of them have no timestamp) and `lines`.
TRUTH_KEYS: tuple[str, ...] = (
    *TRUTH_MARKERS,
    "noise_lines",
    "context_established",
    "chatter_lines",
    "continuation_lines",
    "untimestamped_lines",
    "lines",
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ZERO_GUID = "00000000-0000-0000-0000-000000000000"
_EXE_DIR = "C:\\Program Files\\Roberts Space Industries\\StarCitizen\\LIVE\\Bin64"
_HUD_TAGS = "[Team_CoreGameplayFeatures][Missions][Comms]"
_NET_TAGS = "[Team_Network][Network][Replication][Loading][Persistence]"
_PROTO_TAGS = "[Team_Network][Network][Replication][Loading][Protocol]"

# ---------------------------------------------------------------------------------------
# Vocabulary (plausible, public game-data style names; nothing player-identifying)
# ---------------------------------------------------------------------------------------
_NAME_PREFIXES = (
    "Pilot", "Nova", "Vex", "Rook", "Kestrel", "Drift", "Orbit", "Talon", "Ember", "Quill",
    "Havoc", "Zephyr", "Cobalt", "Juno", "Maverick", "Sable", "Onyx", "Ranger", "Wisp", "Flux",
)  # fmt: skip
_SHIPS = (
    "ANVL_Hornet_F7C_Mk2", "AEGS_Gladius", "DRAK_Cutlass_Black", "RSI_Aurora_MR",
    "MISC_Freelancer", "ORIG_300i", "CRUS_Starfighter_Ion", "ARGO_MOLE", "MRAI_Guardian_QI",
    "ANVL_C8R_Pisces", "DRAK_Golem", "AEGS_Avenger_Titan", "GAMA_Railen", "RSI_Perseus",
    "ANVL_Arrow", "MISC_Prospector", "DRAK_Corsair", "CRUS_C1_Spirit", "AEGS_Vanguard_Warden",
)  # fmt: skip
_NPC_SHIPS = (
    "AEGS_Gladius",
    "ANVL_Arrow",
    "DRAK_Cutlass_Black",
    "MISC_Freelancer",
    "RSI_Aurora_MR",
)
_NPC_ACTORS = (
    "PU_Human-NineTails-Grunt-Male-Grunt_{n}_{id}",
    "PU_Human_Enemy_GroundCombat_NPC_Ninetails_cqc_{id}",
    "NPC_Archetypes-Male-Human-FrontierFighters_Pilot_{id}",
    "PU_Human-Xenothreat-Soldier-Male-Soldier_{n}_{id}",
    "AIModule_Unmanned_PU_Advocacy_{id}",
)
_FPS_WEAPONS = (
    "behr_rifle_ballistic_02", "klwe_pistol_energy_01", "gmni_lmg_ballistic_01",
    "ksar_smg_energy_01", "behr_sniper_ballistic_01", "apar_shotgun_ballistic_01",
)  # fmt: skip
_SHIP_WEAPONS = (
    "KLWE_LaserRepeater_S2", "ESPR_BallisticCannon_S5", "BEHR_LaserCannon_S3",
    "MRCK_S03_BEHR_Dual_S03", "AMRS_LaserCannon_S2",
)  # fmt: skip
_ZONES_SPACE = (
    "OOC_Stanton_1_Hurston", "OOC_Stanton_2b_Daymar", "OOC_Stanton_3a_Lyria",
    "OOC_Stanton_4_Microtech", "OOC_Stanton_1b_Aberdeen", "OOC_Pyro_5_Pyro_V",
)  # fmt: skip
_ZONES_FPS = (
    "ab_pyro_int_dung_exec_002", "rs_int_p2l4", "ObjectContainer-Ground_Lobby",
    "ug_cave_01_int_003", "hab_lorville_int_001",
)  # fmt: skip
_LOCATIONS = (
    "RR_HUR_LEO", "Stanton1_Lorville", "Stanton2_Orison", "Stanton3_Area18",
    "Stanton4_NewBabbage", "RR_P2_L4", "RR_CRU_LEO", "INVALID_LOCATION_ID",
)  # fmt: skip
_QT_DESTINATIONS = (
    "OOC_Stanton_2_Crusader", "Orison_LOC", "OOC_Stanton_1_Hurston", "OOC_Stanton_3_ArcCorp",
    "OOC_Stanton_4_Microtech", "Lorville_LOC", "Stanton1_L1_Station", "OOC_Stanton_2b_Daymar",
)  # fmt: skip
_JURISDICTIONS = (
    "Entered Hurston Dynamics Jurisdiction: ", "Entered Crusader Industries Jurisdiction: ",
    "Entered ArcCorp Jurisdiction: ", "Entered microTech Jurisdiction: ",
    "Entered UEE Jurisdiction: ", "Entered Monitored Space: ", "Leaving Monitored Space: ",
    "Entering Armistice Zone - Combat Prohibited: ", "Leaving Armistice Zone - Combat Enabled: ",
)  # fmt: skip
_CONTRACTS = (
    ("Covalex_Hauling", "HaulCargo_SingleToMulti2_RefinedOre_Aluminium_Stanton4_SmallGrade",
     "Rookie Rank - Extra Small Cargo Haul "),
    ("Covalex_Hauling", "HaulCargo_MultiToSingle_Titanium_Stanton2_SmallGrade",
     "Junior Rank - Small Cargo Haul "),
    ("BountyHunting_Stanton", "Bounty_VLRT_Stanton1", "Very Low Risk Target"),
    ("Mercenary_Gauntlet", "CombatGauntlet_Scenario4", "Combat Gauntlet - Scenario #4"),
    ("Salvage_Stanton", "Salvage_Derelict_Stanton3", "Derelict Salvage Rights"),
)  # fmt: skip
_COMMODITIES = ("Agricium", "Aluminum", "Titanium", "Quantanium", "Laranite", "Medical Supplies")
_UNDERSUITS = ("rsi_odyssey_undersuit_01_01_01", "vgl_undersuit_01_01_13", "cds_undersuit_01_01")
_ARMOR = (
    ("rrs_specialist_heavy_core_01_01_03", "Armor_Torso"),
    ("rrs_specialist_heavy_helmet_01_01_03", "Armor_Helmet"),
    ("cds_legacy_arms_light_01_01_02", "Armor_Arms"),
    ("cds_legacy_legs_light_01_01_02", "Armor_Legs"),
    ("rsi_backpack_light_01_01", "Armor_Backpack"),
    ("behr_rifle_ballistic_02_civilian", "wep_stocked_2"),
    ("klwe_pistol_energy_01", "wep_sidearm"),
    ("crlf_consumable_healing_01", "medPen_attach_1"),
)
_CPUS = (
    "AMD Ryzen 7 7800X3D 8-Core Processor", "AMD Ryzen 9 5900X 12-Core Processor",
    "Intel(R) Core(TM) i7-12700K", "Intel(R) Core(TM) i9-13900K",
    "AMD Ryzen 5 5600X 6-Core Processor",
)  # fmt: skip
_GPUS = ("NVIDIA GeForce RTX 3080", "NVIDIA GeForce RTX 4070", "AMD Radeon RX 7900 XT")
_REGIONS = ("use1b", "usw2b", "euw1b", "euw2a", "apse2b")
_CET_TASKS = (
    "CGameContext::m_currentState = EGameContextState::eEGS_NotRunning", "PauseGame",
    "WaitForAsyncSpawns", "WaitForGameRulesSpawningModule", "SetLocalPlayerId",
    "Offline_EntitlePlayer", "SendOCHierarchyData", "WaitClientPlayer", "LoadSolarSystem",
    "StreamInitialZones", "WaitForPersistentEntities", "UnstowPlayer",
)  # fmt: skip
_CET_STATES = (
    "eCVS_Initial(0)", "eCVS_Seeding(6)", "eCVS_Populate(7)", "eCVS_UnstowPlayer(14)",
    "eCVS_WaitForAsyncSpawns(15)", "eCVS_InGame(16)",
)  # fmt: skip
_PLATFORMS = (
    "LoadingPlatformManager_ShipElevator_HangarMediumTop",
    "LoadingPlatformManager_FreightElevator_HT_HangarMedium",
    "LoadingPlatformManager_FreightElevator_Util_HangarSmall",
    "LoadingPlatformManager_ShipElevator_HangarLargeTop",
    "LoadingPlatformManager_FreightElevator_HT_Outpost",
)
_PLATFORM_STATES = ("OpenIdle", "ClosedIdle", "LoweringPlatform", "RaisingPlatform")
_OC_AREAS = (
    "stanton/station/ser/reststop_habs", "stanton/station/ser/reststop_entry",
    "pyro/station/rundown/habs", "common/hangar/hightech_a", "stanton/city/lorville/int",
)  # fmt: skip
_SERIALIZED_VARS = (
    "SEntityTemperatureSerialization::seed",
    "RastarLocationID",
    "SDoorState::m_state",
)
_TRANSIT = ("TransitManager-001", "TransitManager_Habs", "TransitManager_Spaceport", "Tram_Loop")
# The bodies a planet-cell dump names, as the game writes them (`OOC_Stanton_4a_Calliope`,
# `pyro5c`): per planet, four codes a second draw picks from (two draws, as before, so the
# rest of a synthesized log does not move).
_PLANETS = ("Stanton1", "Stanton2", "Stanton3", "Stanton4", "pyro5", "pyro")
_BODY_CODES = {
    "Stanton1": ("OOC_Stanton_1a_Arial", "OOC_Stanton_1b_Aberdeen", "OOC_Stanton_1c_Magda",
                 "OOC_Stanton_1d_Ita"),
    "Stanton2": ("OOC_Stanton_2a_Cellin", "OOC_Stanton_2b_Daymar", "OOC_Stanton_2c_Yela",
                 "OOC_Stanton_2_Crusader"),
    "Stanton3": ("OOC_Stanton_3a_Lyria", "OOC_Stanton_3b_Wala", "OOC_Stanton_3_ArcCorp",
                 "OOC_Stanton_3a_Lyria"),
    "Stanton4": ("OOC_Stanton_4a_Calliope", "OOC_Stanton_4b_Clio", "OOC_Stanton_4c_Euterpe",
                 "OOC_Stanton_4_Microtech"),
    "pyro5": ("pyro5a", "pyro5b", "pyro5c", "pyro5d"),
    "pyro": ("pyro1", "pyro2", "pyro3", "pyro4"),
}  # fmt: skip

NOISE_TEMPLATE_NAMES: frozenset[str] = DEFAULT_NOISE
"""The 24 upstream default noise names (upstream-facts §2.3) this module writes."""

_Action = Callable[[], None]
_T = TypeVar("_T")


def _ctime(dt: datetime) -> str:
    """`Mon Apr  7 15:58:31 2025`, locale-independent."""
    return (
        f"{_DAYS[dt.weekday()]} {_MONTHS[dt.month - 1]} {dt.day:2d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} {dt.year}"
    )


def _weighted(entries: Sequence[tuple[int, _Action]]) -> list[_Action]:
    """Expand (weight, action) pairs into a lookup table of exactly 1024 slots."""
    total = sum(w for w, _ in entries)
    table: list[_Action] = []
    for w, fn in entries:
        table.extend([fn] * (w * 1024 // total))
    while len(table) < 1024:
        table.append(entries[0][1])
    return table


class _Session:
    """State and line templates for one game launch."""

    def __init__(self, *, seed: int, era: Era, start: datetime, handle: str, crlf: bool) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
        self.bits = self.rng.getrandbits
        self.rand = self.rng.random
        self.era = era
        self.modern = era is Era.MODERN_4_7
        self.handle = handle
        self.eol = "\r\n" if crlf else "\n"
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self.start = start.astimezone(UTC)
        self.ms = (self.start - _EPOCH) // timedelta(milliseconds=1)
        self._ts_ms = -1
        self._ts_sec = -1
        self._ts_text = ""
        self._sec_text = ""
        self.out: list[str] = []
        self.pending: list[tuple[int, int, _Action]] = []
        self._seq = 0
        self.t: Counter[str] = Counter()
        self.noise = 0
        self.cont = 0
        self.bare = 0
        self._init_identity()
        self.filler = self._filler_table()
        self.episodes = self._episode_table()

    # -- primitives -----------------------------------------------------------------
    def ts(self) -> str:
        ms = self.ms
        if ms != self._ts_ms:
            sec = ms // 1000
            if sec != self._ts_sec:
                self._ts_sec = sec
                self._sec_text = (_EPOCH + timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%S")
            self._ts_ms = ms
            self._ts_text = f"<{self._sec_text}.{ms % 1000:03d}Z>"
        return self._ts_text

    def emit(self, text: str) -> None:
        self.out.append(f"{self.ts()} {text}{self.eol}")

    def emit_noise(self, text: str) -> None:
        self.noise += 1
        self.out.append(f"{self.ts()} {text}{self.eol}")

    def mark(self, key: str, text: str) -> None:
        self.t[key] += 1
        self.out.append(f"{self.ts()} {text}{self.eol}")

    def untimestamped(self, text: str) -> None:
        self.cont += 1
        self.bare += 1
        self.out.append(f"{text}{self.eol}")

    def step(self, max_bits: int = 4) -> None:
        self.ms += self.bits(max_bits)

    def wait(self, lo_s: float, hi_s: float) -> None:
        self.ms += int((lo_s + (hi_s - lo_s) * self.rand()) * 1000)

    def later(self, lo_s: float, hi_s: float, action: _Action) -> int:
        """Run `action` once the clock passes a random point lo_s..hi_s from now."""
        due = self.ms + int((lo_s + (hi_s - lo_s) * self.rand()) * 1000)
        self._seq += 1
        heapq.heappush(self.pending, (due, self._seq, action))
        return due

    def busy(self) -> bool:
        """True while the player is dead or in quantum travel: no new deaths, kills, jumps."""
        return self.ms < self.dead_until or self.ms < self.qt_until

    def run_due(self) -> None:
        pending = self.pending
        while pending and pending[0][0] <= self.ms:
            heapq.heappop(pending)[2]()

    def flush_pending(self) -> None:
        while self.pending:
            due, _, action = heapq.heappop(self.pending)
            self.ms = max(self.ms, due)
            action()

    def pick(self, seq: Sequence[_T]) -> _T:
        return seq[self.bits(16) % len(seq)]

    def guid(self) -> str:
        h = f"{self.bits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex32(self) -> str:
        return f"{self.bits(128):032x}"

    def eid(self) -> int:
        return self.ent_base + self.bits(26)

    def geid(self) -> int:
        return 100_000_000_000 + self.bits(43) % 9_800_000_000_000

    def other_player(self) -> str:
        return f"{self.pick(_NAME_PREFIXES)}_{self.bits(14) % 10000:04d}"

    def npc(self) -> str:
        return self.pick(_NPC_ACTORS).format(n=1 + self.bits(4), id=self.eid())

    def vec(self, scale: float) -> str:
        r = self.rand
        return (
            f"x: {(r() - 0.5) * scale:.6f}, y: {(r() - 0.5) * scale:.6f}, "
            f"z: {(r() - 0.5) * scale:.6f}"
        )

    # -- identity -------------------------------------------------------------------
    def _init_identity(self) -> None:
        b = self.bits
        self.ent_base = 200_000_000_000 + b(43) % 9_700_000_000_000
        self.player_geid = self.geid()
        self.account_id = 10_000 + b(23)
        self.session_guid = self.guid()
        self.net_session = self.hex32()
        self.node_local = f"00000000-0000-0000-0000-0000{b(32):08x}"
        self.node_remote = self.guid()
        self.server_ip = f"{34 + b(2)}.{b(8)}.{b(8)}.{1 + b(7)}"
        self.port = 64_090 + b(9)
        self.cl_nav = 1_000 + b(15)
        self.gamerules = "SC_Frontend"
        if self.modern:
            minor = 7 + b(16) % 3
            self.branch = f"sc-alpha-4.{minor}.0"
            self.file_version = f"4.{minor}.{170 + b(4)}.{10_000 + b(16)}"
            self.changelist = 11_500_000 + b(19)
            self.tag_actor = "[Team_ActorFeatures][Actor]"
            self.tag_inv = "[Team_CoreGameplayFeatures][Inventory]"
            self.tag_cargo = "[Team_CoreGameplayFeatures][Cargo]"
            self.tag_transit = "[Team_CGP2][TransitSystem]"
        else:
            patch = b(1)
            self.branch = f"sc-alpha-4.1.{patch}"
            self.file_version = f"4.1.{147 + patch}.{10_000 + b(16)}"
            self.changelist = 9_600_000 + b(17)
            self.tag_actor = "[Team_ActorTech][Actor]"
            self.tag_inv = "[Team_ActorFeatures][Inventory]"
            self.tag_cargo = "[Team_NAPU][Cargo]"
            self.tag_transit = "[Team_ArenaCommanderFeature][TransitSystem]"
        env_cl = self.changelist - b(14)
        self.env_session = f"pub-{self.branch.replace('.', '')}-{env_cl}"
        self.endpoint = f"{self.env_session}.test1.cloudimperiumgames.com:443"
        self.ship_cls = self.pick(_SHIPS)
        self.ship_id = self.eid()
        self.hud_id = b(3)
        self.hud_queue: list[tuple[str, int]] = []
        self.missions: list[tuple[str, str]] = []
        self.inv_request = 1 + b(4)
        self.dead_until = 0
        self.qt_until = 0

    # -- header ---------------------------------------------------------------------
    def header(self) -> None:  # noqa: PLR0915 - one line per header row, in order
        b, e, st = self.bits, self.emit, self.step
        start = self.start
        local = start + timedelta(hours=self.pick((-8, -7, -5, -4, 0, 1, 2, 3, 8, 10)))
        backup = local - timedelta(seconds=2 + b(3))
        built = start - timedelta(days=3 + b(4), seconds=b(16))
        e(
            f'BackupNameAttachment=" Build({self.changelist}) {backup.day:02d} '
            f"{_MONTHS[backup.month - 1]} {backup.year % 100:02d} "
            f'({backup.hour:02d} {backup.minute:02d} {backup.second:02d})"  '
            "-- used by backup system"
        )
        e(f"Log started on {_ctime(start)}")
        e(
            f"Built on {_MONTHS[built.month - 1]} {built.day:2d} {built.year} "
            f"{built.hour:02d}:{built.minute:02d}:{built.second:02d}"
        )
        e("Running 64 bit version")
        e(f"Executable: {_EXE_DIR}\\StarCitizen.exe")
        e(f"FileVersion: {self.file_version}")
        e(f"ProductVersion: {self.file_version}")
        e("Using Microsoft (tm) C++ Standard Library implementation")
        e(f"Host CPU: {self.pick(_CPUS)}")
        e(f"Logical CPU Count: {self.pick((8, 12, 16, 20, 24, 32))}")
        e("[Trace] Environment:   PUB")
        st(3)
        e("[Trace] Elastic:       https://cedar.rsi.global/app/discover")
        e(f"[Trace] @session:      '{self.session_guid}'")
        e(f"[Trace] @env_session:  '{self.env_session}'")
        e("[Trace] @host_session: 'local_shard'")
        st(4)
        bar = "=" * 63
        e(bar)
        e(" Startup Arguments ")
        e(bar)
        e("[Notice] <Startup Settings> 5 settings set: [Team_OnlineTech][System][Initialization]")
        for arg in (
            "--client-login-show-dialog=0",
            "--system-trace-service-enabled=true",
            f"--system-trace-env-id='{self.env_session}'",
            f"--grpc-client-endpoint-override='https://{self.endpoint}'",
            "--services-config-enabled=true",
        ):
            e(f"   [Cmdline  ] {arg}")
        e(bar)
        self.wait(0.1, 0.8)
        e(
            "[Notice] <CreateChannel> Opening channel for "
            "'sc.external.services.configuration.v1.ConfigService' to endpoint "
            f"dns:///{self.endpoint} (transport security: 1) [Team_OnlineTech][gRPC]"
        )
        for opt in (
            "grpc.primary_user_agent=grpc-c++/1.49.2",
            "grpc.http2.max_pings_without_data=0",
            "grpc.max_receive_message_length=16777216",
            "grpc.max_send_message_length=4194304",
            "grpc.keepalive_permit_without_calls=1",
            "grpc.keepalive_time_ms=120000",
            "grpc.keepalive_timeout_ms=20000",
        ):
            e(f"   {opt}")
        self.wait(0.5, 3.0)
        for svc in ("push", "presence", "trace"):
            self.emit_noise(
                f"[Notice] <ReuseChannel> Reusing channel for 'sc.external.services.{svc}.v1."
                f"{svc.capitalize()}Service' to endpoint dns:///{self.endpoint} "
                "(transport security: 1) [Team_OnlineTech][gRPC]"
            )
            st(1)
        e("[Notice] <Default Trace Config loaded> Config 'CODE' loaded (Version 2) "
          "[Team_OnlineTech][Config][CigTrace]")  # fmt: skip
        self.emit_noise("[Notice] <Stream started> Result: OK(0) [Team_OnlineTech][CigTrace]")
        e(f"Windows 10 64 bit (build 10.0.{self.pick((19045, 22631, 26100, 26200))})")
        st(5)
        e("System language: English")
        e('Windows Directory: "C:\\WINDOWS"')
        lt = local + timedelta(seconds=3)
        e(
            f"Local time is {lt.hour:02d}:{lt.minute:02d}:{lt.second:02d} "
            f"{lt.month:02d}/{lt.day:02d}/{lt.year % 100:02d}, "
            f"system running for {b(13)} minutes"
        )
        ram = self.pick((16_304, 32_682, 65_396))
        avail = ram // 2 + b(12)
        e(f"{ram}MB physical memory installed, {avail}MB available, "
          f"{100 - avail * 100 // ram} percent of memory in use")  # fmt: skip
        st(5)
        e(f"{700 + b(9)}MB working set, {1000 + b(9)}MB commit size ({2000 + b(10)}MB peak), "
          f"{40_000 + b(15)}MB left to commit ({ram * 2}MB system wide commit limit)")  # fmt: skip
        e(f"Current display mode is {self.pick(('1920x1080', '2560x1440', '3440x1440'))}x32")
        e("IBM enhanced (101/102-key) keyboard and 5+ button mouse installed")
        e("[CIG] gEnv->IsDedicated[0] CSystem::m_bDedicatedServer[0] "
          "startupParams.bDedicatedServer[0]")  # fmt: skip
        cmdline = (
            f'"{_EXE_DIR}/StarCitizen.exe" -no_login_dialog -envtag PUB '
            "--client-login-show-dialog 0 --services-config-enabled 1 "
            f"--system-trace-service-enabled 1 --system-trace-env-id {self.env_session} "
            f"--grpc-client-endpoint-override https://{self.endpoint}"
        )
        e(f"[CIG] startupParams.szSystemCmdLine[{cmdline}]")
        e(
            f"[Notice] <Init> Process sc-client started (Local: {self.session_guid}. "
            f"Env: {self.env_session}). bDedicatedServer[0] bIsService[0] "
            "bIsHeadlessClient[0] bOnline[1] bShardPersistence[1] bTools[0] "
            f"szSystemCmdLine[{cmdline}]  [Team_OnlineTech][ProcessInit]"
        )
        e("[CVARS]: [CHANGED] CXConsole::LoadConfigVar(): variable [sys_spec] is marked "
          "[Not Whitelisted] with a value of [0]; config file attempting to change to [-1] "
          "- IGNORING")  # fmt: skip
        st(5)
        e("Stream Engine Initialization")
        e(f"Branch: {self.branch}")
        e(f"BuildDateStamp: {_DAYS[built.weekday()]} {_MONTHS[built.month - 1]} "
          f"{built.day:02d} {built.year}")  # fmt: skip
        e(f"BuildTimeStamp: {built.hour % 12 or 12:02d}:{built.minute:02d}:{built.second:02d} "
          f"{'PM' if built.hour >= 12 else 'AM'} CST")  # fmt: skip
        e("Config: shipping")
        e("Tag: public")
        e(f"Changelist: {self.changelist}")
        e("ShelveCL: 0")
        e("Video Capture initialization")
        st(2)
        e("CIG Backend initialization")
        e(f"[CIG] build_version[{self.changelist}]")
        st(6)
        e("Physics initialization")
        e("Renderer initialization")
        self.wait(0.1, 0.4)
        e("Logging video adapters:")
        gpu = self.pick(_GPUS)
        self.wait(1.0, 2.5)
        e(f"- {gpu} (vendor = 0x10de, device = 0x{b(16):04x})")
        for row in (
            "  - Adapter index: 0",
            f"  - Dedicated video memory: {self.pick((10_240, 12_282, 16_376, 24_326))} MB",
            "  - Feature level: DX11.1 (SM 5.0)",
            "  - Displays connected: yes",
            "  - Suitable rendering device: yes",
        ):
            e(row)
        self.wait(0.3, 1.0)
        e(f"CPU benchmark: {20 + self.rand() * 20:.2f} ms (int+mem), "
          f"{15 + self.rand() * 20:.2f} ms (fp+mem)")  # fmt: skip
        self.wait(0.5, 1.5)
        e(f"D3D Adapter: Description: {gpu}")
        e("D3D Adapter: DriverType = Hardware")
        e("D3D Adapter: FeatureLevel = DirectX 11.1")
        e(f"GPU benchmark: {15 + self.rand() * 20:.2f} ms (Adapter index: 0, Num GPUs: 1)")
        e("GPUCount: 1")
        e("Found no active HDR display.")
        self.wait(0.5, 2.0)
        e("Texture Streaming: Actual pool size = 4000")
        e(f"username synth{b(10)} signedIn 1 userIndex 4294967295")
        e(f"network hostname: SYNTH-PC-{b(16):04X}")

    # -- login / frontend ---------------------------------------------------------------
    def cet_block(self, count: int) -> None:
        gr = self.gamerules
        for _ in range(count):
            task = self.pick(_CET_TASKS)
            self.emit_noise(
                f"[Notice] <CContextEstablisherStepStart> Starting CET '{task}' Context "
                f"Establisher. TraceID: {self.hex32()} "
                "[Team_Network][Network][Replication][Loading]"
            )
            self.step(2)
            self.noise_task_finished(task, gr)

    def noise_task_finished(self, task: str, gamerules: str, spam: str = "") -> None:
        extra = " timeoutOffset=0.000000" if self.modern else ""
        self.emit_noise(
            f'{spam}[Notice] <ContextEstablisherTaskFinished> establisher="CReplicationModel" '
            f'message="CET completed" taskname="{task}" state={self.pick(_CET_STATES)} '
            f'status="Finished" runningTime={self.rand() * 2:.6f}{extra} '
            f'numRuns={1 + self.bits(3)} map="megamap" gamerules="{gamerules}" '
            f'sessionId="{self.session_guid}" {_NET_TAGS}'
        )

    def cet_done(self) -> None:
        for est in ("Game", "CReplicationModel"):
            self.t["context_established"] += 1
            self.emit_noise(
                f'[Notice] <Context Establisher Done> establisher="{est}" '
                f'runningTime={1 + self.rand() * 2:.6f} map="megamap" '
                f'gamerules="{self.gamerules}" sessionId="{self.session_guid}" {_NET_TAGS}'
            )
            self.wait(0.1, 0.4)

    def loadout(self, elapsed: float | None = None) -> None:
        base = 20 + self.rand() * 15 if elapsed is None else elapsed
        items = [
            ("body_01_noMagicPocket", "Body_ItemPort"),
            (self.pick(_UNDERSUITS), "Armor_Undersuit"),
        ]
        items += [_ARMOR[i] for i in range(len(_ARMOR)) if self.bits(2)]
        for cls, port in items:
            iid = self.eid()
            base += self.rand() * 0.0002
            self.mark(
                "attachment_received",
                f"[Notice] <AttachmentReceived> Player[{self.handle}] Attachment[{cls}_{iid}, "
                f"{cls}, {iid}] Status[persistent] Port[{port}] Elapsed[{base:.6f}] {self.tag_inv}",
            )

    def login(self) -> None:
        e = self.emit
        self.wait(3.0, 15.0)
        e("{SET_CONNECTION_STATE} state [CONNECTING]")
        self.wait(0.2, 1.0)
        e("{SET_CONNECTION_STATE} state [CONNECTED]")
        self.wait(0.5, 2.0)
        created = self.ms - (30 + self.bits(9)) * 86_400_000 - self.bits(20)
        e(
            f"[Notice] <AccountLoginCharacterStatus_Character> Character: createdAt {created} "
            f"- updatedAt {created + self.bits(20)} - geid {self.player_geid} - accountId "
            f"{self.account_id} - name {self.handle} - state STATE_CURRENT "
            "[Team_GameServices][Login]"
        )
        self.wait(0.2, 0.8)
        self.mark(
            "legacy_login",
            f"[Notice] <Legacy login response> [CIG-net] User Login Success - "
            f"Handle[{self.handle}] - Time[{100_000_000 + self.bits(28)}] "
            "[Team_GameServices][Login]",
        )
        self.wait(0.5, 3.0)
        self.emit_noise("[Notice] <Update group cache> Start [Team_GameServices][Social]")
        self.step(7)
        self.emit_noise("[Notice] <Update group cache> Success [Team_GameServices][Social]")
        self.cet_block(6 + self.bits(3))
        self.noise_state("Model Change State", "Replicant <local>:12300", "{1, 0}", local=True)
        self.noise_state("Model Change State", "GameClient <local>:16", "{2, 0}", local=True)
        for phase in ("Begin", "Mid"):
            e(f"[Notice] <RegisterUniverseHierarchy_{phase}>  "
              "[Team_EntitySystemTech][SolarSystem][Loading][Persistence]")  # fmt: skip
        self.emit_noise(
            "[Notice] <RegisterUniverseHierarchy_End>  "
            "[Team_EntitySystemTech][SolarSystem][Loading][Persistence]"
        )
        self.wait(1.0, 3.0)
        self.loadout()
        self.cet_done()
        e(
            "Loading screen for Frontend_Main : SC_Frontend closed after "
            f"{2 + self.rand():.2f} seconds"
        )

    def noise_state(self, kind: str, view: str, conn: str, *, local: bool = False) -> None:
        node = self.node_local if local else self.node_remote
        old, new = self.bits(2), self.bits(2)
        rest = f"localState={self.bits(2)} remoteState={self.bits(2)} modelState={self.bits(2)}"
        states = f"oldState={old} newState={new} {rest}"
        tail = (
            f'ViewName="{view}" connection={conn} node_id={node} '
            f'playerGEID={self.player_geid} sessionId="{self.net_session}" {_PROTO_TAGS}'
        )
        if kind == "Model Change State":
            body = (
                "The Model is changing state meaning views must update their model state. "
                f"{states} "
            )
        elif kind == "State Change Delivery Result":
            body = (
                f"Recieved a delivery notification for a remote state change. delivered=1 {states} "
            )
        elif kind == "Send State Change":
            body = f"Sending state change to remote host. {states} "
        else:  # "Remote Change State Success" has no space before ViewName in real logs
            body = f"Remote host changed state. newState={self.bits(4)} {rest}"
        self.emit_noise(f"[Notice] <ContextEstablisher {kind}> {body}{tail}")

    def join_pu(self) -> None:
        e = self.emit
        self.wait(5.0, 120.0)
        for remote, local_addr, conn, host in (
            ("<local>:12300", "<local>:16", "{1, 0}", "Replicant"),
            ("<local>:16", "<local>:12300", "{2, 0}", "GameClient"),
        ):
            host_part = f' hostType="{host}"' if self.modern else ""
            remote_part = " isRemote=0" if self.modern else ""
            e(
                f'[Notice] <Channel Disconnected> cause=30010 reason="Nub destroyed" '
                f'frame={self.bits(16)}{remote_part} map="megamap" gamerules="SC_Frontend"'
                f"{host_part} remoteAddr={remote} localAddr={local_addr} connection={conn} "
                f"session={self.net_session} node_id={self.node_local} "
                f'nickname="{self.handle}" playerGEID={self.player_geid} '
                f"uptime_secs={20 + self.rand() * 700:.6f} "
                "[Team_Network][Network][Gateway][Disconnection]"
            )
        e(f"[+] [CIG] {{Join PU}} [0] id[{self.guid()}] status[1] port[{self.port}]")
        shard = f"pub_{self.pick(_REGIONS)}_{self.changelist + self.bits(10)}_{self.bits(7):03d}"
        self.mark(
            "join_pu",
            f"[Notice] <Join PU> address[{self.server_ip}] port[{self.port}] shard[{shard}] "
            f"locationId[{562_954_248_454_145 + self.bits(4)}] "
            "[Team_GameServices][GIM][Matchmaking]",
        )
        self.step(8)
        e("[Notice] <Change Server Start> IsShardPersisted[1] IsServer[0] IsMultiplayer[1] "
          "[Team_Network][Network][Loading]")  # fmt: skip
        self.step(8)
        view = f"Replicant {self.server_ip}:{self.port}"
        self.noise_state("Remote Change State Success", view, "{3, 0}")
        self.noise_state("Send State Change", view, "{3, 0}")
        self.noise_state("State Change Delivery Result", view, "{3, 0}")
        e("[Notice] <Change Server End> IsShardPersisted[1] IsServer[0] IsMultiplayer[1] "
          "IsOnline[1] IsPersistedInEnvironment[1] IsPersistedInGameMode[1] "
          "[Team_Network][Network][Loading]")  # fmt: skip
        self.gamerules = "SC_Default"
        self.cet_block(8 + self.bits(3))
        self.wait(20.0, 60.0)
        self.cet_done()
        e(f"Loading screen for pu : SC_Frontend closed after {30 + self.rand() * 40:.2f} seconds")
        e("[CSessionManager::OnClientSpawned] Spawned!")
        self.location_inventory()
        self.loadout()

    def tail(self) -> None:
        e = self.emit
        self.flush_pending()
        self.wait(1.0, 20.0)
        e("[Notice] <CDisciplineServiceExternal::EndSession> Ending session "
          "[Team_GameSec][AntiCheat][EAC]")  # fmt: skip
        self.wait(0.5, 5.0)
        e(
            '[Notice] <Channel Disconnected> cause=30016 reason="Remote Disconnect - Player '
            f'requested disconnect" frame={self.bits(20)} map="megamap" gamerules="SC_Default" '
            f"remoteAddr={self.server_ip}:{self.port} localAddr=0.0.0.0:{self.port} "
            f"connection={{3, 0}} session={self.net_session} node_id={self.node_remote} "
            f'nickname="{self.handle}" playerGEID={self.player_geid} '
            f"uptime_secs={600 + self.rand() * 7200:.6f} "
            "[Team_Network][Network][Gateway][Disconnection]"
        )
        self.wait(0.5, 5.0)
        reason = "User closed the application" if self.bits(1) else "Quit via console command"
        thread = 1_000 + self.bits(15)
        self.mark(
            "system_quit",
            f"[Notice] <SystemQuit> CSystem::Quit invoked with - cause=30016, reason={reason}, "
            f"exitCode=0, thread id={thread}, main thread id={thread} [Team_Unknown][System]",
        )
        self.wait(0.001, 0.25)
        self.mark("fast_shutdown", "[CIG] CCIGBroker::FastShutdown")

    # -- filler: noise ------------------------------------------------------------------
    def n_statobj(self) -> None:
        b = self.bits
        self.emit_noise(
            f"[Notice] <StatObjLoad 0x800 Format> 'data/objectcontainers/pu/loc/mod/"
            f"{self.pick(_OC_AREAS)}/rs_{b(10):03x}_{b(7):03d}/physicsgrid_objectcontainerpivot"
            f"{b(4):03d}.cgf' - File exists in P4K [Team_Graphics][CoreTech]"
        )

    def n_cet_start(self) -> None:
        self.emit_noise(
            f"[Notice] <CContextEstablisherStepStart> Starting CET '{self.pick(_CET_TASKS)}' "
            f"Context Establisher. TraceID: {self.hex32()} "
            "[Team_Network][Network][Replication][Loading]"
        )

    def n_cet_finished(self) -> None:
        self.noise_task_finished(self.pick(_CET_TASKS), self.gamerules)

    def n_spam(self) -> None:
        self.noise_task_finished(
            self.pick(_CET_TASKS), self.gamerules, spam=f"[SPAM {2 + self.bits(3)}]"
        )

    def n_blocked(self) -> None:
        word = "Blocked" if self.bits(1) else "Unblocked"
        self.emit_noise(
            f'[Notice] <Context Establisher {word}> establisher="Network" '
            f'taskname="{self.pick(_CET_TASKS)}" state={self.pick(_CET_STATES)} map="megamap" '
            f'gamerules="{self.gamerules}" sessionId="{self.net_session}" {_NET_TAGS}'
        )

    def n_done(self) -> None:
        self.t["context_established"] += 1
        self.emit_noise(
            f'[Notice] <Context Establisher Done> establisher="CReplicationModel" '
            f'runningTime={self.rand() * 3:.6f} map="megamap" gamerules="{self.gamerules}" '
            f'sessionId="{self.session_guid}" {_NET_TAGS}'
        )

    def n_state(self) -> None:
        kind = self.pick(
            (
                "Model Change State",
                "State Change Delivery Result",
                "Send State Change",
                "Remote Change State Success",
            )
        )
        self.noise_state(kind, f"Replicant {self.server_ip}:{self.port}", "{3, 0}")

    def n_platform(self) -> None:
        mgr = self.pick(_PLATFORMS)
        state = self.pick(_PLATFORM_STATES)
        k = self.bits(3)
        head = f"[Loading Platform] Loading Platform Manager [{mgr}]"
        if k == 0:
            self.emit_noise(
                f"[Error] <CSCLoadingPlatformManager::TransitionLightGroupState> {head} "
                f"does not have reference to the light group {self.tag_cargo}"
            )
        elif k == 1:
            self.emit_noise(
                f"[Notice] <CSCLoadingPlatformManager::TransitionLightGroupState> {head} "
                f"transitioning light state in current platform state: {state} {self.tag_cargo}"
            )
        elif k == 2:
            self.emit_noise(
                f"[Notice] <CSCLoadingPlatformManager::OnLoadingPlatformStateChanged> {head} "
                f"Platform state changed to {state} {self.tag_cargo}"
            )
        elif k == 3:
            self.emit_noise(
                f"[Notice] <CSCLoadingPlatformManager::StopEffectForAllTags> {head} "
                f"stopping effects in current platform state: {state} {self.tag_cargo}"
            )
        elif k == 4:
            self.emit_noise(
                "[Notice] <CSCLoadingPlatformManager::LoadEntitiesReference> Loading "
                f"references for platform manager '{mgr}' [{self.eid()}] {self.tag_cargo}"
            )
        elif k == 5:
            self.emit_noise(
                "[Notice] <CSCLoadingPlatformManager::LoadEntitiesReference::<lambda_1>::"
                f"operator ()> Platform manager '{mgr}' [{self.eid()}] found loading platform "
                f"'{mgr.replace('Manager', '')}' [{self.eid()}] {self.tag_cargo}"
            )
        elif k == 6:
            self.emit_noise(
                "[Error] <CSCLoadingPlatformManager::loadEntityFromXML::<lambda_1>::operator ()> "
                "Loading Platform Manager: Failed to find entity from XML node "
                f"'ObstructionCheckBounds' for manager '{mgr}' [{self.eid()}] {self.tag_cargo}"
            )
        else:
            self.emit_noise(
                "[Error] <LoadingPlatformUtilities::LoadFromXmlNode> Failed to find child "
                "node. ChildNodeName[ObstructionCheckBounds] SourceString[Path: "
                f"Data/objectcontainers/pu/loc/mod/common/hangar/util_a/hangar_{self.bits(8):02x}"
                f"_001.socpak - Context: Streamable Movable] EnityName[{mgr}] "
                f"EntityId[{self.eid()}] {self.tag_cargo}"
            )

    def n_misc(self) -> None:
        k = self.bits(3)
        if k == 0:
            self.emit_noise(
                f"[Notice] <Update group cache> {'Start' if self.bits(1) else 'Success'} "
                "[Team_GameServices][Social]"
            )
        elif k == 1:
            self.emit_noise(
                "[Error] <SerializedOverwrite> Initial/snapshot value for Serialized Variable "
                f'"{self.pick(_SERIALIZED_VARS)}" from component "PhysicalProxy" overwritten '
                "between registration and RegisterWithExternalSystems. This could cause network "
                "or persistence desyncs. [Team_PhysicsTech][Physics]"
            )
        elif k == 2:
            self.emit_noise(
                "[Notice] <RegisterUniverseHierarchy_End>  "
                "[Team_EntitySystemTech][SolarSystem][Loading][Persistence]"
            )
        elif k == 3:
            self.emit_noise(
                "[Notice] <ReuseChannel> Reusing channel for "
                "'sc.external.services.social.v1.SocialService' to endpoint "
                f"dns:///{self.endpoint} (transport security: 1) [Team_OnlineTech][gRPC]"
            )
        elif k == 4:
            self.emit_noise("[Notice] <Stream started> Result: OK(0) [Team_OnlineTech][CigTrace]")
        elif k == 5:
            self.emit_noise(
                "[Error] <[BuildingBlocks] Invalid Url> Url 'bb://widget/"
                f"{self.bits(32):08x}' could not be resolved [Team_UI][BuildingBlocks]"
            )
        else:
            ent = f"ProximitySensor_{self.bits(12)}_{self.eid()}"
            zone = self.pick(_ZONES_SPACE)
            self.emit_noise(
                "[Notice] <ProximitySensorMakingLocalHelper> Proximity sensor "
                f"[{ent} - Class(ProximitySensor) - Context(Streamable) - Socpak()] is creating "
                "a local helper for cross-zone detection. Master zone is "
                f"[{zone} - Class({zone}) - Context(Streamable) - Socpak()], helper is being "
                f"made in zone [{zone} - Class({zone}) - Context(Streamable) - Socpak()] "
                "[Team_CoreGameplayFeatures][Sensors]"
            )

    # -- filler: chatter ----------------------------------------------------------------
    def c_connection_flow(self) -> None:
        a, b = self.eid(), self.eid()
        self.emit(
            "[Notice] <Connection Flow> CSCCommsComponent::DoEstablishCommunicationCommon: "
            f"Update bubble created for communication connection '{self.bits(32)}' on channel "
            f"'0' for CompN{self.bits(5)} [{a}] to track their communication partner "
            f"AImodule_{self.pick(('Pyro', 'Stanton'))}_{b} [{b}] "
            "[Team_CoreGameplayFeatures][Comms]"
        )

    def c_inventory(self) -> None:
        self.inv_request += 1
        r = self.inv_request
        if self.bits(1):
            self.emit(
                f"[Notice] <InventoryManagement> New request[{r}] Player[{self.handle}] "
                f"Type[QueryOrCreate] SourceInventory[{self.eid()}:Container:0] "
                "TargetInventory[INVALID] ItemClass[] StoredEntity[NULL] LocallyDetached[No] "
                "LocalAttached[NULL, ] PendingMoves[1, ] "
                "Caller[CSCLocalPlayerPersonalThoughtComponent::RequestInventoryData] "
                f"{self.tag_inv}"
            )
        else:
            self.emit(
                f"[Notice] <InventoryManagement> Request[{r}] for '{self.handle}' "
                f"[{self.player_geid}] Result[Succeed] Item[0] CanLockQueue[No]. {self.tag_inv}"
            )

    def c_request_inventory(self) -> None:
        if self.bits(1):
            self.emit(
                f"[Notice] <RequestInventory> Request[0] Inventory[{self.eid()}:Container:0] "
                f"{self.tag_inv}"
            )
        else:
            self.emit(
                f"[Notice] <RequestInventory> Inventory data Request[0] sent for "
                f"Player[{self.handle}] {self.tag_inv}"
            )

    def c_transit(self) -> None:
        carriage, cid = 1 + self.bits(3), self.eid()
        mgr = f"{self.pick(_TRANSIT)}_{self.eid()}"
        zone = self.pick(_ZONES_FPS)
        pos = self.vec(120.0)
        for tag, verb in (("Start", "starting"), ("Finish", "finished")):
            self.emit(
                f"[Notice] <TransitCarriage{tag}Transit> [TRANSITDEBUG] [TRANSIT CARRIAGE] "
                f"[ECarriageGeneral] : Carriage {carriage} (Id: {cid}) for manager {mgr} "
                f"{verb} transit in zone {zone} at position {pos} {self.tag_transit}"
            )
            self.step(2)

    def c_entity_misc(self) -> None:
        k = self.bits(3)
        if k == 0:
            self.emit(
                f"[Notice] <CEntityComponentDeliveryItemPortManager> rs_clinic_medium_"
                f"{self.bits(4):03d}_dipm [{self.eid()}] - Registered Shelf: "
                f"Mission_InvisibleItemPort_2H_{self.bits(6):03d} [{self.eid()}] "
                "[Team_MissionFeatures][Missions]"
            )
        elif k == 1:
            self.emit(
                f"[Notice] <CSCItemFuelController::RegisterWithExternalSystems> Fuel controller "
                f"registered for {self.pick(_SHIPS)}_{self.eid()} [Team_CGP4][Vehicle]"
            )
        elif k == 2:
            self.emit(
                f"[Error] <Missing Interaction Point Params> Interaction point "
                f"'{self.pick(('Seat', 'Door', 'Panel'))}_{self.bits(6)}' has no params "
                "[Team_CoreGameplayFeatures][Interaction]"
            )
        elif k == 3:
            self.emit(
                f"[Notice] <CLandingArea::OnDoorOpenStateChanged> Landing area door "
                f"[{self.eid()}] is now {'open' if self.bits(1) else 'closed'} "
                "[Team_MissionFeatures][ATC]"
            )
        elif k == 4:
            self.emit(
                "[Error] <DuplicatedItemPorts> Error in entities passed to creation batch. "
                "Found multiple entities that are attempting to attach to the same parent item "
                "port. Refusing second entity. See log for details "
                "[Team_EntitySystemTech][EntitySystem][Gamecode]"
            )
        elif k == 5:
            self.emit(
                f"[Error] <CreationRefusedEntity> Refused specified entity [Default] of class "
                f"[Default] with id [{self.bits(12)}] from creation, reason:[DuplicatedItemPorts]. "
                "[Team_EntitySystemTech][EntitySystem][Gamecode]"
            )
        elif k == 6:
            self.emit(
                f"[Notice] <Inventory Token Flow> Token [{self.bits(16)}] released for "
                f"Player[{self.handle}] {self.tag_inv}"
            )
        else:
            self.emit(
                f"[Error] <Damage Map Snapshot With Unordered Z-Curve Id> Entity "
                f"{self.pick(_SHIPS)}_{self.eid()} [Team_CGP4][Vehicle]"
            )

    def c_no_name(self) -> None:
        k = self.bits(3)
        if k <= 1:
            what = "ITEM id" if k else "ENTITY ATTACHMENT id"
            self.emit(f"[net][bind]CEntity::OnOwnerRemoved: force detaching {what} = {self.eid()}")
        elif k == 2:
            self.emit(
                "CryAnimation: CGF did not contain any Skeleton chunk 'data/objects/spaceships/"
                f"{self.pick(_SHIPS).lower()}/part_{self.bits(8):03d}.cga'"
            )
        elif k == 3:
            n = self.bits(10)
            self.emit(
                f"  planet cells: {n:6d} [{n * 3 + self.bits(6):6d}] meshes: {self.bits(9):6d} "
                f"[{self.bits(12):6d}] name: {self.pick(_BODY_CODES[self.pick(_PLANETS)])}"
            )
        elif k == 4:
            self.emit(
                "CPhysicalProxy::OnPhysicsPostStep is trying to set position in the grid for "
                f"entity {self.eid()} outside of its zone"
            )
        elif k == 5:
            self.emit(f"[STAMINA] RoomStack for Occupant: {self.handle}_breathingHelper")
        elif k == 6:
            self.emit(f"[STAMINA] Distance between player and breathing helper: {self.rand():.2f}m")
        else:
            self.emit(f"total size of part container memory chunks: {self.bits(24)} bytes")

    def c_spawn_batch(self) -> None:
        maker = self.pick(("drak", "crus", "anvl"))
        path = f"Data/objectcontainers/ships/{maker}/base_int_{self.bits(6):02d}.soc"
        size = 5 + self.bits(5)
        self.emit(f"Warning in EntitySpawnBatch NoNameBatch {path} ")
        self.untimestamped(
            f" Size:[{size}] State:[state: eBS_BatchCompletion] FromObjectContainer:[true] "
        )
        self.untimestamped(
            " LocalBatch:[false] ContainsObjectContainers:[false] ContainsUnstreamables:[false] "
            "IsChildBatch:[true]"
        )

    def _filler_table(self) -> list[_Action]:
        return _weighted(
            [
                (140, self.n_statobj),
                (80, self.n_cet_start),
                (80, self.n_cet_finished),
                (12, self.n_spam),
                (20, self.n_blocked),
                (4, self.n_done),
                (40, self.n_state),
                (60, self.n_platform),
                (30, self.n_misc),
                (60, self.c_connection_flow),
                (60, self.c_inventory),
                (40, self.c_request_inventory),
                (25, self.c_transit),
                (60, self.c_entity_misc),
                (70, self.c_no_name),
                (6, self.c_spawn_batch),
            ]
        )

    # -- episodes: both eras --------------------------------------------------------------
    def location_inventory(self) -> None:
        self.mark(
            "location_inventory_requested",
            f"[Notice] <RequestLocationInventory> Player[{self.handle}] requested inventory "
            f"for Location[{self.pick(_LOCATIONS)}] {self.tag_inv}",
        )
        self.step(5)
        self.c_request_inventory()

    def ep_location(self) -> None:
        self.location_inventory()
        for _ in range(self.bits(2)):
            self.step(3)
            self.c_inventory()

    def ep_loadout(self) -> None:
        self.loadout(elapsed=self.rand() * 5)

    def ep_fleet(self) -> None:
        self.emit(
            "[Notice] <CEntityComponentShipListProvider::FetchOwnedShipsData> Fetching Owned "
            f"Ship Data of {1 + self.bits(5)} entitlements for player {self.player_geid}. "
            "ATCId: 0 [Team_GameServices][ASOP]"
        )

    # -- episodes: legacy (4.1) ---------------------------------------------------------
    def actor_death(  # noqa: PLR0917 - fields in the order the line prints them
        self, victim: str, vgeid: int, zone: str, killer: str, kgeid: int, weapon: str,
        wclass: str, damage: str, direction: str,
    ) -> None:  # fmt: skip
        self.mark(
            "actor_death",
            f"[Notice] <Actor Death> CActor::Kill: '{victim}' [{vgeid}] in zone '{zone}' "
            f"killed by '{killer}' [{kgeid}] using '{weapon}' [Class {wclass}] with damage "
            f"type '{damage}' from direction {direction} {self.tag_actor}",
        )

    def vehicle_destruction(  # noqa: PLR0917 - fields in the order the line prints them
        self, vehicle: str, vid: int, zone: str, driver: str, level: tuple[int, int],
        cause: str, cgeid: int, how: str,
    ) -> None:  # fmt: skip
        team = "[Team_CGP4][Vehicle]" if self.bits(1) else "[Team_VehicleFeatures][Vehicle]"
        self.mark(
            "vehicle_destruction",
            f"[Notice] <Vehicle Destruction> CVehicle::OnAdvanceDestroyLevel: Vehicle "
            f"'{vehicle}' [{vid}] in zone '{zone}' [pos {self.vec(2_000_000.0)} vel "
            f"{self.vec(400.0)}] driven by {driver} advanced from destroy level {level[0]} to "
            f"{level[1]} caused by '{cause}' [{cgeid}] with '{how}' {team}",
        )

    def corpse_local(self) -> None:
        for what in ("Entering control state dead.", "Setting corpse entity id from validation."):
            self.emit(
                f"[Notice] <[ActorState] Corpse> [ACTOR STATE][SSCActorStateCVars::LogCorpse] "
                f"Player '{self.handle}' <local client>: {what} {self.tag_actor}"
            )
            self.wait(0.1, 0.6)

    def corpse_burst(self) -> None:
        body_id = self.eid()
        tag = "[Team_CoreGameplayFeatures][Unknown]"
        name = (
            "Adding non kept item [CSCActorCorpseUtils::PopulateItemPortForItemRecoveryEntitlement]"
        )
        self.mark(
            "player_death",
            f"[Notice] <{name}> Item 'body_01_noMagicPocket_{body_id} - "
            "Class(body_01_noMagicPocket) - Context(Streamable Runtime-spawned) - Socpak()', "
            "Recorded data is: Port Name 'Body_ItemPort', Class GUID: "
            f"'dbaa8a7d-755f-4104-8b24-7b58fd1e76f6', KeptId: '{body_id}' {tag}",
        )
        items = [(self.pick(_UNDERSUITS), "Armor_Undersuit")]
        items += [_ARMOR[i] for i in range(len(_ARMOR)) if self.bits(1)]
        for cls, port in items:
            self.step(2)
            self.emit(
                f"[Notice] <{name}> Item '{cls}_{self.eid()} - Class({cls}) - Context(Streamable "
                f"Runtime-spawned) - Socpak()', Recorded data is: Port Name '{port}', Class "
                f"GUID: '{self.guid()}' {tag}"
            )

    def respawn(self) -> None:
        self.location_inventory()
        self.wait(1.0, 5.0)
        self.loadout(elapsed=self.rand() * 3)

    def insurance_claim(self) -> None:
        urn = f"urn:sc:global:entitlement:uuid:{self.guid()}"
        req = 1 + self.bits(2)
        self.emit(
            f"[Notice] <CWallet::ProcessClaimToNextStep> New Insurance Claim Request - "
            f"entitlementURN: {urn}, requestId : {req} [Team_GameServices][Transaction]"
        )
        self.wait(0.5, 3.0)
        self.emit(
            f"[Notice] <CWallet::RmMulticastOnProcessClaimCallback> Claim Complete - "
            f"entitlementURN: {urn}, result: 11,  requestId: {req} [Team_GameServices][Transaction]"
        )

    def ep_fps_kill(self) -> None:
        if self.busy():
            self.ep_spawn_flow()
            return
        victim, vgeid = (
            (self.npc(), self.eid()) if self.bits(2) else (self.other_player(), self.geid())
        )
        weapon = self.pick(_FPS_WEAPONS)
        self.actor_death(
            victim, vgeid, self.pick(_ZONES_FPS), self.handle, self.player_geid,
            f"{weapon}_{self.eid()}", weapon, self.pick(("Bullet", "Bullet", "Energy", "Melee")),
            self.vec(2.0),
        )  # fmt: skip

    def ep_ship_kill(self) -> None:
        if self.busy():
            self.ep_spawn_flow()
            return
        npc = self.bits(1)
        cls = self.pick(_NPC_SHIPS)
        vid = self.eid()
        vehicle = f"{cls}_PU_AI_CRIM_{vid}" if npc else f"{cls}_{vid}"
        zone = self.pick(_ZONES_SPACE)
        pilot, pgeid = (self.npc(), self.eid()) if npc else (self.other_player(), self.geid())
        me, geid = self.handle, self.player_geid
        self.vehicle_destruction(
            vehicle, vid, zone, f"'{pilot}' [{pgeid}]", (0, 1), me, geid, "Combat"
        )
        self.wait(0.5, 6.0)
        weapon = self.pick(_SHIP_WEAPONS)
        self.actor_death(
            pilot, pgeid, vehicle, me, geid, f"{weapon}_{self.eid()}", "unknown",
            "VehicleDestruction", "x: 0.000000, y: 0.000000, z: 0.000000",
        )  # fmt: skip
        self.step(6)
        self.vehicle_destruction(vehicle, vid, zone, "'unknown' [0]", (1, 2), me, geid, "Combat")

    def ep_local_death(self) -> None:
        if self.busy():
            self.ep_spawn_flow()
            return
        killer, kgeid = (
            (self.npc(), self.eid()) if self.bits(1) else (self.other_player(), self.geid())
        )
        weapon = self.pick(_FPS_WEAPONS)
        self.actor_death(
            self.handle, self.player_geid, self.pick(_ZONES_FPS), killer, kgeid,
            f"{weapon}_{self.eid()}", weapon, "Bullet", self.vec(2.0),
        )  # fmt: skip
        self.step(8)
        self.corpse_local()
        self.later(5.0, 60.0, self.corpse_burst)
        self.dead_until = self.later(70.0, 120.0, self.respawn)

    def ep_suicide(self) -> None:
        if self.busy():
            self.ep_spawn_flow()
            return
        me, geid = self.handle, self.player_geid
        zero = "x: 0.000000, y: 0.000000, z: 0.000000"
        zone = self.pick(("ObjectContainer-Ground_Lobby", *_ZONES_FPS))
        self.actor_death(me, geid, zone, me, geid, me, "Player", "Suicide", zero)
        self.step(8)
        self.corpse_local()
        self.later(5.0, 40.0, self.corpse_burst)
        self.dead_until = self.later(60.0, 100.0, self.respawn)

    def ep_crash(self) -> None:
        if self.busy():
            self.ep_spawn_flow()
            return
        me, geid = self.handle, self.player_geid
        vehicle = f"{self.ship_cls}_{self.ship_id}"
        zone = self.pick(_ZONES_SPACE)
        self.emit(
            f"[Notice] <FatalCollision> Fatal Collision occured for vehicle {vehicle} "
            f"[Part: Body, Pos: {self.vec(4e9)}, Zone: {zone}, PlayerPilot: 1] after hitting "
            "entity: UNKNOWN [Zone: UNKNOWN State: ]. Hit Pos: x: 0.000000, y: 0.000000, "
            f"z: 0.000000, Distance: {self.rand() * 5:.6f}, Relative Vel: {self.vec(60.0)}, "
            "Collider [Id: -1, Name: UNKNOWN, PhysType: -1, Entity: UNKNOWN, LocalExtents: "
            "x: 0.000000, y: 0.000000, z: 0.000000], LastFrameTime (ms): "
            f"{10 + self.rand() * 20:.6f} [Team_LiveExperience][ZoneSystem][Vehicle][Tracking]"
            "[Position][Physics][Environment]"
        )
        self.step(7)
        killer, kgeid = (me, geid) if self.bits(1) else ("unknown", 0)
        zero = "x: 0.000000, y: 0.000000, z: 0.000000"
        self.actor_death(me, geid, vehicle, killer, kgeid, "unknown", "unknown", "Crash", zero)
        self.step(6)
        self.vehicle_destruction(
            vehicle, self.ship_id, zone, f"'{me}' [{geid}]", (0, 2), me, geid, "Collision"
        )
        self.corpse_local()
        self.later(5.0, 40.0, self.corpse_burst)
        self.dead_until = self.later(60.0, 100.0, self.respawn)
        self.later(120.0, 400.0, self.insurance_claim)
        self.ship_cls, self.ship_id = self.pick(_SHIPS), self.eid()

    def ep_nearby_destruction(self) -> None:
        cls = self.pick(_NPC_SHIPS)
        vid = self.eid()
        vehicle = f"{cls}_PU_AI_CRIM_{vid}" if self.bits(1) else f"{cls}_{vid}"
        zone = self.pick(_ZONES_SPACE)
        attacker, ageid = self.other_player(), self.geid()
        if self.bits(2):
            self.vehicle_destruction(
                vehicle, vid, zone, "'unknown' [0]", (0, 1), attacker, ageid, "Combat"
            )
            self.wait(0.5, 10.0)
            self.vehicle_destruction(
                vehicle, vid, zone, "'unknown' [0]", (1, 2), attacker, ageid, "Combat"
            )
        else:
            self.vehicle_destruction(
                vehicle, vid, zone, "'unknown' [0]", (0, 2), attacker, ageid, "Collision"
            )
        if self.bits(1):
            self.emit(
                f"[Notice] <[ActorState] Corpse> [ACTOR STATE][SSCActorStateCVars::LogCorpse] "
                f"Player '{attacker}' <remote client>: Running corpsify for corpse. "
                f"{self.tag_actor}"
            )

    def ep_spawn_flow(self) -> None:
        self.emit(
            "[Notice] <Spawn Flow> CSCPlayerPUSpawningComponent::UnregisterFromExternalSystems: "
            f"Player '{self.other_player()}' [{self.geid()}] lost reservation for spawnpoint "
            f"{self.pick(('Unknown', 'Bed_Single_Front_Spawnpoint_No_Persistent_Hab-007'))} "
            f"[{self.eid()}] at location {self.bits(32)} [Team_ActorFeatures][Gamerules]"
        )

    def ep_jump_drive(self) -> None:
        jd = self.eid()
        system = self.pick(("Stanton", "Pyro", "DefaultSolarSystem"))
        self.emit(
            f"[Notice] <Jump Drive State Changed> Now Idle | CL{self.cl_nav} | NOT AUTH | "
            f"{system} | JDRV_TARS_S01_Explorer_SCItem_{jd} [{jd}] (adam: "
            f"{self.ship_cls}_{self.ship_id} in zone {self.pick(_ZONES_SPACE)}) | "
            "CSCItemJumpDrive::OnStateChanged [Team_VehicleFeatures][JumpSystem]"
        )

    def ep_stall(self) -> None:
        if self.bits(1):
            self.emit(
                f"[Notice] <Actor stall> Actor stall detected, Player: {self.other_player()}, "
                f"Type: downstream, Length: {1 + self.rand() * 30:.6f}. {self.tag_actor}"
            )
        else:
            self.emit(
                f"[Notice] <[ActorState] Corpse> [ACTOR STATE][SSCActorStateCVars::LogCorpse] "
                f"Player '{self.other_player()}' <remote client>: IsCorpseEnabled: No. "
                f"{self.tag_actor}"
            )

    def ep_vehicle_spawn(self) -> None:
        self.ship_cls, self.ship_id = self.pick(_SHIPS), self.eid()
        self.emit(
            f"[VEHICLE SPAWN] CPlayerShipRespawnManager::OnVehicleSpawned {self.ship_id} "
            f"({self.ship_cls}_{self.ship_id}) by player {self.player_geid}"
        )

    # -- episodes: modern (4.7+) ----------------------------------------------------------
    def _nav(self, method: str, text: str, *, auth: str = "NOT AUTH") -> str:
        return (
            f"[ItemNavigation][CL][{self.cl_nav}] | {auth} | {self.ship_cls}_{self.ship_id}"
            f"[{self.ship_id}]|CSCItemNavigation::{method}|{text} [Team_CGP4][QuantumTravel]"
        )

    def hud(self, text: str, mission: str = _ZERO_GUID, objective: str = "", key: str = "") -> int:
        """One `Added notification` line plus its queue listing; lifecycle lines later."""
        self.hud_id += 1
        nid = self.hud_id
        queue = [*self.hud_queue[-2:], (text, nid)]
        self.hud_queue = queue
        line = (
            f'[Notice] <SHUDEvent_OnNotification> Added notification "{text}" [{nid}] to queue. '
            f"New queue size: {len(queue)}, MissionId: [{mission}], ObjectiveId: [{objective}] "
            f"{_HUD_TAGS}"
        )
        self.t["hud_added"] += 1
        if key:
            self.t[key] += 1
        self.emit(line)
        for qtext, qid in queue:
            self.emit(f'   "{qtext}" [{qid}]')
        self.later(3.0, 30.0, lambda: self._hud_lifecycle(text, nid))
        return nid

    def _hud_lifecycle(self, text: str, nid: int) -> None:
        for action in ("Next", "StartFade", "Remove"):
            self.emit(
                f'[Notice] <UpdateNotificationItem> Notification "{text}" [{nid}], '
                f"Action: {action} {_HUD_TAGS}"
            )
            if action == "Next":
                self.wait(0.0, 5.0)
            else:
                self.step(3)
        self.hud_queue = [q for q in self.hud_queue if q[1] != nid]

    def ep_quantum(self) -> None:
        if self.busy():
            self.ep_vehicle_control()
            return
        dest = self.pick(_QT_DESTINATIONS)
        self.mark(
            "quantum_target_selected",
            "[Notice] <Player Selected Quantum Target - Local> "
            + self._nav(
                "OnPlayerSelectedQuantumTarget",
                f"Player has selected point {dest} as their destination, routing locally",
            ),
        )
        self.step(6)
        self.mark(
            "quantum_route",
            "[Notice] <Calculate Route> "
            + self._nav(
                "CalculateRoute",
                f"Projected Start Location is {self.pick(('Stanton', 'Pyro'))} for route to "
                f"destination {dest}",
            ),
        )
        if self.bits(1):
            self.wait(1.0, 20.0)
            self.mark(
                "quantum_target_selected",
                "[Notice] <Player Requested Fuel to Quantum Target - Server Routing> "
                + self._nav(
                    "OnPlayerRequestFuelToQuantumTarget",
                    f"Player has requested fuel calculation to destination {dest}",
                ),
            )
        for stop in range(1 + self.bits(1)):
            self.step(9)
            self.emit(
                f"[Notice] <Local Route Guard - Server Rerouted> [CL][{self.cl_nav}] | NULL "
                f"ENTITY|CSCItemNavigation::PostInitialize::<lambda_1>::operator ()|"
                f"FinalStop={stop} [Team_CGP4][QuantumTravel]"
            )
        self.qt_until = self.later(20.0, 120.0, self._quantum_arrived)

    def _quantum_arrived(self) -> None:
        self.mark(
            "quantum_arrived",
            "[Notice] <Quantum Drive Arrived - Arrived at Final Destination> "
            + self._nav("OnQuantumDriveArrived", "Quantum Drive has arrived at final destination"),
        )
        if self.bits(1):
            self.step(10)
            self.hud(self.pick(_JURISDICTIONS))

    def ep_zone_hud(self) -> None:
        self.hud(self.pick(_JURISDICTIONS))

    def ep_contract(self) -> None:
        mid = self.guid()
        gen, contract, title = self.pick(_CONTRACTS)
        definition = self.guid()
        oid = self.guid()
        for n in range(1 + self.bits(1) + self.bits(1)):
            self.emit(
                f"[Notice] <CLocalMissionPhaseMarker::CreateMarker> Creating objective marker: "
                f"missionId [{mid}], generator name [{gen}], contract [{contract}], "
                f"contractDefinitionId[{definition}], objectiveId [{oid}_{n}], "
                f"markerEntityId [{self.bits(12)}], zoneHostId [{self.eid()}], "
                f"position [{self.vec(1_000_000.0)}] [Team_MissionFeatures][Missions]"
            )
        self.step(3)
        self.hud(f"Contract Accepted:  {title}: ", mission=mid)
        self.step(8)
        self.emit(self._objective(mid, f"{oid}_0", "INPROGRESS", created=1))
        self.missions.append((mid, title))
        self.later(120.0, 900.0, self._contract_done)

    def _objective(self, mid: str, oid: str, state: str, created: int = 0) -> str:
        return (
            f"[Notice] <ObjectiveUpserted> Received ObjectiveUpserted push message for: "
            f"mission_id {mid} - objective_id {oid} - state MISSION_OBJECTIVE_STATE_{state} - "
            f"created {created} - flags=ShowInLog| [Team_GameServices][Missions]"
        )

    def _contract_done(self) -> None:
        if not self.missions:
            return
        mid, title = self.missions.pop(0)
        ok = self.bits(3) != 0
        self.emit(self._objective(mid, self.guid(), "COMPLETED" if ok else "FAILED"))
        self.step(6)
        word = "Complete" if ok else "Failed"
        self.hud(f"Contract {word}: {title}: ", mission=mid)
        self.step(5)
        self.emit(
            f"[Notice] <EndMission> Ending mission for player. MissionId[{mid}] "
            f"Player[{self.handle}] PlayerId[{self.player_geid}] CompletionType[{word}] "
            f"Reason[Mission Ended] [Team_MissionFeatures][Missions]"
        )
        self.step(5)
        self.emit(
            f"[Notice] <MissionEnded> Received MissionEnded push message for: mission_id {mid} "
            f"- mission_state MISSION_STATE_{'COMPLETED' if ok else 'FAILED'} "
            "[Team_GameServices][Missions]"
        )

    def ep_multiline_hud(self) -> None:
        """A notification whose text holds a newline: two lines with the same timestamp."""
        self.hud_id += 1
        mid = self.missions[0][0] if self.missions else _ZERO_GUID
        self.t["hud_added"] += 1
        self.emit(
            f'[Notice] <SHUDEvent_OnNotification> Added notification "New Objective: Deliver '
            f"{1 + self.bits(5)} SCU of {self.pick(_COMMODITIES)} to {self.pick(_LOCATIONS)}"
        )
        self.cont += 1
        self.emit(
            f': " [{self.hud_id}] to queue. New queue size: 1, MissionId: [{mid}], '
            f"ObjectiveId: [] {_HUD_TAGS}"
        )

    def ep_modern_death(self) -> None:
        if self.busy():
            self.ep_vehicle_control()
            return
        self.hud(
            "Incapacitated: While incapacitated, ask others in your party, in chat, or through "
            "rescue service beacons to revive you before the 'Time to Death' timer expires.",
            key="incapacitated",
        )
        self.later(20.0, 90.0, self.corpse_burst)
        self.dead_until = self.later(100.0, 160.0, self.respawn)

    def ep_vehicle_control(self) -> None:
        if self.bits(2) == 0:
            self.ship_cls, self.ship_id = self.pick(_SHIPS), self.eid()
        verb, what = ("SetDriver", "requesting") if self.bits(1) else ("ClearDriver", "releasing")
        self.emit(
            f"[Notice] <Vehicle Control Flow> CVehicleMovementBase::{verb}: Local client node "
            f"[{self.player_geid}] {what} control token for '{self.ship_cls}_{self.ship_id}' "
            f"[{self.ship_id}] [Team_CGP4][Vehicle]"
        )

    def ep_commodity(self) -> None:
        shop, kiosk = self.eid(), self.eid()
        qty = 100 * (1 + self.bits(8))
        price = qty * (1 + self.rand() * 40)
        name = self.pick(("SCShop_Admin_lt_base_g", "SCShop_ht_delta_shubin_m_store"))
        if self.bits(1):
            self.emit(
                "[Notice] <CEntityComponentCommodityUIProvider::SendCommodityBuyRequest> Sending "
                f"SShopCommodityBuyRequest - playerId[{self.player_geid}] shopId[{shop}] "
                f"shopName[{name}] kioskId[{kiosk}] price[{price:.6f}] shopPricePerCentiSCU["
                f"{price / qty:.6f}] resourceGUID[{self.guid()}] autoLoading[0] quantity["
                f"{qty:.6f} cSCU] Cargo Box Data: boxSize[16.000000] | "
                f"unitAmount[{qty // 1600 + 1}] "
                "[Team_CoreGameplayFeatures][Shops][UI]"
            )
        else:
            self.emit(
                "[Notice] <CEntityComponentCommodityUIProvider::SendCommoditySellRequest> "
                f"Sending SShopCommoditySellRequest - playerId[{self.player_geid}] shopId[{shop}] "
                f"shopName[{name}] kioskId[{kiosk}] amount[{price:.6f}] resourceGUID["
                f"{self.guid()}] autoLoading[1] quantity[{qty // 100}] transactionMode["
                "ResourceContainer] Cargo Box Data:  [boxSize[16] | "
                f"unitAmount[{qty // 1600 + 1}]] "
                "[Team_CoreGameplayFeatures][Shops][UI]"
            )

    def ep_stowed(self) -> None:
        area = self.pick(
            (
                "LandingArea_ShipElevator_HangarMediumTop",
                "LandingArea_ShipElevator_HangarSmallFront",
                f"[PROC]LandingArea_Pad_SmlB_{{{self.guid().upper()}}}",
            )
        )
        host = self.eid() if self.bits(2) else 0
        if self.branch >= "sc-alpha-4.9":
            self.emit(
                "[Notice] <LandingArea_UnregisterFromExternalSystems_StowingVehicle> [STOWING ON "
                f"UNREGISTER] {area} [{self.eid()}] - Attempting to stow current vehicle "
                f"[{self.ship_id}] due to landing area unregistering. Vehicle Zone Host [{host}], "
                "IsAuthorityPossible [0] [Team_MissionFeatures][ATC]"
            )
        else:
            self.emit(
                "[Notice] <CLandingArea::UnregisterFromExternalSystems> [STOWING ON UNREGISTER] "
                f"{area} [{self.eid()}] - Attempting to stow current vehicle [{self.ship_id}] due "
                f"to landing area unregistering. Vehicle Zone Host [{host}] "
                "[Team_MissionFeatures][ATC]"
            )

    def ep_equip(self) -> None:
        cls, port = self.pick(_ARMOR)
        self.emit(
            f"[Notice] <EquipItem> Request[{self.bits(7)}] equip from Inventory[{self.player_geid}"
            f":Location:{self.bits(31)}] Class[{cls}] Rank[{self.bits(40):x}] Port[Body_ItemPort:"
            f"{port}] DependentRequest[4294967295] PostAction[None] {self.tag_inv}"
        )

    def _episode_table(self) -> list[_Action]:
        common: list[tuple[int, _Action]] = [
            (60, self.ep_location),
            (40, self.ep_loadout),
            (10, self.ep_fleet),
        ]
        if self.modern:
            return _weighted(
                [
                    *common,
                    (90, self.ep_quantum),
                    (60, self.ep_zone_hud),
                    (40, self.ep_contract),
                    (12, self.ep_multiline_hud),
                    (25, self.ep_modern_death),
                    (70, self.ep_vehicle_control),
                    (35, self.ep_commodity),
                    (20, self.ep_stowed),
                    (30, self.ep_equip),
                ]
            )
        return _weighted(
            [
                *common,
                (50, self.ep_fps_kill),
                (35, self.ep_ship_kill),
                (25, self.ep_local_death),
                (8, self.ep_suicide),
                (10, self.ep_crash),
                (45, self.ep_nearby_destruction),
                (50, self.ep_spawn_flow),
                (30, self.ep_jump_drive),
                (30, self.ep_stall),
                (25, self.insurance_claim),
                (15, self.ep_vehicle_spawn),
            ]
        )

    # -- driver -----------------------------------------------------------------------
    def run(self, target_lines: int) -> Generator[str, None, None]:
        out = self.out
        produced = 0
        chatter = 0
        try:
            for phase in (self.header, self.login, self.join_pu):
                phase()
                produced += len(out)
                yield from out
                out.clear()
            body_end = target_lines - 6
            filler, episodes = self.filler, self.episodes
            bits, rand, run_due = self.bits, self.rand, self.run_due
            # Tuned to the real corpus: classified lines are ~8 % of a 4.7 session and ~12 %
            # of a 4.1 one (attachments, spawn flow, combat); the rest is noise and chatter.
            p_episode = 0.03 if self.modern else 0.058
            while produced < body_end:
                r = bits(4)
                if r < 6:
                    pass
                elif r < 13:
                    self.ms += bits(5)
                elif r < 15:
                    self.ms += bits(10)
                else:
                    self.ms += bits(14)
                if self.pending:
                    run_due()
                if rand() < p_episode:
                    episodes[bits(10)]()
                else:
                    noise0 = self.noise
                    before = len(out)
                    filler[bits(10)]()
                    chatter += len(out) - before - (self.noise - noise0)
                produced += len(out)
                yield from out
                out.clear()
            self.tail()
            produced += len(out)
            yield from out
            out.clear()
        finally:
            self.t["lines"] += produced
            self.t["noise_lines"] += self.noise
            self.t["chatter_lines"] += chatter
            self.t["continuation_lines"] += self.cont
            self.t["untimestamped_lines"] += self.bare


def synthesize_session(
    *,
    seed: int,
    era: Era,
    start: datetime,
    handle: str,
    target_lines: int,
    crlf: bool = True,
    truth: Counter[str] | None = None,
) -> Generator[str, None, None]:
    """Yield the lines (with their line endings) of one synthetic game launch.

    `target_lines` is met within a few lines for targets above ~250 (the header, login
    and join phases alone take ~140 lines). `start` is the UTC time of the first line
    (a naive datetime is taken as UTC). When the iterator is exhausted (or closed), each
    `TRUTH_KEYS` count is added to `truth`.
    """
    session = _Session(seed=seed, era=era, start=start, handle=handle, crlf=crlf)
    try:
        yield from session.run(target_lines)
    finally:
        if truth is not None:
            for key in TRUTH_KEYS:
                truth[key] += session.t[key]


def synthesize_log(
    *,
    seed: int,
    sessions: int,
    era: Era | None = None,
    start: datetime = DEFAULT_START,
    handle: str = DEFAULT_HANDLE,
    lines_per_session: int = 5_000,
    crlf: bool = True,
    truth: Counter[str] | None = None,
) -> Generator[str, None, None]:
    """Yield several sessions back to back, as if a backup set were concatenated in order.

    `era=None` alternates LEGACY_4_1 and MODERN_4_7, starting with legacy. Session sizes
    vary ±30 % around `lines_per_session`; each starts minutes to a day after the last
    one ended.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    at = start if start.tzinfo is not None else start.replace(tzinfo=UTC)
    for index in range(sessions):
        session_era = era if era is not None else (Era.LEGACY_4_1, Era.MODERN_4_7)[index % 2]
        size = int(lines_per_session * (0.7 + 0.6 * rng.random()))
        session = _Session(
            seed=rng.getrandbits(64), era=session_era, start=at, handle=handle, crlf=crlf
        )
        try:
            yield from session.run(max(size, 1))
        finally:
            if truth is not None:
                for key in TRUTH_KEYS:
                    truth[key] += session.t[key]
        ended = _EPOCH + timedelta(milliseconds=session.ms)
        at = ended + timedelta(seconds=60 + rng.getrandbits(17))
