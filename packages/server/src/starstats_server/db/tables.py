"""The server's tables (SQLAlchemy Core). Migrations in `migrations/` must match these;
`tests/integration/test_migrations.py` fails when they drift.

Handles are stored twice: `handle` normalised to lower case for matching and uniqueness, and
`claimed_handle` as the player typed it for display.

The audit tables carry triggers that exist only in migration 0003 (append-only, chain link
check, head upkeep); docs/audit.md describes them.
"""

import sqlalchemy as sa

from starstats_server.db.types import BigId, Json, JsonText, UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("email", sa.Text, nullable=False, unique=True),  # stored lower-cased
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("handle", sa.Text, nullable=False, unique=True),  # lower-cased
    sa.Column("claimed_handle", sa.Text, nullable=False),  # display case
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("email_verified_at", UtcDateTime, nullable=True),
    sa.Column("email_verification_token", sa.Text, nullable=True, unique=True),
    sa.Column("email_verification_expires_at", UtcDateTime, nullable=True),
)

device_pairings = sa.Table(
    "device_pairings",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("redeemed_at", UtcDateTime, nullable=True),
    sa.Column("device_id", sa.Uuid, nullable=True),
    sa.Index(None, "user_id", "created_at"),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=True),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
    sa.Index(None, "user_id", "created_at"),
)

# User tokens revoked by logging out, kept until they would have expired (then purged).
revoked_tokens = sa.Table(
    "revoked_tokens",
    metadata,
    sa.Column("jti", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime, nullable=False),
    sa.Index(None, "expires_at"),
)

# The last `seq` handed out per handle: locked while a batch is inserted, so each handle's
# events are numbered 1, 2, 3, ... without gaps and without a global counter that would
# leak how busy other players are.
event_sequences = sa.Table(
    "event_sequences",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("handle", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("claimed_handle", sa.Text, nullable=False),
    sa.Column("idempotency_key", sa.Text, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("event_timestamp", UtcDateTime, nullable=True),
    sa.Column("log_source", sa.Text, nullable=False),
    sa.Column("source_offset", sa.BigInteger, nullable=False),
    sa.Column("raw_line", sa.Text, nullable=False),
    sa.Column("payload", Json, nullable=False),
    sa.Column("metadata", Json, nullable=True),
    sa.Column("batch_id", sa.Text, nullable=False),
    sa.Column("device_id", sa.Uuid, nullable=True),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("handle", "idempotency_key"),
    sa.UniqueConstraint("handle", "seq"),
    sa.Index(None, "handle", "event_type", "seq"),
    # Time order with seq as the tie-break, covering the type: the session rule's neighbour
    # lookups (db/rollups.py) read only the index, and sessions page through it (0004).
    sa.Index(None, "handle", "event_timestamp", "seq", "event_type"),
)

quarantined_events = sa.Table(
    "quarantined_events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("handle", sa.Text, nullable=False),
    sa.Column("batch_id", sa.Text, nullable=False),
    sa.Column("idempotency_key", sa.Text, nullable=False),
    sa.Column("envelope", Json, nullable=False),
    sa.Column("problems", Json, nullable=False),
    sa.Column("device_id", sa.Uuid, nullable=True),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Index(None, "handle", "received_at"),
    # A replayed batch finds its already-quarantined envelopes by key (0002).
    sa.Index(None, "handle", "idempotency_key"),
)

# The tamper-evident audit log (docs/audit.md, ADR 0006): each row's row_hash is
# SHA-256(prev_hash || canonical record). `seq` is assigned by the appender under the
# audit_head lock, never by a sequence, so a rolled-back append leaves no gap. `payload` is
# the canonical JSON text exactly as hashed.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("actor_sub", sa.Text, nullable=True),
    sa.Column("actor_handle", sa.Text, nullable=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("payload", JsonText, nullable=False),
    sa.Column("prev_hash", sa.LargeBinary, nullable=False),
    sa.Column("row_hash", sa.LargeBinary, nullable=False),
    sa.Index(None, "actor_sub", "seq"),
    sa.Index(None, "actor_sub", "action", "seq"),
)

# One row (id 1): the chain's tail. Appenders lock it (SELECT ... FOR UPDATE) so appends are
# serialised; the insert trigger keeps it equal to the last row, which also lets `audit
# verify` notice rows cut off the end.
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("last_hash", sa.LargeBinary, nullable=False),
)

# One row (id 1): the last seq the mirror worker has stored in the object store. With
# audit_log it is the durable outbox: everything after it is still to be uploaded.
audit_mirror_cursor = sa.Table(
    "audit_mirror_cursor",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=True),
)

