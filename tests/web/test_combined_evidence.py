"""Weak signals that add up, through the pages: a respondent whose notes from two rules
combine is held for review at submit, and the reviewer reads why in their language.

The responses answer tests/questionnaires/weak_signals.yaml, whose `quality:` block makes
straight-lining a note and combines notes from two rules.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from fieldwork import db
from fieldwork.responses.models import Response
from fieldwork.web.explain import explain_flag
from tests.conftest import hidden_fields, walk_to_check
from tests.questionnaires.weak_signals import SAYS_NOTHING, SURVEY, UNIFORM
from tests.review.factories import fast_password_hashing, sign_in, staff


@pytest.fixture(autouse=True)
def _fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)


def submitted(app: Flask, answers: dict[str, dict[str, str]]) -> Response:
    """One respondent walking the pages with `answers` instead of the complete ones."""
    client = app.test_client()
    check = walk_to_check(client, answers=SURVEY.answers(**answers), survey=SURVEY)
    form = dict(hidden_fields(check))
    assert client.post(SURVEY.url("submit"), data=form).status_code == 303
    with app.app_context():
        query = select(Response).where(Response.submission_id == form["submission_id"])
        return db.session().execute(query).scalar_one()


def severities(row: Response) -> list[tuple[str, str]]:
    return [(flag["code"], flag["severity"]) for flag in row.flags]


def test_two_notes_from_different_rules_hold_a_response_for_review(app: Flask) -> None:
    row = submitted(app, {**UNIFORM, **SAYS_NOTHING})
    assert row.status == "pending"
    assert severities(row) == [
        ("combined-evidence", "review"),
        ("open-empty", "note"),
        ("straight-lining", "note"),
    ]


def test_one_note_alone_is_approved(app: Flask) -> None:
    row = submitted(app, UNIFORM)
    assert (row.status, severities(row)) == ("approved", [("straight-lining", "note")])


def test_the_reviewer_reads_which_notes_add_up_in_their_language(
    app: Flask, client: FlaskClient
) -> None:
    row = submitted(app, {**UNIFORM, **SAYS_NOTHING})
    staff(app, "chen")
    sign_in(client, "chen")
    page = client.get(f"/staff/review/{row.id}").text  # zh-Hans, the default
    with app.test_request_context(), force_locale("zh_Hans"):
        said = [explain_flag(flag).text for flag in row.flags]
    assert "多条提示叠加" in page  # the combined flag's label
    for text in said:  # the combined entry and each note's own explanation
        assert text in page
    assert said[0].startswith("多条规则的提示同时出现：开放题答案为空和")
    with app.test_request_context(), force_locale("en"):
        english = explain_flag(row.flags[0]).text
    assert english == (
        "Notes from several rules together: Empty open answers and Same rating in a row."
        " None is reason enough alone, but this questionnaire sends a response with notes"
        " from 2 or more rules to review."
    )


def test_the_queue_finds_responses_held_by_combined_evidence(
    app: Flask, client: FlaskClient
) -> None:
    held = submitted(app, {**UNIFORM, **SAYS_NOTHING})
    one_note = submitted(app, UNIFORM)
    staff(app, "chen")
    sign_in(client, "chen")
    queue = client.get("/staff/review/?flag=combined-evidence&status=all").text
    assert f'id="pick-{held.id}"' in queue
    assert f'id="pick-{one_note.id}"' not in queue
