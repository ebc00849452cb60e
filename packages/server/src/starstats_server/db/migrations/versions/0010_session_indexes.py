"""The glance's session reads from indexes (issue 14's 30 ms): the overview's window sums
and the heatmap's play per day read a covering (handle, start_at) index with every total
included (PostgreSQL; a scan of the table read 1.6 KB of JSON per session for 100 bytes of
totals), and the records' session bests read one entry of an index each.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from starstats_server.db.tables import JOURNEY_TOTALS

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BESTS = ("play_seconds", "quantum_legs", "contracts_completed")


def upgrade() -> None:
    op.create_index(
        "ix_journey_sessions_handle_start_at",
        "journey_sessions",
        ["handle", "start_at"],
        postgresql_include=list(JOURNEY_TOTALS),
    )
    for column in _BESTS:
        op.create_index(
            f"ix_journey_sessions_handle_{column}", "journey_sessions", ["handle", column]
        )
