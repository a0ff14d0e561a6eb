"""Failed sign-ins and resume-code guesses, counted so that guessing is slow.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failed_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("failed_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_failed_attempt_at"), ["at"], unique=False)
        batch_op.create_index("ix_failed_attempt_kind_key_at", ["kind", "key", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("failed_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_failed_attempt_kind_key_at")
        batch_op.drop_index(batch_op.f("ix_failed_attempt_at"))
    op.drop_table("failed_attempt")
