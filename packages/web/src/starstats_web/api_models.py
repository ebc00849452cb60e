"""Request and response models of the StarStats API. GENERATED, do not edit: regenerate
with `uv run python -m starstats_web.codegen` from packages/server/openapi.json
(datamodel-code-generator + ruff); a test fails when this file differs from its output."""

from __future__ import annotations

from datetime import date as date_aliased
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, RootModel


class AuditEntryOut(BaseModel):
    action: Annotated[str, Field(title="Action")]
    """
    e.g. user.logged_in, device.paired, ingest.batch_processed
    """
    actor_handle: Annotated[str | None, Field(title="Actor Handle")]
    occurred_at: Annotated[AwareDatetime, Field(title="Occurred At")]
    payload: Annotated[dict[str, Any], Field(title="Payload")]
    row_hash: Annotated[str, Field(title="Row Hash")]
    """
    SHA-256 of the entry in the chain, lowercase hex
    """
    seq: Annotated[int, Field(title="Seq")]
    """
    Position in the server-wide audit chain
    """


class AuditPageOut(BaseModel):
    entries: Annotated[list[AuditEntryOut], Field(title="Entries")]
    next_before: Annotated[int | None, Field(title="Next Before")]
    """
    Pass as before_seq for the next, older page; null when there is none.
    """


class AuthResponse(BaseModel):
    claimed_handle: Annotated[str, Field(title="Claimed Handle")]
    token: Annotated[str, Field(title="Token")]
    """
    User JWT (RS256), valid for one hour
    """
    totp_required: Annotated[bool, Field(title="Totp Required")]
    """
    Always false: TOTP is not offered yet
    """
    user_id: Annotated[UUID, Field(title="User Id")]


class CauseCount(BaseModel):
    cause: Annotated[str | None, Field(title="Cause")]
    count: Annotated[int, Field(title="Count")]


class CombatSummaryOut(BaseModel):
    deaths: Annotated[int, Field(title="Deaths")]
    deaths_by_cause: Annotated[list[CauseCount], Field(title="Deaths By Cause")]
    kills: Annotated[int | None, Field(title="Kills")]
    kills_logged: Annotated[bool, Field(title="Kills Logged")]
    note: Annotated[str, Field(title="Note")]
    vehicle_kills: Annotated[int | None, Field(title="Vehicle Kills")]


class ContractKindOut(BaseModel):
    abandoned: Annotated[int, Field(title="Abandoned")]
    completed: Annotated[int, Field(title="Completed")]
    failed: Annotated[int, Field(title="Failed")]
    in_progress: Annotated[int, Field(title="In Progress")]
    """
    No outcome logged yet.
    """
    kind: Annotated[str, Field(title="Kind")]
    """
    The contract kind (hauling, bounty_hunting, …, other).
    """
    other: Annotated[int, Field(title="Other")]
    """
    Withdrawn or expired.
    """


class ContractsSummaryOut(BaseModel):
    abandoned: Annotated[int, Field(title="Abandoned")]
    accepted: Annotated[int, Field(title="Accepted")]
    by_kind: Annotated[list[ContractKindOut], Field(title="By Kind")]
    """
    Outcomes per kind of the missions first taken in the window (each once, with its last outcome),
    most first.
    """
    completed: Annotated[int, Field(title="Completed")]
    completion_rate: Annotated[float | None, Field(title="Completion Rate")]
    """
    completed ÷ (completed + failed + abandoned); null with none of them.
    """
    failed: Annotated[int, Field(title="Failed")]


class DayCountOut(BaseModel):
    count: Annotated[int, Field(title="Count")]
    date: Annotated[date_aliased, Field(title="Date")]


class DayOut(BaseModel):
    day: Annotated[date_aliased, Field(title="Day")]
    """
    A UTC day.
    """
    seconds: Annotated[float, Field(title="Seconds")]
    """
    Time played that day.
    """


class DeathFact(BaseModel):
    cause: Annotated[str | None, Field(title="Cause")] = "unknown"
    damage_type: Annotated[str | None, Field(title="Damage Type")] = None
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    game_mode: Annotated[str | None, Field(title="Game Mode")] = "pu"
    killer: Annotated[str | None, Field(title="Killer")] = None
    killer_is_npc: Annotated[bool | None, Field(title="Killer Is Npc")] = None
    killer_name: Annotated[str | None, Field(title="Killer Name")] = None
    kind: Annotated[Literal["death"], Field(title="Kind")] = "death"
    n: Annotated[int, Field(title="N")]
    place: Annotated[str | None, Field(title="Place")] = None
    place_name: Annotated[str | None, Field(title="Place Name")] = None
    session_id: Annotated[str, Field(title="Session Id")]
    ship: Annotated[str | None, Field(title="Ship")] = None
    started_at: Annotated[str | None, Field(title="Started At")]
    weapon: Annotated[str | None, Field(title="Weapon")] = None
    weapon_name: Annotated[str | None, Field(title="Weapon Name")] = None


