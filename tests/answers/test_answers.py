"""Answers against a questionnaire: what is shown, what is kept, what is wrong.

The questionnaire is built inline from a dict, the way the loader builds a checked file.
"""

from __future__ import annotations

from typing import Any

from fieldwork import answers
from fieldwork.questionnaire.loader import build
from fieldwork.questionnaire.model import (
    BLANK,
    ILLEGIBLE,
    PAPER_MISSING,
    SEVERAL_TICKED,
    Questionnaire,
)
from fieldwork.questionnaire.problems import Issue


def text(en: str) -> dict[str, str]:
    return {"en": en}


def choices(*values: str) -> list[dict[str, Any]]:
    return [{"value": value, "label": text(value)} for value in values]


def questionnaire() -> Questionnaire:
    """Contacted? → how many times (only if yes) → why so many (only if that was answered)."""
    return build(
        {
            "id": "tiny",
            "version": "1",
            "kind": "survey",
            "languages": ["en"],
            "title": text("Tiny"),
            "sections": [
                {
                    "code": "main",
                    "title": text("Main"),
                    "questions": [
                        {
                            "code": "C1",
                            "type": "single_choice",
                            "required": True,
                            "text": text("Did you contact customer service?"),
                            "choices": choices("yes", "no"),
                        },
                        {
                            "code": "C2",
                            "type": "number",
                            "required": True,
                            "allow": ["dont_know"],
                            "min": 1,
                            "max": 50,
                            "text": text("How many times?"),
                            "show_if": {"question": "C1", "equals": "yes"},
                        },
                        {
                            "code": "C3",
                            "type": "short_text",
                            "required": True,
                            "text": text("Why so many times?"),
                            "show_if": {"question": "C2", "answered": True},
                        },
                        {
                            "code": "C4",
                            "type": "rating",
                            "labels": {"min": text("Bad"), "max": text("Good")},
                            "text": text("How was it overall?"),
                        },
                    ],
                }
            ],
        }
    )


Q = questionnaire()


def shown_codes(given: dict[str, Any]) -> list[str]:
    return [q.code for q in answers.shown(Q, given)]


def issue_codes(issues: list[Issue]) -> list[tuple[str, str]]:
    return [(issue.question, issue.code) for issue in issues]


COMPLETE = {"C1": "yes", "C2": 3, "C3": "They kept transferring me", "C4": 2}


# --- shown ---------------------------------------------------------------------------------


def test_questions_without_a_condition_are_always_shown() -> None:
    assert shown_codes({}) == ["C1", "C4"]


def test_question_is_shown_when_its_condition_holds() -> None:
    assert shown_codes({"C1": "yes"}) == ["C1", "C2", "C4"]


def test_question_is_hidden_when_its_condition_fails() -> None:
    assert shown_codes({"C1": "no"}) == ["C1", "C4"]


def test_cascade_shows_the_next_question_once_the_shown_one_is_answered() -> None:
    assert shown_codes({"C1": "yes", "C2": 3}) == ["C1", "C2", "C3", "C4"]


def test_question_whose_condition_reads_a_hidden_question_is_hidden_too() -> None:
    # C2 was answered before C1 changed to "no": the stale answer must not show C3.
    assert shown_codes({"C1": "no", "C2": 3}) == ["C1", "C4"]


def test_is_shown_for_a_question_without_condition() -> None:
    assert answers.is_shown(Q.question("C4"), {})


# --- clean ---------------------------------------------------------------------------------


def test_clean_keeps_answers_to_shown_questions() -> None:
    assert answers.clean(Q, COMPLETE) == COMPLETE


def test_clean_drops_an_answer_to_a_hidden_question() -> None:
    assert answers.clean(Q, {"C1": "no", "C2": 3, "C4": 4}) == {"C1": "no", "C4": 4}


def test_clean_drops_answers_hidden_by_a_cascade() -> None:
    stale = {"C1": "no", "C2": 3, "C3": "Because", "C4": 4}
    assert answers.clean(Q, stale) == {"C1": "no", "C4": 4}


def test_clean_drops_answers_to_unknown_questions() -> None:
    assert answers.clean(Q, {"C1": "no", "X9": "?"}) == {"C1": "no"}


def test_clean_drops_empty_answers() -> None:
    assert answers.clean(Q, {"C1": "no", "C4": None}) == {"C1": "no"}


def test_clean_puts_answers_in_questionnaire_order() -> None:
    assert list(answers.clean(Q, {"C4": 1, "C1": "no"})) == ["C1", "C4"]


def test_clean_keeps_a_special_answer() -> None:
    given = {"C1": "yes", "C2": "_dont_know", "C3": "Lost count"}
    assert answers.clean(Q, given) == given


# --- validate ------------------------------------------------------------------------------


def test_complete_answers_have_no_issues() -> None:
    assert answers.validate(Q, COMPLETE) == []


def test_required_shown_question_left_unanswered_is_an_issue() -> None:
    assert issue_codes(answers.validate(Q, {"C1": "yes"})) == [("C2", "required")]


