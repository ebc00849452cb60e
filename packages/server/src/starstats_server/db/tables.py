"""The server's tables (SQLAlchemy Core). Migrations in `migrations/` must match these;
`tests/integration/test_migrations.py` fails when they drift.

Handles are stored twice: `handle` normalised to lower case for matching and uniqueness, and
`claimed_handle` as the player typed it for display.
"""

import sqlalchemy as sa

from starstats_server.db.types import BigId, Json, UtcDateTime

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
    sa.Index(None, "handle", "event_timestamp"),
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
