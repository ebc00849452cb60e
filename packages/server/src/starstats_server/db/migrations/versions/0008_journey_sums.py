"""Journey sums without a window (issue 14): `journey_sums` (journey_values summed over all
days per kind and key) and `journey_missions` (each contract mission's first start and its
runs merged), kept at ingest beside the rows they come from; filled by 0009's fold of the
stored events (it writes the columns 0009 adds, so it cannot run here).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from starstats_server.db.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journey_sums",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("ref", sa.Text, nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("amount", sa.Float, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("label", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("handle", "kind", "ref", name="pk_journey_sums"),
    )
    op.create_table(
        "journey_missions",
        sa.Column("handle", sa.Text, nullable=False),
        sa.Column("mission_id", sa.Text, nullable=False),
        sa.Column("first_at", UtcDateTime, nullable=False),
        sa.Column("data", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("handle", "mission_id", name="pk_journey_missions"),
    )
    op.create_index(
        "ix_journey_missions_handle_first_at_mission_id",
        "journey_missions",
        ["handle", "first_at", "mission_id"],
    )
    # The stored events are folded again by 0009 (today's fold writes its columns too).
