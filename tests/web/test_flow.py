"""The online questionnaire end to end through the Flask test client."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from fieldwork import db
from fieldwork.responses.models import Response
from tests.conftest import QID, SHIPPED, csrf_of, hidden_fields, page_codes, started, walk_to_check
from tests.questionnaires.two_pages import SURVEY


def stored(app: Flask) -> list[Response]:
    with app.app_context():
        return list(db.session().execute(select(Response)).scalars())


def test_complete_survey_stores_one_response(app: Flask, client: FlaskClient) -> None:
    check = walk_to_check(client, survey=SURVEY)
    assert "35–59 岁" in check  # the answer's label, in the default language
    response = client.post(SURVEY.url("submit"), data=MultiDict(hidden_fields(check)))
    assert response.status_code == 303
    done = client.get(response.headers["Location"])
    assert done.status_code == 200
    rows = stored(app)
    assert len(rows) == 1
    row = rows[0]
    assert row.reference.replace("-", "") in done.text.replace("-", "")
    assert row.answers["WAITED"] == 75
    assert row.answers["CHANNELS"] == ["phone", "chat"]
    assert row.answers["WHEN"] == "2026-09-03"
    assert row.answers["R3"] == "_dont_know"
    assert row.segment == "general" and row.segment_source == "answers"
    assert set(row.paradata) >= {"page_seconds", "locale", "browser", "started_at"}
    assert row.duration_seconds is not None and row.duration_seconds >= 0


@pytest.mark.shipped
def test_shipped_questionnaire_walks_to_a_stored_response(app: Flask, client: FlaskClient) -> None:
    """The shipped file on purpose: every page of it can be answered and submitted."""
    check = walk_to_check(client, survey=SHIPPED)
    response = client.post(f"/s/{QID}/submit", data=MultiDict(hidden_fields(check)))
    assert response.status_code == 303
    [row] = stored(app)
    assert row.questionnaire_id == QID
    assert row.answers["Q3"] == 75 and row.answers["S3"] == ["taobao_tmall", "jd"]
    assert row.segment == "general" and row.segment_source == "answers"


def summary_links(html: str) -> dict[str, str]:
    """The error summary's links: target id -> link text."""
    summary = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary"
    return dict(re.findall(r'<a href="#([^"]+)">\s*([^<]*?)\s*</a>', summary.group(0)))


def test_error_summary_links_carry_only_their_messages(client: FlaskClient) -> None:
    """Each message says what its question takes, without repeating the question."""
    client.get("/settings/language/en")
    url = started(client, SURVEY)
    page = client.post(url, data={"csrf_token": csrf_of(client.get(url).text)})
    assert page.status_code == 422
    assert page_codes(page.text) == ["AGE", "KIDS", "CHANNELS"]
    assert summary_links(page.text) == {
        "AGE-1": "Choose an answer",
        "KIDS-1": "Choose an answer",
        "CHANNELS-1": "Choose at least one answer",
    }
    assert "Check the following" in page.text


def test_error_summary_on_submit_links_to_the_problem(client: FlaskClient) -> None:
    client.get("/settings/language/en")
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    form["SCORE"] = "11"
    page = client.post(SURVEY.url("submit"), data=form)
    assert page.status_code == 422
    assert summary_links(page.text) == {"SCORE": "Enter a number of 10 or less"}
    assert 'id="SCORE"' in page.text  # the link leads to the problem
