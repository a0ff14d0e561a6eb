"""The table of failed guesses: one row per failure, kept only as long as a limit reads it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class FailedAttempt(SQLModel, table=True):
    """A wrong password or an unknown resume code, under the key its limit counts by (a
    hashed account name or network address). In the database, not in a process, so the
    count holds across every app process behind gunicorn."""

    __tablename__ = "failed_attempt"
    __table_args__ = (Index("ix_failed_attempt_kind_key_at", "kind", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    key: str = Field(max_length=64)
    at: dt.datetime = Field(index=True)
