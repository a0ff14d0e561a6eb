"""The audit log finds a shadow test's changes: assigned, reassigned, void.

`audit_log.test_id` names the planned test an entry is about, so a test's history is
one indexed read, as `sheet_id` does for paper sheets. A plain ADD COLUMN with no
default: the append-only log is not rewritten, and its triggers stay as they are.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 18:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("test_id", sa.Integer(), nullable=True))
    op.create_index("ix_audit_log_test_id", "audit_log", ["test_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_test_id", table_name="audit_log")
    # SQLite rebuilding the log would copy its rows through its own triggers: drop the
    # column in place (SQLite 3.35 and later), as PostgreSQL does.
    op.drop_column("audit_log", "test_id")
