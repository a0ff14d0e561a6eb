"""The online questionnaire end to end through the Flask test client."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fieldwork import db
from fieldwork.responses.models import Response
from fieldwork.web import catalog
from tests.conftest import QID, hidden_fields, walk_to_check


def stored(app: Flask) -> list[Response]:
    with app.app_context():
        return list(db.session().execute(select(Response)).scalars())


def test_complete_survey_stores_one_response(app: Flask, client: FlaskClient) -> None:
    check = walk_to_check(client)
    with app.app_context():
        label = (
            catalog.versions().current(db.session(), QID).question("Q2").choice("bot_then_human")
        )
    assert label is not None and label.label["zh-Hans"] in check  # labels shown, default language
    response = client.post(f"/s/{QID}/submit", data=dict(hidden_fields(check)))
    assert response.status_code == 303
    done = client.get(response.headers["Location"])
    assert done.status_code == 200
    rows = stored(app)
    assert len(rows) == 1
    row = rows[0]
    assert row.reference.replace("-", "") in done.text.replace("-", "")
    assert row.answers["Q3"] == 75
    assert row.answers["Q1"] == "2026-09-03"
    assert row.answers["Q9"] == "_dont_know"
    assert row.segment == "general" and row.segment_source == "answers"
    assert set(row.paradata) >= {"page_seconds", "locale", "browser", "started_at"}
    assert row.duration_seconds is not None and row.duration_seconds >= 0
