"""A checklist's score: weights, "not applicable" out of the score, critical items cap it."""

from __future__ import annotations

import pytest

from fieldwork.shadow.checklist import NO, NOT_APPLICABLE, YES, Item, Score, score

ITEMS = (
    Item("greeted", 1),
    Item("understood", 2),
    Item("human_offered", 2),
    Item("refund_arrived", 5, critical=True, evidence=True),
)
CAP = 59.0


def test_yes_answers_earn_their_weight_out_of_the_applicable_items() -> None:
    answers = {"greeted": YES, "understood": NO, "human_offered": YES, "refund_arrived": YES}
    assert score(ITEMS, answers, CAP) == Score(80.0, False, (), ())


def test_not_applicable_leaves_an_item_out_of_the_score() -> None:
    answers = {
        "greeted": YES,
        "understood": YES,
        "human_offered": NOT_APPLICABLE,
        "refund_arrived": YES,
    }
    assert score(ITEMS, answers, CAP).points == 100.0


def test_a_failed_critical_item_caps_the_score() -> None:
    answers = {"greeted": YES, "understood": YES, "human_offered": YES, "refund_arrived": NO}
    assert score(ITEMS, answers, CAP) == Score(50.0, False, ("refund_arrived",), ())
    lighter = (*ITEMS[:3], Item("refund_arrived", 1, critical=True))
    assert score(lighter, answers, CAP) == Score(CAP, True, ("refund_arrived",), ())


def test_an_unanswered_item_counts_as_not_seen_done() -> None:
    found = score(ITEMS, {"greeted": YES, "understood": YES, "human_offered": YES}, CAP)
    assert found.unanswered == ("refund_arrived",)
    assert found.failed_critical == ("refund_arrived",)
    assert found.points == 50.0


def test_nothing_applicable_has_no_score_rather_than_zero() -> None:
    answers = dict.fromkeys((item.code for item in ITEMS), NOT_APPLICABLE)
    assert score(ITEMS, answers, CAP).points is None


def test_an_answer_that_is_not_yes_no_or_not_applicable_is_refused() -> None:
    with pytest.raises(ValueError, match="greeted"):
        score(ITEMS, {"greeted": "maybe"}, CAP)
