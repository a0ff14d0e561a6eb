"""A batch keeps the questionnaire versions its responses answered.

An export's columns follow the newest of them. Finding them meant visiting every
response of the batch before the first row could be written: 0.4 s for a million.
They cannot change once the batch is frozen, so they are found once, at freeze, and
here for the batches frozen before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

batch = sa.table("batch", sa.column("id", sa.Integer()), sa.column("version_hashes", sa.JSON()))
batch_item = sa.table(
    "batch_item", sa.column("batch_id", sa.Integer()), sa.column("response_id", sa.Integer())
)
response = sa.table(
    "response", sa.column("id", sa.Integer()), sa.column("version_hash", sa.String())
)


def upgrade() -> None:
    with op.batch_alter_table("batch") as batch_op:
        batch_op.add_column(
            sa.Column("version_hashes", sa.JSON(), nullable=False, server_default="[]")
        )
    connection = op.get_bind()
    for (batch_id,) in connection.execute(sa.select(batch.c.id)).all():
        hashes = connection.execute(
            sa.select(response.c.version_hash)
            .join(batch_item, batch_item.c.response_id == response.c.id)
            .where(batch_item.c.batch_id == batch_id)
            .distinct()
        ).scalars()
        connection.execute(
            sa.update(batch).where(batch.c.id == batch_id).values(version_hashes=sorted(hashes))
        )


def downgrade() -> None:
    with op.batch_alter_table("batch") as batch_op:
        batch_op.drop_column("version_hashes")
