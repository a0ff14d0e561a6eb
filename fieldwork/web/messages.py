"""Words for answer issues: the one place issue codes become sentences, per language."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from fieldwork.questionnaire.problems import Issue

MESSAGES: dict[str, LazyString] = {
    "required": _l("Answer this question"),
    "invalid-choice": _l("Choose one of the answers shown"),
    "exclusive-combined": _l("“None of these” cannot be chosen with other answers"),
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
    "value-and-special": _l("Either give an answer or tick “Don't know”, not both"),
    "unknown-question": _l("This answer does not belong to the questionnaire"),
}


def message(issue: Issue) -> str:
    template = MESSAGES.get(issue.code, MESSAGES["invalid-choice"])
    params = issue.kwargs
    return str(template) % params if params else str(template)
