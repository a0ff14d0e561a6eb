"""The suite's own questionnaires pass `flask fieldwork check`, and the complete answers
kept next to each one answer every question it asks."""

from __future__ import annotations

import importlib

import pytest

from fieldwork import answers
from tests import questionnaires

CATALOG = questionnaires.read()
NAMES = sorted(path.stem for path in questionnaires.FOLDER.glob("*.yaml"))


def test_every_test_questionnaire_loads_without_problems() -> None:
    assert [str(problem) for problem in CATALOG.problems] == []
    assert sorted(CATALOG.questionnaires) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_complete_answers_answer_every_question_shown(name: str) -> None:
    survey = importlib.import_module(f"tests.questionnaires.{name}").SURVEY
    questionnaire = CATALOG.questionnaires[survey.id]
    values = survey.values(questionnaire)
    assert answers.validate(questionnaire, values) == []
    assert set(values) == {q.code for q in answers.shown(questionnaire, values)}
