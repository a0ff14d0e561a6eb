"""Skip logic in words, in the sheet's language, from the real catalogs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from babel.support import NullTranslations, Translations

from fieldwork.config import ROOT
from fieldwork.paper import words
from fieldwork.paper.routing import Jump
from fieldwork.questionnaire.conditions import parse
from tests.quality.factories import question, questionnaire
from tests.questionnaires import read

BRANCHING = read().questionnaires["branching"]


def gettext(language: str) -> Callable[[str], str]:
    if language == "en":
        return NullTranslations().gettext
    catalog = Translations.load(str(ROOT / "translations"), [language.replace("-", "_")])
    return catalog.gettext


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


def test_numbers_and_special_answers_read_as_what_they_are() -> None:
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
        "如果您在K選了「不知道」，請回答本題。"
    )


def test_a_jump_says_where_to_go_or_that_the_sheet_ends() -> None:
    assert words.jump(Jump("no", "SOLVED"), gettext("en")) == "→ go to SOLVED"
    assert words.jump(Jump("no", None), gettext("zh-Hans")) == "→ 问卷到此结束"
