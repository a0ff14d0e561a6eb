"""What other tests tell the shadow rules is found by index seeks, never by reading every
test, event or file: the query plans say so (SQLite's; PostgreSQL plans by its own
statistics, which a small test database does not have)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import event, inspect

from fieldwork import quality
from fieldwork.review import shadow_neighbours

SUBJECT = quality.Subject(
    id=5,
    questionnaire_id="covert",
    mode="shadow",
    answers={},
    submitted_at=dt.datetime(2026, 11, 3, 12, tzinfo=dt.UTC),
    shadow={
        "test": 3,
        "tester": 2,
        "events": [{"code": "contacted", "at": "2026-11-03T19:30:00+08:00", "sequence": 1}],
        "evidence": [{"id": 1, "item": "policy", "original_sha256": "ab" * 32}],
    },
)


def plans(app: Flask) -> list[str]:
    """The query plan of every statement `facts` runs, one line per step."""
    engine = app.extensions["fieldwork.engine"]
    ran: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        ran.append((statement, params))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with engine.connect() as connection:
            shadow_neighbours.facts(connection, SUBJECT, "Asia/Shanghai")
            steps = [
                str(row[-1])
                for statement, params in list(ran)
                for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
            ]
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return steps


def test_reused_files_and_the_testers_other_contacts_are_index_seeks(app: Flask) -> None:
    engine = app.extensions["fieldwork.engine"]
    with engine.connect() as connection:
        found = {
            index["name"]: index["column_names"]
            for table in ("shadow_evidence", "shadow_test", "shadow_event")
            for index in inspect(connection).get_indexes(table)
        }
    assert found["ix_shadow_evidence_original"] == ["original_sha256"]
    assert found["ix_shadow_test_tester_state"] == ["tester_id", "state"]
    assert found["ix_shadow_event_test"] == ["test_id", "device_at"]
    if engine.dialect.name != "sqlite":
        return  # the plans below are SQLite's; PostgreSQL has the same indexes to seek
    steps = plans(app)
    assert any("USING INDEX ix_shadow_evidence_original" in step for step in steps)
    assert any("USING INDEX ix_shadow_test_tester_state" in step for step in steps)
    assert any("USING INDEX ix_shadow_event_test (test_id=? AND device_at>" in s for s in steps)
    assert not [step for step in steps if step.startswith("SCAN")]


def test_a_response_without_files_or_events_finds_nothing_to_compare(app: Flask) -> None:
    engine = app.extensions["fieldwork.engine"]
    bare = quality.Subject(
        id=0,
        questionnaire_id="covert",
        mode="shadow",
        answers={},
        submitted_at=SUBJECT.submitted_at,
        shadow={"test": 3, "tester": 2, "events": [], "evidence": []},
    )
    with engine.connect() as connection:
        found = shadow_neighbours.facts(connection, bare, "Europe/Berlin")
    assert found == quality.ShadowFacts(zone="Europe/Berlin")
