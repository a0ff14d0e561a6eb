"""The codes printed beside the boxes of a sheet: what the keyer types back.

A choice prints its own `code` (1, 2, …), a rating or 0–10 box its point. "Don't know"
and "not applicable" print after them: 8 and 9, or 98 and 99 (999 …) where a box of the
question already reads 8 or more, so a special answer's code is never a real answer's and
is the same on every short question of a sheet.
"""

from __future__ import annotations

from fieldwork.questionnaire.model import DONT_KNOW, NOT_APPLICABLE, Question
from fieldwork.questionnaire.types import Rating, type_of

FROM_TOP = {DONT_KNOW: 1, NOT_APPLICABLE: 0}
"""How far below the all-nines number each special answer's code sits."""


def special_code(question: Question, value: str) -> int:
    """The code printed beside the box of a special answer (`DONT_KNOW`, `NOT_APPLICABLE`)."""
    highest = _highest(question)
    digits = len(str(highest)) if highest >= 8 else 1
    if highest >= int("9" * digits) - 1:
        digits += 1
    return int("9" * digits) - FROM_TOP[value]


def _highest(question: Question) -> int:
    """The greatest code a real answer of the question prints (0 for written answers)."""
    kind = type_of(question)
    if question.choices:
        return max(choice.code for choice in question.choices)
    if isinstance(kind, Rating):
        return max(kind.points(question), default=0)
    return 0
