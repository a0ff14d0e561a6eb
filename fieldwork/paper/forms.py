"""How each question type is answered on paper: its print form, one per type.

Keyed by the same names as `questionnaire.types.TYPES` (a test fails if a type has
none). A form is plain data the sheet's template draws with the macro it names in
`templates/paper/printed/forms.html`: boxes to tick beside their printed codes, a row of points,
boxes for the digits of a number, a duration or a date, or room to write. What is awkward
to write by hand gets boxes: one digit a box, in the order the sheet's language writes a
date (`fieldwork.date_parts`), so the entry screen reads the same parts the web form
sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from fieldwork import date_parts
from fieldwork.paper import words
from fieldwork.paper.keying import special_code
from fieldwork.paper.routing import jumps
from fieldwork.quality.flags import N_
from fieldwork.questionnaire.model import Question, Questionnaire, Text
from fieldwork.questionnaire.types import Rating, type_of
from fieldwork.ui_catalogs import Gettext

CIRCLE, SQUARE = "circle", "square"
"""A circle takes one tick of its question; a square one of several, or a lone box."""

TICK_ONE = N_("Tick one box.")
TICK_ALL = N_("Tick every box that applies.")
HOURS, MINUTES = N_("Hours"), N_("Minutes")
DECIMAL_PLACES = 2
"""Boxes after the point of a number that need not be whole."""
UNBOUNDED_DIGITS = 6
"""Boxes for a number with no maximum: a million less one is more than any count asked."""
HOURS_DIGITS = 3
"""Boxes for the hours of a duration with no maximum: up to 999 hours, some six weeks."""
LONG_TEXT_LINES = 5


@dataclass(frozen=True)
class Box:
    """One box to tick: the code printed beside it, its label, and where it sends the
    respondent when ticked ("→ go to Q7"), printed right after the label."""

    code: int
    label: str
    jump: str | None = None


@dataclass(frozen=True)
class Printed:
    """What the sheet draws under a question's text: `macro` names the drawing."""

    macro: ClassVar[str]
    specials: tuple[Box, ...]  # "don't know", "not applicable": after "or"
    special_shape: str


@dataclass(frozen=True)
class Choices(Printed):
    macro = "choices"
    shape: str
    instruction: str
    boxes: tuple[Box, ...]
    alternatives: tuple[Box, ...]  # exclusive choices ("none of these"), after "or"


@dataclass(frozen=True)
class Points(Printed):
    """A row of boxes, each under its point, with what the two ends mean."""

    macro = "points"
    points: tuple[int, ...]
    low: str
    high: str


@dataclass(frozen=True)
class Digits:
    """A group of boxes for one part of a written figure, named before or after it."""

    part: str  # the raw part the entry screen fills ("" for a number, "hours", "year")
    name: str
    count: int
    decimals: int = 0  # boxes after a printed point


@dataclass(frozen=True)
class Figures(Printed):
    macro = "figures"
    groups: tuple[Digits, ...]
    names_after: bool  # 2026 年: each name follows its boxes; else it stands above them
    unit: str


@dataclass(frozen=True)
class Writing(Printed):
    """Room for words: one tall box, or ruled lines."""

    macro = "writing"
    lines: int


@dataclass(frozen=True)
class Context:
    """What a form needs to know of the sheet: its questionnaire, language and words."""

    questionnaire: Questionnaire
    language: str
    gettext: Gettext

    def text(self, value: Text | None) -> str:
        """A questionnaire text in the sheet's language (the loader checked it has one)."""
        return value[self.language] if value else ""


class PrintForm:
    """Base of every type's print form: the boxes of its special answers."""

    special_shape: str = SQUARE  # a lone box to tick instead of writing

    def build(self, question: Question, context: Context) -> Printed:
        raise NotImplementedError

    def specials(self, question: Question, context: Context) -> tuple[Box, ...]:
        routes = _routes(question, context)
        return tuple(
            Box(
                special_code(question, value),
                context.gettext(words.SPECIAL[value]),
                routes.get(value),
            )
            for value in question.allow
        )


