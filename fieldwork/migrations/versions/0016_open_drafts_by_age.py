"""The purge finds drafts never submitted, oldest first, in one seek.

`flask fieldwork purge` deletes drafts untouched for longer than a resume code lives,
a thousand at a time. Without an index each batch read the whole table; a partial one
on `updated_at`, over drafts not submitted only, leaves out the submitted drafts the
purge keeps (they would otherwise be walked past by every batch, ever more of them).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 22:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

OPEN = sa.text("response_id IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_draft_open_updated_at",
        "draft",
        ["updated_at"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_draft_open_updated_at", table_name="draft")
