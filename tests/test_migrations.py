"""The migrations build exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlmodel import SQLModel

import fieldwork.migrations.env_models  # noqa: F401  (registers every table)
from fieldwork import db


def test_models_and_migrations_agree(app: Flask) -> None:
    with app.app_context(), db.engine().connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