class DeleteAccountRequest(BaseModel):
    password: Annotated[str, Field(max_length=1024, title="Password")]


class DeviceOut(BaseModel):
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    id: Annotated[UUID, Field(title="Id")]
    label: Annotated[str, Field(title="Label")]
    last_seen_at: Annotated[AwareDatetime | None, Field(title="Last Seen At")]
    """
    Updated at most once a minute
    """


class DeviceRedeemed(BaseModel):
    claimed_handle: Annotated[str, Field(title="Claimed Handle")]
    device_id: Annotated[UUID, Field(title="Device Id")]
    label: Annotated[str, Field(title="Label")]
    token: Annotated[str, Field(title="Token")]
    """
    Device JWT (RS256), valid for 90 days unless revoked
    """


class EmailVerified(BaseModel):
    claimed_handle: Annotated[str, Field(title="Claimed Handle")]
    email: Annotated[str, Field(title="Email")]
    verified: Annotated[Literal[True], Field(title="Verified")]


class ErrorBody(BaseModel):
    """
    Every error response.
    """

    detail: Annotated[str, Field(title="Detail")]
    error: Annotated[str, Field(title="Error")]


class EventOut(BaseModel):
    event_timestamp: Annotated[AwareDatetime | None, Field(title="Event Timestamp")]
    event_type: Annotated[str, Field(title="Event Type")]
    log_source: Annotated[str, Field(title="Log Source")]
    payload: Annotated[dict[str, Any] | None, Field(title="Payload")]
    seq: Annotated[int, Field(title="Seq")]
    source_offset: Annotated[int, Field(title="Source Offset")]


class EventPageOut(BaseModel):
    events: Annotated[list[EventOut], Field(title="Events")]
    next_after: Annotated[int | None, Field(title="Next After")]
    """
    Pass as after_seq to read what is newer than this page.
    """
    next_before: Annotated[int | None, Field(title="Next Before")]
    """
    Pass as before_seq for the next, older page; null when there is none.
    """


class GoodOut(BaseModel):
    buys: Annotated[int, Field(title="Buys")]
    earned: Annotated[float, Field(title="Earned")]
    good: Annotated[str | None, Field(title="Good")]
    good_name: Annotated[str | None, Field(title="Good Name")] = None
    market: Annotated[str | None, Field(title="Market")] = None
    profit: Annotated[float, Field(title="Profit")]
    """
    earned − spent for this good in the window
    """
    sells: Annotated[int, Field(title="Sells")]
    spent: Annotated[float, Field(title="Spent")]


class Health(BaseModel):
    status: Annotated[Literal["ok"], Field(title="Status")]
    version: Annotated[str, Field(title="Version")]


class IngestBatchOut(BaseModel):
    accepted: Annotated[int, Field(title="Accepted")]
    batch_id: Annotated[str, Field(title="Batch Id")]
    device_id: Annotated[UUID | None, Field(title="Device Id")]
    """
    Null for batches sent with a user token
    """
    duplicate: Annotated[int, Field(title="Duplicate")]
    game_build: Annotated[str | None, Field(title="Game Build")]
    occurred_at: Annotated[AwareDatetime, Field(title="Occurred At")]
    rejected: Annotated[int, Field(title="Rejected")]
    seq: Annotated[int, Field(title="Seq")]
    total: Annotated[int, Field(title="Total")]


class IngestHistoryOut(BaseModel):
    batches: Annotated[list[IngestBatchOut], Field(title="Batches")]


class IngestResponse(BaseModel):
    """
    What the server did with each envelope of a batch.
    """

    accepted: Annotated[int, Field(title="Accepted")]
    batch_id: Annotated[str, Field(title="Batch Id")]
    duplicate: Annotated[int, Field(title="Duplicate")]
    rejected: Annotated[int, Field(title="Rejected")]


class Jwk(BaseModel):
    alg: Annotated[str, Field(title="Alg")]
    e: Annotated[str, Field(title="E")]
    kid: Annotated[str, Field(title="Kid")]
    kty: Annotated[str, Field(title="Kty")]
    n: Annotated[str, Field(title="N")]
    use: Annotated[str, Field(title="Use")]


class Jwks(BaseModel):
    keys: Annotated[list[Jwk], Field(title="Keys")]