def test_required_hidden_question_is_not_required() -> None:
    assert answers.validate(Q, {"C1": "no"}) == []


def test_required_question_hidden_by_a_cascade_is_not_required() -> None:
    assert answers.validate(Q, {"C1": "no", "C2": 3}) == []


def test_nothing_answered_reports_the_required_questions_shown() -> None:
    assert issue_codes(answers.validate(Q, {})) == [("C1", "required")]


def test_special_answer_satisfies_required() -> None:
    assert answers.validate(Q, {"C1": "yes", "C2": "_dont_know", "C3": "Lost count"}) == []


def test_special_answer_not_offered_is_an_issue() -> None:
    assert issue_codes(answers.validate(Q, {"C1": "no", "C4": "_dont_know"})) == [
        ("C4", "invalid-choice")
    ]


def test_out_of_range_value_is_an_issue_with_its_bound() -> None:
    assert answers.validate(Q, {**COMPLETE, "C2": 51}) == [Issue.of("C2", "above-max", max=50)]


def test_tampered_choice_is_an_issue() -> None:
    assert issue_codes(answers.validate(Q, {"C1": "perhaps"})) == [("C1", "invalid-choice")]


def test_answer_to_an_unknown_question_is_an_issue() -> None:
    assert issue_codes(answers.validate(Q, {**COMPLETE, "X9": "hello"})) == [
        ("X9", "unknown-question")
    ]


def test_answer_to_a_hidden_question_is_not_checked() -> None:
    # Hidden answers are dropped by clean(); validate does not judge what is not asked.
    assert answers.validate(Q, {"C1": "no", "C2": "not even a number"}) == []


def test_every_issue_is_reported_at_once() -> None:
    given = {"C1": "yes", "C2": 0, "C4": 9, "X9": 1}
    assert issue_codes(answers.validate(Q, given)) == [
        ("X9", "unknown-question"),
        ("C2", "below-min"),
        ("C3", "required"),
        ("C4", "above-max"),
    ]


# --- check (a page) and parse (raw parts) --------------------------------------------------


def test_check_judges_only_the_questions_given() -> None:
    page = [Q.question("C4")]
    assert answers.check(page, {}) == []


def test_parse_turns_raw_parts_into_values() -> None:
    page = [Q.question("C1"), Q.question("C4")]
    assert answers.parse(page, {"C1": {"": ["yes"]}, "C4": {"": ["４"]}}) == (
        {"C1": "yes", "C4": 4},
        [],
    )


def test_parse_leaves_unanswered_questions_out() -> None:
    page = [Q.question("C1"), Q.question("C4")]
    assert answers.parse(page, {"C1": {"": ["no"]}}) == ({"C1": "no"}, [])


def test_parse_reports_an_issue_instead_of_a_value() -> None:
    page = [Q.question("C2")]
    assert answers.parse(page, {"C2": {"": ["12.5"]}}) == ({}, [Issue.of("C2", "not-whole-number")])


def test_parse_does_not_judge_required() -> None:
    # Required depends on what else is shown: check() decides it on the cleaned answers.
    assert answers.parse([Q.question("C1")], {}) == ({}, [])


# --- what a paper sheet leaves unreadable --------------------------------------------------


def test_a_question_routed_on_an_unreadable_answer_is_shown() -> None:
    """The respondent may have followed either route: the keyer types what the sheet has."""
    for unreadable in PAPER_MISSING:
        assert shown_codes({"C1": unreadable}) == ["C1", "C2", "C4"], unreadable
        assert answers.clean(Q, {"C1": unreadable, "C2": 4}) == {"C1": unreadable, "C2": 4}


def test_an_unreadable_answer_decides_nothing_where_a_readable_one_does() -> None:
    assert shown_codes({"C1": "no", "C2": ILLEGIBLE}) == ["C1", "C4"]
    assert shown_codes({"C1": "yes", "C2": BLANK}) == ["C1", "C2", "C3", "C4"]


def test_a_paper_sheet_may_leave_any_question_unreadable_where_the_mode_says_so() -> None:
    sheet = {"C1": SEVERAL_TICKED, "C2": ILLEGIBLE, "C3": BLANK, "C4": BLANK}
    assert answers.validate(Q, sheet, PAPER_MISSING) == []
    assert issue_codes(answers.validate(Q, sheet)) == [
        (code, "invalid-choice") for code in ("C1", "C2", "C3", "C4")
    ]


def test_an_unreadable_answer_is_parsed_only_where_the_mode_accepts_it() -> None:
    """Online, the same values typed into a form are refused, even into a text box: stored,
    they would read as a sheet's missing answer."""
    raw = {"C1": {"special": [ILLEGIBLE]}, "C3": {"": [" _blank "]}, "C4": {"": [BLANK]}}
    assert answers.parse(Q.questions, raw, PAPER_MISSING) == (
        {"C1": ILLEGIBLE, "C3": BLANK, "C4": BLANK},
        [],
    )
    assert issue_codes(answers.parse(Q.questions, raw)[1]) == [
        (code, "invalid-choice") for code in ("C1", "C3", "C4")
    ]
