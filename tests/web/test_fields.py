"""How answers are shown back (check answers, review pages), in each language."""

from __future__ import annotations

import pytest
from flask import Flask

from fieldwork import catalog, db
from fieldwork.questionnaire.model import Question
from fieldwork.web.fields import BUILDERS
from tests.questionnaires.two_pages import SURVEY


def duration_question(app: Flask) -> Question:
    with app.app_context():
        questionnaire = catalog.versions().current(db.session(), SURVEY.id)
        assert questionnaire is not None
        return questionnaire.question("WAITED")


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (61, "1 hour 1 minute"),
        (135, "2 hours 15 minutes"),
        (0, "0 minutes"),
    ],
)
def test_duration_uses_singular_and_plural_units(app: Flask, minutes: int, shown: str) -> None:
    question = duration_question(app)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert BUILDERS["duration"].show(question, minutes) == shown


@pytest.mark.parametrize(
    ("lang", "shown"), [("zh-CN", "1 小时 15 分钟"), ("zh-TW", "1 小時 15 分鐘")]
)
def test_duration_is_translated(app: Flask, lang: str, shown: str) -> None:
    question = duration_question(app)
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert BUILDERS["duration"].show(question, 75) == shown
