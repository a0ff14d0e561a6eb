"""Shadow tests: planned contacts, the events testers log, and evidence files.

`shadow_event.event_id` is the id the tester's device gave each tap: unique, so a
replayed offline queue stores nothing twice. `shadow_evidence.original_sha256` is
indexed to find the same file behind two tests in one seek.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 18:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shadow_test",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.String(length=64), nullable=False),
        sa.Column("version_hash", sa.String(length=64), nullable=False),
        sa.Column("campaign", sa.String(length=64), nullable=True),
        sa.Column("wave", sa.String(length=64), nullable=True),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("scenario", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("segment", sa.String(length=32), nullable=True),
        sa.Column("spans_days", sa.Boolean(), nullable=False),
        sa.Column("tester_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["version_hash"], ["questionnaire_version.content_hash"]),
        sa.ForeignKeyConstraint(["tester_id"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["staff_user.id"]),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_shadow_test_tester_state", "shadow_test", ["tester_id", "state"])
    op.create_index("ix_shadow_test_cell", "shadow_test", ["platform", "channel", "slot"])
    op.create_table(
        "shadow_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("device_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered", sa.String(length=8), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["test_id"], ["shadow_test.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_shadow_event_test", "shadow_event", ["test_id", "device_at"])
    op.create_table(
        "shadow_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=True),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("original_sha256", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["test_id"], ["shadow_test.id"]),
        sa.ForeignKeyConstraint(["uploaded_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stored_name"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_shadow_evidence_test", "shadow_evidence", ["test_id"])
    op.create_index("ix_shadow_evidence_original", "shadow_evidence", ["original_sha256"])


def downgrade() -> None:
    op.drop_index("ix_shadow_evidence_original", table_name="shadow_evidence")
    op.drop_index("ix_shadow_evidence_test", table_name="shadow_evidence")
    op.drop_table("shadow_evidence")
    op.drop_index("ix_shadow_event_test", table_name="shadow_event")
    op.drop_table("shadow_event")
    op.drop_index("ix_shadow_test_cell", table_name="shadow_test")
    op.drop_index("ix_shadow_test_tester_state", table_name="shadow_test")
    op.drop_table("shadow_test")
