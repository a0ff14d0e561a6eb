"""Tables for planned shadow tests, the events testers log, and their evidence.

A test is one planned contact: a platform's channel, a scenario and a time slot, for a
campaign and wave, assigned to one tester. Its events are the taps of the logger, each
with the id the tester's device gave it (unique: a replayed offline queue stores
nothing twice), the device's time and the time the server received it. Evidence files
live outside the web root under random names; the table keeps what proves them.

When the tester submits the checklist, the test becomes a response (mode shadow) whose
paradata freezes the timeline and the evidence list, so review and exports read one row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

PLANNED, LOGGING, SUBMITTED, VOID = "planned", "logging", "submitted", "void"
STATES = (PLANNED, LOGGING, SUBMITTED, VOID)
"""A test's states: planned (and perhaps assigned), events arriving, submitted, void."""

DAYS = ("weekday", "weekend")
PARTS = ("morning", "afternoon", "evening", "night")
SLOTS = tuple(f"{day}_{part}" for day in DAYS for part in PARTS)
"""Time slots a test is planned in: weekday or weekend × part of the day."""

TAP, TYPED = "tap", "typed"
"""How an event was logged: tapped on the logger (device time) or typed in without it."""


class ShadowTest(SQLModel, table=True):
    __tablename__ = "shadow_test"
    __table_args__ = (
        Index("ix_shadow_test_tester_state", "tester_id", "state"),
        Index("ix_shadow_test_cell", "platform", "channel", "slot"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    definition_id: str = Field(max_length=64)
    # The exact definition planned against: a later version does not change its checklist.
    version_hash: str = Field(foreign_key="questionnaire_version.content_hash", max_length=64)
    campaign: str | None = Field(default=None, max_length=64)
    wave: str | None = Field(default=None, max_length=64)
    platform: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    scenario: str = Field(max_length=64)
    slot: str = Field(max_length=32)
    planned_on: dt.date | None = None  # the day planned, if any: else any day of the wave
    segment: str | None = Field(default=None, max_length=32)  # the persona the tester plays
    spans_days: bool = False  # a case (a return, a repair) logged over several days
    tester_id: int | None = Field(default=None, foreign_key="staff_user.id")
    state: str = Field(default=PLANNED, max_length=16)
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: dt.datetime
    response_id: int | None = Field(default=None, foreign_key="response.id")


class ShadowEvent(SQLModel, table=True):
    """One logged event. `undone_at` is set by "undo last": the event stays on record."""

    __tablename__ = "shadow_event"
    __table_args__ = (
        Index("ix_shadow_event_test", "test_id", "device_at"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=36, unique=True)  # the device's UUID for this tap
    test_id: int = Field(foreign_key="shadow_test.id")
    sequence: int  # the order the device logged it in, which breaks ties in time
    code: str = Field(max_length=64)
    note: str | None = Field(default=None, max_length=500)
    device_at: dt.datetime  # when it happened, by the tester's device (or as typed)
    received_at: dt.datetime  # when the server received it
    entered: str = Field(default=TAP, max_length=8)
    undone_at: dt.datetime | None = None


class Evidence(SQLModel, table=True):
    """One screenshot or photo behind a test's checklist, as re-encoded and stored."""

    __tablename__ = "shadow_evidence"
    __table_args__ = (
        Index("ix_shadow_evidence_test", "test_id"),
        # The same file behind two tests is found in one seek.
        Index("ix_shadow_evidence_original", "original_sha256"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    test_id: int = Field(foreign_key="shadow_test.id")
    item: str | None = Field(default=None, max_length=64)  # the checklist item it backs
    stored_name: str = Field(max_length=64, unique=True)  # random; never from the upload
    media_type: str = Field(max_length=32)  # of the stored file, e.g. image/png
    original_sha256: str = Field(max_length=64)  # of the bytes as uploaded
    sha256: str = Field(max_length=64)  # of the bytes as stored
    size: int  # bytes stored
    width: int
    height: int
    uploaded_by: int = Field(foreign_key="staff_user.id")
    received_at: dt.datetime
    removed_at: dt.datetime | None = None  # taken off the test by the tester before submit
