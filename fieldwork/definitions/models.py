"""The table of loaded questionnaire versions, keyed by content hash."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class QuestionnaireVersion(SQLModel, table=True):
    __tablename__ = "questionnaire_version"

    content_hash: str = Field(primary_key=True, max_length=64)
    questionnaire_id: str = Field(index=True, max_length=64)
    version: str = Field(max_length=64)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    loaded_at: dt.datetime
