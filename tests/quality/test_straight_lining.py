"""Straight-lining: the same rating given down a long run of rating questions."""

from __future__ import annotations

from typing import Any

from fieldwork.quality import ALONE, Flag, evaluate, settings_of
from fieldwork.questionnaire.model import Questionnaire
from tests.quality.factories import NOW, question, questionnaire, ratings, subject, survey

SURVEY = survey()


def straight_lining(q: Questionnaire, answers: dict[str, Any]) -> list[Flag]:
    found = evaluate(q, settings_of(q.definition), subject(answers=answers), ALONE, NOW)
    return [flag for flag in found if flag.rule == "straight-lining"]


def same(value: Any, count: int = 8, first: int = 1) -> dict[str, Any]:
    return {f"R{i}": value for i in range(first, first + count)}


def test_eight_identical_ratings_in_a_row_are_flagged() -> None:
    assert straight_lining(SURVEY, same(5)) == [
        Flag.of("straight-lining", "review", run=8, value=5, first="R1", last="R8", min_run=8)
    ]


def test_seven_identical_ratings_are_not_enough() -> None:
    assert straight_lining(SURVEY, {**same(4, 7), "R8": 3}) == []


def test_varied_ratings_are_not_flagged() -> None:
    assert straight_lining(SURVEY, {f"R{i}": 1 + i % 5 for i in range(1, 9)}) == []


def test_dont_know_breaks_the_run() -> None:
    assert straight_lining(SURVEY, {**same(5), "R4": "_dont_know"}) == []


def test_an_unanswered_rating_breaks_the_run() -> None:
    answers = same(5)
    del answers["R5"]
    assert straight_lining(SURVEY, answers) == []


def test_questions_between_ratings_do_not_break_the_run() -> None:
    q = questionnaire(*ratings(4), question("C1", "single_choice"), *ratings(4, prefix="S"))
    answers = {**same(2, 4), "C1": "no", **{f"S{i}": 2 for i in range(1, 5)}}
    assert straight_lining(q, answers)[0].kwargs["last"] == "S4"


def test_the_longest_run_is_reported() -> None:
    q = questionnaire(*ratings(12))
    answers = {**same(3, 2), **same(4, 10, first=3)}
    (flag,) = straight_lining(q, answers)
    assert (flag.kwargs["run"], flag.kwargs["first"], flag.kwargs["value"]) == (10, "R3", 4)


def test_short_questionnaires_are_not_judged() -> None:
    q = questionnaire(*ratings(7))
    assert straight_lining(q, same(5, 7)) == []


def test_min_run_and_severity_come_from_settings() -> None:
    q = survey(**{"straight-lining": {"min_run": 6, "severity": "note"}})
    (flag,) = straight_lining(q, {**same(1, 6), "R7": 2, "R8": 3})
    assert (flag.severity, flag.kwargs["run"], flag.kwargs["min_run"]) == ("note", 6, 6)


def test_a_higher_min_run_than_the_questionnaire_has_ratings_turns_it_off() -> None:
    assert straight_lining(survey(**{"straight-lining": {"min_run": 10}}), same(5)) == []


def test_the_0_to_10_scale_is_not_a_rating_grid() -> None:
    q = questionnaire(*ratings(7), question("N1", "scale_0_10"))
    assert straight_lining(q, {**same(5, 7), "N1": 5}) == []
