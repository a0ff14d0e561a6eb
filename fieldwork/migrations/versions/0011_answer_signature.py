"""Near-duplicate answers found by index: a signature of the closed answers and its bands.

`answer_signature` holds two bytes per closed question (fieldwork.quality.similarity), so
two responses' differences are counted without reading their answers; `band_1` … `band_3`
split it in three, and two responses differing in at most two closed answers share one
band at least, so a click farm (nearly one answer set from many addresses within hours)
is one seek per band at submit, never a scan. Only responses with a network address get
bands, so the indexes stay as small as the responses the rules compare. Responses stored
before get theirs from the next `flask fieldwork quality run` (the hash of each answer
is Python's to make, not SQL's), as their fingerprints did.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BANDS = ("band_1", "band_2", "band_3")


def upgrade() -> None:
    op.add_column("response", sa.Column("answer_signature", sa.String(), nullable=True))
    for band in BANDS:
        op.add_column("response", sa.Column(band, sa.BigInteger(), nullable=True))
        op.create_index(
            f"ix_response_{band}", "response", [band, "questionnaire_id", "submitted_at"]
        )


def downgrade() -> None:
    for band in BANDS:
        op.drop_index(f"ix_response_{band}", table_name="response")
    with op.batch_alter_table("response", schema=None) as batch_op:
        for band in BANDS:
            batch_op.drop_column(band)
        batch_op.drop_column("answer_signature")
