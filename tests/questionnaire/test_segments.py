"""Segments: derived from screening answers in priority order; a link's segment that the
answers contradict is detected (and flagged elsewhere), never silently replaced."""

from __future__ import annotations

from typing import Any

import pytest

from fieldwork.questionnaire import conditions
from fieldwork.questionnaire.model import SegmentRule
from fieldwork.questionnaire.segments import conflicts, contradicts, derive


def segment(code: str, rule: dict[str, Any] | None = None) -> SegmentRule:
    return SegmentRule(code, conditions.parse(rule) if rule is not None else None)


ELDERLY = segment("elderly", {"question": "S1", "in": ["age_60_69", "age_70_plus"]})
PARENTS = segment("parents", {"question": "S2", "equals": "yes"})
YOUNG = segment("young", {"question": "S1", "in": ["age_18_24", "age_25_34"]})
GENERAL = segment("general")
SEGMENTS = [ELDERLY, PARENTS, YOUNG, GENERAL]


# --- derive --------------------------------------------------------------------------------


def test_derive_picks_the_segment_whose_rule_holds() -> None:
    assert derive(SEGMENTS, {"S1": "age_60_69", "S2": "no"}) == "elderly"


def test_derive_picks_parents_from_the_second_question() -> None:
    assert derive(SEGMENTS, {"S1": "age_35_44", "S2": "yes"}) == "parents"


def test_derive_prefers_the_earlier_segment_when_several_hold() -> None:
    assert derive(SEGMENTS, {"S1": "age_70_plus", "S2": "yes"}) == "elderly"


def test_derive_priority_follows_the_list_order() -> None:
    reordered = [PARENTS, ELDERLY, YOUNG, GENERAL]
    assert derive(reordered, {"S1": "age_70_plus", "S2": "yes"}) == "parents"


def test_derive_young_without_children() -> None:
    assert derive(SEGMENTS, {"S1": "age_18_24", "S2": "no"}) == "young"


def test_derive_falls_back_when_no_rule_holds() -> None:
    assert derive(SEGMENTS, {"S1": "age_45_59", "S2": "no"}) == "general"


def test_derive_falls_back_when_nothing_is_answered() -> None:
    assert derive(SEGMENTS, {}) == "general"


def test_derive_falls_back_for_a_dont_know_answer() -> None:
    assert derive(SEGMENTS, {"S1": "_dont_know", "S2": "no"}) == "general"


def test_derive_without_a_fallback_fails_loudly() -> None:
    with pytest.raises(ValueError, match="no fallback"):
        derive([ELDERLY, YOUNG], {"S1": "age_45_59"})


# --- contradicts ---------------------------------------------------------------------------


def test_elderly_link_answered_18_to_24_is_a_conflict() -> None:
    assert contradicts(ELDERLY, {"S1": "age_18_24"})


def test_elderly_link_answered_60_to_69_is_no_conflict() -> None:
    assert not contradicts(ELDERLY, {"S1": "age_60_69"})


def test_elderly_link_with_age_unanswered_is_no_conflict() -> None:
    assert not contradicts(ELDERLY, {"S2": "no"})


@pytest.mark.parametrize("special", ["_dont_know", "_not_applicable"])
def test_elderly_link_with_a_special_age_answer_is_no_conflict(special: str) -> None:
    assert not contradicts(ELDERLY, {"S1": special})


def test_parents_link_answered_no_children_is_a_conflict() -> None:
    assert contradicts(PARENTS, {"S2": "no"})


def test_fallback_link_never_conflicts() -> None:
    assert not contradicts(GENERAL, {"S1": "age_70_plus", "S2": "yes"})


def test_conflict_needs_every_question_of_the_rule_answered() -> None:
    both = segment(
        "older_parents",
        {"all": [{"question": "S1", "in": ["age_60_69"]}, {"question": "S2", "equals": "yes"}]},
    )
    assert not contradicts(both, {"S1": "age_18_24"})


def test_conflict_on_a_rule_reading_two_questions_once_both_are_answered() -> None:
    both = segment(
        "older_parents",
        {"all": [{"question": "S1", "in": ["age_60_69"]}, {"question": "S2", "equals": "yes"}]},
    )
    assert contradicts(both, {"S1": "age_18_24", "S2": "yes"})


# --- conflicts: the link's segment against the answers, in priority order -----------------


@pytest.mark.parametrize(
    ("link", "answers"),
    [
        (ELDERLY, {"S1": "age_18_24", "S2": "no"}),  # its own rule fails
        (PARENTS, {"S1": "age_60_69", "S2": "yes"}),  # a parent, but elderly comes first
        (YOUNG, {"S1": "age_25_34", "S2": "yes"}),  # young, but with children at home
        (GENERAL, {"S1": "age_70_plus", "S2": "no"}),  # "none of the groups above" is not so
    ],
)
def test_a_link_conflicts_when_the_answers_place_the_respondent_elsewhere(
    link: SegmentRule, answers: dict[str, Any]
) -> None:
    assert conflicts(SEGMENTS, link, answers)
    assert derive(SEGMENTS, answers) != link.code


@pytest.mark.parametrize(
    ("link", "answers"),
    [
        (ELDERLY, {"S1": "age_70_plus", "S2": "yes"}),
        (PARENTS, {"S1": "age_35_44", "S2": "yes"}),
        (PARENTS, {"S1": "_dont_know", "S2": "yes"}),  # the age that would decide is unknown
        (YOUNG, {"S1": "age_18_24"}),  # children not answered
        (GENERAL, {"S1": "age_45_59", "S2": "no"}),
        (GENERAL, {}),
    ],
)
def test_a_link_stands_when_the_answers_agree_or_cannot_tell(
    link: SegmentRule, answers: dict[str, Any]
) -> None:
    assert not conflicts(SEGMENTS, link, answers)
