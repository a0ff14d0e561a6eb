"""Decisions on responses and the audit trail of every change after submission.

A decision names the row version it was made on; the UPDATE only matches that
version, so of two reviewers deciding at once one wins and the other is told
the response changed. Every change writes an audit row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, update
from sqlmodel import Session, col, select

from fieldwork.accounts.models import StaffUser
from fieldwork.audit import log
from fieldwork.audit.models import AuditEntry
from fieldwork.responses.models import STATUSES, Response
from fieldwork.review.models import REASONS


class DecisionError(ValueError):
    """A decision cannot be made; `code` says why (for the UI to word)."""

    def __init__(self, code: str, response_id: int | None = None):
        super().__init__(code)
        self.code = code
        self.response_id = response_id


def audit(
    session: Session,
    response_id: int | None,
    action: str,
    old: Any,
    new: Any,
    actor: StaffUser | None = None,
    reason: str | None = None,
    comment: str | None = None,
) -> None:
    """Add an audit row to the session's transaction; the caller commits."""
    row = log.entry(
        actor, action, old, new, response_id=response_id, reason=reason, comment=comment
    )
    session.add(AuditEntry(**row))


@dataclass(frozen=True)
class Change:
    """One change to audit with `audit_many`."""

    response_id: int | None
    action: str
    old: Any
    new: Any
    reason: str | None = None
    comment: str | None = None


def audit_many(session: Session, changes: Sequence[Change], actor: StaffUser | None = None) -> None:
    """Insert the audit rows of many changes by one actor with one statement, in their
    order; the caller commits. For bulk runs: no ORM object per row."""
    if not changes:
        return
    session.flush()  # rows `audit` added first keep the lower ids
    log.write(
        session,
        [
            log.entry(
                actor,
                c.action,
                c.old,
                c.new,
                response_id=c.response_id,
                reason=c.reason,
                comment=c.comment,
            )
            for c in changes
        ],
    )


def history(session: Session, response_id: int) -> Sequence[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(col(AuditEntry.response_id) == response_id)
        .order_by(col(AuditEntry.id))
    )
    return session.exec(query).all()


def last_decision(session: Session, response_id: int, reviewer_id: int) -> AuditEntry | None:
    """The latest status a reviewer set on a response, as audited: what a page that moved
    on after the decision reports was saved."""
    query = (
        select(AuditEntry)
        .where(col(AuditEntry.response_id) == response_id)
        .where(col(AuditEntry.actor_id) == reviewer_id, col(AuditEntry.action) == "status")
        .order_by(col(AuditEntry.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


@dataclass(frozen=True)
class Decision:
    response_id: int
    row_version: int  # the version the reviewer saw
    status: str
    reason: str
    comment: str | None = None


COMMENT_LIMIT = 2000


def check_form(status: str, reason: str, comment: str | None) -> None:
    """Refuse a decision whose status, reason or comment cannot be, whoever makes it."""
    if status not in STATUSES:
        raise DecisionError("unknown-status")
    if reason not in REASONS[status]:
        raise DecisionError("unknown-reason")
    if comment is not None and len(comment) > COMMENT_LIMIT:
        raise DecisionError("comment-too-long")


def _check(decision: Decision, reviewer: StaffUser) -> None:
    try:
        check_form(decision.status, decision.reason, decision.comment)
    except DecisionError as error:
        raise DecisionError(error.code, decision.response_id) from None
    if reviewer.role not in ("admin", "reviewer"):
        raise DecisionError("not-a-reviewer", decision.response_id)


def decide(session: Session, decision: Decision, reviewer: StaffUser) -> Response:
    """Set a response's status, or raise DecisionError ("changed", "own-entry", …)."""
    _check(decision, reviewer)
    response = session.get(Response, decision.response_id)
    if response is None:
        raise DecisionError("not-found", decision.response_id)
    if response.entered_by is not None and response.entered_by == reviewer.id:
        raise DecisionError("own-entry", decision.response_id)
    old = response.status
    result = session.execute(
        update(Response)
        .where(col(Response.id) == decision.response_id)
        .where(col(Response.row_version) == decision.row_version)
        .values(
            status=decision.status, row_version=decision.row_version + 1, reviewed_by=reviewer.id
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise DecisionError("changed", decision.response_id)
    audit(
        session,
        decision.response_id,
        "status",
        old,
        decision.status,
        reviewer,
        decision.reason,
        decision.comment,
    )
    session.commit()
    session.refresh(response)
    return response


@dataclass(frozen=True)
class Watermark:
    """How far the audit log and the responses had gone when a reviewer was shown a set:
    what changed after it, the reviewer has not seen."""

    audit_id: int
    response_id: int

    def __str__(self) -> str:
        return f"{self.audit_id}:{self.response_id}"

    @classmethod
    def parse(cls, text: str) -> Watermark | None:
        audit_id, _sep, response_id = text.partition(":")
        audit, response = _id_of(audit_id), _id_of(response_id)
        if audit is None or response is None:
            return None
        return cls(audit, response)


ID_LIMIT = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL."""


def _id_of(text: str) -> int | None:
    """An id column's value, or None: ASCII digits only ("²".isdigit() holds, int() fails)
    and at most 2**31 - 1, so a hostile watermark (2**63) cannot overflow SQLite."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    number = int(text)
    return number if number <= ID_LIMIT else None


def watermark(session: Session) -> Watermark:
    """The watermark of now."""
    last_audit = session.execute(select(func.max(col(AuditEntry.id)))).scalar_one()
    last_response = session.execute(select(func.max(col(Response.id)))).scalar_one()
    return Watermark(last_audit or 0, last_response or 0)


def seen_and_changed(
    session: Session, chosen: Select[tuple[Response]], seen: Watermark, limit: int
) -> tuple[list[tuple[int, int]], list[int], bool]:
    """Of the responses a query chooses now, (id, row version) of those unchanged since a
    reviewer saw the set at `seen`, and the ids of those changed since (decided, re-flagged);
    responses stored after it are left out. At most `limit` in all, the lowest ids first,
    and whether more were left out."""
    shown = chosen.where(col(Response.id) <= seen.response_id)
    ids = shown.with_only_columns(col(Response.id))
    changed = set(
        session.execute(
            select(col(AuditEntry.response_id))
            .where(col(AuditEntry.id) > seen.audit_id, col(AuditEntry.response_id).in_(ids))
            .distinct()
        ).scalars()
    )
    unchanged, stale = [], []
    rows = session.execute(
        shown.with_only_columns(col(Response.id), col(Response.row_version))
        .order_by(col(Response.id))
        .limit(limit + 1)
    ).all()
    for response_id, row_version in rows[:limit]:
        if response_id in changed:
            stale.append(response_id)
        else:
            unchanged.append((response_id, row_version))
    return unchanged, stale, len(rows) > limit


def decide_many(
    session: Session, decisions: Iterable[Decision], reviewer: StaffUser
) -> tuple[int, list[DecisionError]]:
    """Decide each in turn; one that fails does not stop the others. Returns (done, errors)."""
    done, errors = 0, []
    for decision in decisions:
        try:
            decide(session, decision, reviewer)
            done += 1
        except DecisionError as error:
            errors.append(error)
    return done, errors
