"""Index quarantined events by (handle, idempotency_key): ingest looks up whether an invalid
envelope is already quarantined, so a replayed batch is reported as duplicates and adds no
second quarantine row.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_quarantined_events_handle_idempotency_key",
        "quarantined_events",
        ["handle", "idempotency_key"],
    )
