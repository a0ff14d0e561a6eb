"""Provenance of a response as its mode defines it, and the modes a batch's files show.

`source` holds the mode's provenance fields (fieldwork.modes); those staff filter on
have a column and an index of their own. Existing responses get an empty `source` and
no sheet, platform or channel.

`batch.modes` names the modes whose metadata columns a batch's files carry. Every batch
frozen before carries the online ones, as its files always did, whatever modes it holds,
so exporting it again gives the same bytes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 07:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy: a constant default changes only the schema, so
    # a table of a million responses is not rewritten on SQLite or PostgreSQL.
    op.add_column(
        "response",
        sa.Column("source", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )
    op.add_column("response", sa.Column("sheet_id", sa.String(length=32), nullable=True))
    op.add_column("response", sa.Column("platform", sa.String(length=64), nullable=True))
    op.add_column("response", sa.Column("channel", sa.String(length=32), nullable=True))
    op.create_index("ix_response_sheet_id", "response", ["sheet_id"], unique=False)
    op.create_index(
        "ix_response_platform_channel", "response", ["platform", "channel"], unique=False
    )
    op.add_column(
        "batch",
        sa.Column("modes", sa.JSON(), nullable=False, server_default=sa.text("'[\"online\"]'")),
    )


def downgrade() -> None:
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_column("modes")
    op.drop_index("ix_response_platform_channel", table_name="response")
    op.drop_index("ix_response_sheet_id", table_name="response")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("channel")
        batch_op.drop_column("platform")
        batch_op.drop_column("sheet_id")
        batch_op.drop_column("source")
