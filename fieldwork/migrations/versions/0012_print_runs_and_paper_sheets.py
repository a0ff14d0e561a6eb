"""Print runs and their numbered paper sheets; the audit log finds a sheet's changes.

`paper_sheet.id` is the id printed on the sheet, drawn at random: the primary key is
the constraint that makes two sheets never share one (a clash is drawn again, never
looked up first). `(run_id, number)` is unique too, and lists a run's sheets in order.

`audit_log.sheet_id` names the sheet an entry is about (issued, keyed, reconciled,
void), so a sheet's history is one indexed read. A plain ADD COLUMN with no default:
the append-only log is not rewritten, and its triggers stay as they are.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 16:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.String(length=64), nullable=False),
        sa.Column("version_hash", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=False),
        sa.Column("campaign", sa.String(length=64), nullable=True),
        sa.Column("wave", sa.String(length=64), nullable=True),
        sa.Column("segment", sa.String(length=32), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("issued_to", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["issued_to"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["version_hash"], ["questionnaire_version.content_hash"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_print_run_questionnaire_id", "print_run", ["questionnaire_id"])
    op.create_index("ix_print_run_issued_to", "print_run", ["issued_to"])
    op.create_table(
        "paper_sheet",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["print_run.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "number", name="uq_paper_sheet_run_number"),
    )
    op.create_index("ix_paper_sheet_state", "paper_sheet", ["state"])
    op.add_column("audit_log", sa.Column("sheet_id", sa.String(length=16), nullable=True))
    op.create_index("ix_audit_log_sheet_id", "audit_log", ["sheet_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_sheet_id", table_name="audit_log")
    # SQLite rebuilding the log would copy its rows through its own triggers: drop the
    # column in place (SQLite 3.35 and later), as PostgreSQL does.
    op.drop_column("audit_log", "sheet_id")
    op.drop_index("ix_paper_sheet_state", table_name="paper_sheet")
    op.drop_table("paper_sheet")
    op.drop_index("ix_print_run_issued_to", table_name="print_run")
    op.drop_index("ix_print_run_questionnaire_id", table_name="print_run")
    op.drop_table("print_run")
