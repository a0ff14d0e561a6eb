"""Answers against a questionnaire: parse raw input, decide what is shown, validate.

One set of rules for every mode (online, paper, shadow): a form, an entry
screen or an import hands raw parts or values here and gets issues back.
Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from fieldwork.questionnaire.model import MISSING_VALUES, PAPER_MISSING, Question, Questionnaire
from fieldwork.questionnaire.problems import Issue
from fieldwork.questionnaire.types import RawAnswer, type_of

Answers = dict[str, Any]


def is_shown(question: Question, answers: Mapping[str, Any]) -> bool:
    return question.show_if is None or question.show_if.holds(answers)


def shown(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[Question]:
    """The questions shown given these answers; conditions only read earlier questions.

    An answer a paper sheet left unreadable (blank, illegible, several boxes ticked) decides
    no condition: a question whose condition depends on it is shown, since the respondent
    may have followed either route and the keyer types what the sheet holds.
    """
    visible: list[Question] = []
    kept: Answers = {}
    unread: set[str] = set()
    for question in questionnaire.questions:
        condition = question.show_if
        if condition is not None and not unread and not condition.holds(kept):
            continue
        if condition is not None and unread and condition.outcome(kept, unread) is False:
            continue
        visible.append(question)
        value = answers.get(question.code)
        if value in PAPER_MISSING:
            unread.add(question.code)
        elif value is not None:
            kept[question.code] = value
    return visible


def may_show(
    questionnaire: Questionnaire, answers: Mapping[str, Any], settled: Iterable[str]
) -> list[Question]:
    """The questions that may still be shown: those shown given the answers, and those whose
    condition waits on a question still to be answered, which could go either way.

    A question is settled when it has an answer or is listed in `settled` (the questions a
    person has already passed, answered or not); a question still to come is one that may
    show and is not settled. The more are settled, the fewer may show: a count of pages
    built on this never grows as a person answers on, and it is the count of pages shown
    once nothing a condition reads is still to come.
    """
    passed = set(settled)
    possible: list[Question] = []
    kept: Answers = {}
    to_come: set[str] = set()
    for question in questionnaire.questions:
        verdict = question.show_if.outcome(kept, to_come) if question.show_if else True
        if verdict is False:
            continue
        possible.append(question)
        if verdict is None or (answers.get(question.code) is None and question.code not in passed):
            to_come.add(question.code)
        elif question.code in answers:
            kept[question.code] = answers[question.code]
    return possible


def clean(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Answers:
    """Answers to shown questions only, in questionnaire order: hidden answers are dropped."""
    return {
        q.code: answers[q.code]
        for q in shown(questionnaire, answers)
        if answers.get(q.code) is not None
    }


def parse(
    questions: Iterable[Question], raw: Mapping[str, RawAnswer], missing: Collection[str] = ()
) -> tuple[Answers, list[Issue]]:
    """Parse raw parts for some questions (a page, a paper sheet) into values; `missing` as
    for `check`."""
    values: Answers = {}
    issues: list[Issue] = []
    for question in questions:
        value, issue = type_of(question).parse(question, raw.get(question.code, {}), missing)
        if issue is not None:
            issues.append(issue)
        elif value is not None:
            values[question.code] = value
    return values, issues


def check(
    questions: Iterable[Question], answers: Mapping[str, Any], missing: Collection[str] = ()
) -> list[Issue]:
    """Required and value checks for the given (shown) questions. `missing` are the values
    standing for a missing answer that the mode accepts for any question (paper's)."""
    issues: list[Issue] = []
    for question in questions:
        value = answers.get(question.code)
        if value is None:
            if question.required:
                issues.append(Issue.of(question.code, "required"))
            continue
        if isinstance(value, str) and value in MISSING_VALUES:
            if value not in question.allow and value not in missing:
                issues.append(Issue.of(question.code, "invalid-choice"))
            continue
        issue = type_of(question).validate(question, value)
        if issue is not None:
            issues.append(issue)
    return issues


def validate(
    questionnaire: Questionnaire, answers: Mapping[str, Any], missing: Collection[str] = ()
) -> list[Issue]:
    """Every issue of a complete set of answers; answers to unknown questions are an issue.
    `missing`: as for `check`, from the response's mode (`modes.Mode.missing`)."""
    known = set(questionnaire.codes())
    unknown = [Issue.of(code, "unknown-question") for code in answers if code not in known]
    return unknown + check(shown(questionnaire, answers), answers, missing)
