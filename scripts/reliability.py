"""Reliability under failure (`make reliability`): real processes, broken on purpose, and
every event of every log counted on the server afterwards.

The stack (scripts/reliability_stack.py): a throwaway PostgreSQL (benchlib.py, pg.sh), SeaweedFS
with an Object Lock bucket (bench_audit.py's helpers), the API server under uvicorn
(`starstats-server serve`) on PostgreSQL with the audit mirror to SeaweedFS, and desktop
client processes (`starstats-client run`) tailing Game.log files that a writer thread keeps
growing with core's synthesizer. Only 127.0.0.1. Scenarios (`--scenario NAME`, default all):

  client-kill       kill -9 a syncing client at random moments (`--kills`, 50), restarting it
                    each time;
  server-restart    restart the API server (`--restarts`, 10; SIGINT and SIGKILL in turn)
                    during continuous ingest from `--clients` (4) clients;
  postgres-outage   stop PostgreSQL for `--pg-outage` (20) s mid-run: ingest must answer 503
                    with a JSON error, /readyz say `database: fail`, the clients back off and
                    catch up afterwards;
  s3-outage         stop the S3 server for `--s3-outage` (30) s: ingest goes on, the mirror
                    lag grows and returns to 0;
  disk-full         the client's data folder on a small tmpfs that fills up for `--disk-full`
                    (10) s: the client must report it, keep its database intact and resume
                    when space returns;
  clock-skew        two clients whose clocks are 10 minutes ahead and behind (libfaketime,
                    installed with apt when run as root): nothing rejected, the timestamps
                    stored are the log's.

Each scenario ends the same way: the logs stop growing, the clients drain, stop cleanly
(SIGTERM) and their SQLite passes `PRAGMA integrity_check`; the events expected from the logs
(scripts/reliability_ledger.py: core's parser, the client's idempotency keys) are compared
with the server's rows for the players' handles (lost, duplicated); the audit log's accepted
counts must equal the rows; the mirror must catch up and `starstats-server audit verify
--mirror` be clean (chain ok). Every loop has a count and a time limit. Prints progress lines
and a table; `--report FILE` writes the table as markdown. Exit 1 when a scenario loses or
duplicates an event, the chain fails, an acceptance check fails or a scenario cannot run.

Usage: uv run python scripts/reliability.py [--scenario NAME ...] [--quick] [--report FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import httpx

import reliability_ledger as ledger
from reliability_stack import (
    ApiServer,
    ClientProcess,
    LogWriter,
    ObjectStore,
    Postgres,
    StackError,
    sign_up,
    tail_text,
    throwaway_postgres,
    wait_for,
)

SCENARIOS = (
    "client-kill",
    "server-restart",
    "postgres-outage",
    "s3-outage",
    "disk-full",
    "clock-skew",
)
DRAIN_TIMEOUT = 240.0  # s for the clients to deliver everything after the logs stop
MIRROR_TIMEOUT = 180.0  # s for the audit mirror to catch up (its backoff reaches 60 s)


@dataclass(frozen=True)
class Counts:
    """How hard each scenario pushes; the defaults are the acceptance's."""

    kills: int = 50
    restarts: int = 10
    clients: int = 4
    outage_clients: int = 2  # clients ingesting through the PostgreSQL and S3 outages
    pg_outage: float = 20.0
    s3_outage: float = 30.0
    disk_full: float = 10.0
    skew_minutes: int = 10
    skew_run: float = 20.0  # s the skewed clients ingest


QUICK = Counts(
    kills=3,
    restarts=1,
    clients=2,
    outage_clients=1,
    pg_outage=5.0,
    s3_outage=5.0,
    disk_full=3.0,
    skew_run=3.0,
)


@dataclass
class Result:
    scenario: str
    runs: str
    tally: ledger.Tally = field(default_factory=ledger.Tally)
    chain_ok: bool | None = None
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        t = self.tally
        return (
            self.skipped is None
            and not self.failures
            and self.chain_ok is True
            and t.lost == 0
            and t.duplicated == 0
            and t.foreign == 0
        )


