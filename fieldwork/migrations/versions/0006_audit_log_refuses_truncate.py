"""The audit log refuses TRUNCATE too, on PostgreSQL.

Row triggers (0002) refuse UPDATE and DELETE, but PostgreSQL's TRUNCATE fires no row
trigger: one statement emptied the append-only log. A statement trigger refuses it.
SQLite has no TRUNCATE; its DELETE without WHERE fires the row trigger.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 07:30:00.000000
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # refuse_change() is 0002's: it raises "<table> is append-only".
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
