"""Words for answer issues: the one place issue codes become sentences, per language.

The error summary shows a message without its question, so a message says enough by
itself: what answering takes for the question's type, a limit in the unit the person
typed it in, a special answer or an exclusive choice by the label shown on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from fieldwork.i18n import text
from fieldwork.questionnaire.model import (
    BLANK,
    DONT_KNOW,
    ILLEGIBLE,
    NOT_APPLICABLE,
    SEVERAL_TICKED,
    Question,
)
from fieldwork.questionnaire.problems import Issue
from fieldwork.responses import codes

SPECIAL_LABELS = {
    DONT_KNOW: _l("Don't know"),
    NOT_APPLICABLE: _l("Not applicable"),
    BLANK: _l("Left blank on the sheet"),
    ILLEGIBLE: _l("Cannot be read on the sheet"),
    SEVERAL_TICKED: _l("Several boxes ticked on the sheet"),
}
"""The special answers as their boxes are labelled, and a paper sheet's missing answers."""

Amount = Callable[[Question, Any], "str | None"]
"""A limit in the unit the person types (a web builder's `amount`), or None for a bare number."""

MESSAGES: dict[str, LazyString] = {
    "required": _l("Answer this question"),
    "invalid-choice": _l("Choose one of the answers shown"),
    "exclusive-combined": _l("“%(choice)s” cannot be chosen with other answers"),
    "too-few": _l("Choose at least %(min)s answers"),
    "too-many": _l("Choose at most %(max)s answers"),
    "not-a-number": _l("Enter a number, like 3"),
    "not-whole-number": _l("Enter a whole number, like 3"),
    "below-min": _l("Enter a number of %(min)s or more"),
    "above-max": _l("Enter a number of %(max)s or less"),
    "not-a-duration": _l("Enter hours and minutes as whole numbers, like 1 and 30"),
    "not-a-date": _l("Enter a real date, with numbers for the day, month and year"),
    "not-a-year": _l("Enter the year as 4 digits"),
    "not-a-month": _l("Enter a month from 1 to 12"),
    "not-a-day": _l("Enter a day from 1 to 31"),
    "no-such-day": _l("That month has %(days)s days: enter a day from 1 to %(days)s"),
    "date-before": _l("Enter a date on or after %(min)s"),
    "date-after": _l("Enter a date on or before %(max)s"),
    "too-long": _l("Shorten your answer to %(max)s characters or fewer"),
    "invalid-text": _l("Remove the control characters from your answer"),
    "value-and-special": _l("Either give an answer or tick “%(special)s”, not both"),
    "unknown-question": _l("This answer does not belong to the questionnaire"),
    "no-such-box": _l(
        "No box on the sheet has the code “%(box)s”: type a code printed beside a box"
    ),
    "one-code": _l("Type one code: where several boxes are ticked, type *"),
    "routed-past": _l("The answers before this question route past it: leave it empty"),
}

REQUIRED: dict[str, LazyString] = {
    "single_choice": _l("Choose an answer"),
    "multiple_choice": _l("Choose at least one answer"),
    "rating": _l("Choose an answer"),
    "scale_0_10": _l("Choose an answer"),
    "number": _l("Enter a number"),
    "duration": _l("Enter hours and minutes"),
    "short_text": _l("Write your answer"),
    "long_text": _l("Write your answer"),
}
""""required" by question type: what answering takes. A date says "Answer this question"
until its own part-by-part words name the parts."""

IN_UNITS: dict[str, tuple[str, LazyString]] = {
    "below-min": ("min", _l("Enter %(min)s or more")),
    "above-max": ("max", _l("Enter %(max)s or less")),
}
"""A limit of a question with a unit, the amount in that unit: "Enter 168 hours or less"."""

RESUME_CODE_PROBLEMS: dict[str, LazyString] = {
    codes.NOT_TWELVE_DIGITS: _l("Enter the 12-digit code you were given, like 1234 5678 9012"),
    codes.MISTYPED: _l(
        "Check the digits: one of them is mistyped, or two are swapped. "
        "Compare them with the code you were given."
    ),
}


def message(issue: Issue, question: Question | None = None, amount: Amount | None = None) -> str:
    """The issue in words; given its question (and how its type words a limit), in the words
    and units on the person's screen."""
    template = MESSAGES.get(issue.code, MESSAGES["invalid-choice"])
    params = issue.kwargs
    special = params.get("special")
    if isinstance(special, str) and special in SPECIAL_LABELS:
        params["special"] = SPECIAL_LABELS[special]
    if question is not None:
        template, params = _as_shown(issue, question, amount, template, params)
    return str(template) % params if params else str(template)


def _as_shown(
    issue: Issue,
    question: Question,
    amount: Amount | None,
    template: LazyString,
    params: dict[str, Any],
) -> tuple[LazyString, dict[str, Any]]:
    if issue.code == "required":
        return REQUIRED.get(question.type, template), params
    if issue.code in IN_UNITS and amount is not None:
        bound, in_units = IN_UNITS[issue.code]
        limit = amount(question, params[bound])
        if limit is not None:
            return in_units, {bound: limit}
    choice = question.choice(str(params["choice"])) if "choice" in params else None
    if choice is not None:
        params["choice"] = text(choice.label)
    return template, params


def resume_code_message(problem: str | None) -> str:
    """Why a typed resume code is refused before any saved answers are looked up."""
    return str(RESUME_CODE_PROBLEMS[problem or codes.NOT_TWELVE_DIGITS])
