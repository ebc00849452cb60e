"""Per-handle rollups of the events table for the dashboard (ADR 0007): events per UTC day
and type, events per type, distinct names (ships, locations, shards, game versions) and
per-handle totals (sessions, play time, kills, logged deaths), filled from the events
already stored; and the events' time index extended by seq and type for them.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from starstats_server.db import rollups
from starstats_server.db.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (handle, event_timestamp) becomes (handle, event_timestamp, seq, event_type): ingest's
    # session bookkeeping asks for each new event's stored neighbours in (time, seq) order.
    op.drop_index("ix_events_handle_event_timestamp", table_name="events")
    op.create_index(
        "ix_events_handle_event_timestamp_seq_event_type",
        "events",
        ["handle", "event_timestamp", "seq", "event_type"],
    )
    op.create_table(
        "event_day_counts",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("handle", "day", "event_type", name="pk_event_day_counts"),
    )
    op.create_table(
        "event_type_counts",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("handle", "event_type", name="pk_event_type_counts"),
    )
    op.create_table(
        "event_distinct_values",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("first_seen_at", UtcDateTime, nullable=True),
        sa.Column("last_seen_at", UtcDateTime, nullable=True),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("handle", "kind", "value", name="pk_event_distinct_values"),
    )
    op.create_table(
        "handle_totals",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("sessions", sa.BigInteger, nullable=False),
        sa.Column("play_time_us", sa.BigInteger, nullable=False),
        sa.Column("kills", sa.BigInteger, nullable=False),
        sa.Column("deaths_logged", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("handle", name="pk_handle_totals"),
    )
    # The same counting code ingest runs, so a backfilled handle and one ingested afterwards
    # agree by construction. It writes only the columns created above; a later migration
    # that changes these tables must rebuild them itself.
    rollups.rebuild(op.get_bind())
