"""The time a questionnaire takes, worked out from its questions for the start page."""

from __future__ import annotations

from fieldwork.questionnaire import timing
from fieldwork.questionnaire.types import TYPES
from tests import questionnaires

BRANCHING = questionnaires.read().questionnaires["branching"]


def test_every_question_type_has_a_time() -> None:
    assert set(timing.SECONDS) == set(TYPES)
    assert all(seconds > 0 for seconds in timing.SECONDS.values())


def test_the_estimate_counts_every_question_and_its_options() -> None:
    """Four choice questions of two options (8 + 2 × 2 s each), a duration (20 s), a short
    text (40 s), a rating (12 s) and two long texts (90 s each): 300 s, 5 minutes."""
    assert sum(timing.seconds(q) for q in BRANCHING.questions) == 300
    assert timing.estimated_minutes(BRANCHING) == 5


def test_a_part_minute_counts_as_a_whole_one() -> None:
    assert timing.minutes(BRANCHING.questions[:1]) == 1  # 12 s
    assert timing.minutes(BRANCHING.questions[:8]) == 4  # 210 s
