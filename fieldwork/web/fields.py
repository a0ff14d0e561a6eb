"""Web builders, one per question type: form field names, reading a post, showing an answer.

Keyed by the same names as `questionnaire.types.TYPES`; a test fails if either
side misses a type. Each type's markup is the macro of the same name in
`templates/macros/questions.html`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from flask_babel import format_date, format_decimal, gettext, ngettext
from werkzeug.datastructures import MultiDict

from fieldwork.i18n import date_entry, text
from fieldwork.questionnaire.model import DONT_KNOW, NOT_APPLICABLE, Question
from fieldwork.questionnaire.problems import Issue
from fieldwork.questionnaire.types import RawAnswer
from fieldwork.web.messages import SPECIAL_LABELS, message


def field_name(question: Question, part: str = "") -> str:
    return f"{question.code}-{part}" if part else question.code


class Builder:
    parts: ClassVar[tuple[str, ...]] = ("",)
    special_in_main: ClassVar[bool] = False  # "don't know" is one more radio button
    first: ClassVar[str] = ""  # the id suffix of the control an error summary links to

    def first_id(self, question: Question) -> str:
        return field_name(question, self.first)

    def marked(self, issue: Issue) -> tuple[str, ...]:
        """The parts whose boxes an issue marks: those it names, else every one."""
        named = issue.kwargs.get("parts")
        if isinstance(named, tuple) and set(named) <= set(self.parts):
            return named
        return self.parts

    def read(self, question: Question, form: MultiDict[str, str]) -> RawAnswer:
        names = (*self.parts, "special")
        return {part: form.getlist(field_name(question, part)) for part in names}

    def raw(self, question: Question, value: Any) -> dict[str, list[str]]:
        """The form values that stand for a stored value: prefills and hidden fields."""
        if value is None:
            return {}
        if isinstance(value, str) and value in (DONT_KNOW, NOT_APPLICABLE):
            return {"" if self.special_in_main else "special": [value]}
        return self.raw_value(question, value)

    def raw_value(self, question: Question, value: Any) -> dict[str, list[str]]:
        return {"": [str(value)]}

    def show(self, question: Question, value: Any) -> str:
        if isinstance(value, str) and value in SPECIAL_LABELS:
            return str(SPECIAL_LABELS[value])
        return self.show_value(question, value)

    def show_value(self, question: Question, value: Any) -> str:
        return str(value)

    def amount(self, question: Question, limit: Any) -> str | None:
        """A limit in the unit the person types, where a bare number would not say it."""
        return None


class SingleChoice(Builder):
    special_in_main = True
    first = "1"

    def show_value(self, question: Question, value: Any) -> str:
        choice = question.choice(value)
        return text(choice.label) if choice else str(value)


class MultipleChoice(Builder):
    first = "1"

    def raw_value(self, question: Question, value: Any) -> dict[str, list[str]]:
        return {"": [str(v) for v in value]}

    def show_value(self, question: Question, value: Any) -> str:
        labels = [text(c.label) for c in question.choices if c.value in value]
        return str(gettext("; ")).join(labels)


class Rating(Builder):
    special_in_main = True
    first = "1"


class Number(Builder):
    def show_value(self, question: Question, value: Any) -> str:
        unit = text(question.options.get("unit"))
        number = format_decimal(value)
        return f"{number} {unit}".strip()

    def amount(self, question: Question, limit: Any) -> str | None:
        return self.show_value(question, limit) if question.options.get("unit") else None


class Duration(Builder):
    parts = ("hours", "minutes")
    first = "hours"

    def raw_value(self, question: Question, value: Any) -> dict[str, list[str]]:
        hours, minutes = divmod(int(value), 60)
        return {"hours": [str(hours)], "minutes": [str(minutes)]}

    def show_value(self, question: Question, value: Any) -> str:
        hours, minutes = divmod(int(value), 60)
        hours_text = ngettext("%(num)s hour", "%(num)s hours", hours)
        minutes_text = ngettext("%(num)s minute", "%(num)s minutes", minutes)
        if not hours:
            return str(minutes_text)
        if not minutes:
            return str(hours_text)
        # Its own message so a language can order or join the two parts its way.
        return str(gettext("%(hours)s %(minutes)s", hours=hours_text, minutes=minutes_text))

    def amount(self, question: Question, limit: Any) -> str | None:
        return self.show_value(question, limit)  # stored in minutes, typed in hours and minutes


class Date(Builder):
    parts = ("year", "month", "day")  # shown in the order of `date_parts.entry`

    def first_id(self, question: Question) -> str:
        return field_name(question, date_entry().first)

    def raw_value(self, question: Question, value: Any) -> dict[str, list[str]]:
        date = dt.date.fromisoformat(value)
        return {"day": [str(date.day)], "month": [str(date.month)], "year": [str(date.year)]}

    def show_value(self, question: Question, value: Any) -> str:
        return str(format_date(dt.date.fromisoformat(value), "long"))


class Text(Builder):
    pass


BUILDERS: Mapping[str, Builder] = {
    "single_choice": SingleChoice(),
    "multiple_choice": MultipleChoice(),
    "rating": Rating(),
    "scale_0_10": Rating(),
    "number": Number(),
    "duration": Duration(),
    "date": Date(),
    "short_text": Text(),
    "long_text": Text(),
}


def builder(question: Question) -> Builder:
    return BUILDERS[question.type]


@dataclass(frozen=True)
class FieldError:
    """A question's error as its page shows it: the words, and the parts whose boxes it
    marks (all of them unless the issue names some, as "Enter a month from 1 to 12" does)."""

    text: str
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return self.text


def errors(questions: Sequence[Question], issues: Sequence[Issue]) -> dict[str, FieldError]:
    """Each question's error on its page, by question code."""
    by_code = {q.code: q for q in questions}
    return {issue.question: _error(issue, by_code.get(issue.question)) for issue in issues}


def _error(issue: Issue, question: Question | None) -> FieldError:
    if question is None:
        return FieldError(message(issue), ())
    shown = builder(question)
    return FieldError(message(issue, question, shown.amount), shown.marked(issue))


def read_form(questions: Sequence[Question], form: MultiDict[str, str]) -> dict[str, RawAnswer]:
    """The raw parts each question's fields gave in a submitted form, by question code."""
    return {q.code: builder(q).read(q, form) for q in questions}
