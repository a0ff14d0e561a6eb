"""The question-type registry: one class per type owns its options, checks and answer rules.

Answers arrive as *raw parts*: strings keyed by part name ("" for the main
value, "day"/"month"/"year" for a date, "hours"/"minutes" for a duration,
"special" for a ticked "don't know"). The web form and the paper entry screen
both produce raw parts, so parsing lives here once. `validate` checks a stored
value and is what every mode ends with.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from fieldwork.questionnaire.model import MISSING_VALUES, Question
from fieldwork.questionnaire.problems import Issue

RawAnswer = Mapping[str, Sequence[str]]

LIMIT = 10**15
"""No number or duration answer is this large. Beyond it spreadsheets lose digits and
int64 export columns overflow, and turning a typed "1e1000000" into an int would take
the server tens of seconds."""
Parsed = tuple[Any, Issue | None]
"""A parsed value (None when not answered) and the issue that stopped parsing, if any."""


def _first(raw: RawAnswer, part: str = "") -> str:
    values = raw.get(part) or [""]
    # NFKC turns full-width digits and letters typed on Chinese keyboards into ASCII.
    return unicodedata.normalize("NFKC", values[0]).strip()


def _all(raw: RawAnswer, part: str = "") -> list[str]:
    """Every non-blank value of a part (a multiple choice sends several), normalised."""
    values = (unicodedata.normalize("NFKC", v).strip() for v in raw.get(part) or [])
    return [v for v in values if v]


def _integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


class QuestionType:
    """Base of every type. Subclasses set `name` and the option keys they accept."""

    name: ClassVar[str]
    options: ClassVar[frozenset[str]] = frozenset()
    has_choices: ClassVar[bool] = False
    closed: ClassVar[bool] = True  # closed types can offer "don't know" / "not applicable"
    numeric: ClassVar[bool] = False
    """Stores a number, so conditions may compare it (`at_least`, `at_most`)."""

    def check(self, raw: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Meaning checks on a question's definition: (check code, message) pairs."""
        return []

    def bounds(self, question: Question) -> tuple[Any, Any]:
        """The least and greatest answer, where the type or the question sets them."""
        return None, None

    def parse(self, question: Question, raw: RawAnswer, missing: Collection[str] = ()) -> Parsed:
        """Turn raw parts into a value; special answers are handled for every type here.
        `missing`: values standing for a missing answer the mode accepts for any question
        (a paper sheet's blank, illegible, several ticked), given like a special answer."""
        special = _first(raw, "special")
        # A special answer may also come as one of the main values (a radio button, or
        # a value keyed on the paper entry screen), not only as the "special" part.
        in_main = [v for v in _all(raw) if v in MISSING_VALUES]
        if not special and in_main:
            special = in_main[0]
        if special:
            if special not in question.allow and special not in missing:
                return None, Issue.of(question.code, "invalid-choice")
            if self._has_value(raw, special):
                return None, Issue.of(question.code, "value-and-special", special=special)
            return special, None
        value, issue = self.parse_value(question, raw)
        if issue is None and value is not None:
            issue = self.validate(question, value)
        return value, issue

    def _has_value(self, raw: RawAnswer, special: str) -> bool:
        """Whether any part other than the special answer itself holds something."""
        return any(v != special for part in raw if part != "special" for v in _all(raw, part))

    def parse_value(self, question: Question, raw: RawAnswer) -> Parsed:
        raise NotImplementedError

    def validate(self, question: Question, value: Any) -> Issue | None:
        """Check a value already parsed or read back from storage."""
        raise NotImplementedError


class SingleChoice(QuestionType):
    name = "single_choice"
    options = frozenset({"choices"})
    has_choices = True

    def parse_value(self, question: Question, raw: RawAnswer) -> Parsed:
        return _first(raw) or None, None

    def validate(self, question: Question, value: Any) -> Issue | None:
        if not isinstance(value, str) or question.choice(value) is None:
            return Issue.of(question.code, "invalid-choice")
        return None