class KillFact(BaseModel):
    damage_type: Annotated[str | None, Field(title="Damage Type")] = None
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    game_mode: Annotated[str | None, Field(title="Game Mode")] = "pu"
    kind: Annotated[Literal["kill"], Field(title="Kind")] = "kill"
    n: Annotated[int, Field(title="N")]
    place: Annotated[str | None, Field(title="Place")] = None
    place_name: Annotated[str | None, Field(title="Place Name")] = None
    session_id: Annotated[str, Field(title="Session Id")]
    ship: Annotated[str | None, Field(title="Ship")] = None
    started_at: Annotated[str | None, Field(title="Started At")]
    target_kind: Annotated[str | None, Field(title="Target Kind")] = "actor"
    victim: Annotated[str | None, Field(title="Victim")] = ""
    victim_is_npc: Annotated[bool | None, Field(title="Victim Is Npc")] = False
    victim_name: Annotated[str | None, Field(title="Victim Name")] = ""
    weapon: Annotated[str | None, Field(title="Weapon")] = None
    weapon_name: Annotated[str | None, Field(title="Weapon Name")] = None


class LastSeenOut(BaseModel):
    at: Annotated[str | None, Field(title="At")]
    place: Annotated[str | None, Field(title="Place")]
    place_name: Annotated[str | None, Field(title="Place Name")]
    session_id: Annotated[str, Field(title="Session Id")]
    session_open: Annotated[bool, Field(title="Session Open")]
    """
    The newest session has not logged its quit.
    """
    ship: Annotated[str | None, Field(title="Ship")]
    ship_name: Annotated[str | None, Field(title="Ship Name")]


class LegFact(BaseModel):
    destination: Annotated[str | None, Field(title="Destination")] = None
    destination_name: Annotated[str | None, Field(title="Destination Name")] = None
    destination_raw: Annotated[str | None, Field(title="Destination Raw")] = None
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    kind: Annotated[Literal["leg"], Field(title="Kind")] = "leg"
    leg_kind: Annotated[str | None, Field(title="Leg Kind")] = "quantum"
    n: Annotated[int, Field(title="N")]
    origin: Annotated[str | None, Field(title="Origin")] = None
    origin_name: Annotated[str | None, Field(title="Origin Name")] = None
    rerouted: Annotated[bool | None, Field(title="Rerouted")] = False
    seconds: Annotated[float | None, Field(title="Seconds")] = None
    session_id: Annotated[str, Field(title="Session Id")]
    started_at: Annotated[str | None, Field(title="Started At")]
    status: Annotated[str | None, Field(title="Status")] = "arrived"
    vehicle: Annotated[str | None, Field(title="Vehicle")] = None
    vehicle_id: Annotated[str | None, Field(title="Vehicle Id")] = None
    vehicle_name: Annotated[str | None, Field(title="Vehicle Name")] = None


