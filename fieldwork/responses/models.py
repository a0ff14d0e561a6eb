"""Tables for drafts and submitted responses.

A response stores its answers as one JSON document, plus indexed columns for
everything staff filter on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, text, type_coerce
from sqlmodel import Field, SQLModel

PENDING, APPROVED, REJECTED, ON_HOLD = "pending", "approved", "rejected", "on_hold"
STATUSES = (PENDING, APPROVED, REJECTED, ON_HOLD)
"""A response's review status: pending until the automatic review or a reviewer decides."""


BANDS = ("band_1", "band_2", "band_3")
"""The columns of an answer signature's bands (fieldwork.quality.similarity.BANDS)."""


class Response(SQLModel, table=True):
    # Ids are never reused, so the audit log and frozen batches always point at one response.
    # Few indexes on purpose: every one is written by every submission.
    __table_args__ = (
        Index("ix_response_questionnaire_submitted", "questionnaire_id", "submitted_at"),
        Index(
            "ix_response_ip_questionnaire_submitted", "ip_hash", "questionnaire_id", "submitted_at"
        ),
        # The first earlier response with the same closed answers from the same network, in
        # one seek however many responses share that address (a campus, a carrier's NAT).
        Index(
            "ix_response_same_answers",
            "fingerprint",
            "ip_hash",
            "questionnaire_id",
            "submitted_at",
        ),
        # Nearly the same answers from other addresses (a click farm): one seek per band of
        # the answer signature (fieldwork.quality.similarity).
        *(Index(f"ix_response_{band}", band, "questionnaire_id", "submitted_at") for band in BANDS),
        # Staff look up a paper sheet's entries, and shadow tests by platform and channel.
        Index("ix_response_sheet_id", "sheet_id"),
        Index("ix_response_platform_channel", "platform", "channel"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: str = Field(max_length=36, unique=True)  # the client's UUID
    reference: str = Field(max_length=12, unique=True)  # shown to the respondent
    questionnaire_id: str = Field(max_length=64)
    version_hash: str = Field(foreign_key="questionnaire_version.content_hash", max_length=64)
    mode: str = Field(max_length=16)
    segment: str = Field(max_length=32)
    segment_source: str = Field(max_length=16)
    campaign: str | None = Field(default=None, max_length=64)
    wave: str | None = Field(default=None, max_length=64)
    locale: str = Field(max_length=16)
    status: str = Field(default=PENDING, index=True, max_length=16)
    flags: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    paradata: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    answers_hash: str = Field(max_length=64)  # tells a resubmission from a different one
    started_at: dt.datetime | None = None
    submitted_at: dt.datetime
    # What the quality rules compare across responses, indexed so one submission
    # is checked without a scan.
    ip_hash: str | None = Field(default=None, max_length=64)
    fingerprint: str | None = Field(default=None, max_length=40)
    answer_signature: str | None = None  # two bytes a closed question, as hex
    band_1: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    band_2: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    band_3: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    duration_seconds: float | None = None  # start to submit, resumes included
    active_seconds: float | None = None  # page times added up (quality.active_seconds)
    rules_version: str | None = Field(default=None, max_length=32)
    entered_by: int | None = Field(default=None, foreign_key="staff_user.id")
    # Provenance as the mode defines it (fieldwork.modes): its fields staff filter on have
    # columns of their own; the rest (a sheet's entry pass, a test's slot) are in `source`.
    source: dict[str, str] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False, server_default=text("'{}'")),
    )
    sheet_id: str | None = Field(default=None, max_length=32)
    platform: str | None = Field(default=None, max_length=64)
    channel: str | None = Field(default=None, max_length=32)
    row_version: int = Field(default=1)  # optimistic locking for review decisions
    # Who set the current status; None while only the automatic review has decided,
    # which re-running the rules may then change.
    reviewed_by: int | None = Field(default=None, foreign_key="staff_user.id")


OPEN_DRAFT = text("response_id IS NULL")


class Draft(SQLModel, table=True):
    """Answers in progress; the respondent's cookie or resume code points here."""

    # The purge finds the oldest drafts never submitted in one seek (responses/purge.py);
    # submitted ones, kept, are not in the index.
    __table_args__ = (
        Index(
            "ix_draft_open_updated_at",
            "updated_at",
            sqlite_where=OPEN_DRAFT,
            postgresql_where=OPEN_DRAFT,
        ),
    )

    id: str = Field(primary_key=True, max_length=43)
    submission_id: str = Field(max_length=36, unique=True)
    questionnaire_id: str = Field(max_length=64)
    version_hash: str = Field(foreign_key="questionnaire_version.content_hash", max_length=64)
    resume_code: str | None = Field(default=None, unique=True, max_length=16)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    page_seconds: dict[str, float] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    # What the invitation link set (campaign, wave, segment), and under "display" the text
    # size and contrast last shown ({"text_size": "x-large", "contrast": "high"}): a
    # resumed draft comes back in them. Drafts from before hold only the size there.
    preset: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    started_at: dt.datetime
    updated_at: dt.datetime
    response_id: int | None = Field(default=None, foreign_key="response.id")


def as_stored(column: Any) -> Any:
    """A time column as the driver reads it (naive UTC from SQLite, aware from PostgreSQL),
    without the column type's conversion of every value: for jobs that read a million
    rows and make the times they use aware with `quality.as_utc`."""
    return type_coerce(column, DateTime()).label(column.key)
