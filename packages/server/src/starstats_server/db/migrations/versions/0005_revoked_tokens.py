"""Revoked user tokens: logging out puts the token's id (`jti`) here until the token would
have expired anyway, and every user-token request checks it.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from starstats_server.db.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.Text, nullable=False),
        sa.Column("user_id", sa.Uuid, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("jti", name="pk_revoked_tokens"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_revoked_tokens_user_id_users",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_revoked_tokens_expires_at", "revoked_tokens", ["expires_at"])
