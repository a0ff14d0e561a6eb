"""Completion times for responses stored before the duration column existed.

The quality rules read the stored duration (the median of the speeder rule, at submit
and in the bulk run); rows stored before 0002 had a start and a submit time but no
duration. Computed here as the response service computes it, in Python, so SQLite and
PostgreSQL get the same exact seconds.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:50:00.000000
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

response = sa.table(
    "response",
    sa.column("id", sa.Integer()),
    sa.column("started_at", sa.DateTime()),
    sa.column("submitted_at", sa.DateTime()),
    sa.column("duration_seconds", sa.Float()),
)
CHUNK = 5000


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def upgrade() -> None:
    connection = op.get_bind()
    missing = (
        sa.select(response.c.id, response.c.started_at, response.c.submitted_at)
        .where(response.c.duration_seconds.is_(None), response.c.started_at.is_not(None))
        .order_by(response.c.id)
        .limit(CHUNK)
    )
    fill = (
        sa.update(response)
        .where(response.c.id == sa.bindparam("b_id"))
        .values(duration_seconds=sa.bindparam("b_seconds"))
    )
    last = 0
    while rows := connection.execute(missing.where(response.c.id > last)).all():
        connection.execute(
            fill,
            [
                {
                    "b_id": row.id,
                    "b_seconds": (_utc(row.submitted_at) - _utc(row.started_at)).total_seconds(),
                }
                for row in rows
            ],
        )
        last = rows[-1].id


def downgrade() -> None:
    pass  # the durations stay right
