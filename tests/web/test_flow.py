"""The online questionnaire end to end through the Flask test client."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from fieldwork import catalog, db
from fieldwork.responses.models import Response
from tests.conftest import QID, csrf_of, hidden_fields, page_codes, walk_to_check


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


def summary_links(html: str) -> dict[str, str]:
    """The error summary's links: target id -> link text."""
    summary = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary"
    return dict(re.findall(r'<a href="#([^"]+)">\s*([^<]*?)\s*</a>', summary.group(0)))


def english_text(app: Flask, code: str) -> str:
    with app.app_context():
        questionnaire = catalog.versions().current(db.session(), QID)
        assert questionnaire is not None
        return str(escape(questionnaire.question(code).text["en"]))


def test_error_summary_names_the_question_of_each_problem(app: Flask, client: FlaskClient) -> None:
    client.get("/settings/language/en")
    start = client.get(f"/s/{QID}/")
    moved = client.post(
        f"/s/{QID}/start", data={"csrf_token": csrf_of(start.text), "consent": "yes"}
    )
    url = moved.headers["Location"]
    page = client.post(url, data={"csrf_token": csrf_of(client.get(url).text)})
    assert page.status_code == 422
    links = summary_links(page.text)
    asked = page_codes(page.text)
    assert len(links) == len(asked) > 1  # five links all saying "Answer this question" would not do
    first = asked[0]
    assert links[f"{first}-1"] == f"{first} {english_text(app, first)} – Answer this question"


def test_error_summary_on_submit_names_the_question(app: Flask, client: FlaskClient) -> None:
    client.get("/settings/language/en")
    form = dict(hidden_fields(walk_to_check(client)))
    form["Q15"] = "11"
    page = client.post(f"/s/{QID}/submit", data=form)
    assert page.status_code == 422
    assert summary_links(page.text) == {
        "Q15": f"Q15 {english_text(app, 'Q15')} – Enter a number of 10 or less"
    }
    assert 'id="Q15"' in page.text  # the link leads to the problem