@dataclass(frozen=True)
class PlayerSpec:
    """A player to make: `Rel_<name>`, its client's batch size, its log's lines a second,
    how far its machine's clock is off (the log's timestamps too), extra environment for
    its client processes, and its client's data folder (default: in the run folder)."""

    name: str
    batch_size: int = 50
    rate: int = 100
    skew: timedelta = timedelta(0)
    extra_env: dict[str, str] = field(default_factory=dict)
    data: Path | None = None


@dataclass
class Player:
    """An account, its paired client and the log that client tails."""

    client: ClientProcess
    writer: LogWriter

    @property
    def handle(self) -> str:
        return self.client.handle


class Run:
    """One reliability run: the stack, the players of the current scenario, progress."""

    def __init__(self, folder: Path, counts: Counts, rng: random.Random) -> None:
        self.folder = folder
        self.counts = counts
        self.rng = rng
        self.began = time.monotonic()
        self.players: list[Player] = []
        self.pg: Postgres | None = None
        self._stack = ExitStack()
        self.s3: ObjectStore | None = None
        self._server: ApiServer | None = None

    # -- output -----------------------------------------------------------------------------
    def say(self, message: str) -> None:
        print(f"[{time.monotonic() - self.began:7.1f} s] {message}", flush=True)

    # -- the stack ----------------------------------------------------------------------------
    @property
    def has_server(self) -> bool:
        return self._server is not None

    @property
    def server(self) -> ApiServer:
        assert self._server is not None
        return self._server

    @property
    def postgres(self) -> Postgres:
        assert self.pg is not None
        return self.pg

    @property
    def objects(self) -> ObjectStore:
        assert self.s3 is not None
        return self.s3

    def setup(self) -> None:
        self.say("starting PostgreSQL (scripts/pg.sh) ...")
        self.pg = self._stack.enter_context(throwaway_postgres())
        self.say("starting SeaweedFS with an Object Lock bucket ...")
        self.s3 = ObjectStore(self.folder / "seaweedfs")
        self.s3.start()
        self._server = ApiServer(self.folder / "server", self.pg.url, self.s3.env)
        self.say("starting the API server (starstats-server serve) ...")
        self._server.start()
        self.say(f"API server on {self._server.url}, database {self.pg.url}")

    def teardown(self) -> None:
        self.say("stopping everything ...")
        self.drop_players()
        if self._server is not None:
            self._server.stop()
        if self.s3 is not None:
            self.s3.stop()
        self._stack.close()  # PostgreSQL: pg.sh down
        self.say("stopped")

    # -- players ----------------------------------------------------------------------------
    def new_players(self, scenario: str, specs: list[PlayerSpec]) -> list[Player]:
        """Sign up `Rel_<name>` for each spec and pair a client folder with it (all at once:
        each pairing is a `starstats-client pair` process); their logs' writers, not started."""
        seeds = [self.rng.getrandbits(32) for _ in specs]
        with ThreadPoolExecutor(max_workers=len(specs)) as pool:
            made = list(pool.map(partial(self._new_player, scenario), specs, seeds))
        self.players.extend(made)
        return made

    def new_player(self, scenario: str, spec: PlayerSpec) -> Player:
        return self.new_players(scenario, [spec])[0]

    def _new_player(self, scenario: str, spec: PlayerSpec, seed: int) -> Player:
        handle = f"Rel_{spec.name}"
        token = sign_up(self.server, handle)
        client = ClientProcess(
            spec.name,
            handle,
            self.folder / scenario / spec.name,
            extra_env=dict(spec.extra_env),
            data=spec.data,
        )
        client.pair(self.server, token, batch_size=spec.batch_size)
        client.log.touch()
        writer = LogWriter(
            client.log,
            seed=seed,
            handle=handle,
            start=datetime.now(UTC).replace(microsecond=0) + spec.skew,
            rate=spec.rate,
            limit=spec.rate * 3600,  # an hour of log at most, whatever happens
        )
        return Player(client, writer)

    def start_players(self, players: list[Player]) -> None:
        for player in players:
            player.writer.start()
            player.client.start()

    def drop_players(self) -> None:
        for player in self.players:
            player.writer.stop()
            player.client.stop(timeout=10)
        self.players = []

    def stored(self, players: list[Player]) -> dict[str, int]:
        return ledger.stored_counts(self.postgres.url, [p.handle for p in players])

    def wait_ingest(self, players: list[Player], timeout: float = 60) -> bool:
        """Until every player has more events on the server than now."""
        base = self.stored(players)
        took = wait_for(
            lambda: all(n > base[h] for h, n in self.stored(players).items()), timeout, every=0.5
        )
        return took is not None

    # -- the end of every scenario ------------------------------------------------------------
    def settle(self, result: Result, players: list[Player]) -> None:
        """Stop the logs, let the clients drain, stop them, count, verify the chain."""
        for player in players:
            player.writer.stop()
            if player.writer.error is not None:
                result.failures.append(f"{player.client.name}: log writer: {player.writer.error}")
            if not player.client.running:
                code = None if player.client.process is None else player.client.process.returncode
                result.failures.append(
                    f"{player.client.name} was not running at the end (exit {code}): "
                    f"{tail_text(player.client.stderr_path, 2)}"
                )
                player.client.start()  # as a supervisor would: still count what it has
        expected = {p.handle: ledger.expected_events(p.client.log) for p in players}
        want = {h: len(events) for h, events in expected.items()}
        self.say(f"{result.scenario}: logs stopped; waiting for {sum(want.values()):,} events")
        took = wait_for(
            lambda: all(n >= want[h] for h, n in self.stored(players).items()),
            DRAIN_TIMEOUT,
            every=0.5,
        )
        if took is None:
            result.failures.append(f"not all events on the server {DRAIN_TIMEOUT:.0f} s later")
        else:
            result.notes.append(f"drained {took:.1f} s after the logs stopped")
        for player in players:
            code = player.client.stop()
            if code != 0:
                result.failures.append(
                    f"{player.client.name} exited {code} on SIGTERM: "
                    f"{tail_text(player.client.stderr_path, 2)}"
                )
            integrity = player.client.integrity()
            if integrity != "ok":
                result.failures.append(f"{player.client.name} database: {integrity}")
            events, pending, quarantined = player.client.outbox()
            if quarantined:
                result.failures.append(f"{player.client.name} quarantined {quarantined} events")
            stored = ledger.stored_events(self.postgres.url, player.handle)
            counted = ledger.tally(expected[player.handle], stored)
            if counted.lost_keys:
                result.notes.append(
                    f"{player.client.name} lost e.g. {', '.join(counted.lost_keys[:3])} "
                    f"(client holds {events} events, {pending} pending)"
                )
            result.tally.add(counted)
        self._check_tally(result)
        result.chain_ok = self.check_chain(result)

    @staticmethod
    def _check_tally(result: Result) -> None:
        t = result.tally
        if t.foreign:
            result.failures.append(f"{t.foreign} stored events match nothing in the logs")
        if t.quarantined or t.audit_rejected:
            result.failures.append(
                f"server quarantined {t.quarantined} events ({t.audit_rejected} rejected)"
            )
        if t.audit_accepted != t.stored:
            result.failures.append(
                f"audit log says {t.audit_accepted:,} accepted, {t.stored:,} stored"
            )
        if t.timestamps_changed:
            result.failures.append(f"{t.timestamps_changed} events stored with another timestamp")
        if t.seq_gaps:
            result.failures.append(f"{t.seq_gaps} handle(s) with gaps in their seq")

    def check_chain(self, result: Result) -> bool:
        """The mirror caught up, then `audit verify --mirror` finds nothing."""
        caught = wait_for(
            lambda: len(set(ledger.mirror_position(self.postgres.url))) == 1,
            MIRROR_TIMEOUT,
            every=0.5,
        )
        head, uploaded = ledger.mirror_position(self.postgres.url)
        if caught is None:
            result.failures.append(f"mirror behind: {uploaded} of {head} audit rows uploaded")
        done = self.server.cli("audit", "verify", "--mirror")
        findings = [
            line
            for line in done.stdout.splitlines()
            if line.startswith(("missing", "differs", "extra"))
        ]
        ok = done.returncode == 0 and not findings
        summary = (done.stderr.strip().splitlines() or [""])[-1]
        result.notes.append(f"audit verify --mirror: exit {done.returncode}, {summary}")
        if not ok:
            result.notes.append("verify said: " + " | ".join(done.stdout.splitlines()[:5]))
        return ok


