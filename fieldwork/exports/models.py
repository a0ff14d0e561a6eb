"""Batches: a frozen, fixed list of responses with the filters and rules that chose them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class Batch(SQLModel, table=True):
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    questionnaire_id: str = Field(index=True, max_length=64)
    filters: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    rules_version: str = Field(max_length=32)
    created_by: int = Field(foreign_key="staff_user.id")
    created_at: dt.datetime
    size: int = 0
    excluded: int = 0
    # The content hashes of the questionnaire versions its responses answered, found once
    # when it is frozen: an export's columns follow the newest of them.
    version_hashes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # The modes whose metadata columns its files carry (fieldwork.modes): those of its
    # included responses, found when it is frozen. A batch frozen before modes had columns
    # of their own carries the online ones, as its files always did.
    modes: list[str] = Field(
        default_factory=lambda: ["online"],
        sa_column=Column(JSON, nullable=False, server_default='["online"]'),
    )


class BatchItem(SQLModel, table=True):
    """One response in a batch: included, or considered and excluded (the cleaning log)."""

    __tablename__ = "batch_item"

    batch_id: int = Field(foreign_key="batch.id", primary_key=True)
    response_id: int = Field(primary_key=True)
    included: bool = Field(index=True)
    # Copied when frozen, so later decisions and re-runs of the rules change nothing here.
    status: str = Field(max_length=16)
    flags: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )


class ExportJob(SQLModel, table=True):
    """A build of one batch folder in the background: who holds it, how far it got, how it
    ended (see `fieldwork.exports.jobs`).

    Keyed by the folder's name, which says what the batch is (`files.folder`), so a job of a
    batch in a database started afresh is never taken for a new batch's. Not a foreign key to
    the batch: a job is a note about a folder, and the folder on disk is the truth.
    """

    __tablename__ = "export_job"

    folder: str = Field(primary_key=True, max_length=64)
    state: str = Field(max_length=16)  # running, failed or done
    # Random per claim: only the holder of the current claim writes progress and the end.
    token: str = Field(max_length=32)
    done: int = 0  # responses written so far
    total: int = 0  # responses in the batch
    error: str | None = Field(default=None, max_length=32)  # a code, worded by the web layer
    started_at: dt.datetime
    heartbeat_at: dt.datetime
