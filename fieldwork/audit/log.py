"""Writing the audit log: the columns of one row, and many rows in one statement.

Every service that audits builds its rows here, so a row about a response, a paper sheet
or a shadow test has the same columns whoever writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import insert
from sqlmodel import Session

from fieldwork.audit.models import SYSTEM, AuditEntry
from fieldwork.clock import now


class Actor(Protocol):
    """Who made a change: a staff user (`accounts.models.StaffUser`)."""

    id: int | None
    username: str


def entry(
    actor: Actor | None,
    action: str,
    old: Any,
    new: Any,
    *,
    unattended: str = SYSTEM,
    response_id: int | None = None,
    sheet_id: str | None = None,
    test_id: int | None = None,
    reason: str | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """The columns of one audit row, written now, about what the ids name. Without an
    actor the row is `unattended`'s: the system's, or the command line's."""
    return {
        "at": now(),
        "actor_id": actor.id if actor else None,
        "actor": actor.username if actor else unattended,
        "response_id": response_id,
        "sheet_id": sheet_id,
        "test_id": test_id,
        "action": action,
        "old": old,
        "new": new,
        "reason": reason,
        "comment": comment,
    }


_INSERT = insert(AuditEntry.__table__)  # type: ignore[attr-defined]


def write(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `entry` rows with one statement, in the caller's transaction, in order."""
    if rows:
        session.connection().execute(_INSERT, list(rows))
