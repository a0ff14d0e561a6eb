"""Guesses are counted in one row per limit and key, raised by a single upsert.

`failed_attempt` held a row per failure, counted before and recorded after the guess was
tried: simultaneous guesses all read the same count and all passed. `attempt_count` is
reserved and checked in one statement. The old rows held counts for an hour at most and
are not carried over.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 22:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempt_count",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("guesses", sa.Integer(), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key"),
    )
    op.create_index("ix_attempt_count_started", "attempt_count", ["started"])
    op.drop_index("ix_failed_attempt_kind_key_at", table_name="failed_attempt")
    op.drop_index("ix_failed_attempt_at", table_name="failed_attempt")
    op.drop_table("failed_attempt")


def downgrade() -> None:
    op.create_table(
        "failed_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_failed_attempt_at", "failed_attempt", ["at"])
    op.create_index("ix_failed_attempt_kind_key_at", "failed_attempt", ["kind", "key", "at"])
    op.drop_index("ix_attempt_count_started", table_name="attempt_count")
    op.drop_table("attempt_count")
