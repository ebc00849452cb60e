"""Journey facts (ADR 0009): one row per game session with its totals, one per other fact,
and the fold's state per handle; filled from the events already stored by core's fold.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from starstats_server.db.types import Json, UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journey_sessions",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("session_id", sa.Text, nullable=False),
        sa.Column("start_at", UtcDateTime, nullable=False),
        sa.Column("start_offset", sa.BigInteger, nullable=False),
        sa.Column("start_seq", sa.BigInteger, nullable=False),
        sa.Column("ended_at", UtcDateTime, nullable=True),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("game_version", sa.Text, nullable=True),
        sa.Column("play_seconds", sa.Float, nullable=False),
        sa.Column("pu_seconds", sa.Float, nullable=False),
        sa.Column("arena_seconds", sa.Float, nullable=False),
        sa.Column("menu_seconds", sa.Float, nullable=False),
        sa.Column("ship_seconds", sa.Float, nullable=False),
        sa.Column("quantum_legs", sa.Integer, nullable=False),
        sa.Column("jumps", sa.Integer, nullable=False),
        sa.Column("deaths", sa.Integer, nullable=False),
        sa.Column("contracts_accepted", sa.Integer, nullable=False),
        sa.Column("contracts_completed", sa.Integer, nullable=False),
        sa.Column("contracts_failed", sa.Integer, nullable=False),
        sa.Column("contracts_abandoned", sa.Integer, nullable=False),
        sa.Column("kills", sa.Integer, nullable=True),
        sa.Column("vehicle_kills", sa.Integer, nullable=True),
        sa.Column("trade_spent", sa.Float, nullable=False),
        sa.Column("trade_earned", sa.Float, nullable=False),
        sa.Column("data", Json, nullable=False),
        sa.PrimaryKeyConstraint("handle", "session_id", name="pk_journey_sessions"),
    )
    op.create_index(
        "ix_journey_sessions_handle_start_at_start_offset_start_seq",
        "journey_sessions",
        ["handle", "start_at", "start_offset", "start_seq"],
    )
    op.create_table(
        "journey_facts",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("session_id", sa.Text, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=True),
        sa.Column("ended_at", UtcDateTime, nullable=True),
        sa.Column("ref", sa.Text, nullable=True),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("amount", sa.Float, nullable=True),
        sa.Column("day", sa.Date, nullable=True),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("data", Json, nullable=False),
        sa.PrimaryKeyConstraint("handle", "session_id", "n", name="pk_journey_facts"),
    )
    for columns in (
        ["handle", "kind", "started_at"],
        ["handle", "kind", "ref", "started_at"],
        ["handle", "kind", "seconds"],
        ["handle", "kind", "amount"],
        ["handle", "open", "kind"],
    ):
        op.create_index(f"ix_journey_facts_{'_'.join(columns)}", "journey_facts", columns)
    op.create_table(
        "journey_values",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("amount", sa.Float, nullable=False),
        sa.Column("label", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("handle", "kind", "ref", "day", name="pk_journey_values"),
    )
    op.create_table(
        "journey_state",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("last_at", UtcDateTime, nullable=False),
        sa.Column("last_offset", sa.BigInteger, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("handle", name="pk_journey_state"),
    )
    # The stored events are folded by the newest migration that changes the journey tables
    # (0009's journey.rebuild), not here: a migration runs today's fold, which also writes
    # the tables and columns added after this one.
