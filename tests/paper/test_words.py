"""Skip logic in words, in the sheet's language, from the real catalogs."""

from __future__ import annotations

import pytest

from fieldwork.paper import words
from fieldwork.paper.routing import Jump
from fieldwork.paper.words import Listed
from fieldwork.questionnaire.conditions import parse
from fieldwork.ui_catalogs import gettext
from tests.quality.factories import question, questionnaire
from tests.questionnaires import read

BRANCHING = read().questionnaires["branching"]


def only_if(data: object, language: str = "en") -> str:
    return words.only_if(BRANCHING, parse(data), language, gettext(language))


def test_a_choice_reads_as_printed_code_then_label() -> None:
    assert only_if({"question": "USED", "equals": "yes"}) == (
        "Answer only if you answered 1 “Yes” to USED."
    )


def test_in_and_not_in_read_naturally_with_or() -> None:
    both = {"question": "HOW", "in": ["phone", "chat"]}
    assert only_if(both) == "Answer only if you answered 1 “By phone” or 2 “By chat” to HOW."
    assert only_if({"question": "HOW", "not_in": ["chat"]}) == (
        "Answer only if you did not answer 2 “By chat” to HOW."
    )


def test_not_turns_the_answer_round_instead_of_wrapping_it() -> None:
    assert only_if({"not": {"question": "SOLVED", "equals": "no"}}) == (
        "Answer only if you did not answer 2 “No” to SOLVED."
    )
    assert only_if({"not": {"question": "NOTE", "answered": True}}) == (
        "Answer only if you left NOTE blank."
    )


def test_all_and_any_are_lists_in_the_language() -> None:
    condition = {
        "all": [
            {"question": "USED", "equals": "yes"},
            {
                "any": [
                    {"question": "HOW", "equals": "phone"},
                    {"question": "NOTE", "answered": True},
                ]
            },
        ]
    }
    assert only_if(condition) == (
        "Answer only if you answered 1 “Yes” to USED and"
        " you answered 1 “By phone” to HOW or you answered NOTE."
    )
    assert only_if({"not": condition}).startswith("Answer only if it is not so that ")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-Hans", "如果您在USED选了1“联系过”，请回答本题。"),
        ("zh-Hant", "如果您在USED選了1「聯絡過」，請回答本題。"),
    ],
)
def test_each_language_reads_its_own_words_and_labels(language: str, expected: str) -> None:
    assert only_if({"question": "USED", "equals": "yes"}, language) == expected


def test_numbers_and_special_answers_read_as_printed() -> None:
    q = questionnaire(
        question("N", "number"),
        question("K", "single_choice", allow=["dont_know"]),
        question("Q", "number"),
    )
    at_least = parse({"question": "N", "at_least": 5})
    assert words.only_if(q, at_least, "en", gettext("en")) == (
        "Answer only if your answer to N is 5 or more."
    )
    dont_know = parse({"question": "K", "equals": "_dont_know"})
    assert words.only_if(q, dont_know, "zh-Hant", gettext("zh-Hant")) == (
        "如果您在K選了8「不知道」，請回答本題。"
    )


def test_a_jump_says_where_to_go_or_that_the_sheet_ends() -> None:
    assert words.jump(Jump("no", "SOLVED"), gettext("en")) == "→ go to SOLVED"
    assert words.jump(Jump("no", None), gettext("zh-Hans")) == "→ 问卷到此结束"


def conditions(data: object, language: str = "en") -> str | Listed:
    return words.conditions(BRANCHING, parse(data), language, gettext(language))


USED_YES = {"question": "USED", "equals": "yes"}
PHONED = {"question": "HOW", "equals": "phone"}
WROTE = {"question": "NOTE", "answered": True}


def test_a_condition_that_does_not_nest_is_one_sentence() -> None:
    assert conditions({"all": [USED_YES, {"all": [PHONED, WROTE]}]}) == (
        "Answer only if you answered 1 “Yes” to USED,"
        " you answered 1 “By phone” to HOW, and you answered NOTE."
    )


def test_any_inside_all_is_printed_one_condition_a_line() -> None:
    assert conditions({"all": [USED_YES, {"any": [PHONED, WROTE]}]}) == Listed(
        "Answer only if all of these are true:",
        (
            "you answered 1 “Yes” to USED",
            "you answered 1 “By phone” to HOW or you answered NOTE",
        ),
    )


def test_lines_nest_as_deep_as_the_condition() -> None:
    deep = {
        "any": [
            USED_YES,
            {"all": [WROTE, {"any": [PHONED, {"question": "SOLVED", "equals": "no"}]}]},
        ]
    }
    assert conditions(deep) == Listed(
        "Answer only if at least one of these is true:",
        (
            "you answered 1 “Yes” to USED",
            Listed(
                "all of these are true:",
                (
                    "you answered NOTE",
                    "you answered 1 “By phone” to HOW or you answered 2 “No” to SOLVED",
                ),
            ),
        ),
    )


def test_not_over_nested_parts_turns_each_part_round() -> None:
    """not(A and (B or C)) reads as "not A, or neither B nor C", with no "it is not so"."""
    assert conditions({"not": {"all": [USED_YES, {"any": [PHONED, WROTE]}]}}) == Listed(
        "Answer only if at least one of these is true:",
        (
            "you did not answer 1 “Yes” to USED",
            "you did not answer 1 “By phone” to HOW and you left NOTE blank",
        ),
    )


def test_lines_are_in_the_sheets_language() -> None:
    listed = conditions({"all": [USED_YES, {"any": [PHONED, WROTE]}]}, "zh-Hant")
    assert isinstance(listed, Listed)
    assert listed.lines[0] == "您在USED選了1「聯絡過」"
    assert "Answer" not in listed.lead
