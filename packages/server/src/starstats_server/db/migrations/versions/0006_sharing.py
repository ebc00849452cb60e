"""Sharing: public visibility, shares with a player, organisations, their members and the
shares with them (ADR 0008). SpiceDB holds the same facts as tuples; these are the truth.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from starstats_server.db.types import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _user_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["users.id"], name=f"fk_{table}_{column}_users", ondelete="CASCADE"
    )


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["org_id"],
        ["organizations.id"],
        name=f"fk_{table}_org_id_organizations",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "stats_visibility",
        sa.Column("user_id", sa.Uuid, nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_stats_visibility"),
        _user_fk("user_id", "stats_visibility"),
    )
    op.create_table(
        "stats_shares",
        sa.Column("owner_id", sa.Uuid, nullable=False),
        sa.Column("recipient_id", sa.Uuid, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "recipient_id", name="pk_stats_shares"),
        _user_fk("owner_id", "stats_shares"),
        _user_fk("recipient_id", "stats_shares"),
    )
    op.create_index("ix_stats_shares_recipient_id", "stats_shares", ["recipient_id"])
    op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("slug", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("owner_id", sa.Uuid, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organizations"),
        sa.UniqueConstraint("slug", name="uq_organizations_slug"),
        _user_fk("owner_id", "organizations"),
    )
    op.create_index("ix_organizations_owner_id", "organizations", ["owner_id"])
    op.create_table(
        "org_members",
        sa.Column("org_id", sa.Uuid, nullable=False),
        sa.Column("user_id", sa.Uuid, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("added_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "user_id", name="pk_org_members"),
        _org_fk("org_members"),
        _user_fk("user_id", "org_members"),
    )
    op.create_index("ix_org_members_user_id", "org_members", ["user_id"])
    op.create_table(
        "org_shares",
        sa.Column("owner_id", sa.Uuid, nullable=False),
        sa.Column("org_id", sa.Uuid, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "org_id", name="pk_org_shares"),
        _user_fk("owner_id", "org_shares"),
        _org_fk("org_shares"),
    )
    op.create_index("ix_org_shares_org_id", "org_shares", ["org_id"])
