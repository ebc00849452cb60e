"""The tray's view model: plain dataclasses the Qt layer renders, built by pure functions
from what the store holds (`StoreFacts`) and what the workers report (`LiveState`).

`read_facts` is the one function here that reads the database; everything else is pure and
takes "now" and the time zone as arguments, so all of it is testable without Qt or a clock.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from pathlib import Path

from starstats_client.config import SYNC_BATCH_SIZE, SYNC_INTERVAL_SECS, Config
from starstats_client.errors import PairingError
from starstats_client.importer import ImportProgress
from starstats_client.pairing import normalize_api_url, sync_table, with_sync_table
from starstats_client.store import Store, StoreCounts, SyncStats, UnknownShape
from starstats_client.tailer import TailStatus
from starstats_client.ui.eventlog import EventLog, StoredEvent
from starstats_client.ui.summary import summarize
from starstats_core.structure import parse_structure
from starstats_core.wire import MAX_BATCH_EVENTS

DEFAULT_INTERVAL_SECS = SYNC_INTERVAL_SECS
DEFAULT_BATCH_SIZE = SYNC_BATCH_SIZE
MIN_INTERVAL_SECS = 1  # the form's floor; new events wake the worker anyway
PAIRING_CODE_LENGTH = 8


# -- inputs -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FactsRequest:
    """What to read: `day_start` is local midnight as UTC ISO text (see `day_start`)."""

    day_start: str
    event_type: str | None = None
    events: int = 200
    shapes: int = 200


@dataclass(frozen=True, slots=True)
class StoreFacts:
    request: FactsRequest
    counts: StoreCounts
    sync: SyncStats
    shapes: tuple[UnknownShape, ...]  # the most frequent `request.shapes`
    unknown_lines: int  # over every shape, not just those listed
    today: int
    latest: StoredEvent | None
    recent: tuple[StoredEvent, ...]


def read_facts(store: Store, log: EventLog, request: FactsRequest) -> StoreFacts:
    """Everything the window shows that lives in the database (both handles belong to the
    calling thread)."""
    shapes = store.unknown_shapes()
    return StoreFacts(
        request=request,
        counts=store.counts(),
        sync=store.sync_stats(),
        shapes=tuple(shapes[: request.shapes]),
        unknown_lines=sum(shape.count for shape in shapes),
        today=log.count_since(request.day_start),
        latest=log.latest(),
        recent=tuple(log.recent(request.events, request.event_type)),
    )


@dataclass(frozen=True, slots=True)
class LiveState:
    """What the workers last reported (kept by the Qt thread, replaced on every notice)."""

    tails: tuple[TailStatus, ...] = ()
    import_progress: ImportProgress | None = None  # a copy, never the importer's own object
    import_running: bool = False
    import_error: str | None = None
    sync_off_reason: str | None = None  # None: the sync worker runs (or is paused)
    sync_paused: bool = False
    paired_handle: str | None = None
    problem: str | None = None  # the last worker failure


# -- outputs ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TailedFile:
    path: str
    offset: int
    error: str | None


@dataclass(frozen=True, slots=True)
class EventLine:
    event_type: str
    time: str
    summary: str


@dataclass(frozen=True, slots=True)
class SyncView:
    state: str  # "on (<worker state>)", "paused", or "off (<why>)"
    last_success: str
    last_error: str | None
    unsynced: int
    quarantined: int
    sent: str  # "accepted / duplicate / rejected" counts


@dataclass(frozen=True, slots=True)
class Coverage:
    classified: int  # events stored
    unknown_lines: int  # lines of an unknown shape (noise is neither)
    shapes: int

    @property
    def percent(self) -> float:
        seen = self.classified + self.unknown_lines
        return 100.0 * self.classified / seen if seen else 100.0

    @property
    def sentence(self) -> str:
        """The share of recognised lines in words a player reads at a glance."""
        return recognised_sentence(self.classified, self.unknown_lines)

    @property
    def text(self) -> str:
        return (
            f"{self.sentence}\n{self.classified:,} events recognised; {self.unknown_lines:,} "
            f"unrecognised lines of {self.shapes:,} kinds ({self.percent:.1f} % recognised)"
        )


def recognised_sentence(recognised: int, unknown: int) -> str:
    """ "1 line in 4 is something we recognise; the rest is engine chatter": the share
    `recognised / (recognised + unknown)` as the nearest simple fraction (denominators up
    to 10), or as 1 in N (N-1 in N) when it is under a tenth (over nine tenths)."""
    seen = recognised + unknown
    if not seen:
        return "No log lines read yet."
    if not unknown:
        return "Every line read is something we recognise."
    if not recognised:
        return "Nothing read so far is something we recognise: it is all engine chatter."
    share = recognised / seen
    if share < 0.1:
        k, n = 1, round(seen / recognised)
    elif share > 0.9:
        n = round(seen / unknown)
        k = n - 1
    else:  # the closest k/n; on a tie the smaller n (the simpler sentence)
        k, n = min(
            ((k, n) for n in range(2, 11) for k in range(1, n)),
            key=lambda kn: (abs(kn[0] / kn[1] - share), kn[1]),
        )
    counted = f"1 line in {n:,} is" if k == 1 else f"{k:,} lines in {n:,} are"
    return f"{counted} something we recognise; the rest is engine chatter."


@dataclass(frozen=True, slots=True)
class ImportView:
    running: bool
    text: str
    done: int  # bytes, for a progress bar
    total: int


@dataclass(frozen=True, slots=True)
class StatusView:
    files: tuple[TailedFile, ...]
    events_total: int
    events_today: int
    last_event: EventLine | None
    sync: SyncView
    pairing: str
    coverage: Coverage
    import_: ImportView | None
    problem: str | None


@dataclass(frozen=True, slots=True)
class EventsView:
    types: tuple[tuple[str, int], ...]  # (type, count) of every stored type, by name
    selected: str | None
    rows: tuple[EventLine, ...]


@dataclass(frozen=True, slots=True)
class ShapeRow:
    shape: str
    count: int
    sample: str
    event_name: str | None  # what Ignore adds to the noise list (None: the line has no name)


@dataclass(frozen=True, slots=True)
class UnknownView:
    rows: tuple[ShapeRow, ...]
    total_shapes: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    status: StatusView
    events: EventsView
    unknown: UnknownView


def build_snapshot(facts: StoreFacts, live: LiveState, tz: tzinfo) -> Snapshot:
    counts = facts.counts
    status = StatusView(
        files=tailed_files(live.tails),
        events_total=counts.events,
        events_today=facts.today,
        last_event=None if facts.latest is None else event_line(facts.latest, tz),
        sync=sync_view(facts.sync, counts, live, tz),
        pairing=pairing_text(live.paired_handle),
        coverage=Coverage(counts.events, facts.unknown_lines, counts.unknown_shapes),
        import_=import_view(live),
        problem=live.problem,
    )
    events = EventsView(
        types=tuple(sorted(counts.by_type.items())),
        selected=facts.request.event_type,
        rows=tuple(event_line(row, tz) for row in facts.recent),
    )
    unknown = UnknownView(shape_rows(facts.shapes), counts.unknown_shapes)
    return Snapshot(status, events, unknown)


def tailed_files(tails: Sequence[TailStatus]) -> tuple[TailedFile, ...]:
    return tuple(TailedFile(str(t.path), t.offset, t.last_error) for t in tails)


def event_line(row: StoredEvent, tz: tzinfo) -> EventLine:
    return EventLine(
        row.event_type, display_time(row.timestamp, tz), summarize(row.event_type, row.payload)
    )


def display_time(timestamp: str | None, tz: tzinfo) -> str:
    """`timestamp` (UTC ISO text) in the player's zone; the text itself if it is no time."""
    if not timestamp:
        return "never"
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return timestamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def day_start(now: datetime) -> str:
    """The start of `now`'s day in `now`'s own zone, as UTC text like the events' times."""
    midnight = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    return midnight.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def sync_view(stats: SyncStats, counts: StoreCounts, live: LiveState, tz: tzinfo) -> SyncView:
    if live.sync_paused:
        state = "paused"
    elif live.sync_off_reason is not None:
        state = f"off ({live.sync_off_reason})"
    elif stats.state == "pairing_lost":  # the worker stopped itself: the token was refused
        state = "off (pairing lost: pair again)"
    else:
        state = f"on ({stats.state})" if stats.state else "on"
    return SyncView(
        state=state,
        last_success=display_time(stats.last_success_at, tz),
        last_error=stats.last_error,
        unsynced=counts.unsynced,
        quarantined=counts.quarantined,
        sent=(
            f"{stats.events_accepted:,} accepted, {stats.events_duplicate:,} duplicate, "
            f"{stats.events_rejected:,} rejected in {stats.batches_sent:,} batches"
        ),
    )


