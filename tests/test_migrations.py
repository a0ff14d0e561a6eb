"""The migrations build exactly the tables the models describe, and mend old rows."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import Connection, create_engine, text
from sqlmodel import SQLModel

import fieldwork.migrations.env_models  # noqa: F401  (registers every table)
from fieldwork import db


def test_models_and_migrations_agree(app: Flask) -> None:
    with app.app_context(), db.engine().connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def _version(connection: Connection, content_hash: str, at: dt.datetime) -> None:
    connection.execute(
        text(
            "INSERT INTO questionnaire_version (content_hash, questionnaire_id, version, "
            "definition, loaded_at) VALUES (:hash, 'q', '1', '{}', :at)"
        ),
        {"hash": content_hash, "at": at},
    )


def _response(
    connection: Connection,
    number: int,
    started: dt.datetime | None,
    submitted: dt.datetime,
    version_hash: str = "h",
) -> None:
    connection.execute(
        text(
            "INSERT INTO response (id, submission_id, reference, questionnaire_id, "
            "version_hash, mode, segment, segment_source, locale, status, flags, "
            "answers, paradata, answers_hash, started_at, submitted_at, row_version) "
            "VALUES (:number, :id, :id, 'q', :hash, 'online', 'general', 'answers', 'en', "
            "'pending', '[]', '{}', '{}', '', :start, :submitted, 1)"
        ),
        {
            "number": number,
            "id": str(number),
            "hash": version_hash,
            "start": started,
            "submitted": submitted,
        },
    )


def test_responses_stored_without_a_duration_get_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = db.alembic_config(url)
    command.upgrade(config, "0003")
    engine = create_engine(url)
    started = dt.datetime(2026, 11, 1, 8, 0, 0, 250000)
    submitted = started + dt.timedelta(minutes=7, seconds=30.5)
    with engine.begin() as connection:
        _version(connection, "h", started)
        _response(connection, 1, started, submitted)
        _response(connection, 2, None, submitted)
    command.upgrade(config, "head")
    with engine.connect() as connection:
        durations = connection.execute(
            text("SELECT duration_seconds FROM response ORDER BY id")
        ).scalars()
        assert list(durations) == [450.5, None]  # none without a start (paper)
    engine.dispose()


def test_batches_frozen_before_get_the_versions_their_responses_answered(
    tmp_path: Path,
) -> None:
    """An export's columns follow the batch's newest version: the versions of excluded
    responses count too, as they did when they were looked up at every export."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = db.alembic_config(url)
    command.upgrade(config, "0007")
    engine = create_engine(url)
    moment = dt.datetime(2026, 11, 1, 8, 0, 0)
    with engine.begin() as connection:
        _version(connection, "old", moment)
        _version(connection, "new", moment + dt.timedelta(days=1))
        for number, version_hash in enumerate(("old", "new", "old"), start=1):
            _response(connection, number, None, moment, version_hash)
        connection.execute(
            text(
                "INSERT INTO staff_user (id, username, password_hash, role, active, "
                "created_at) VALUES (1, 'a', 'x', 'admin', 1, :at)"
            ),
            {"at": moment},
        )
        for batch_id in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO batch (id, name, questionnaire_id, filters, rules_version, "
                    "created_by, created_at, size, excluded) "
                    "VALUES (:id, 'b', 'q', '{}', 'r', 1, :at, 1, 1)"
                ),
                {"id": batch_id, "at": moment},
            )
        items = [(1, 1, True), (1, 2, False), (2, 3, True)]  # batch, response, included
        for batch_id, response_id, included in items:
            connection.execute(
                text(
                    "INSERT INTO batch_item (batch_id, response_id, included, status, flags) "
                    "VALUES (:batch, :response, :included, 'approved', '[]')"
                ),
                {"batch": batch_id, "response": response_id, "included": included},
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        found = connection.execute(text("SELECT version_hashes FROM batch ORDER BY id")).scalars()
        assert [json.loads(hashes) for hashes in found] == [["new", "old"], ["old"]]
    engine.dispose()


def test_alembic_sees_every_table_from_the_models_module_alone() -> None:
    """Autogenerate reads env_models in a fresh process: a table missing there would be
    proposed for dropping."""
    probe = (
        "import fieldwork.migrations.env_models\n"
        "from sqlmodel import SQLModel\n"
        "print(' '.join(sorted(SQLModel.metadata.tables)))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert found == sorted(SQLModel.metadata.tables)
    assert {"response", "audit_log", "batch", "staff_user", "attempt_count"} <= set(found)
