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


class DayCountOut(BaseModel):
    count: Annotated[int, Field(title="Count")]
    date: Annotated[date_aliased, Field(title="Date")]


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


class TimelineOut(BaseModel):
    buckets: Annotated[list[DayCountOut], Field(title="Buckets")]
    days: Annotated[int, Field(title="Days")]


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


class SessionListOut(BaseModel):
    sessions: Annotated[list[SessionOut], Field(title="Sessions")]


class SummaryOut(BaseModel):
    by_type: Annotated[list[TypeCountOut], Field(title="By Type")]
    claimed_handle: Annotated[str, Field(title="Claimed Handle")]
    total: Annotated[int, Field(title="Total")]


class OrgListOut(BaseModel):
    orgs: Annotated[list[OrgOut], Field(title="Orgs")]
