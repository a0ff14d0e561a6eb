"""Answer patterns over the ratings answered: one value down the grid, a repeated sequence."""

from __future__ import annotations

from typing import Any

import pytest

from fieldwork.quality import ALONE, Flag, evaluate, settings_of
from fieldwork.questionnaire.model import Questionnaire
from tests.quality.factories import NOW, question, questionnaire, ratings, subject, survey

SURVEY = survey()
WRITTEN = {"O1": "退款等了三个星期，客服一直说在处理。"}


def judged(
    code: str, q: Questionnaire, answers: dict[str, Any], seconds: float = 600
) -> list[Flag]:
    found = evaluate(
        q, settings_of(q.definition), subject(answers=answers, seconds=seconds), ALONE, NOW
    )
    return [flag for flag in found if flag.rule == code]


def straight_lining(q: Questionnaire, answers: dict[str, Any], seconds: float = 600) -> list[Flag]:
    return judged("straight-lining", q, answers, seconds)


def same(value: Any, count: int = 8, first: int = 1) -> dict[str, Any]:
    return {f"R{i}": value for i in range(first, first + count)}


# --- straight-lining ---------------------------------------------------------------------------


def test_one_value_down_the_grid_without_a_word_written_is_flagged() -> None:
    assert straight_lining(SURVEY, same(3)) == [
        Flag.of(
            "straight-lining",
            "review",
            run=8,
            items=8,
            value=3,
            first="R1",
            last="R8",
            reasons=("unread",),
        )
    ]


def test_an_honest_uniform_rater_who_read_and_wrote_is_not_flagged() -> None:
    assert straight_lining(SURVEY, {**same(5), **WRITTEN}, seconds=300) == []


def test_a_uniform_rater_too_fast_to_have_read_is_flagged_whatever_they_wrote() -> None:
    (flag,) = straight_lining(SURVEY, {**same(5), **WRITTEN}, seconds=30)
    assert flag.kwargs["run"] == 8


@pytest.mark.parametrize("written", ["无", "asdfasdf", "ok"])
def test_an_answer_that_says_nothing_is_not_writing(written: str) -> None:
    assert straight_lining(SURVEY, {**same(5), "O1": written}, seconds=300) != []


def test_ratings_hidden_by_skip_logic_leave_a_shorter_grid_that_is_still_judged() -> None:
    """Six ratings shown of eight: six identical ones are the whole grid."""
    assert straight_lining(SURVEY, same(2, 6))[0].kwargs == {
        "run": 6,
        "items": 6,
        "value": 2,
        "first": "R1",
        "last": "R6",
        "reasons": ("unread",),
    }


def test_most_of_the_grid_is_enough() -> None:
    (flag,) = straight_lining(SURVEY, {**same(4, 7), "R8": 3})
    assert (flag.kwargs["run"], flag.kwargs["items"]) == (7, 8)


def test_a_varied_grid_is_not_flagged() -> None:
    assert straight_lining(SURVEY, {**same(4, 5), "R6": 3, "R7": 5, "R8": 3}) == []


def test_dont_know_is_passed_over_not_counted() -> None:
    (flag,) = straight_lining(SURVEY, {**same(5), "R4": "_dont_know"})
    assert (flag.kwargs["run"], flag.kwargs["items"]) == (7, 7)


def test_too_few_ratings_answered_are_not_judged() -> None:
    assert straight_lining(SURVEY, same(5, 4)) == []


def test_questions_between_ratings_do_not_break_the_run() -> None:
    q = questionnaire(*ratings(4), question("C1", "single_choice"), *ratings(4, prefix="S"))
    answers = {**same(2, 4), "C1": "no", **{f"S{i}": 2 for i in range(1, 5)}}
    assert straight_lining(q, answers)[0].kwargs["last"] == "S4"


def test_short_questionnaires_are_not_judged() -> None:
    assert straight_lining(questionnaire(*ratings(4)), same(5, 4)) == []


def test_thresholds_and_severity_come_from_settings() -> None:
    q = survey(**{"straight-lining": {"min_items": 6, "share": 1, "severity": "note"}})
    assert straight_lining(q, {**same(1, 7), "R8": 2}) == []
    (flag,) = straight_lining(q, same(1, 6))
    assert flag.severity == "note"


def test_the_0_to_10_scale_is_not_a_rating_grid() -> None:
    q = questionnaire(*ratings(4), question("N1", "scale_0_10"))
    assert straight_lining(q, {**same(5, 4), "N1": 5}) == []


# --- answer patterns ---------------------------------------------------------------------------


def ratings_of(*values: int) -> dict[str, int]:
    return {f"R{i}": value for i, value in enumerate(values, 1)}


@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        ((1, 2, 3, 1, 2, 3, 1, 2), "1-2-3"),
        ((1, 5, 1, 5, 1, 5, 1, 5), "1-5"),
        ((2, 4, 2, 4, 2, 4), "2-4"),
        ((1, 2, 3, 4, 5, 1, 2, 3), "1-2-3-4-5"),
        ((5, 4, 3, 2, 1, 5, 4, 3), "5-4-3-2-1"),
    ],
)
def test_a_repeated_sequence_is_flagged(values: tuple[int, ...], pattern: str) -> None:
    (flag,) = judged("answer-pattern", SURVEY, ratings_of(*values))
    assert flag.kwargs["pattern"] == pattern
    assert flag.kwargs["items"] == len(values)


@pytest.mark.parametrize(
    "values",
    [
        (4, 5, 4, 5, 4, 5, 4, 5),  # two neighbouring values: honest enough
        (4, 4, 4, 4, 4, 4, 4, 4),  # straight-lining's
        (3, 4, 5, 2, 4, 3, 4, 4),
        (4, 5, 3, 4, 2, 5, 4, 3),
        (5, 4, 4, 3, 5, 4, 2, 4),
        (1, 5, 1, 5, 1),  # too few
    ],
)
def test_ordinary_ratings_are_not_a_pattern(values: tuple[int, ...]) -> None:
    assert judged("answer-pattern", SURVEY, ratings_of(*values)) == []
