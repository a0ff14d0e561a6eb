"""Declarative `show_if` conditions: data in, a yes/no out, never an expression string."""

from __future__ import annotations

from typing import Any

import pytest

from fieldwork.questionnaire.conditions import ConditionError, parse


def holds(condition: dict[str, Any], **answers: Any) -> bool:
    return parse(condition).holds(answers)


# --- shape errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    ["S1 == 'yes'", "__import__('os').system('true')", "answers['S1'] in ('a', 'b')"],
)
def test_expression_string_is_rejected_not_evaluated(expression: str) -> None:
    with pytest.raises(ConditionError, match="must be a mapping"):
        parse(expression)


def test_expression_string_nested_in_all_is_rejected() -> None:
    with pytest.raises(ConditionError):
        parse({"all": [{"question": "S1", "equals": "yes"}, "S2 == 'no'"]})


def test_expression_string_under_not_is_rejected() -> None:
    with pytest.raises(ConditionError):
        parse({"not": "S1 == 'yes'"})


@pytest.mark.parametrize(
    "data",
    [
        None,
        ["S1", "yes"],
        {},
        {"question": "S1"},
        {"equals": "yes"},
        {"question": "S1", "like": "yes"},
        {"question": "S1", "equals": "yes", "in": ["no"]},
        {"question": 1, "equals": "yes"},
        {"all": [], "any": []},
        {"all": [{"question": "S1", "answered": True}], "question": "S2"},
    ],
    ids=[
        "none",
        "list",
        "empty",
        "no operator",
        "no question",
        "unknown operator",
        "two operators",
        "question not a code",
        "all and any together",
        "all mixed with a comparison",
    ],
)
def test_wrong_shape_is_rejected(data: Any) -> None:
    with pytest.raises(ConditionError):
        parse(data)


@pytest.mark.parametrize("op", ["all", "any"])
@pytest.mark.parametrize("parts", [[], "S1", {"question": "S1", "answered": True}, None])
def test_all_and_any_need_a_non_empty_list(op: str, parts: Any) -> None:
    with pytest.raises(ConditionError, match="non-empty list"):
        parse({op: parts})


@pytest.mark.parametrize("op", ["in", "not_in"])
@pytest.mark.parametrize("values", [[], "yes", None, {"a": 1}])
def test_in_and_not_in_need_a_non_empty_list(op: str, values: Any) -> None:
    with pytest.raises(ConditionError, match="non-empty list"):
        parse({"question": "S1", op: values})


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_answered_must_be_true_or_false(value: Any) -> None:
    with pytest.raises(ConditionError, match="true or false"):
        parse({"question": "S1", "answered": value})


@pytest.mark.parametrize("value", [True, False, None, ["yes"], {"v": 1}])
def test_equals_refuses_anything_but_a_value_or_number(value: Any) -> None:
    # An unquoted YAML `yes` arrives as True and would never match the choice "yes".
    with pytest.raises(ConditionError, match="choice values or numbers"):
        parse({"question": "S1", "equals": value})


@pytest.mark.parametrize("value", [True, None, ["a"], {"v": 1}])
def test_in_refuses_anything_but_values_or_numbers(value: Any) -> None:
    with pytest.raises(ConditionError, match="choice values or numbers"):
        parse({"question": "S1", "in": ["a", value]})


def test_references_list_every_question_named_with_its_values() -> None:
    condition = parse(
        {
            "all": [
                {"question": "S1", "in": ["a", "b"]},
                {
                    "any": [
                        {"question": "S2", "answered": True},
                        {"not": {"question": "S3", "equals": 4}},
                    ]
                },
            ]
        }
    )
    assert list(condition.references()) == [("S1", ("a", "b")), ("S2", ()), ("S3", (4,))]


# --- equals --------------------------------------------------------------------------------


def test_equals_holds_for_the_same_answer() -> None:
    assert holds({"question": "S2", "equals": "yes"}, S2="yes")