# -- scenarios --------------------------------------------------------------------------------
def client_kill(run: Run) -> Result:
    kills = run.counts.kills
    result = Result("client-kill", f"{kills} kill(s)")
    player = run.new_player("client-kill", PlayerSpec("kill1", batch_size=10, rate=200))
    run.start_players([player])
    if not run.wait_ingest([player], 60):
        result.failures.append("no event reached the server before the first kill")
    deadline = time.monotonic() + 20 * kills + 60
    pending_at_kill = 0
    for number in range(1, kills + 1):
        if time.monotonic() > deadline:
            result.failures.append(f"kill loop over its time limit after {number - 1} kills")
            break
        delay = run.rng.uniform(0.2, 3.0)
        time.sleep(delay)
        if not player.client.running:
            result.failures.append(
                f"the client had exited by itself before kill {number}: "
                f"{tail_text(player.client.stderr_path, 2)}"
            )
        _, pending, _ = player.client.outbox()
        player.client.kill()
        pending_at_kill += pending > 0
        run.say(f"client-kill: kill -9 {number}/{kills} at {delay:.2f} s ({pending} pending)")
        player.client.start()
    result.notes.append(f"{pending_at_kill} of {kills} kills hit a client with events to sync")
    run.settle(result, [player])
    return result


def server_restart(run: Run) -> Result:
    restarts, clients = run.counts.restarts, run.counts.clients
    result = Result("server-restart", f"{restarts} restart(s), {clients} clients")
    specs = [PlayerSpec(f"restart{n}") for n in range(1, clients + 1)]
    players = run.new_players("server-restart", specs)
    run.start_players(players)
    if not run.wait_ingest(players, 60):
        result.failures.append("not every client delivered before the first restart")
    catch_ups: list[float] = []
    for number in range(1, restarts + 1):
        time.sleep(run.rng.uniform(1.0, 4.0))  # ingest runs on
        kill = number % 2 == 1
        run.server.stop(kill=kill)
        down = run.rng.uniform(0.5, 2.0)
        time.sleep(down)
        began = time.monotonic()
        run.server.start()
        if not run.wait_ingest(players, 120):
            result.failures.append(f"restart {number}: not every client delivered again in 120 s")
            continue
        catch_ups.append(time.monotonic() - began)
        how = "SIGKILL" if kill else "SIGINT"
        run.say(
            f"server-restart: {number}/{restarts} by {how}, down {down:.1f} s + start-up; "
            f"every client delivering again after {catch_ups[-1]:.1f} s"
        )
    if catch_ups:
        result.notes.append(
            f"{restarts // 2} graceful (SIGINT) and {(restarts + 1) // 2} SIGKILL restarts; "
            f"all clients delivering again within {max(catch_ups):.1f} s of each start"
        )
    run.settle(result, players)
    return result


