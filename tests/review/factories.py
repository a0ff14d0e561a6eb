"""Staff users and stored responses in a chosen review state, for the staff page tests.

Responses go through the response service (so answers are validated and
stored as the survey stores them) without the automatic review, then their
review columns are set directly: a test says "an approved elderly paper
response from 3 November" in one call instead of walking the survey and
waiting two minutes to escape the speeder rule. Responses answer the suite's two-page
survey (tests/questionnaires/two_pages.yaml) unless a test names another (`survey=`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlmodel import Session, col

from fieldwork import catalog, db, quality
from fieldwork.accounts import service as accounts
from fieldwork.accounts.models import StaffUser
from fieldwork.exports import service as exports
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.responses import service as responses
from fieldwork.responses.filters import Filter
from fieldwork.responses.models import Response
from fieldwork.review import screening
from tests.conftest import csrf_of
from tests.questionnaires import Survey
from tests.questionnaires.two_pages import SURVEY as TWO_PAGES

PASSWORD = "a long enough password"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
DAY = dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC)
SPEEDER = quality.Flag.of(
    "speeder", "reject", seconds=31.5, min_seconds=120, reasons=("minimum",)
).as_json()


def straight_lining(first: str, last: str, run: int, min_run: int) -> dict[str, Any]:
    """A straight-lining flag as stored: `run` ratings of 4 from `first` to `last`."""
    return quality.Flag.of(
        "straight-lining", "review", run=run, min_run=min_run, value=4, first=first, last=last
    ).as_json()


# A run of 4s over the two-page survey's three ratings, as its quality block (a run of
# three) would flag it.
STRAIGHT = straight_lining("R1", "R3", run=3, min_run=3)
PAGE_SECONDS = {"about": 41.5, "case": 88.2}  # by page, as the survey records them

# Open answers with everything that breaks naive exports: CJK, emoji, a line break,
# quotes, a comma and text a spreadsheet would run as a formula, in the two open
# questions of the two-page survey.
FORMULA = '=HYPERLINK("http://evil.example","点我 😀")'
TRICKY = {
    "IMPROVE": FORMULA,
    "STORY": '客服说"请稍等"，等了很久 😤\n第二天才回复, 还算解决了。',
}
MINUS = "-5 字号再大一点"  # a spreadsheet runs this as a formula too


def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with parameters cheap enough for a test that signs in several users."""
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)


def staff(app: Flask, username: str, role: str = "reviewer") -> int:
    """A staff user; returns their id."""
    with app.app_context():
        user = accounts.create_user(db.session(), username, PASSWORD, role)
        assert user.id is not None
        return user.id


def sign_in(client: FlaskClient, username: str) -> None:
    token = csrf_of(client.get("/staff/login").text)
    form = {"csrf_token": token, "username": username, "password": PASSWORD}
    moved = client.post("/staff/login", data=form)
    assert moved.status_code == 303, moved.text[:500]


def add_response(
    app: Flask,
    *,
    status: str = "pending",
    flags: list[dict[str, Any]] | None = None,
    segment: str | None = None,
    mode: str = "online",
    submitted_at: dt.datetime = DAY,
    answers: dict[str, Any] | None = None,
    entered_by: int | None = None,
    reviewed_by: int | None = None,
    locale: str = "zh-Hans",
    survey: Survey = TWO_PAGES,
    **columns: Any,
) -> int:
    """Store one complete response to the survey (the two-page one unless told) in the
    given state."""
    with app.app_context():
        session = db.session()
        questionnaire = catalog.versions().current(session, survey.id)
        assert questionnaire is not None
        values = {**survey.values(questionnaire), **(answers or {})}
        started = submitted_at - dt.timedelta(minutes=9, seconds=13)
        stored, issues = responses.submit(
            session,
            responses.Submission(
                submission_id=str(uuid.uuid4()),
                questionnaire=questionnaire,
                answers=values,
                locale=locale,
                paradata={
                    "page_seconds": PAGE_SECONDS,
                    "browser": "Chrome 130 on Android",
                    "text_size": "large",
                    "contrast": "high",
                    "locale": locale,
                },
                mode=mode,
                started_at=started,
                entered_by=entered_by,
            ),
        )
        assert stored is not None, issues
        changes: dict[str, Any] = {
            "status": status,
            "submitted_at": submitted_at,
            "duration_seconds": (submitted_at - started).total_seconds(),
            "reviewed_by": reviewed_by,
            **columns,
        }
        if flags is not None:
            changes["flags"] = flags
        if segment is not None:
            changes["segment"] = segment
        session.execute(update(Response).where(col(Response.id) == stored.id).values(**changes))
        session.commit()
        return stored.id


def stored_version(session: Session, questionnaire_id: str) -> Questionnaire:
    """The questionnaire's current stored version, which tests' responses answer."""
    found = catalog.versions().current(session, questionnaire_id)
    assert found is not None
    return found


def response_row(app: Flask, response_id: int) -> Response:
    with app.app_context():
        found = db.session().get(Response, response_id)
        assert found is not None
        return found


def freeze_all(app: Flask, creator_id: int, name: str, survey: Survey = TWO_PAGES) -> int:
    """A batch of every approved response to the survey, frozen by the service (so no
    build started)."""
    with app.app_context():
        session = db.session()
        creator = session.get(StaffUser, creator_id)
        current = catalog.versions().current(session, survey.id)
        assert creator is not None and current is not None
        batch = exports.freeze(
            session,
            name,
            Filter(questionnaire_id=survey.id),
            quality.rules_version(screening.settings(current)),
            creator,
        )
        assert batch.id is not None
        return batch.id