def test_equals_fails_for_another_answer() -> None:
    assert not holds({"question": "S2", "equals": "yes"}, S2="no")


def test_equals_fails_when_unanswered() -> None:
    assert not holds({"question": "S2", "equals": "yes"})


def test_equals_compares_numbers() -> None:
    assert holds({"question": "N1", "equals": 3}, N1=3)


def test_equals_does_not_match_a_number_to_its_digits() -> None:
    assert not holds({"question": "N1", "equals": "3"}, N1=3)


def test_equals_matches_a_special_answer() -> None:
    assert holds({"question": "Q7", "equals": "_not_applicable"}, Q7="_not_applicable")


def test_equals_on_multiple_choice_holds_when_that_value_is_among_the_selected() -> None:
    assert holds({"question": "S3", "equals": "jd"}, S3=["taobao", "jd"])


# --- in / not_in ---------------------------------------------------------------------------


def test_in_holds_for_one_of_the_values() -> None:
    assert holds({"question": "S1", "in": ["age_60_69", "age_70_plus"]}, S1="age_70_plus")


def test_in_fails_for_a_value_not_listed() -> None:
    assert not holds({"question": "S1", "in": ["age_60_69", "age_70_plus"]}, S1="age_18_24")


def test_in_fails_when_unanswered() -> None:
    assert not holds({"question": "S1", "in": ["age_60_69"]})


def test_in_on_multiple_choice_holds_when_any_selected_is_listed() -> None:
    assert holds({"question": "S3", "in": ["jd", "douyin"]}, S3=["taobao", "douyin"])


def test_in_on_multiple_choice_fails_when_none_selected_is_listed() -> None:
    assert not holds({"question": "S3", "in": ["jd", "douyin"]}, S3=["taobao", "other"])


def test_in_matches_a_special_answer() -> None:
    assert holds({"question": "S6", "in": ["jd", "_dont_know"]}, S6="_dont_know")


def test_not_in_holds_for_an_answer_not_listed() -> None:
    assert holds({"question": "S5", "not_in": ["did_not_contact"]}, S5="phone_hotline")


def test_not_in_fails_for_a_listed_answer() -> None:
    assert not holds({"question": "S5", "not_in": ["did_not_contact"]}, S5="did_not_contact")


def test_not_in_fails_when_unanswered() -> None:
    assert not holds({"question": "S5", "not_in": ["did_not_contact"]})


def test_not_in_on_multiple_choice_holds_when_none_selected_is_listed() -> None:
    assert holds({"question": "S3", "not_in": ["none"]}, S3=["jd", "taobao"])


def test_not_in_on_multiple_choice_fails_when_one_selected_is_listed() -> None:
    assert not holds({"question": "S3", "not_in": ["other"]}, S3=["jd", "other"])


def test_not_in_counts_a_special_answer_as_answered() -> None:
    assert holds({"question": "S6", "not_in": ["jd"]}, S6="_dont_know")


# --- at_least / at_most -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "at_least", "at_most"),
    [(4, False, True), (5, True, True), (6, True, False), (5.5, True, False), (0, False, True)],
)
def test_limits_compare_a_number_with_the_limit_included(
    answer: float, at_least: bool, at_most: bool
) -> None:
    assert holds({"question": "N1", "at_least": 5}, N1=answer) is at_least
    assert holds({"question": "N1", "at_most": 5}, N1=answer) is at_most


@pytest.mark.parametrize("answer", [None, "_dont_know", "7", True, ["7"]])
@pytest.mark.parametrize("op", ["at_least", "at_most"])
def test_limits_hold_only_for_a_number(op: str, answer: Any) -> None:
    """Unanswered, "don't know", text and a choice are no number: a check such as "five or
    more contacts" must not fire on someone who did not know."""
    assert not holds({"question": "N1", op: 1}, N1=answer)


