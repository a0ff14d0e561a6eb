"""A response's answering time: its page times added up, as the timing rules judge it.

`duration_seconds` stays what exports call it, the time from start to submit; across a
resume days later it holds the days away, so it cannot tell a speeder from a careful
person. `active_seconds` is what the speeder compares with the median of. Responses stored
before get theirs from the page times they kept, in one UPDATE on the database (as
`fieldwork.quality.active_seconds` counts: valid times only, each page up to 30 minutes),
so the median stays taken over every response.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


IDLE_SECONDS = 1800  # fieldwork.quality.subjects.IDLE_SECONDS when this was written

BACKFILL = {
    "sqlite": f"""
        UPDATE response SET active_seconds = (
            SELECT round(sum(min(value, {IDLE_SECONDS})), 1)
            FROM json_each(response.paradata, '$.page_seconds')
            WHERE typeof(value) IN ('integer', 'real') AND value >= 0
        )
        WHERE json_type(paradata, '$.page_seconds') = 'object'
    """,
    "postgresql": f"""
        UPDATE response SET active_seconds = (
            SELECT round(sum(least((value::text)::float, {IDLE_SECONDS}))::numeric, 1)
            FROM json_each(response.paradata -> 'page_seconds')
            WHERE json_typeof(value) = 'number' AND (value::text)::float >= 0
        )
        WHERE json_typeof(paradata -> 'page_seconds') = 'object'
    """,
}


def upgrade() -> None:
    op.add_column("response", sa.Column("active_seconds", sa.Float(), nullable=True))
    op.execute(BACKFILL[op.get_bind().dialect.name])


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("active_seconds")
