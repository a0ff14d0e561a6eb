"""Paper entry: each keyer's pass over a sheet, and how a run's sheets are verified.

`paper_entry` holds one pass (first or second) by one keyer over one sheet, stored as it
is keyed. Two unique constraints make the rules of blind double entry hold whoever
races: one entry per pass of a sheet, and never two by the same keyer.

`print_run.verification` and `share` say which sheets are keyed twice (none, all, a
sample, or adaptive); existing runs get the default, adaptive with 10 %.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 16:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "print_run",
        sa.Column(
            "verification", sa.String(length=16), nullable=False, server_default="adaptive"
        ),
    )
    op.add_column(
        "print_run", sa.Column("share", sa.Float(), nullable=False, server_default="0.1")
    )
    op.create_table(
        "paper_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.String(length=16), nullable=False),
        sa.Column("entry_pass", sa.Integer(), nullable=False),
        sa.Column("keyer_id", sa.Integer(), nullable=False),
        sa.Column("typed", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("keystrokes", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("compared", sa.Integer(), nullable=True),
        sa.Column("errors", sa.Integer(), nullable=True),
        sa.Column("wrong", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["keyer_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["sheet_id"], ["paper_sheet.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sheet_id", "entry_pass", name="uq_paper_entry_sheet_pass"),
        sa.UniqueConstraint("sheet_id", "keyer_id", name="uq_paper_entry_sheet_keyer"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_paper_entry_keyer_id", "paper_entry", ["keyer_id"])


def downgrade() -> None:
    op.drop_index("ix_paper_entry_keyer_id", table_name="paper_entry")
    op.drop_table("paper_entry")
    op.drop_column("print_run", "share")
    op.drop_column("print_run", "verification")