class LegPageOut(BaseModel):
    items: Annotated[list[LegFact], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")]


class LifeFact(BaseModel):
    cause: Annotated[str | None, Field(title="Cause")] = None
    end: Annotated[str | None, Field(title="End")] = None
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    incapacitations: Annotated[int | None, Field(title="Incapacitations")] = 0
    kind: Annotated[Literal["life"], Field(title="Kind")] = "life"
    med_bed_heals: Annotated[int | None, Field(title="Med Bed Heals")] = 0
    n: Annotated[int, Field(title="N")]
    place: Annotated[str | None, Field(title="Place")] = None
    place_name: Annotated[str | None, Field(title="Place Name")] = None
    revived: Annotated[int | None, Field(title="Revived")] = 0
    seconds: Annotated[float | None, Field(title="Seconds")] = 0.0
    session_id: Annotated[str, Field(title="Session Id")]
    ship: Annotated[str | None, Field(title="Ship")] = None
    started_at: Annotated[str | None, Field(title="Started At")]


class LifePageOut(BaseModel):
    items: Annotated[list[LifeFact], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")]


class LoginRequest(BaseModel):
    email: Annotated[str, Field(max_length=254, title="Email")]
    password: Annotated[str, Field(max_length=1024, title="Password")]


class Me(BaseModel):
    claimed_handle: Annotated[str, Field(title="Claimed Handle")]
    email: Annotated[str, Field(title="Email")]
    email_verified: Annotated[bool, Field(title="Email Verified")]
    pending_email: Annotated[str | None, Field(title="Pending Email")]
    """
    Always null: email change is not offered yet
    """
    rsi_verified: Annotated[bool, Field(title="Rsi Verified")]
    staff_roles: Annotated[list[str], Field(title="Staff Roles")]
    totp_enabled: Annotated[bool, Field(title="Totp Enabled")]
    user_id: Annotated[UUID, Field(title="User Id")]


class Objective(BaseModel):
    """
    One objective of a contract, with every state the log gave it.
    """

    history: Annotated[list[list[str]] | None, Field(title="History")] = None
    objective_id: Annotated[str, Field(title="Objective Id")]
    state: Annotated[str | None, Field(title="State")] = "inprogress"
    text: Annotated[str | None, Field(title="Text")] = None


class OpenIdConfiguration(BaseModel):
    id_token_signing_alg_values_supported: Annotated[
        list[str], Field(title="Id Token Signing Alg Values Supported")
    ]
    issuer: Annotated[str, Field(title="Issuer")]
    jwks_uri: Annotated[str, Field(title="Jwks Uri")]
    response_types_supported: Annotated[list[str], Field(title="Response Types Supported")]
    subject_types_supported: Annotated[list[str], Field(title="Subject Types Supported")]
    token_endpoint_auth_methods_supported: Annotated[
        list[str], Field(title="Token Endpoint Auth Methods Supported")
    ]


class OrgIn(BaseModel):
    name: Annotated[str, Field(max_length=80, min_length=1, title="Name")]
    slug: Annotated[str, Field(pattern="^[A-Za-z0-9-]{3,40}$", title="Slug")]


class OrgShareIn(BaseModel):
    org_slug: Annotated[str, Field(pattern="^[A-Za-z0-9-]{3,40}$", title="Org Slug")]


class OrgShareOut(BaseModel):
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    org_name: Annotated[str, Field(title="Org Name")]
    org_slug: Annotated[str, Field(title="Org Slug")]


class PairingStarted(BaseModel):
    code: Annotated[str, Field(title="Code")]
    """
    8 characters; type it into the desktop client
    """
    expires_at: Annotated[AwareDatetime, Field(title="Expires At")]
    label: Annotated[str, Field(title="Label")]


class PlaceOut(BaseModel):
    last_day: Annotated[date_aliased | None, Field(title="Last Day")]
    """
    The last UTC day with a visit (or stint).
    """
    name: Annotated[str | None, Field(title="Name")] = None
    place: Annotated[str, Field(title="Place")]
    place_kind: Annotated[str | None, Field(title="Place Kind")] = None
    seconds: Annotated[float, Field(title="Seconds")]
    system: Annotated[str | None, Field(title="System")] = None
    visits: Annotated[int, Field(title="Visits")]


class Checks(StrEnum):
    ok = "ok"
    fail = "fail"
    skipped = "skipped"


class Status(StrEnum):
    ok = "ok"
    degraded = "degraded"


class Readiness(BaseModel):
    checks: Annotated[dict[str, Checks], Field(title="Checks")]
    status: Annotated[Status, Field(title="Status")]
    version: Annotated[str, Field(title="Version")]


class RecordOut(BaseModel):
    at: Annotated[AwareDatetime | None, Field(title="At")] = None
    label: Annotated[str | None, Field(title="Label")] = None
    session_id: Annotated[str | None, Field(title="Session Id")] = None
    ship: Annotated[str | None, Field(title="Ship")] = None
    unit: Annotated[str, Field(title="Unit")]
    value: Annotated[float, Field(title="Value")]


class RecordsOut(BaseModel):
    biggest_sale: RecordOut | None
    longest_life: RecordOut | None
    longest_session: RecordOut | None
    most_contracts_completed: RecordOut | None
    most_quantum_legs: RecordOut | None
    most_time_in_one_ship: RecordOut | None


class RedeemRequest(BaseModel):
    code: Annotated[str, Field(max_length=64, title="Code")]


class ResendResponse(BaseModel):
    sent: Annotated[bool, Field(title="Sent")]
    """
    Whether the mail server accepted the message
    """


class RevokedOut(BaseModel):
    revoked: Annotated[str, Field(title="Revoked")]
    """
    The handle or org slug no longer shared with
    """


class Role(StrEnum):
    owner = "owner"
    admin = "admin"
    member = "member"


class SessionOut(BaseModel):
    duration_seconds: Annotated[int, Field(title="Duration Seconds")]
    end_at: Annotated[AwareDatetime, Field(title="End At")]
    event_count: Annotated[int, Field(title="Event Count")]
    game_version: Annotated[str | None, Field(title="Game Version")]
    shard: Annotated[str | None, Field(title="Shard")]
    """
    The first shard joined in the session.
    """
    ships: Annotated[list[str], Field(title="Ships")]
    """
    Vehicles flown in the session, in order of first use.
    """
    start_at: Annotated[AwareDatetime, Field(title="Start At")]


class ShareIn(BaseModel):
    recipient_handle: Annotated[
        str, Field(pattern="^[A-Za-z0-9_-]{1,64}$", title="Recipient Handle")
    ]


class ShareOut(BaseModel):
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    recipient_handle: Annotated[str, Field(title="Recipient Handle")]


class SharedWithMeItem(BaseModel):
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    owner_handle: Annotated[str, Field(title="Owner Handle")]
    via_org: Annotated[str | None, Field(title="Via Org")]
    """
    The org it was shared with; null when with me
    """


class SharedWithMeOut(BaseModel):
    shares: Annotated[list[SharedWithMeItem], Field(title="Shares")]


class ShipOut(BaseModel):
    last_day: Annotated[date_aliased | None, Field(title="Last Day")]
    """
    The last UTC day with a visit (or stint).
    """
    name: Annotated[str, Field(title="Name")]
    seconds: Annotated[float, Field(title="Seconds")]
    ship: Annotated[str, Field(title="Ship")]
    stints: Annotated[int, Field(title="Stints")]


class SignupRequest(BaseModel):
    claimed_handle: Annotated[str, Field(max_length=256, title="Claimed Handle")]
    email: Annotated[str, Field(max_length=254, title="Email")]
    password: Annotated[str, Field(max_length=1024, title="Password")]


class Label(RootModel[str]):
    root: Annotated[str, Field(max_length=100, title="Label")]


class StartPairingRequest(BaseModel):
    label: Annotated[Label | None, Field(title="Label")] = None


class StatsOverviewOut(BaseModel):
    active_days: Annotated[int, Field(title="Active Days")]
    """
    UTC days with at least one timed event.
    """
    deaths: Annotated[int, Field(title="Deaths")]
    """
    Logged deaths plus deaths_inferred.
    """
    deaths_inferred: Annotated[int, Field(title="Deaths Inferred")]
    """
    Deaths inferred from 4.4+ logs (the 'Incapacitated:' banner), which have no death lines;
    included in `deaths`.
    """
    first_event_at: Annotated[AwareDatetime | None, Field(title="First Event At")]
    kills: Annotated[int | None, Field(title="Kills")]
    """
    Kills from 3.24-4.3 kill lines; null when the player's logs carry none (the game stopped logging
    kills in 4.4).
    """
    kills_logged: Annotated[bool, Field(title="Kills Logged")]
    """
    True when kill lines are stored or a launch ran a version that writes them.
    """
    last_event_at: Annotated[AwareDatetime | None, Field(title="Last Event At")]
    locations_visited: Annotated[int, Field(title="Locations Visited")]
    """
    Distinct places whose inventory was opened.
    """
    play_time_seconds: Annotated[int, Field(title="Play Time Seconds")]
    """
    Summed session durations, whole seconds.
    """
    sessions: Annotated[int, Field(title="Sessions")]
    """
    Game sessions (GET /v1/me/sessions counts the same way).
    """
    shards_joined: Annotated[int, Field(title="Shards Joined")]
    ships_flown: Annotated[int, Field(title="Ships Flown")]
    """
    Distinct vehicles the player controlled or navigated.
    """
    total_events: Annotated[int, Field(title="Total Events")]


class StintFact(BaseModel):
    end: Annotated[str | None, Field(title="End")] = None
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    kind: Annotated[Literal["stint"], Field(title="Kind")] = "stint"
    legs: Annotated[int | None, Field(title="Legs")] = 0
    n: Annotated[int, Field(title="N")]
    name: Annotated[str | None, Field(title="Name")] = ""
    seconds: Annotated[float | None, Field(title="Seconds")] = 0.0
    session_id: Annotated[str, Field(title="Session Id")]
    ship: Annotated[str | None, Field(title="Ship")] = ""
    started_at: Annotated[str | None, Field(title="Started At")]
    vehicle_id: Annotated[str | None, Field(title="Vehicle Id")] = ""


class StopFact(BaseModel):
    arrived_by: Annotated[str | None, Field(title="Arrived By")] = ""
    body: Annotated[str | None, Field(title="Body")] = None
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    kind: Annotated[Literal["stop"], Field(title="Kind")] = "stop"
    n: Annotated[int, Field(title="N")]
    name: Annotated[str | None, Field(title="Name")] = ""
    place: Annotated[str | None, Field(title="Place")] = ""
    place_kind: Annotated[str | None, Field(title="Place Kind")] = ""
    raw: Annotated[str | None, Field(title="Raw")] = ""
    seconds: Annotated[float | None, Field(title="Seconds")] = 0.0
    session_id: Annotated[str, Field(title="Session Id")]
    signals: Annotated[list[str] | None, Field(title="Signals")] = None
    started_at: Annotated[str | None, Field(title="Started At")]
    system: Annotated[str | None, Field(title="System")] = None


class StretchFact(BaseModel):
    end: Annotated[str | None, Field(title="End")] = None
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    game_mode: Annotated[str | None, Field(title="Game Mode")] = None
    kind: Annotated[Literal["stretch"], Field(title="Kind")] = "stretch"
    mode: Annotated[str | None, Field(title="Mode")] = "pu"
    n: Annotated[int, Field(title="N")]
    seconds: Annotated[float | None, Field(title="Seconds")] = 0.0
    session_id: Annotated[str, Field(title="Session Id")]
    shard: Annotated[str | None, Field(title="Shard")] = None
    started_at: Annotated[str | None, Field(title="Started At")]


class TimelineOut(BaseModel):
    buckets: Annotated[list[DayCountOut], Field(title="Buckets")]
    days: Annotated[int, Field(title="Days")]


class TotalsOut(BaseModel):
    arena_seconds: Annotated[float, Field(title="Arena Seconds")]
    contracts_abandoned: Annotated[int, Field(title="Contracts Abandoned")]
    contracts_accepted: Annotated[int, Field(title="Contracts Accepted")]
    contracts_completed: Annotated[int, Field(title="Contracts Completed")]
    contracts_failed: Annotated[int, Field(title="Contracts Failed")]
    deaths: Annotated[int, Field(title="Deaths")]
    """
    The player's own deaths, self-inflicted included.
    """
    jumps: Annotated[int, Field(title="Jumps")]
    """
    Jump-point transits between systems.
    """
    kills: Annotated[int | None, Field(title="Kills")]
    """
    People killed; null when no session logs kills.
    """
    menu_seconds: Annotated[float, Field(title="Menu Seconds")]
    play_seconds: Annotated[float, Field(title="Play Seconds")]
    """
    The game was running.
    """
    pu_seconds: Annotated[float, Field(title="Pu Seconds")]
    """
    In the persistent universe.
    """
    quantum_legs: Annotated[int, Field(title="Quantum Legs")]
    """
    Quantum jumps that arrived (not target selections).
    """
    sessions: Annotated[int, Field(title="Sessions")]
    ship_seconds: Annotated[float, Field(title="Ship Seconds")]
    """
    At a ship's controls.
    """
    trade_earned: Annotated[float, Field(title="Trade Earned")]
    trade_profit: Annotated[float, Field(title="Trade Profit")]
    trade_spent: Annotated[float, Field(title="Trade Spent")]
    vehicle_kills: Annotated[int | None, Field(title="Vehicle Kills")]
    """
    Vehicles brought to destroy level 2.
    """


class TradeFact(BaseModel):
    category: Annotated[str | None, Field(title="Category")] = "other"
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    good: Annotated[str | None, Field(title="Good")] = None
    good_name: Annotated[str | None, Field(title="Good Name")] = ""
    kind: Annotated[Literal["trade"], Field(title="Kind")] = "trade"
    market: Annotated[str | None, Field(title="Market")] = "item"
    n: Annotated[int, Field(title="N")]
    place: Annotated[str | None, Field(title="Place")] = None
    place_name: Annotated[str | None, Field(title="Place Name")] = None
    quantity: Annotated[float | None, Field(title="Quantity")] = None
    session_id: Annotated[str, Field(title="Session Id")]
    shop: Annotated[str | None, Field(title="Shop")] = None
    shop_name: Annotated[str | None, Field(title="Shop Name")] = None
    side: Annotated[str | None, Field(title="Side")] = "buy"
    started_at: Annotated[str | None, Field(title="Started At")]
    status: Annotated[str | None, Field(title="Status")] = "submitted"
    total: Annotated[float | None, Field(title="Total")] = None
    unit: Annotated[str | None, Field(title="Unit")] = None
    unit_price: Annotated[float | None, Field(title="Unit Price")] = None


class TradesOut(BaseModel):
    by_good: Annotated[list[GoodOut], Field(title="By Good")]
    earned: Annotated[float, Field(title="Earned")]
    goods: Annotated[int, Field(title="Goods")]
    """
    Goods traded in the window (`by_good` lists the top 100).
    """
    items: Annotated[list[TradeFact], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")]
    profit: Annotated[float, Field(title="Profit")]
    spent: Annotated[float, Field(title="Spent")]


class TradesSummaryOut(BaseModel):
    by_good: Annotated[list[GoodOut], Field(title="By Good")]
    earned: Annotated[float, Field(title="Earned")]
    goods: Annotated[int, Field(title="Goods")]
    """
    Goods traded in the window (`by_good` lists the top 100).
    """
    profit: Annotated[float, Field(title="Profit")]
    spent: Annotated[float, Field(title="Spent")]


class TypeCountOut(BaseModel):
    count: Annotated[int, Field(title="Count")]
    event_type: Annotated[str, Field(title="Event Type")]


class TypeDayOut(BaseModel):
    by_type: Annotated[list[TypeCountOut], Field(title="By Type")]
    """
    Counts of the listed `types` on this day, in their order; zeros omitted.
    """
    date: Annotated[date_aliased, Field(title="Date")]
    other: Annotated[int, Field(title="Other")]
    """
    Events of all other types on this day.
    """
    total: Annotated[int, Field(title="Total")]


class TypeTimelineOut(BaseModel):
    buckets: Annotated[list[TypeDayOut], Field(title="Buckets")]
    days: Annotated[int, Field(title="Days")]
    types: Annotated[list[str], Field(title="Types")]
    """
    The window's most frequent types, most frequent first.
    """


class VerifyEmailRequest(BaseModel):
    token: Annotated[str, Field(max_length=256, title="Token")]


class VisibilityIn(BaseModel):
    public: Annotated[bool, Field(title="Public")]


class VisibilityOut(BaseModel):
    public: Annotated[bool, Field(title="Public")]
    """
    Whether anyone, signed in or not, may read my stats
    """


class CombatOut(BaseModel):
    deaths: Annotated[int, Field(title="Deaths")]
    deaths_by_cause: Annotated[list[CauseCount], Field(title="Deaths By Cause")]
    items: Annotated[
        list[Annotated[KillFact | DeathFact, Field(discriminator="kind")]],
        Field(title="Items"),
    ]
    kills: Annotated[int | None, Field(title="Kills")]
    kills_logged: Annotated[bool, Field(title="Kills Logged")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")]
    note: Annotated[str, Field(title="Note")]
    vehicle_kills: Annotated[int | None, Field(title="Vehicle Kills")]


class ContractFact(BaseModel):
    accepted_in_session: Annotated[bool | None, Field(title="Accepted In Session")] = False
    contract: Annotated[str | None, Field(title="Contract")] = None
    contract_kind: Annotated[str | None, Field(title="Contract Kind")] = "other"
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    generator: Annotated[str | None, Field(title="Generator")] = None
    kind: Annotated[Literal["contract"], Field(title="Kind")] = "contract"
    mission_id: Annotated[str | None, Field(title="Mission Id")] = ""
    n: Annotated[int, Field(title="N")]
    objectives: Annotated[list[Objective] | None, Field(title="Objectives")] = None
    outcome: Annotated[str | None, Field(title="Outcome")] = "in_progress"
    outcome_by: Annotated[str | None, Field(title="Outcome By")] = None
    reward: Annotated[float | None, Field(title="Reward")] = None
    seconds: Annotated[float | None, Field(title="Seconds")] = None
    session_id: Annotated[str, Field(title="Session Id")]
    started_at: Annotated[str | None, Field(title="Started At")]
    title: Annotated[str | None, Field(title="Title")] = None


class ContractRunOut(BaseModel):
    accepted_in_session: Annotated[bool | None, Field(title="Accepted In Session")] = False
    contract: Annotated[str | None, Field(title="Contract")] = None
    contract_kind: Annotated[str | None, Field(title="Contract Kind")] = "other"
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    generator: Annotated[str | None, Field(title="Generator")] = None
    kind: Annotated[Literal["contract"], Field(title="Kind")] = "contract"
    mission_id: Annotated[str | None, Field(title="Mission Id")] = ""
    n: Annotated[int, Field(title="N")]
    objectives: Annotated[list[Objective] | None, Field(title="Objectives")] = None
    outcome: Annotated[str | None, Field(title="Outcome")] = "in_progress"
    outcome_by: Annotated[str | None, Field(title="Outcome By")] = None
    reward: Annotated[float | None, Field(title="Reward")] = None
    seconds: Annotated[float | None, Field(title="Seconds")] = None
    session_id: Annotated[str, Field(title="Session Id")]
    sessions: Annotated[list[str], Field(title="Sessions")]
    """
    The sessions the contract was seen in.
    """
    started_at: Annotated[str | None, Field(title="Started At")]
    title: Annotated[str | None, Field(title="Title")] = None


class ContractsOut(BaseModel):
    abandoned: Annotated[int, Field(title="Abandoned")]
    accepted: Annotated[int, Field(title="Accepted")]
    by_kind: Annotated[list[ContractKindOut], Field(title="By Kind")]
    """
    Outcomes per kind of the missions first taken in the window (each once, with its last outcome),
    most first.
    """
    completed: Annotated[int, Field(title="Completed")]
    completion_rate: Annotated[float | None, Field(title="Completion Rate")]
    """
    completed ÷ (completed + failed + abandoned); null with none of them.
    """
    failed: Annotated[int, Field(title="Failed")]
    items: Annotated[list[ContractRunOut], Field(title="Items")]
    next_cursor: Annotated[str | None, Field(title="Next Cursor")]


class DeviceList(BaseModel):
    devices: Annotated[list[DeviceOut], Field(title="Devices")]


class MemberIn(BaseModel):
    handle: Annotated[str, Field(pattern="^[A-Za-z0-9_-]{1,64}$", title="Handle")]
    role: Role | None = Role.member
    """
    member or admin (400 invalid_role for owner)
    """


class MemberOut(BaseModel):
    added_at: Annotated[AwareDatetime, Field(title="Added At")]
    handle: Annotated[str, Field(title="Handle")]
    role: Role


class MySharesOut(BaseModel):
    org_shares: Annotated[list[OrgShareOut], Field(title="Org Shares")]
    shares: Annotated[list[ShareOut], Field(title="Shares")]


class OrgDetailOut(BaseModel):
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    members: Annotated[list[MemberOut], Field(title="Members")]
    my_role: Role
    name: Annotated[str, Field(title="Name")]
    shared_by: Annotated[list[str], Field(title="Shared By")]
    """
    Members who shared their stats with the org
    """
    slug: Annotated[str, Field(title="Slug")]


class OrgOut(BaseModel):
    created_at: Annotated[AwareDatetime, Field(title="Created At")]
    my_role: Role
    name: Annotated[str, Field(title="Name")]
    slug: Annotated[str, Field(title="Slug")]


class OverviewOut(BaseModel):
    days: Annotated[int | None, Field(title="Days")]
    last_seen: LastSeenOut | None
    lifetime: TotalsOut
    previous: TotalsOut | None
    """
    The window before, when the player played in it; else null.
    """
    since: Annotated[AwareDatetime | None, Field(title="Since")]
    totals: TotalsOut
    """
    Sessions that started in the window.
    """
    until: Annotated[AwareDatetime, Field(title="Until")]


class PlacesOut(BaseModel):
    next_cursor: Annotated[str | None, Field(title="Next Cursor")]
    places: Annotated[list[PlaceOut], Field(title="Places")]
    """
    Time per place in the window, most first.
    """
    stops: Annotated[list[StopFact], Field(title="Stops")]


class SessionFact(BaseModel):
    arena_seconds: Annotated[float | None, Field(title="Arena Seconds")] = 0.0
    branch: Annotated[str | None, Field(title="Branch")] = None
    build: Annotated[str | None, Field(title="Build")] = None
    channel: Annotated[str | None, Field(title="Channel")] = None
    character: Annotated[str | None, Field(title="Character")] = None
    combat_logged: Annotated[bool | None, Field(title="Combat Logged")] = None
    crashed: Annotated[bool | None, Field(title="Crashed")] = False
    end: Annotated[str | None, Field(title="End")] = "unclosed"
    ended_at: Annotated[str | None, Field(title="Ended At")] = None
    evidence: Annotated[list[str] | None, Field(title="Evidence")] = None
    evidence_count: Annotated[int | None, Field(title="Evidence Count")] = 0
    game_version: Annotated[str | None, Field(title="Game Version")] = None
    handle: Annotated[str | None, Field(title="Handle")] = None
    kind: Annotated[Literal["session"], Field(title="Kind")] = "session"
    menu_seconds: Annotated[float | None, Field(title="Menu Seconds")] = 0.0
    n: Annotated[int, Field(title="N")]
    pu_seconds: Annotated[float | None, Field(title="Pu Seconds")] = 0.0
    quit_reason: Annotated[str | None, Field(title="Quit Reason")] = None
    seconds: Annotated[float | None, Field(title="Seconds")] = 0.0
    session_id: Annotated[str, Field(title="Session Id")]
    shards: Annotated[list[str] | None, Field(title="Shards")] = None
    started_at: Annotated[str | None, Field(title="Started At")]
    stretches: Annotated[list[StretchFact] | None, Field(title="Stretches")] = None
    totals: Annotated[dict[str, Any] | None, Field(title="Totals")] = None


class SessionListOut(BaseModel):
    sessions: Annotated[list[SessionOut], Field(title="Sessions")]


class SessionPageOut(BaseModel):
    next_cursor: Annotated[str | None, Field(title="Next Cursor")]
    sessions: Annotated[list[SessionFact], Field(title="Sessions")]


class SessionStoryOut(BaseModel):
    facts: Annotated[
        list[
            Annotated[
                StopFact
                | LegFact
                | StintFact
                | LifeFact
                | DeathFact
                | KillFact
                | ContractFact
                | TradeFact,
                Field(discriminator="kind"),
            ]
        ],
        Field(title="Facts"),
    ]
    """
    Every fact of the session, in time order.
    """
    session: SessionFact


class ShipsOut(BaseModel):
    next_cursor: Annotated[str | None, Field(title="Next Cursor")]
    ships: Annotated[list[ShipOut], Field(title="Ships")]
    """
    Time at the controls per ship, most first.
    """
    stints: Annotated[list[StintFact], Field(title="Stints")]


class SummaryOut(BaseModel):
    by_type: Annotated[list[TypeCountOut], Field(title="By Type")]
    claimed_handle: Annotated[str, Field(title="Claimed Handle")]
    total: Annotated[int, Field(title="Total")]


class GlanceOut(BaseModel):
    combat: CombatSummaryOut
    contracts: ContractsSummaryOut
    overview: OverviewOut
    places: Annotated[list[PlaceOut], Field(title="Places")]
    """
    Time per place in the window: the top 8.
    """
    play_by_day: Annotated[list[DayOut], Field(title="Play By Day")]
    """
    Time played per UTC day over the last 378 days (days with play only).
    """
    recent_sessions: Annotated[list[SessionFact], Field(title="Recent Sessions")]
    """
    The newest sessions (8).
    """
    records: RecordsOut
    ships: Annotated[list[ShipOut], Field(title="Ships")]
    """
    Time per ship in the window: the top 8.
    """
    trades: TradesSummaryOut
    """
    The window's trade sums; `by_good`: top 8.
    """


class OrgListOut(BaseModel):
    orgs: Annotated[list[OrgOut], Field(title="Orgs")]
