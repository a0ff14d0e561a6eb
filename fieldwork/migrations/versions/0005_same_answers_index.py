"""One index seek finds an earlier response with the same answers from the same network.

The fingerprint index alone left the lookup to walk every response from that network
address in time order, checking each one's fingerprint: a cost that grew with how many
respondents share an address. The new index starts with the fingerprint, so it still
finds the rows still to be fingerprinted (NULL), and replaces the old one: a submission
writes no more index entries than before.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:20:00.000000
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_fingerprint")
        batch_op.create_index(
            "ix_response_same_answers",
            ["fingerprint", "ip_hash", "questionnaire_id", "submitted_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_same_answers")
        batch_op.create_index("ix_response_fingerprint", ["fingerprint"], unique=False)
