"""The codes printed beside the boxes of a sheet, which the entry screen reads back.

A choice prints its own `code` (1, 2, …), a rating or 0–10 box its point. "Don't know"
and "not applicable" get codes that no real answer of the question can have, in the
survey habit of nines: 98 and 97 beside boxes coded up to 96, 998 and 997 when the
question's own codes reach three digits. So the same special answer has the same code
across a sheet, and a keyer never mistakes it for a choice.
"""

from __future__ import annotations

from fieldwork.questionnaire.model import DONT_KNOW, NOT_APPLICABLE, Question
from fieldwork.questionnaire.types import Rating, type_of

FROM_TOP = {DONT_KNOW: 1, NOT_APPLICABLE: 2}
"""How far below the all-nines number of its width each special answer's code sits."""


def special_code(question: Question, value: str) -> int:
    """The code printed beside the box of a special answer (`DONT_KNOW`, `NOT_APPLICABLE`)."""
    nines = 99
    while nines - max(FROM_TOP.values()) <= _highest(question):
        nines = nines * 10 + 9
    return nines - FROM_TOP[value]


def _highest(question: Question) -> int:
    """The greatest code a real answer of the question prints (0 for written answers)."""
    kind = type_of(question)
    if question.choices:
        return max(choice.code for choice in question.choices)
    if isinstance(kind, Rating):
        return max(kind.points(question), default=0)
    return 0
