"""The dashboard's reads (issue 15): each journey_missions row keeps its merged run's
contract kind and outcome as columns, so the table of outcomes per kind is a GROUP BY over
narrow columns instead of a parse of every mission's JSON; journey_values gets an index by
day, so a window's sums read its days instead of scanning all of them. Every journey row is
made again by folding the stored events (today's fold writes these columns).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from starstats_server.db import journey

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journey_missions") as batch:
        batch.add_column(sa.Column("contract_kind", sa.Text, nullable=True))
        batch.add_column(sa.Column("outcome", sa.Text, nullable=True))
    op.create_index(
        "ix_journey_values_handle_kind_day", "journey_values", ["handle", "kind", "day"]
    )
    # Today's fold over every stored event: it replaces the rows 0007/0008 (or ingest) made,
    # these columns included, exactly as ingest would have.
    journey.rebuild(op.get_bind())