@pytest.mark.parametrize("limit", ["5", True, None, [5], float("nan"), float("inf")])
def test_a_limit_must_be_a_number(limit: Any) -> None:
    with pytest.raises(ConditionError, match="needs a number"):
        parse({"question": "N1", "at_least": limit})


def test_a_limit_names_its_question_but_no_choice_value() -> None:
    assert list(parse({"question": "N1", "at_most": 3}).references()) == [("N1", ())]


# --- answered ------------------------------------------------------------------------------


def test_answered_true_holds_for_any_answer() -> None:
    assert holds({"question": "O1", "answered": True}, O1="anything")


def test_answered_true_holds_for_a_special_answer() -> None:
    assert holds({"question": "Q5", "answered": True}, Q5="_dont_know")


def test_answered_true_holds_for_zero() -> None:
    assert holds({"question": "Q5", "answered": True}, Q5=0)


def test_answered_true_fails_when_unanswered() -> None:
    assert not holds({"question": "O1", "answered": True})


def test_answered_true_fails_for_an_explicit_none() -> None:
    assert not holds({"question": "O1", "answered": True}, O1=None)


def test_answered_false_holds_when_unanswered() -> None:
    assert holds({"question": "O1", "answered": False})


def test_answered_false_fails_when_answered() -> None:
    assert not holds({"question": "O1", "answered": False}, O1="x")


# --- all / any / not -----------------------------------------------------------------------

OLD = {"question": "S1", "in": ["age_60_69", "age_70_plus"]}
KIDS = {"question": "S2", "equals": "yes"}


def test_all_holds_when_every_part_holds() -> None:
    assert holds({"all": [OLD, KIDS]}, S1="age_60_69", S2="yes")


def test_all_fails_when_one_part_fails() -> None:
    assert not holds({"all": [OLD, KIDS]}, S1="age_60_69", S2="no")


def test_any_holds_when_one_part_holds() -> None:
    assert holds({"any": [OLD, KIDS]}, S1="age_18_24", S2="yes")


def test_any_fails_when_no_part_holds() -> None:
    assert not holds({"any": [OLD, KIDS]}, S1="age_18_24", S2="no")


def test_not_inverts() -> None:
    assert not holds({"not": KIDS}, S2="yes")


def test_not_of_an_unanswered_comparison_holds() -> None:
    assert holds({"not": {"question": "Q7", "equals": "_not_applicable"}})


def test_nested_combination() -> None:
    condition = {"any": [{"all": [OLD, {"not": KIDS}]}, {"question": "S3", "in": ["jd"]}]}
    assert holds(condition, S1="age_70_plus", S2="no")
    assert holds(condition, S1="age_18_24", S2="yes", S3=["jd"])
    assert not holds(condition, S1="age_70_plus", S2="yes", S3=["taobao"])


# --- outcome while some answers are still to come -------------------------------------------

YES = {"question": "A", "equals": "yes"}
LATER = {"question": "B", "answered": True}


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        (LATER, {}, None),  # B still to come: could go either way
        (YES, {"A": "no"}, False),
        ({"all": [YES, LATER]}, {"A": "no"}, False),  # one false part settles `all`
        ({"all": [YES, LATER]}, {"A": "yes"}, None),
        ({"any": [YES, LATER]}, {"A": "yes"}, True),  # one true part settles `any`
        ({"any": [YES, LATER]}, {"A": "no"}, None),
        ({"not": LATER}, {}, None),
        ({"not": YES}, {"A": "no"}, True),
    ],
)
def test_outcome_is_decided_only_by_the_answers_already_given(
    condition: dict[str, Any], answers: dict[str, Any], expected: bool | None
) -> None:
    found = parse(condition).outcome(answers, {"B"})
    assert found is expected
    if found is not None:  # a decided outcome is what any answer to B would give
        for later in (None, "text"):
            assert parse(condition).holds({**answers, "B": later}) is found