def _ingest_probe(server: ApiServer, token: str, handle: str) -> tuple[int, object]:
    body = {
        "schema_version": 2,
        "batch_id": f"probe-{uuid.uuid4()}",
        "claimed_handle": handle,
        "events": [],
    }
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with server.http() as api:
            response = api.post("/v1/ingest", json=body, headers=headers)
    except httpx.HTTPError as err:
        return 0, str(err)
    return response.status_code, _json_or_text(response)


def _readyz(server: ApiServer) -> tuple[int, object]:
    try:
        with server.http() as api:
            response = api.get("/readyz")
    except httpx.HTTPError as err:
        return 0, str(err)
    return response.status_code, _json_or_text(response)


def _json_or_text(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return response.text[:200]


def _checks(body: object) -> dict[str, object]:
    if isinstance(body, dict) and isinstance(body.get("checks"), dict):
        return dict(body["checks"])
    return {}


def postgres_outage(run: Run) -> Result:
    outage = run.counts.pg_outage
    result = Result("postgres-outage", f"1 x {outage:.0f} s")
    specs = [PlayerSpec(f"pg{n}") for n in range(1, run.counts.outage_clients + 1)]
    players = run.new_players("postgres-outage", specs)
    probe_handle = "Rel_pgprobe"
    probe_token = sign_up(run.server, probe_handle)
    run.start_players(players)
    if not run.wait_ingest(players, 60):
        result.failures.append("not every client delivered before the outage")
    run.postgres.stop()
    began = time.monotonic()
    run.say(f"postgres-outage: PostgreSQL stopped for {outage:.0f} s")
    ingest_seen: list[tuple[int, object]] = []
    ready_seen: list[tuple[int, object]] = []
    local_before = sum(max(p.client.outbox()[0], 0) for p in players)
    while time.monotonic() - began < outage:
        ingest_seen.append(_ingest_probe(run.server, probe_token, probe_handle))
        ready_seen.append(_readyz(run.server))
        time.sleep(1.0)
    local_during = sum(max(p.client.outbox()[0], 0) for p in players)
    run.postgres.start()
    back = time.monotonic()
    run.say("postgres-outage: PostgreSQL started again")
    backlog = {p.handle: max(p.client.outbox()[0], 0) for p in players}
    ready_after = wait_for(lambda: _readyz(run.server)[0] == 200, 60, every=0.5)
    caught = wait_for(
        lambda: all(n >= backlog[h] for h, n in run.stored(players).items()), 120, every=0.5
    )
    statuses = sorted({status for status, _ in ingest_seen})
    unavailable = [
        body
        for status, body in ingest_seen
        if status == 503 and isinstance(body, dict) and body.get("error") == "database_unavailable"
    ]
    result.notes.append(
        f"during the outage: ingest answered {statuses}, e.g. "
        f"{json.dumps(ingest_seen[0][1]) if ingest_seen else 'nothing'}"
    )
    if len(unavailable) != len(ingest_seen) or not unavailable:
        result.failures.append(f"ingest during the outage answered {statuses}, not only 503 JSON")
    db_failed = [
        status == 503 and _checks(body).get("database") == "fail" for status, body in ready_seen
    ]
    result.notes.append(
        f"/readyz during the outage: {sum(db_failed)}/{len(ready_seen)} x 503 database=fail, "
        f"e.g. {json.dumps(ready_seen[0][1]) if ready_seen else 'nothing'}"
    )
    if not ready_seen or not all(db_failed):
        result.failures.append("/readyz did not say database: fail throughout the outage")
    if ready_after is None:
        result.failures.append("/readyz not 200 within 60 s of PostgreSQL's return")
    if local_during <= local_before:
        result.failures.append("the clients stopped storing events locally during the outage")
    backed_off = [p for p in players if "HTTP 503 database_unavailable" in p.client.stderr()]
    result.notes.append(
        f"{len(backed_off)}/{len(players)} clients reported the 503 and backed off; "
        f"clients stored {local_during - local_before:,} events locally meanwhile"
    )
    if len(backed_off) != len(players):
        result.failures.append("not every client reported the 503 / backed off")
    if caught is None:
        result.failures.append("the clients did not catch up within 120 s")
    else:
        result.notes.append(
            f"backlog on the server {time.monotonic() - back:.1f} s after PostgreSQL returned"
        )
    run.settle(result, players)
    return result


def s3_outage(run: Run) -> Result:
    outage = run.counts.s3_outage
    result = Result("s3-outage", f"1 x {outage:.0f} s")
    specs = [PlayerSpec(f"s3_{n}") for n in range(1, run.counts.outage_clients + 1)]
    players = run.new_players("s3-outage", specs)
    run.start_players(players)
    if not run.wait_ingest(players, 60):
        result.failures.append("not every client delivered before the outage")
    url = run.postgres.url
    if wait_for(lambda: len(set(ledger.mirror_position(url))) == 1, MIRROR_TIMEOUT) is None:
        result.failures.append("the mirror was behind before the outage")
    stored_before = sum(run.stored(players).values())
    run.objects.stop()
    began = time.monotonic()
    run.say(f"s3-outage: SeaweedFS stopped for {outage:.0f} s")
    lag_rows: list[float] = []
    lag_seconds: list[float] = []
    behind: list[int] = []
    minio: list[object] = []
    foreign = 0
    while time.monotonic() - began < outage:
        foreign += ObjectStore.port_answers()
        lag_rows.append(run.server.metric("starstats_audit_mirror_lag_rows") or 0.0)
        lag_seconds.append(run.server.metric("starstats_audit_mirror_lag_seconds") or 0.0)
        head, uploaded = ledger.mirror_position(url)
        behind.append(head - uploaded)
        minio.append(_checks(_readyz(run.server)[1]).get("minio"))
        time.sleep(1.0)
    stored_during = sum(run.stored(players).values()) - stored_before
    run.objects.start()
    back = time.monotonic()
    run.say("s3-outage: SeaweedFS started again")
    caught = wait_for(
        lambda: (
            len(set(ledger.mirror_position(url))) == 1
            and run.server.metric("starstats_audit_mirror_lag_rows") == 0
        ),
        MIRROR_TIMEOUT,
        every=0.5,
    )
    result.notes.append(
        f"during the outage: {stored_during:,} events ingested; mirror lag up to "
        f"{max(behind, default=0)} rows (gauge {max(lag_rows, default=0):.0f} rows, "
        f"{max(lag_seconds, default=0):.1f} s); /readyz minio each second: "
        f"{''.join(str(m)[:1] for m in minio)} (f = fail, o = ok)"
    )
    if foreign:
        result.failures.append(
            "another S3 server answered on port 8333 while ours was down (weed mini's fixed "
            "ports: a test session or bench-audit on this machine?): the outage was not one"
        )
    if stored_during <= 0:
        result.failures.append("ingest stopped while S3 was down")
    if max(behind, default=0) <= 0 or max(lag_rows, default=0) <= 0:
        result.failures.append("the mirror lag (rows behind, and its gauge) did not grow")
    if _increasing_at_first(lag_seconds) is False:
        result.failures.append("starstats_audit_mirror_lag_seconds did not grow")
    if caught is None:
        result.failures.append(f"mirror lag not back to 0 within {MIRROR_TIMEOUT:.0f} s")
    else:
        result.notes.append(
            f"mirror lag back to 0 {time.monotonic() - back:.1f} s after S3 returned"
        )
    run.settle(result, players)
    return result


def _increasing_at_first(values: list[float]) -> bool | None:
    """Did the gauge rise during the outage (None: too few samples to say)."""
    if len(values) < 3:
        return None
    return max(values[1:]) > values[0]


def disk_full(run: Run) -> Result:
    hold = run.counts.disk_full
    result = Result("disk-full", f"1 x {hold:.0f} s full")
    if os.getuid() != 0:
        result.skipped = "needs root to mount a small tmpfs for the client's data folder"
        return result
    mount = run.folder / "disk-full-tmpfs"
    mount.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(  # noqa: S603 - fixed arguments
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        result.skipped = f"cannot mount a tmpfs: {mounted.stderr.strip()}"
        return result
    try:
        _fill_and_free(run, result, mount, hold)
    finally:
        run.drop_players()
        subprocess.run(["umount", "-l", str(mount)], check=False)  # noqa: S603, S607
    return result


def _fill_and_free(run: Run, result: Result, mount: Path, hold: float) -> None:
    player = run.new_player("disk-full", PlayerSpec("disk1", rate=200, data=mount / "data"))
    client = player.client
    run.start_players([player])
    if not run.wait_ingest([player], 60):
        result.failures.append("no event reached the server before the disk filled")
    ballast = mount / "ballast"
    seen = len(client.stderr())
    _fill(ballast)
    events_full = client.outbox()[0]
    run.say(f"disk-full: the client's filesystem is full ({events_full:,} events stored)")

    def reported() -> bool:
        said = client.stderr()[seen:].lower()
        return "full" in said or "no space" in said

    noticed = wait_for(reported, 60, every=0.5, stop=lambda: not client.running)
    if noticed is None and not reported():
        result.failures.append("the client did not report the full disk within 60 s")
    time.sleep(hold)
    alive = client.running
    said = client.stderr()[seen:].strip().splitlines()
    result.notes.append("client said: " + (" | ".join(said[-2:]) or "nothing"))
    ballast.unlink()
    run.say("disk-full: space is back")
    if not alive:
        code = None if client.process is None else client.process.returncode
        result.failures.append(
            f"the client exited (code {code}) when its disk filled instead of waiting for "
            "space; restarted it to check the rest"
        )
        client.start()
    stored_at_free = client.outbox()[0]
    resumed = wait_for(lambda: client.outbox()[0] > stored_at_free, 60, every=0.5)
    if resumed is None:
        result.failures.append("the client stored no new event within 60 s of space returning")
    else:
        result.notes.append(f"storing again {resumed:.1f} s after space returned")
    run.settle(result, [player])


def _fill(path: Path) -> None:
    """Write `path` until the filesystem is full (ENOSPC)."""
    block = b"\0" * (1 << 20)
    with path.open("wb", buffering=0) as ballast:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    ballast.write(block[:size])
            except OSError:
                continue


def faketime_library(run: Run) -> tuple[Path | None, str]:
    """libfaketime's preload library; installed with apt when missing and we are root."""

    def find() -> Path | None:
        found = sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))
        found += sorted(Path("/usr/lib/faketime").glob("libfaketime.so.1"))
        return found[0] if found else None

    library = find()
    if library is not None:
        return library, ""
    if os.getuid() != 0 or shutil.which("apt-get") is None:
        return None, "libfaketime is missing: apt-get install faketime (as root)"
    run.say("clock-skew: installing libfaketime (apt-get install faketime) ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "faketime"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:  # noqa: S603
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, check=False)  # noqa: S607
        subprocess.run(install, env=env, capture_output=True, check=False)  # noqa: S603
    library = find()
    return (library, "") if library else (None, "apt-get install faketime failed")


