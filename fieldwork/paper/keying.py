"""What a keyer types for each question of a paper sheet, and what it stands for.

The sheet prints a code beside every box (`boxes`): a choice's own code, a rating's or a
0–10 scale's points as themselves, and a special answer after them — "don't know" 8 and
"not applicable" 9, or 98 and 99 where a box already reads 8 or more. The keyer types
those codes, the digits of a number, a date or a duration, and open answers as written.
Three keys stand for an answer the sheet does not give, whatever the question: Enter on
an empty field for a blank, "?" for an illegible answer, "*" for several boxes ticked
where one was asked for. A special answer of a written one (a number, a date) is its
code after "/": "/8". All are on a numeric keypad.

`read` turns what was typed into the raw parts every mode hands to `answers.parse`, with
the paper missing values accepted (`modes.PAPER.missing`): the entry screen validates
exactly as the web form does. `complete` says when a typed code cannot grow into another
one, so the screen moves on without Enter; `keystrokes` counts what an answer takes to
key, for the keying benchmark. Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fieldwork import date_parts
from fieldwork.questionnaire.model import (
    BLANK,
    DONT_KNOW,
    ILLEGIBLE,
    SEVERAL_TICKED,
    Question,
)
from fieldwork.questionnaire.problems import Issue
from fieldwork.questionnaire.types import RawAnswer, type_of

ILLEGIBLE_KEY = "?"
SEVERAL_KEY = "*"
SPECIAL_KEY = "/"
MISSING_KEYS: Mapping[str, str] = {"": BLANK, ILLEGIBLE_KEY: ILLEGIBLE, SEVERAL_KEY: SEVERAL_TICKED}
"""What the keyer types (alone in a question's first field) for each missing value."""

Typed = Mapping[str, str]
"""What was typed into each field of one question, by raw part ("" for a single field)."""


@dataclass(frozen=True)
class Box:
    """A printed box: the code beside it and the value it stands for."""

    code: int
    value: str | int


class Keyer:
    """How one question type is keyed. Subclasses set `types` and override what differs."""

    types: ClassVar[tuple[str, ...]]

    def fields(self, question: Question, language: str) -> tuple[str, ...]:
        """The raw parts keyed, in the order the sheet prints their boxes."""
        return ("",)

    def own_boxes(self, question: Question) -> tuple[Box, ...]:
        """The boxes of real answers, whose codes are typed; none for written answers."""
        return ()

    def boxes(self, question: Question) -> tuple[Box, ...]:
        """Every printed box whose code the keyer may type: the real answers', then the
        special answers' ("don't know", "not applicable"), which written answers have too."""
        specials = (Box(special_code(question, value), value) for value in question.allow)
        return (*self.own_boxes(question), *specials)

    def to_raw(self, question: Question, typed: Typed) -> dict[str, list[str]]:
        return {part: [text] for part, text in typed.items()}

    def unknown(self, question: Question, typed: Typed) -> list[str]:
        """Typed codes no box of the question prints."""
        return []

    def keys(self, question: Question, value: Any, language: str) -> int:
        """The keystrokes a stored answer takes to key, Enters between fields aside."""
        return len(str(value))


def special_code(question: Question, value: str) -> int:
    """The code printed beside a special answer's box (`DONT_KNOW`, `NOT_APPLICABLE`): 8 and
    9 after the other codes, or 98 and 99 (999…) where a box already reads 8 or more, so it
    is never a real answer's code."""
    highest = max((box.code for box in keyer(question).own_boxes(question)), default=0)
    digits = len(str(highest)) if highest >= 8 else 1
    if highest >= 10**digits - 2:
        digits += 1
    top: int = 10**digits
    return top - (2 if value == DONT_KNOW else 1)


class _Boxed(Keyer):
    """Answered by typing the printed code of a box."""

    def to_raw(self, question: Question, typed: Typed) -> dict[str, list[str]]:
        by_code = {str(box.code): str(box.value) for box in self.boxes(question)}
        return {"": [by_code[code] for code in _codes(typed.get("", ""))]}

    def unknown(self, question: Question, typed: Typed) -> list[str]:
        printed = {str(box.code) for box in self.boxes(question)}
        return [code for code in _codes(typed.get("", "")) if code not in printed]

    def keys(self, question: Question, value: Any, language: str) -> int:
        by_value = {box.value: box.code for box in self.boxes(question)}
        values = value if isinstance(value, list) else [value]
        return sum(len(str(by_value[v])) for v in values)


def _codes(text: str) -> list[str]:
    """The codes in a typed text: separated by spaces or commas."""
    return text.replace(",", " ").replace("，", " ").split()


class ChoiceKeyer(_Boxed):
    types = ("single_choice", "multiple_choice")

    def own_boxes(self, question: Question) -> tuple[Box, ...]:
        return tuple(Box(choice.code, choice.value) for choice in question.choices)

    def keys(self, question: Question, value: Any, language: str) -> int:
        """Several codes of a "tick all" answer take a space between each two."""
        values = value if isinstance(value, list) else [value]
        return super().keys(question, value, language) + max(len(values) - 1, 0)


class PointKeyer(_Boxed):
    """A rating's or a 0–10 scale's points are printed as themselves."""

    types = ("rating", "scale_0_10")

    def own_boxes(self, question: Question) -> tuple[Box, ...]:
        low, high = type_of(question).bounds(question)
        return tuple(Box(point, point) for point in range(low, high + 1))


class DigitsKeyer(Keyer):
    types = ("number",)


class TextKeyer(Keyer):
    types = ("short_text", "long_text")


class DurationKeyer(Keyer):
    types = ("duration",)

    def fields(self, question: Question, language: str) -> tuple[str, ...]:
        return ("hours", "minutes")

    def keys(self, question: Question, value: Any, language: str) -> int:
        hours, minutes = divmod(int(value), 60)
        return (len(str(hours)) if hours else 0) + (len(str(minutes)) if minutes else 0)


class DateKeyer(Keyer):
    types = ("date",)

    def fields(self, question: Question, language: str) -> tuple[str, ...]:
        return date_parts.entry(language).order

    def keys(self, question: Question, value: Any, language: str) -> int:
        year, month, day = str(value).split("-")
        return len(year) + len(str(int(month))) + len(str(int(day)))


KEYERS: Mapping[str, Keyer] = {
    name: keyer
    for keyer in (
        ChoiceKeyer(),
        PointKeyer(),
        DigitsKeyer(),
        TextKeyer(),
        DurationKeyer(),
        DateKeyer(),
    )
    for name in keyer.types
}
"""The keyer of every question type (`questionnaire.types.TYPES`; a test checks all)."""


def keyer(question: Question) -> Keyer:
    return KEYERS[question.type]


def read(question: Question, typed: Typed) -> tuple[RawAnswer, Issue | None]:
    """What was typed for one question as the raw parts `answers.parse` reads, or the issue
    of a code no box of the question prints. A missing key alone in the first field stands
    for the whole answer, and so does a special answer's code after "/" (the only way to
    key one where the answer is written, since its code could be a number's digits)."""
    texts = [text.strip() for text in typed.values()]
    alone = texts[0] if texts and not any(texts[1:]) else None  # only the first field typed
    if alone is not None and alone in MISSING_KEYS:
        return {"special": [MISSING_KEYS[alone]]}, None
    if alone is not None and alone.startswith(SPECIAL_KEY):
        by_code = {str(special_code(question, value)): value for value in question.allow}
        found = by_code.get(alone[len(SPECIAL_KEY) :].strip())
        if found is None:
            return {}, Issue.of(question.code, "no-such-box", box=alone)
        return {"special": [found]}, None
    chosen = keyer(question)
    unknown = chosen.unknown(question, typed)
    if unknown:
        return {}, Issue.of(question.code, "no-such-box", box=unknown[0])
    return chosen.to_raw(question, typed), None


def complete(codes: Sequence[int], typed: str) -> bool:
    """Whether the typed code is a printed one no other printed code begins with: the entry
    screen then moves on by itself ("2" of 1–5 at once; "1" of 0–10 waits for a "0")."""
    if typed not in {str(code) for code in codes}:
        return False
    return not any(str(code).startswith(typed) and str(code) != typed for code in codes)


def keystrokes(question: Question, value: Any, language: str) -> int:
    """The keys a stored answer takes: the digits of each printed code, number, date and
    duration, the characters of an open answer; one for an illegible or several-ticked
    one, none for a blank (the Enter every field ends with, unless it moves on by itself);
    a special answer's code, after "/" where the answer is written."""
    if value in (BLANK, ILLEGIBLE, SEVERAL_TICKED):
        return 0 if value == BLANK else 1
    chosen = keyer(question)
    if isinstance(value, str) and value in question.allow:
        written = not chosen.own_boxes(question)
        return len(str(special_code(question, value))) + len(SPECIAL_KEY) * written
    return chosen.keys(question, value, language)
