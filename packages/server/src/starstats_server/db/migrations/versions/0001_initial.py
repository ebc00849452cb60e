"""Initial schema: users, device pairing, devices, per-handle event sequences, events and
quarantined events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from starstats_server.db.types import BigId, Json, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("claimed_handle", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("email_verified_at", UtcDateTime, nullable=True),
        sa.Column("email_verification_token", sa.Text, nullable=True),
        sa.Column("email_verification_expires_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.UniqueConstraint("handle", name="uq_users_handle"),
        sa.UniqueConstraint("email_verification_token", name="uq_users_email_verification_token"),
    )
    op.create_table(
        "device_pairings",
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("user_id", sa.Uuid, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("redeemed_at", UtcDateTime, nullable=True),
        sa.Column("device_id", sa.Uuid, nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_device_pairings"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_device_pairings_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index(
        "ix_device_pairings_user_id_created_at", "device_pairings", ["user_id", "created_at"]
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("user_id", sa.Uuid, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("last_seen_at", UtcDateTime, nullable=True),
        sa.Column("revoked_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_devices"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_devices_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_devices_user_id_created_at", "devices", ["user_id", "created_at"])
    op.create_table(
        "event_sequences",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("handle", name="pk_event_sequences"),
    )
    op.create_table(
        "events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("handle", "idempotency_key", name="uq_events_handle_idempotency_key"),
        sa.UniqueConstraint("handle", "seq", name="uq_events_handle_seq"),
    )
    op.create_index("ix_events_handle_event_type_seq", "events", ["handle", "event_type", "seq"])
    op.create_index("ix_events_handle_event_timestamp", "events", ["handle", "event_timestamp"])
    op.create_table(
        "quarantined_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("batch_id", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.Text, nullable=False),
        sa.Column("envelope", Json, nullable=False),
        sa.Column("problems", Json, nullable=False),
        sa.Column("device_id", sa.Uuid, nullable=True),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_quarantined_events"),
    )
    op.create_index(
        "ix_quarantined_events_handle_received_at", "quarantined_events", ["handle", "received_at"]
    )
