"""The database: one engine per app, a session per request, migrations through Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from fieldwork import private

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; busy_timeout makes writers queue, not fail.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    database = sqlite_file(url)
    if database is not None:
        private.create(database)
        refused = private.tighten(sqlite_files(database))
        if refused:
            app.logger.error("not owner-only, and not ours to change: %s", ", ".join(refused))
    app.extensions["fieldwork.engine"] = make_engine(url)
    app.teardown_appcontext(_close_session)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for PostgreSQL or a database in memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):  # a URI filename: its own rules, left alone
        return None
    return Path(parsed.database)


def sqlite_files(database: Path) -> list[Path]:
    """The database with the write-ahead log and shared memory files SQLite keeps beside it."""
    return [database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))]


def engine() -> Engine:
    engine: Engine = current_app.extensions["fieldwork.engine"]
    return engine


def session() -> Session:
    """The session of this request or command, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    db_session: Session = g.db_session
    return db_session


def _close_session(_error: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Apply every migration not yet applied (a SQLite database made owner-only first,
    when a script migrates before any app is made)."""
    database = sqlite_file(url)
    if database is not None:
        private.create(database)
    command.upgrade(alembic_config(url), "head")
