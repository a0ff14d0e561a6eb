"""Delete the rows nobody can use any more, so storage stays bounded by what is in use.

Drafts never submitted and untouched for longer than a resume code lives (`resume`
refuses their codes, so nobody can come back to them), staff sessions past their
expiry, and failed attempts older than every limit's window. Never a response, a
submitted draft, an audit row or a batch: nothing here names their tables.

Rows go a batch at a time, each batch its own short transaction taken in turn with
submissions (`writers.turn`), so on SQLite the one writer lock is never held for long.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, func
from sqlmodel import Session, col, select

from fieldwork import writers
from fieldwork.accounts.models import StaffSession
from fieldwork.attempts import service as attempts
from fieldwork.attempts.models import AttemptCount
from fieldwork.clock import now
from fieldwork.responses.models import Draft
from fieldwork.responses.service import NEW_DRAFTS

BATCH = 1000


@dataclass(frozen=True)
class Stale:
    """One kind of row the purge deletes: its name, its table's key and which are stale."""

    name: str
    key: Any  # the key column, as `col()` gives it
    where: ColumnElement[bool]


def stale(resume_days: int, moment: dt.datetime) -> Iterator[Stale]:
    """What is stale at `moment`, when a resume code lives `resume_days` days."""
    resumable = moment - dt.timedelta(days=resume_days)  # as `service.resume` reckons it
    yield Stale(
        "drafts",
        col(Draft.id),
        col(Draft.response_id).is_(None) & (col(Draft.updated_at) < resumable),
    )
    yield Stale(
        "staff sessions", col(StaffSession.token_hash), col(StaffSession.expires_at) < moment
    )
    read = max(limit.window for limit in (*attempts.LIMITS, NEW_DRAFTS))
    # Keyed by kind and key: `key` alone is shared by the kinds counted per network, which
    # is why a delete re-reads `where`.
    yield Stale("failed attempts", col(AttemptCount.key), col(AttemptCount.started) < moment - read)


def purge(
    session: Session, resume_days: int, dry_run: bool = False, batch: int = BATCH
) -> dict[str, int]:
    """Delete every stale row (`stale`), `batch` to a transaction; or with `dry_run`, only
    count them. Returns the count per kind."""
    moment = now()
    return {
        kind.name: _count(session, kind) if dry_run else _delete(session, kind, batch)
        for kind in stale(resume_days, moment)
    }


def _count(session: Session, kind: Stale) -> int:
    return session.exec(select(func.count()).select_from(kind.key.table).where(kind.where)).one()


def _delete(session: Session, kind: Stale, batch: int) -> int:
    deleted = 0
    while True:
        with writers.turn(session.get_bind()):
            keys = session.exec(select(kind.key).where(kind.where).limit(batch)).all()
            if keys:
                session.execute(delete(kind.key.table).where(kind.key.in_(keys), kind.where))
            session.commit()
        deleted += len(keys)
        if len(keys) < batch:
            return deleted