def pairing_text(handle: str | None) -> str:
    return f"paired as {handle}" if handle else "not paired"


def import_view(live: LiveState) -> ImportView | None:
    progress = live.import_progress
    if live.import_error is not None:
        return ImportView(False, f"Import failed: {live.import_error}", 0, 0)
    if progress is None:
        return (
            ImportView(True, "Importing: looking for logs…", 0, 0) if live.import_running else None
        )
    read = progress.files_done - progress.files_skipped
    counts = (
        f"files {progress.files_done}/{progress.files_total} ({progress.files_skipped} skipped), "
        f"{progress.lines:,} lines, {progress.events:,} new events"
    )
    if live.import_running:
        current = f" — reading {progress.current.name}" if progress.current else ""
        text = f"Importing: {counts}{current}"
    else:
        text = f"Import finished: {read} file(s) read; {counts}"
    return ImportView(live.import_running, text, progress.bytes_done, progress.bytes_total)


def shape_rows(shapes: Sequence[UnknownShape]) -> tuple[ShapeRow, ...]:
    return tuple(ShapeRow(s.shape, s.count, s.sample, event_name_of(s.sample)) for s in shapes)


def event_name_of(line: str) -> str | None:
    """The `<Event Name>` of a (sample) log line, as `ignore` takes it."""
    entry = parse_structure(line)
    name = (entry.name or "").strip() if entry is not None else ""
    return name or None


