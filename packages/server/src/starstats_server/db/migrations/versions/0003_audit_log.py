"""The tamper-evident audit log: `audit_log` (the hash chain), `audit_head` (its tail, locked
by appenders), `audit_mirror_cursor` (how far the object-store mirror has got), and the
triggers that make the chain append-only and refuse a row that does not extend it.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from starstats_server.db.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Triggers differ per dialect; each statement runs on its own. docs/audit.md explains them
# and the REVOKE statements that stop the server's own role from disabling them.
_POSTGRESQL = [
    """
    CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
    END
    $$
    """,
    """
    CREATE FUNCTION audit_log_check_link() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        tail_seq bigint;
        tail_hash bytea;
    BEGIN
        SELECT seq, row_hash INTO tail_seq, tail_hash
            FROM audit_log ORDER BY seq DESC LIMIT 1;
        IF NOT FOUND THEN
            tail_seq := 0;
            tail_hash := decode(repeat('00', 32), 'hex');
        END IF;
        IF NEW.seq <> tail_seq + 1 OR NEW.prev_hash <> tail_hash
                OR octet_length(NEW.row_hash) <> 32 THEN
            RAISE EXCEPTION 'audit_log: row % does not extend the chain ending at seq %',
                NEW.seq, tail_seq;
        END IF;
        UPDATE audit_head SET last_seq = NEW.seq, last_hash = NEW.row_hash WHERE id = 1;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_log_append BEFORE INSERT ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_check_link()
    """,
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()
    """,
    """
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()
    """,
]

_SQLITE = [
    """
    CREATE TRIGGER audit_log_append BEFORE INSERT ON audit_log
    WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit_log)
        OR NEW.prev_hash IS NOT coalesce(
            (SELECT row_hash FROM audit_log ORDER BY seq DESC LIMIT 1), zeroblob(32))
        OR length(NEW.row_hash) IS NOT 32
    BEGIN
        SELECT RAISE(ABORT, 'audit_log: row does not extend the chain');
    END
    """,
    """
    CREATE TRIGGER audit_log_advance_head AFTER INSERT ON audit_log
    BEGIN
        UPDATE audit_head SET last_seq = NEW.seq, last_hash = NEW.row_hash WHERE id = 1;
    END
    """,
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
    END
    """,
]


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("occurred_at", UtcDateTime, nullable=False),
        sa.Column("actor_sub", sa.Text, nullable=True),
        sa.Column("actor_handle", sa.Text, nullable=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.LargeBinary, nullable=False),
        sa.Column("row_hash", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_actor_sub_seq", "audit_log", ["actor_sub", "seq"])
    op.create_index(
        "ix_audit_log_actor_sub_action_seq", "audit_log", ["actor_sub", "action", "seq"]
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("last_hash", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    cursor = op.create_table(
        "audit_mirror_cursor",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_mirror_cursor"),
    )
    op.bulk_insert(head, [{"id": 1, "last_seq": 0, "last_hash": bytes(32)}])
    op.bulk_insert(cursor, [{"id": 1, "last_seq": 0, "updated_at": None}])
    bind = op.get_bind()
    for statement in _POSTGRESQL if bind.dialect.name == "postgresql" else _SQLITE:
        bind.exec_driver_sql(statement)