def clock_skew(run: Run) -> Result:
    minutes = run.counts.skew_minutes
    result = Result("clock-skew", f"2 clients, {minutes:+d} / {-minutes:+d} min")
    library, why = faketime_library(run)
    if library is None:
        result.skipped = why
        return result
    specs = []
    for name, offset in (("skew_ahead", minutes), ("skew_behind", -minutes)):
        env = {
            "LD_PRELOAD": str(library),
            "FAKETIME": f"{offset:+d}m",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        }
        # The game on that machine stamps its log with the same wrong clock.
        specs.append(PlayerSpec(name, skew=timedelta(minutes=offset), extra_env=env))
    made = run.new_players("clock-skew", specs)
    players = {int(spec.skew.total_seconds()) // 60: p for spec, p in zip(specs, made, strict=True)}
    run.start_players(made)
    if not run.wait_ingest(made, 60):
        result.failures.append("not every skewed client delivered")
    time.sleep(run.counts.skew_run)
    run.settle(result, made)
    t = result.tally
    result.notes.append(
        f"{t.stored - t.timestamps_changed:,} of {t.stored:,} stored events carry the log's "
        f"timestamp; {t.quarantined} quarantined, {t.audit_rejected} rejected"
    )
    for offset, player in players.items():
        stored = ledger.stored_events(run.postgres.url, player.handle)
        # The batch ids are UUIDv7 from the client's clock; the server stamps received_at.
        drift = [
            (uuid.UUID(e.batch_id).int >> 80) / 1000 - e.received_at.timestamp()
            for e in stored.events
        ]
        seconds = statistics.median(drift) if drift else 0.0
        result.notes.append(
            f"{player.client.name}: client clock {seconds / 60:+.1f} min from the server's "
            f"(batch ids), {len(stored.events):,} events, {stored.quarantined} quarantined"
        )
        if abs(seconds - offset * 60) > 60:
            result.failures.append(f"{player.client.name}'s clock was not {offset:+d} min off")
    return result


RUNNERS: dict[str, Callable[[Run], Result]] = {
    "client-kill": client_kill,
    "server-restart": server_restart,
    "postgres-outage": postgres_outage,
    "s3-outage": s3_outage,
    "disk-full": disk_full,
    "clock-skew": clock_skew,
}


# -- report ------------------------------------------------------------------------------------
def table(results: list[Result]) -> str:
    head = (
        "| scenario | runs | events sent | events stored | lost | duplicated | chain ok | "
        "result |\n|---|---|--:|--:|--:|--:|---|---|"
    )
    rows = []
    for r in results:
        t = r.tally
        chain = "-" if r.chain_ok is None else ("yes" if r.chain_ok else "NO")
        verdict = f"skipped: {r.skipped}" if r.skipped else "ok" if r.ok else "FAILED (see below)"
        rows.append(
            f"| {r.scenario} | {r.runs} | {t.sent:,} | {t.stored:,} | {t.lost:,} | "
            f"{t.duplicated:,} | {chain} | {verdict} |"
        )
    return "\n".join([head, *rows])


def details(results: list[Result]) -> str:
    lines = []
    for r in results:
        lines.append(f"- **{r.scenario}** ({r.seconds:.0f} s)")
        lines.extend(f"  - FAILED: {failure}" for failure in r.failures)
        lines.extend(f"  - {note}" for note in r.notes)
    return "\n".join(lines)


def run_scenario(run: Run, name: str) -> Result:
    run.say(f"== {name} ==")
    began = time.monotonic()
    try:
        result = RUNNERS[name](run)
    except (StackError, OSError, subprocess.SubprocessError, httpx.HTTPError) as err:
        result = Result(name, "-", failures=[f"could not run: {type(err).__name__}: {err}"])
    finally:
        run.drop_players()
        _heal(run)
    result.seconds = time.monotonic() - began
    verdict = f"skipped ({result.skipped})" if result.skipped else "ok" if result.ok else "FAILED"
    t = result.tally
    run.say(
        f"{name}: {verdict}: {t.sent:,} sent, {t.stored:,} stored, {t.lost} lost, "
        f"{t.duplicated} duplicated, chain {result.chain_ok} ({result.seconds:.0f} s)"
    )
    for failure in result.failures:
        run.say(f"{name}: FAILED: {failure}")
    return result


def _heal(run: Run) -> None:
    """After a scenario that failed halfway: PostgreSQL, S3 and the server running again."""
    try:
        if run.pg is not None and not run.pg.running:
            run.pg.start()
        if run.s3 is not None and not run.s3.running:
            run.s3.start()
        if run.has_server and not run.server.running:
            run.server.start()
    except StackError as err:
        run.say(f"cannot restore the stack: {err}")
        raise


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--scenario", action="append", choices=SCENARIOS, help="run only these")
    args.add_argument("--quick", action="store_true", help="small counts (CI): 3 kills, ...")
    args.add_argument("--kills", type=int, help="client kill -9s (50)")
    args.add_argument("--restarts", type=int, help="API server restarts (10)")
    args.add_argument("--clients", type=int, help="clients ingesting during restarts (4)")
    args.add_argument("--pg-outage", type=float, help="seconds PostgreSQL is down (20)")
    args.add_argument("--s3-outage", type=float, help="seconds S3 is down (30)")
    args.add_argument("--disk-full", type=float, help="seconds the client's disk is full (10)")
    args.add_argument("--seed", type=int, help="random seed (kill moments, logs)")
    args.add_argument("--report", type=Path, help="write the table as markdown here")
    args.add_argument("--keep", action="store_true", help="keep the run folder (logs, data)")
    args.add_argument("--folder", type=Path, help="make the run folder in here (default: TMPDIR)")
    opts = args.parse_args(argv)

    counts = QUICK if opts.quick else Counts()
    chosen = {
        name: value
        for name, value in (
            ("kills", opts.kills),
            ("restarts", opts.restarts),
            ("clients", opts.clients),
            ("pg_outage", opts.pg_outage),
            ("s3_outage", opts.s3_outage),
            ("disk_full", opts.disk_full),
        )
        if value is not None
    }
    counts = replace(counts, **chosen)
    seed = opts.seed if opts.seed is not None else random.SystemRandom().randrange(1 << 31)
    scenarios = opts.scenario or list(SCENARIOS)
    if opts.folder is not None:
        opts.folder.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="starstats-reliability-", dir=opts.folder))
    run = Run(folder, counts, random.Random(seed))  # noqa: S311 - test timing, not secrets
    run.say(f"reliability run, seed {seed}, counts {counts}, folder {folder}")
    results: list[Result] = []
    try:
        run.setup()
        results = [run_scenario(run, name) for name in scenarios]
    except StackError as err:
        run.say(f"error: {err}")
        return 2
    finally:
        run.teardown()
        failed = not results or not all(r.ok for r in results)
        if opts.keep or failed:
            print(f"run folder kept: {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    wall = time.monotonic() - run.began
    text = f"{table(results)}\n\n{details(results)}\n"
    print(f"\n{text}\nwall time {wall:.0f} s, seed {seed}", flush=True)
    if opts.report is not None:
        opts.report.write_text(
            f"# StarStats reliability run\n\nseed {seed}, wall time {wall:.0f} s, "
            f"counts: {counts}\n\n{text}",
            encoding="utf-8",
        )
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
