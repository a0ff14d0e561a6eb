"""The suite's own questionnaires pass `flask fieldwork check`, and the complete answers
kept next to each one answer every question it asks."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
from flask import Flask

from fieldwork import answers
from fieldwork.config import ROOT
from tests import questionnaires

CATALOG = questionnaires.read()
NAMES = sorted(path.stem for path in questionnaires.FOLDER.glob("*.yaml"))


def test_every_test_questionnaire_loads_without_problems() -> None:
    assert [str(problem) for problem in CATALOG.problems] == []
    assert sorted(CATALOG.questionnaires) == NAMES


def test_flask_fieldwork_check_passes_them_beside_the_shipped_segments(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As an editor would check them: in one folder with segments.yaml."""
    for path in questionnaires.FOLDER.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    shutil.copy(ROOT / "questionnaires" / "segments.yaml", tmp_path)
    monkeypatch.setitem(app.config, "QUESTIONNAIRES_DIR", str(tmp_path))
    ran = app.test_cli_runner().invoke(args=["fieldwork", "check"])
    assert ran.exit_code == 0, ran.output
    assert f"{len(NAMES)} questionnaire(s), 4 segments: OK" in ran.output


@pytest.mark.parametrize("name", NAMES)
def test_the_complete_answers_answer_every_question_shown(name: str) -> None:
    survey = importlib.import_module(f"tests.questionnaires.{name}").SURVEY
    questionnaire = CATALOG.questionnaires[survey.id]
    values = survey.values(questionnaire)
    assert answers.validate(questionnaire, values) == []
    assert set(values) == {q.code for q in answers.shown(questionnaire, values)}
