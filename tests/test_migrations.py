"""The migrations build exactly the tables the models describe, and mend old rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import fieldwork.migrations.env_models  # noqa: F401  (registers every table)
from fieldwork import db


def test_models_and_migrations_agree(app: Flask) -> None:
    with app.app_context(), db.engine().connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_responses_stored_without_a_duration_get_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = db.alembic_config(url)
    command.upgrade(config, "0003")
    engine = create_engine(url)
    started = dt.datetime(2026, 11, 1, 8, 0, 0, 250000)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO questionnaire_version (content_hash, questionnaire_id, version, "
                "definition, loaded_at) VALUES ('h', 'q', '1', '{}', :at)"
            ),
            {"at": started},
        )
        for number, start in enumerate((started, None), start=1):
            connection.execute(
                text(
                    "INSERT INTO response (submission_id, reference, questionnaire_id, "
                    "version_hash, mode, segment, segment_source, locale, status, flags, "
                    "answers, paradata, answers_hash, started_at, submitted_at, row_version) "
                    "VALUES (:id, :id, 'q', 'h', 'online', 'general', 'answers', 'en', "
                    "'pending', '[]', '{}', '{}', '', :start, :submitted, 1)"
                ),
                {
                    "id": str(number),
                    "start": start,
                    "submitted": started + dt.timedelta(minutes=7, seconds=30.5),
                },
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        durations = connection.execute(
            text("SELECT duration_seconds FROM response ORDER BY id")
        ).scalars()
        assert list(durations) == [450.5, None]  # none without a start (paper)
    engine.dispose()
