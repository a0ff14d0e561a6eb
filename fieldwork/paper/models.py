"""Tables for print runs and the numbered sheets they issue.

A print run is one order for printed sheets: a questionnaire version in one language
and print size, for a campaign, wave and preset segment, handed to one fieldworker.
Each sheet it issues has an id of its own (`paper.ids`), unique by the primary key,
and a state that only moves the ways `paper.service.TRANSITIONS` allows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

SIZES = ("standard", "large")
"""Print sizes: standard (body ≥ 12 pt) or large print (body ≥ 16 pt)."""

ISSUED, KEYED_ONCE, KEYED_TWICE, RECONCILED, VOID = (
    "issued",
    "keyed_once",
    "keyed_twice",
    "reconciled",
    "void",
)
STATES = (ISSUED, KEYED_ONCE, KEYED_TWICE, RECONCILED, VOID)
"""A sheet's states, in the order a sheet usually passes through them."""


class PrintRun(SQLModel, table=True):
    __tablename__ = "print_run"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: str = Field(index=True, max_length=64)
    # The exact text printed: a later version of the questionnaire does not change it.
    version_hash: str = Field(foreign_key="questionnaire_version.content_hash", max_length=64)
    language: str = Field(max_length=16)
    size: str = Field(max_length=16)
    campaign: str | None = Field(default=None, max_length=64)
    wave: str | None = Field(default=None, max_length=64)
    segment: str | None = Field(default=None, max_length=32)  # preset for every sheet
    count: int
    issued_to: int = Field(foreign_key="staff_user.id", index=True)  # a fieldworker
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")  # None: the CLI
    created_at: dt.datetime
    # How its sheets are verified (`paper.verification`): set when the run is issued.
    verification: str = Field(default="adaptive", max_length=16)
    share: float = 0.10  # the part keyed twice under `sample`, and `adaptive` once trusted


class PaperSheet(SQLModel, table=True):
    """One numbered sheet of a run: its id as printed, and how far its entry has come."""

    __tablename__ = "paper_sheet"
    __table_args__ = (UniqueConstraint("run_id", "number", name="uq_paper_sheet_run_number"),)

    # The primary key is the uniqueness constraint a clash of random ids meets.
    id: str = Field(primary_key=True, max_length=16)
    run_id: int = Field(foreign_key="print_run.id")
    number: int  # 1 … the run's count, as the run's list shows them
    state: str = Field(default=ISSUED, index=True, max_length=16)
    # The response the sheet became, once entered (and reconciled, if keyed twice).
    response_id: int | None = Field(default=None, foreign_key="response.id")


class PaperEntry(SQLModel, table=True):
    """One keyer's pass over one sheet, stored section by section as it is keyed, so the
    keyer can stop and resume; finished when the last section is keyed.

    `(sheet_id, entry_pass)` is unique: one first and one second entry per sheet.
    `(sheet_id, keyer_id)` is unique: nobody keys the same sheet twice, which is what
    makes the second entry blind and independent. Both are constraints, so two people
    starting the same sheet at once cannot both get it.
    """

    __tablename__ = "paper_entry"
    __table_args__ = (
        UniqueConstraint("sheet_id", "entry_pass", name="uq_paper_entry_sheet_pass"),
        UniqueConstraint("sheet_id", "keyer_id", name="uq_paper_entry_sheet_keyer"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: str = Field(foreign_key="paper_sheet.id", max_length=16)
    entry_pass: int  # 1 or 2
    keyer_id: int = Field(foreign_key="staff_user.id", index=True)
    # What was typed, by question and field, as the keyer typed it: to resume and re-show.
    typed: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The values those keys stand for, by question code (blank, illegible … included).
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    sections: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    keystrokes: int = 0  # counted by the page's script, or worked out from the answers
    seconds: float = 0.0  # time on the entry pages, pauses between sittings left out
    # Once the sheet's final answers are settled: the fields compared and those keyed wrong.
    compared: int | None = None
    errors: int | None = None
    wrong: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
