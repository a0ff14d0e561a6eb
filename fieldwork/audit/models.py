"""The audit log table: append-only, enforced by database triggers (see migration 0002).

Its own package so that every service that changes a response after submission
(the automatic review at submit, reviewers, later paper reconciliation) writes
to it without depending on one another.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

SYSTEM = "system"
"""The actor of automatic decisions in the audit log."""


class AuditEntry(SQLModel, table=True):
    """Who changed what on which response, from what to what, and why. Never updated."""

    __tablename__ = "audit_log"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)
    actor_id: int | None = Field(default=None)  # a staff user; None for the system
    actor: str = Field(max_length=64)  # "system" or the username at the time
    # Not a foreign key: the log outlives what it describes.
    response_id: int | None = Field(default=None, index=True)
    # A paper sheet's changes (issued, keyed, reconciled, void), before and after it
    # becomes a response: its history is read by this id.
    sheet_id: str | None = Field(default=None, index=True, max_length=16)
    # A planned shadow test's changes (assigned, reassigned, void) before it becomes a
    # response: its history is read by this id (not a foreign key, as for responses).
    test_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=32)  # "flags", "status", "edit", "sheet-issued", …
    old: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    new: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    reason: str | None = Field(default=None, max_length=64)
    comment: str | None = Field(default=None, max_length=2000)
