"""A contradiction through the pages: submitted, stored with its flag, explained to the
reviewer in their language with the questionnaire's own words.

The two-page survey (tests/questionnaires/two_pages.yaml) declares that a channel used
(CHANNELS) and no contact counted (CALLS = 0) cannot both be true.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from fieldwork import db
from fieldwork.responses.models import Response
from tests.conftest import hidden_fields, walk_to_check
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import fast_password_hashing, sign_in, staff

CONTRADICTING = SURVEY.answers(CALLS={"CALLS": "0"})  # phoned and chatted, yet no contact


@pytest.fixture
def submitted(app: Flask, client: FlaskClient) -> Response:
    """The contradicting answers walked through the pages and submitted."""
    check = walk_to_check(client, answers=CONTRADICTING, survey=SURVEY)
    posted = client.post(SURVEY.url("submit"), data=MultiDict(hidden_fields(check)))
    assert posted.status_code == 303
    with app.app_context():
        return db.session().execute(select(Response)).scalars().one()


def test_a_contradicting_response_is_stored_with_the_check_and_answers(
    submitted: Response,
) -> None:
    [flag] = [f for f in submitted.flags if f["code"] == "contradiction"]
    assert flag == {
        "code": "contradiction",
        "severity": "review",
        "checks": ["channel_but_no_contact"],
        "answers": ["CHANNELS = phone + chat", "CALLS = 0"],
    }
    assert submitted.status in ("pending", "rejected")  # held for a person, never approved


@pytest.mark.parametrize(
    ("lang", "label", "sentence", "explanation"),
    [
        ("zh-Hans", "回答前后矛盾", "这些回答不可能同时成立", "却说一次也没有联系过。"),
        ("en", "Answers that contradict each other", "cannot all be true", "yet counts no contact"),
    ],
)
def test_the_review_page_explains_it_in_the_reviewers_language(
    app: Flask,
    client: FlaskClient,
    submitted: Response,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    label: str,
    sentence: str,
    explanation: str,
) -> None:
    fast_password_hashing(monkeypatch)
    staff(app, f"reviewer-{lang}")
    sign_in(client, f"reviewer-{lang}")
    client.get(f"/settings/language/{lang}")
    page = client.get(f"/staff/review/{submitted.id}").text
    flags = page.split('class="flag-list"', 1)[1].split("</ul>", 1)[0]
    assert label in flags and sentence in flags and "channel_but_no_contact" in flags
    assert "CHANNELS = phone + chat, CALLS = 0" in flags
    assert explanation in flags
