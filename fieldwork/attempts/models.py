"""The table of guess counters: one row per limit and key, kept only while a limit reads it."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel


class AttemptCount(SQLModel, table=True):
    """The guesses counted under one limit and key (a hashed account, network address, or
    the pair of both). One row, raised by a single upsert that also decides whether the
    guess may be tried, so that simultaneous guesses, in any app process behind gunicorn,
    can never all read the same count and all pass."""

    __tablename__ = "attempt_count"

    kind: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=160)
    guesses: int
    started: dt.datetime = Field(index=True)  # the first guess of the window
    last_at: dt.datetime  # the last guess let through