class ChoicePrint(PrintForm):
    """Boxes one under another, each beside its code and label, in the definition's
    order; an exclusive choice ("none of these") after "or", as the web form has it."""

    def __init__(self, shape: str, instruction: str) -> None:
        self.shape = shape
        self.special_shape = shape
        self.instruction = instruction

    def build(self, question: Question, context: Context) -> Printed:
        routes = _routes(question, context)
        boxes = [
            (c.exclusive, Box(c.code, context.text(c.label), routes.get(c.value)))
            for c in question.choices
        ]
        return Choices(
            specials=self.specials(question, context),
            special_shape=self.shape,
            shape=self.shape,
            instruction=context.gettext(self.instruction),
            boxes=tuple(box for exclusive, box in boxes if not exclusive),
            alternatives=tuple(box for exclusive, box in boxes if exclusive),
        )


class PointsPrint(PrintForm):
    special_shape = CIRCLE

    def build(self, question: Question, context: Context) -> Printed:
        kind = type_of(question)
        if not isinstance(kind, Rating):
            raise TypeError(f"{question.code}: a {question.type} has no points")
        labels = question.options.get("labels") or {}
        return Points(
            specials=self.specials(question, context),
            special_shape=self.special_shape,
            points=tuple(kind.points(question)),
            low=context.text(labels.get("min")),
            high=context.text(labels.get("max")),
        )


class NumberPrint(PrintForm):
    def build(self, question: Question, context: Context) -> Printed:
        high = question.options.get("max")
        count = len(str(int(abs(high)))) if high is not None else UNBOUNDED_DIGITS
        whole = question.options.get("integer", True)
        digits = Digits("", "", count, 0 if whole else DECIMAL_PLACES)
        return Figures(
            specials=self.specials(question, context),
            special_shape=self.special_shape,
            groups=(digits,),
            names_after=True,
            unit=context.text(question.options.get("unit")),
        )


class DurationPrint(PrintForm):
    def build(self, question: Question, context: Context) -> Printed:
        high = question.options.get("max")
        hours = len(str(int(high) // 60)) if high is not None else HOURS_DIGITS
        return Figures(
            specials=self.specials(question, context),
            special_shape=self.special_shape,
            groups=(
                Digits("hours", context.gettext(HOURS), hours),
                Digits("minutes", context.gettext(MINUTES), 2),
            ),
            names_after=True,
            unit="",
        )


class DatePrint(PrintForm):
    DIGITS: ClassVar[Mapping[str, int]] = {"year": 4, "month": 2, "day": 2}

    def build(self, question: Question, context: Context) -> Printed:
        how = date_parts.entry(context.language)
        return Figures(
            specials=self.specials(question, context),
            special_shape=self.special_shape,
            groups=tuple(
                Digits(part, context.gettext(date_parts.NAMES[part]), self.DIGITS[part])
                for part in how.order
            ),
            names_after=how.names_after,
            unit="",
        )


class WritingPrint(PrintForm):
    def __init__(self, lines: int) -> None:
        self.lines = lines

    def build(self, question: Question, context: Context) -> Printed:
        return Writing(
            specials=self.specials(question, context),
            special_shape=self.special_shape,
            lines=self.lines,
        )


FORMS: Mapping[str, PrintForm] = {
    "single_choice": ChoicePrint(CIRCLE, TICK_ONE),
    "multiple_choice": ChoicePrint(SQUARE, TICK_ALL),
    "rating": PointsPrint(),
    "scale_0_10": PointsPrint(),
    "number": NumberPrint(),
    "duration": DurationPrint(),
    "date": DatePrint(),
    "short_text": WritingPrint(1),
    "long_text": WritingPrint(LONG_TEXT_LINES),
}
"""Every question type's print form, by the type's name."""


def printed(question: Question, context: Context) -> Printed:
    """What the sheet draws for a question."""
    return FORMS[question.type].build(question, context)


def _routes(question: Question, context: Context) -> dict[str, str]:
    """The jump words beside each box of the question that skips ahead, by value."""
    found = jumps(context.questionnaire, question.code)
    return {j.value: words.jump(j, context.gettext) for j in found}
