"""How long a questionnaire takes, worked out from its questions for the start page.

A number written into the file by hand drifts as questions come and go; this one
follows them. Each type takes a time to read and answer, a choice question a little
more for every option to read, "don't know" and "not applicable" included. The
estimate covers every question of the file, the longest path through it, so it
promises no less than anyone is asked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from fieldwork.questionnaire.model import Question, Questionnaire

SECONDS: dict[str, int] = {
    "single_choice": 8,
    "multiple_choice": 10,
    "rating": 12,
    "scale_0_10": 15,
    "number": 15,
    "duration": 20,
    "date": 20,
    "short_text": 40,
    "long_text": 90,
}
"""Seconds to read a question of each type and answer it, before its options. One entry
per type of the registry (a test checks)."""

SECONDS_PER_OPTION = 2
"""Seconds to read one more choice or special answer."""


def seconds(question: Question) -> int:
    options = len(question.choices) + len(question.allow)
    return SECONDS[question.type] + SECONDS_PER_OPTION * options


def minutes(questions: Iterable[Question]) -> int:
    """Whole minutes, rounded up, to answer all these questions."""
    return max(1, math.ceil(sum(seconds(q) for q in questions) / 60))


def estimated_minutes(questionnaire: Questionnaire) -> int:
    """What the start page promises: every question answered."""
    return minutes(questionnaire.questions)