# -- Rollups of `events` per handle (db/rollups.py; ADR 0007). Ingest updates them in the
# batch's own transaction, under the handle's sequence lock, from the batch's new rows
# only, so the dashboard reads a few small rows instead of aggregating the events table.

# Events per UTC day and type (only events with a timestamp).
event_day_counts = sa.Table(
    "event_day_counts",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("event_type", sa.Text, primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# Events per type, timestamp or not (`unknown` included): the summary and the total.
event_type_counts = sa.Table(
    "event_type_counts",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    sa.Column("event_type", sa.Text, primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# Distinct names seen per kind (`ship`, `location`, `shard`, `game_version`), with how often
# and when first and last.
event_distinct_values = sa.Table(
    "event_distinct_values",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Column("first_seen_at", UtcDateTime, nullable=True),
    sa.Column("last_seen_at", UtcDateTime, nullable=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# Per-handle sums that need more than a group-by: game sessions and play time (from the
# session break rule between neighbouring events), kills and logged deaths (core's
# classify_death on each `actor_death`).
handle_totals = sa.Table(
    "handle_totals",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    sa.Column("sessions", sa.BigInteger, nullable=False),
    sa.Column("play_time_us", sa.BigInteger, nullable=False),
    sa.Column("kills", sa.BigInteger, nullable=False),
    sa.Column("deaths_logged", sa.BigInteger, nullable=False),
)

# -- Sharing (services/sharing.py, services/orgs.py; ADR 0008). These rows are the source
# of truth; SpiceDB holds the same facts as relationship tuples for permission checks, and
# `starstats-server authz sync` rewrites them from here. Every row hangs off users with
# ON DELETE CASCADE, so deleting an account removes its shares and memberships with it.

# A player's stats made public (absent = private).
stats_visibility = sa.Table(
    "stats_visibility",
    metadata,
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("public", sa.Boolean, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

# Owner's stats shared with one other player.
stats_shares = sa.Table(
    "stats_shares",
    metadata,
    sa.Column("owner_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "recipient_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "recipient_id"),
)

organizations = sa.Table(
    "organizations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("slug", sa.Text, nullable=False, unique=True),  # lower-case
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("owner_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "owner_id"),
)

# One row per member; the owner is a member with role `owner`.
org_members = sa.Table(
    "org_members",
    metadata,
    sa.Column(
        "org_id", sa.Uuid, sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role", sa.Text, nullable=False),  # owner | admin | member
    sa.Column("added_at", UtcDateTime, nullable=False),
    sa.Index(None, "user_id"),
)

# Owner's stats shared with every member of an organisation.
org_shares = sa.Table(
    "org_shares",
    metadata,
    sa.Column("owner_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "org_id", sa.Uuid, sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "org_id"),
)

# -- Journey facts (db/journey.py, ADR 0009): core's journey fold kept up to date at ingest.
# One row per game session with its totals as columns (window sums read only these), one
# row per other fact keyed by its number within the session, and the fold's state after the
# handle's newest folded event so the next batch continues from it. All derived from
# `events`: `starstats-server journey rebuild` recomputes them.

JOURNEY_SECONDS = ("play_seconds", "pu_seconds", "arena_seconds", "menu_seconds", "ship_seconds")
JOURNEY_COUNTS = (
    "quantum_legs",
    "jumps",
    "deaths",
    "contracts_accepted",
    "contracts_completed",
    "contracts_failed",
    "contracts_abandoned",
)
JOURNEY_NULLABLE = ("kills", "vehicle_kills")
JOURNEY_MONEY = ("trade_spent", "trade_earned")
JOURNEY_TOTALS = (*JOURNEY_SECONDS, *JOURNEY_COUNTS, *JOURNEY_NULLABLE, *JOURNEY_MONEY)

journey_sessions = sa.Table(
    "journey_sessions",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    sa.Column("session_id", sa.Text, primary_key=True),
    # The order key of the session's first event (time, byte offset, seq).
    sa.Column("start_at", UtcDateTime, nullable=False),
    sa.Column("start_offset", sa.BigInteger, nullable=False),
    sa.Column("start_seq", sa.BigInteger, nullable=False),
    sa.Column("ended_at", UtcDateTime, nullable=True),
    # Still being folded: its facts and totals are snapshots that the next batch replaces.
    sa.Column("open", sa.Boolean, nullable=False),
    sa.Column("game_version", sa.Text, nullable=True),
    # The session's totals (core's journey TOTAL_KEYS but `sessions` and `trade_profit`,
    # which a sum derives): kills are NULL for versions that do not log them.
    *(sa.Column(name, sa.Float, nullable=False) for name in JOURNEY_SECONDS),
    *(sa.Column(name, sa.Integer, nullable=False) for name in JOURNEY_COUNTS),
    *(sa.Column(name, sa.Integer, nullable=True) for name in JOURNEY_NULLABLE),
    *(sa.Column(name, sa.Float, nullable=False) for name in JOURNEY_MONEY),
    # The session fact with its totals (core's Session.to_dict()).
    sa.Column("data", Json, nullable=False),
    sa.Index(None, "handle", "start_at", "start_offset", "start_seq"),
    # The overview's sums and the heatmap read every session's totals: on PostgreSQL from
    # this index alone (its rows are a tenth of the table's, whose `data` fills 1.6 KB of
    # each), 0010. SQLite has no INCLUDE and keeps a plain (handle, start_at) index.
    sa.Index(None, "handle", "start_at", postgresql_include=list(JOURNEY_TOTALS)),
    # The records' session bests: one index entry each instead of a scan of every session.
    sa.Index(None, "handle", "play_seconds"),
    sa.Index(None, "handle", "quantum_legs"),
    sa.Index(None, "handle", "contracts_completed"),
)

journey_facts = sa.Table(
    "journey_facts",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    sa.Column("session_id", sa.Text, primary_key=True),
    sa.Column("n", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=True),
    sa.Column("ended_at", UtcDateTime, nullable=True),
    # What the fact groups by: the place of a stop, the ship of a stint, a contract's
    # mission id, a trade's good; None otherwise.
    sa.Column("ref", sa.Text, nullable=True),
    sa.Column("seconds", sa.Float, nullable=True),
    # A counted trade's aUEC, signed: earned (a sale) > 0, spent (a purchase) < 0.
    sa.Column("amount", sa.Float, nullable=True),
    # The UTC day it started, for journey_values.
    sa.Column("day", sa.Date, nullable=True),
    sa.Column("open", sa.Boolean, nullable=False),
    sa.Column("data", Json, nullable=False),
    sa.Index(None, "handle", "kind", "started_at"),
    sa.Index(None, "handle", "kind", "ref", "started_at"),
    sa.Index(None, "handle", "kind", "seconds"),
    sa.Index(None, "handle", "kind", "amount"),
    sa.Index(None, "handle", "open", "kind"),
)

# Closed facts summed per kind, grouping key and UTC day: time per place and per ship, aUEC
# per good and side, deaths per cause. Kept with the facts (added as facts close, taken off
# when a refold replaces them), so a window's sums read a few rows per day, never the facts.
journey_values = sa.Table(
    "journey_values",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    # The fact's grouping key; for trades `buy:<good>` or `sell:<good>`.
    sa.Column("ref", sa.Text, primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("amount", sa.Float, nullable=False),
    # The readable fields of the key's facts as JSON text (a place's name, kind and system;
    # a ship's name; a good's name and market).
    sa.Column("label", sa.Text, nullable=True),
    # A window's sums read a range of days of one kind; the key's order (ref before day)
    # made them scan every day of it (6 ms for a year of trades, 0009).
    sa.Index(None, "handle", "kind", "day"),
)

# journey_values summed over all days: one row per kind and grouping key with the newest day,
# kept with it (the same additions and subtractions), so the reads without a window (the
# common case: all time) read one row per place, ship, good or cause.
journey_sums = sa.Table(
    "journey_sums",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("ref", sa.Text, primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("amount", sa.Float, nullable=False),
    # The newest day of the key's journey_values rows.
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("label", sa.Text, nullable=True),
)

# One row per contract mission (its runs' mission id) with the start of its first run and its
# runs merged, so the contracts list pages missions by an index walk and reads each merged
# once, instead of grouping and merging every run per request. Made again from the runs
# whenever one of them is written (open ones included) or deleted.
journey_missions = sa.Table(
    "journey_missions",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    sa.Column("mission_id", sa.Text, primary_key=True),
    sa.Column("first_at", UtcDateTime, nullable=False),
    # core's merge_contracts() of its runs as JSON text (kept byte for byte, unlike jsonb);
    # NULL when the merge names the mission otherwise (a mission id cut to 200 characters).
    sa.Column("data", sa.Text, nullable=True),
    # The merged run's contract kind and outcome (NULL with `data`), so outcomes per kind
    # are a GROUP BY of a few narrow columns, not a parse of every mission's JSON.
    sa.Column("contract_kind", sa.Text, nullable=True),
    sa.Column("outcome", sa.Text, nullable=True),
    sa.Index(None, "handle", "first_at", "mission_id"),
)

journey_state = sa.Table(
    "journey_state",
    metadata,
    sa.Column("handle", sa.Text, primary_key=True),
    # The order key of the newest event folded.
    sa.Column("last_at", UtcDateTime, nullable=False),
    sa.Column("last_offset", sa.BigInteger, nullable=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    # core's journey.state.dump() as JSON text.
    sa.Column("state", sa.Text, nullable=False),
)
