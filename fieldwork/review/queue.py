"""The review queue: its order, its counts per status, and the way through it.

The queue lists what a filter (`responses.filters.Filter`) chooses, newest first. A
reviewer who decides and goes on ("save and next") lands on the response that follows
in that order, found from the position of the one just decided, so deciding (which may
take a response out of the filter) never skips or repeats one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from fieldwork.responses.filters import Filter
from fieldwork.responses.models import Response

ORDER = (col(Response.submitted_at).desc(), col(Response.id).desc())
"""The queue's order: newest first, the later stored first of the same moment."""


def page(session: Session, chosen: Filter, offset: int, limit: int) -> Sequence[Response]:
    """`limit` responses of the queue from `offset` on."""
    query = chosen.where(select(Response)).order_by(*ORDER).offset(offset).limit(limit)
    return session.execute(query).scalars().all()


def counts(session: Session, chosen: Filter) -> Mapping[str, int]:
    """How many responses the filter would take with each status, its other fields as
    they are: the count behind each of the queue's status tabs."""
    every_status = dataclasses.replace(chosen, statuses=())
    query = every_status.where(select(col(Response.status), func.count()))
    rows = session.execute(query.group_by(col(Response.status))).all()
    return {str(status): int(count) for status, count in rows}


def next_after(
    session: Session, chosen: Filter, current: Response, reviewer_id: int | None
) -> int | None:
    """The id of the response after `current` in the queue the filter makes, leaving out
    those `reviewer_id` entered (they cannot decide them); None at the end of the queue."""
    later_in_queue = or_(
        col(Response.submitted_at) < current.submitted_at,
        and_(col(Response.submitted_at) == current.submitted_at, col(Response.id) < current.id),
    )
    query: Any = chosen.where(select(col(Response.id))).where(later_in_queue)
    if reviewer_id is not None:
        entered = col(Response.entered_by)
        query = query.where(or_(entered.is_(None), entered != reviewer_id))
    found = session.execute(query.order_by(*ORDER).limit(1)).scalar_one_or_none()
    return int(found) if found is not None else None