class MultipleChoice(QuestionType):
    name = "multiple_choice"
    options = frozenset({"choices", "min_selected", "max_selected"})
    has_choices = True

    def check(self, raw: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems = []
        choices = raw.get("choices")
        if not isinstance(choices, list):
            choices = []  # reported by the choices check
        if sum(1 for c in choices if isinstance(c, Mapping) and c.get("exclusive")) > 1:
            problems.append(("exclusive", "at most one choice may be exclusive"))
        low, high = raw.get("min_selected"), raw.get("max_selected")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            problems.append(("min-max", f"min_selected {low} is greater than max_selected {high}"))
        if isinstance(high, int) and high > len(choices):
            problems.append(("min-max", f"max_selected {high} exceeds the {len(choices)} choices"))
        return problems

    def parse_value(self, question: Question, raw: RawAnswer) -> Parsed:
        given = set(_all(raw))
        if not given:
            return None, None
        known = [c.value for c in question.choices if c.value in given]
        if len(known) != len(given):
            return None, Issue.of(question.code, "invalid-choice")
        return known, None

    def validate(self, question: Question, value: Any) -> Issue | None:
        if not isinstance(value, list) or not value:
            return Issue.of(question.code, "invalid-choice")
        if not all(isinstance(v, str) for v in value):  # e.g. a tampered import
            return Issue.of(question.code, "invalid-choice")
        if len(set(value)) != len(value) or any(question.choice(v) is None for v in value):
            return Issue.of(question.code, "invalid-choice")
        exclusive = [c.value for c in question.choices if c.exclusive]
        if len(value) > 1 and set(exclusive) & set(value):
            chosen = next(v for v in exclusive if v in value)
            return Issue.of(question.code, "exclusive-combined", choice=chosen)
        low = question.options.get("min_selected")
        high = question.options.get("max_selected")
        if low is not None and len(value) < low and not set(exclusive) & set(value):
            return Issue.of(question.code, "too-few", min=low)
        if high is not None and len(value) > high:
            return Issue.of(question.code, "too-many", max=high)
        return None


class _Bounded(QuestionType):
    """Types with optional `min`/`max` bounds on a comparable value."""

    def check(self, raw: Mapping[str, Any]) -> list[tuple[str, str]]:
        low, high = raw.get("min"), raw.get("max")
        if low is not None and high is not None:
            try:
                if low > high:
                    return [("min-max", f"min {low} is greater than max {high}")]
            except TypeError:
                return [("min-max", "min and max must be of the same kind")]
        return []

    def bounds(self, question: Question) -> tuple[Any, Any]:
        return question.options.get("min"), question.options.get("max")

    def out_of_bounds(self, question: Question, value: Any) -> Issue | None:
        low, high = self.bounds(question)
        if low is not None and value < low:
            return Issue.of(question.code, "below-min", min=low)
        if high is not None and value > high:
            return Issue.of(question.code, "above-max", max=high)
        return None


class Rating(_Bounded):
    name = "rating"
    options = frozenset({"min", "max", "labels"})
    numeric = True

    def bounds(self, question: Question) -> tuple[Any, Any]:
        return question.options.get("min", 1), question.options.get("max", 5)

    def check(self, raw: Mapping[str, Any]) -> list[tuple[str, str]]:
        low, high = raw.get("min", 1), raw.get("max", 5)
        if isinstance(low, int) and isinstance(high, int) and low >= high:
            return [("min-max", f"min {low} must be less than max {high}")]
        return []

    def parse_value(self, question: Question, raw: RawAnswer) -> Parsed:
        text = _first(raw)
        if not text:
            return None, None
        number = _integer(text)
        if number is None:
            return None, Issue.of(question.code, "invalid-choice")
        return number, None

    def validate(self, question: Question, value: Any) -> Issue | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return Issue.of(question.code, "invalid-choice")
        return self.out_of_bounds(question, value)

    def points(self, question: Question) -> range:
        low, high = self.bounds(question)
        return range(low, high + 1)


class Scale0To10(Rating):
    name = "scale_0_10"
    options = frozenset({"labels"})

    def bounds(self, question: Question) -> tuple[Any, Any]:
        return 0, 10

    def check(self, raw: Mapping[str, Any]) -> list[tuple[str, str]]:
        return []  # fixed bounds: a stray min/max is reported as a foreign option only


class Number(_Bounded):
    name = "number"
    options = frozenset({"min", "max", "unit", "integer"})
    numeric = True

    def parse_value(self, question: Question, raw: RawAnswer) -> Parsed:
        text = _first(raw).replace(",", "")
        if not text:
            return None, None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, Issue.of(question.code, "not-a-number")
        if not number.is_finite() or number.copy_abs() >= LIMIT:
            return None, Issue.of(question.code, "not-a-number")
        if number == number.to_integral_value():
            return int(number), None
        if question.options.get("integer", True):
            return None, Issue.of(question.code, "not-whole-number")
        return float(number), None

    def validate(self, question: Question, value: Any) -> Issue | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return Issue.of(question.code, "not-a-number")
        if not abs(value) < LIMIT:  # also refuses NaN and infinities read back
            return Issue.of(question.code, "not-a-number")
        if question.options.get("integer", True) and not isinstance(value, int):
            return Issue.of(question.code, "not-whole-number")
        return self.out_of_bounds(question, value)


class Duration(_Bounded):
    """A length of time, entered as hours and minutes and stored in minutes."""

    name = "duration"
    options = frozenset({"min", "max"})
    numeric = True

    def parse_value(self, question: Question, raw: RawAnswer) -> Parsed:
        hours_text, minutes_text = _first(raw, "hours"), _first(raw, "minutes")
        if not hours_text and not minutes_text:
            return None, None
        hours, minutes = _integer(hours_text or "0"), _integer(minutes_text or "0")
        if hours is None or minutes is None or hours < 0 or minutes < 0:
            return None, Issue.of(question.code, "not-a-duration")
        return hours * 60 + minutes, None

    def validate(self, question: Question, value: Any) -> Issue | None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < LIMIT:
            return Issue.of(question.code, "not-a-duration")
        return self.out_of_bounds(question, value)


DATE_PARTS = ("year", "month", "day")
"""A date's raw parts, in the order a part's validity depends on: a day on its month and year."""

_TWO_DIGITS = re.compile(r"[0-9]{1,2}")
_DATE_PART_DIGITS = {"year": re.compile(r"[0-9]{4}"), "month": _TWO_DIGITS, "day": _TWO_DIGITS}
_DATE_PART_RANGE = {"year": range(1, 10000), "month": range(1, 13), "day": range(1, 32)}


def _date_part(part: str, text: str) -> int | None:
    """A part's number, or None if blank or impossible in any date: the year has 4 digits,
    the month and day 1 or 2. Digits are counted first, so a 500-digit part costs nothing."""
    if not _DATE_PART_DIGITS[part].fullmatch(text):
        return None
    number = int(text)
    return number if number in _DATE_PART_RANGE[part] else None


class Date(_Bounded):
    """A calendar date, entered as year, month and day and stored as YYYY-MM-DD. The order
    of the boxes is the language's (`fieldwork.date_parts`); the parts are read by name."""

    name = "date"
    options = frozenset({"min", "max"})

    def check(self, raw: Mapping[str, Any]) -> list[tuple[str, str]]:
        problems = []
        for key in ("min", "max"):
            if key in raw and _as_date(raw[key]) is None:
                problems.append(("date", f"{key} must be a date written YYYY-MM-DD"))
        if problems:
            return problems
        low, high = _as_date(raw.get("min")), _as_date(raw.get("max"))
        if low and high and low > high:
            return [("min-max", f"min {low} is later than max {high}")]
        return []

    def bounds(self, question: Question) -> tuple[Any, Any]:
        return _as_date(question.options.get("min")), _as_date(question.options.get("max"))

    def parse_value(self, question: Question, raw: RawAnswer) -> Parsed:
        """Each part is read on its own, so an issue can name the box that is wrong: one
        wrong part is its own issue (`not-a-month`); several are `not-a-date`, with the
        wrong `parts` listed; a day the month does not have is `no-such-day`."""
        texts = {part: _first(raw, part) for part in DATE_PARTS}
        if not any(texts.values()):
            return None, None
        numbers = {part: _date_part(part, texts[part]) for part in DATE_PARTS}
        wrong = tuple(part for part, number in numbers.items() if number is None)
        if len(wrong) == 1:
            return None, Issue.of(question.code, f"not-a-{wrong[0]}", parts=wrong)
        if wrong:
            return None, Issue.of(question.code, "not-a-date", parts=wrong)
        year, month, day = (number for number in numbers.values() if number is not None)
        days = calendar.monthrange(year, month)[1]
        if day > days:
            return None, Issue.of(question.code, "no-such-day", days=days, parts=("day",))
        return dt.date(year, month, day).isoformat(), None

    def validate(self, question: Question, value: Any) -> Issue | None:
        date = _as_date(value)
        if date is None:
            return Issue.of(question.code, "not-a-date")
        low, high = self.bounds(question)
        if low and date < low:
            return Issue.of(question.code, "date-before", min=low)
        if high and date > high:
            return Issue.of(question.code, "date-after", max=high)
        return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        return None
    # fromisoformat also reads "20260903" and "2026-W36-4": only YYYY-MM-DD is stored.
    return date if date.isoformat() == value else None


class ShortText(QuestionType):
    name = "short_text"
    options = frozenset({"max_length"})
    closed = False
    default_max_length = 200

    def check(self, raw: Mapping[str, Any]) -> list[tuple[str, str]]:
        limit = raw.get("max_length")
        if isinstance(limit, int) and limit < 1:
            return [("min-max", "max_length must be at least 1")]
        return []

    def max_length(self, question: Question) -> int:
        return int(question.options.get("max_length", self.default_max_length))

    def parse_value(self, question: Question, raw: RawAnswer) -> Parsed:
        values = raw.get("") or [""]
        text = values[0].replace("\r\n", "\n").replace("\r", "\n").strip()
        return text or None, None

    def validate(self, question: Question, value: Any) -> Issue | None:
        if not isinstance(value, str):
            return Issue.of(question.code, "invalid-text")
        if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
            return Issue.of(question.code, "invalid-text")
        if len(value) > self.max_length(question):
            return Issue.of(question.code, "too-long", max=self.max_length(question))
        return None


class LongText(ShortText):
    name = "long_text"
    default_max_length = 2000


TYPES: Mapping[str, QuestionType] = {
    t.name: t
    for t in (
        SingleChoice(),
        MultipleChoice(),
        Rating(),
        Scale0To10(),
        Number(),
        Duration(),
        Date(),
        ShortText(),
        LongText(),
    )
}
"""Every question type by name. The web, paper and export layers key their builders the same."""


def type_of(question: Question) -> QuestionType:
    return TYPES[question.type]
