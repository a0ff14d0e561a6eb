"""Answers against a questionnaire: parse raw input, decide what is shown, validate.

One set of rules for every mode (online, paper, shadow): a form, an entry
screen or an import hands raw parts or values here and gets issues back.
Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.questionnaire.problems import Issue
from fieldwork.questionnaire.types import RawAnswer, type_of

Answers = dict[str, Any]


def is_shown(question: Question, answers: Mapping[str, Any]) -> bool:
    return question.show_if is None or question.show_if.holds(answers)


def shown(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[Question]:
    """The questions shown given these answers; conditions only read earlier questions."""
    visible: list[Question] = []
    kept: Answers = {}
    for question in questionnaire.questions:
        if is_shown(question, kept):
            visible.append(question)
            if question.code in answers:
                kept[question.code] = answers[question.code]
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
    questions: Iterable[Question], raw: Mapping[str, RawAnswer]
) -> tuple[Answers, list[Issue]]:
    """Parse raw parts for some questions (a page, a paper sheet) into values."""
    values: Answers = {}
    issues: list[Issue] = []
    for question in questions:
        value, issue = type_of(question).parse(question, raw.get(question.code, {}))
        if issue is not None:
            issues.append(issue)
        elif value is not None:
            values[question.code] = value
    return values, issues


def check(questions: Iterable[Question], answers: Mapping[str, Any]) -> list[Issue]:
    """Required and value checks for the given (shown) questions."""
    issues: list[Issue] = []
    for question in questions:
        value = answers.get(question.code)
        if value is None:
            if question.required:
                issues.append(Issue.of(question.code, "required"))
            continue
        if isinstance(value, str) and value in question.allow:
            continue
        issue = type_of(question).validate(question, value)
        if issue is not None:
            issues.append(issue)
    return issues


def validate(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[Issue]:
    """Every issue of a complete set of answers; answers to unknown questions are an issue."""
    known = set(questionnaire.codes())
    unknown = [Issue.of(code, "unknown-question") for code in answers if code not in known]
    return unknown + check(shown(questionnaire, answers), answers)