# -- settings -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SettingsView:
    gamelog_path: str = ""  # blank: discover installs
    api_url: str = ""
    interval_secs: int = DEFAULT_INTERVAL_SECS
    batch_size: int = DEFAULT_BATCH_SIZE
    archive_backups: bool = False


def settings_view(config: Config) -> SettingsView:
    sync = sync_table(config)
    return SettingsView(
        gamelog_path="" if config.gamelog_path is None else str(config.gamelog_path),
        api_url=str(sync.get("api_url", "")),
        interval_secs=_int(sync.get("interval_secs"), DEFAULT_INTERVAL_SECS),
        batch_size=_int(sync.get("batch_size"), DEFAULT_BATCH_SIZE),
        archive_backups=config.archive_backups,
    )


def settings_problems(view: SettingsView) -> list[str]:
    """Why `view` cannot be saved (empty: it can)."""
    problems = []
    gamelog = view.gamelog_path.strip()
    if gamelog and Path(gamelog).name.casefold() != "game.log":
        problems.append("the Game.log override must name a Game.log file")
    if view.api_url.strip() and (problem := api_url_problem(view.api_url)):
        problems.append(problem)
    if view.interval_secs < MIN_INTERVAL_SECS:
        problems.append(f"the sync interval is at least {MIN_INTERVAL_SECS} seconds")
    if not 1 <= view.batch_size <= MAX_BATCH_EVENTS:
        problems.append(f"the batch size is between 1 and {MAX_BATCH_EVENTS}")
    return problems


def api_url_problem(url: str) -> str | None:
    """Why `url` cannot be the API URL (tokens only travel over TLS, or to this machine)."""
    try:
        normalize_api_url(url)
    except PairingError as err:
        return str(err)
    return None


def pairing_problems(api_url: str, code: str) -> list[str]:
    """Why the pairing form cannot be sent (empty: it can)."""
    problems = []
    if not api_url.strip():
        problems.append("enter the API URL first")
    elif problem := api_url_problem(api_url):
        problems.append(problem)
    code = code.strip()
    if len(code) != PAIRING_CODE_LENGTH or not code.isalnum():
        problems.append(f"a pairing code is {PAIRING_CODE_LENGTH} letters and digits")
    return problems


def config_with(config: Config, view: SettingsView) -> Config:
    """`config` with the form's values (keys the form does not show are kept)."""
    sync = sync_table(config)
    sync.update(
        api_url=view.api_url.strip().rstrip("/"),
        interval_secs=view.interval_secs,
        batch_size=view.batch_size,
    )
    gamelog = view.gamelog_path.strip()
    changed = config.with_changes(
        gamelog_path=Path(gamelog) if gamelog else None, archive_backups=view.archive_backups
    )
    return with_sync_table(changed, sync)


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
