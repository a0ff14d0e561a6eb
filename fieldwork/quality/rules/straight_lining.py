"""Answer patterns over the rating questions a respondent answered: one value down the
grid (straight-lining) and a repeated sequence (1-2-3-1-2-3, 1-5-1-5).

Both read the ratings answered with a number, in questionnaire order: a question skip
logic hid, left unanswered or answered "don't know" is passed over, not counted, so a
route that shows six ratings is judged on six.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise
from operator import eq
from typing import Any, ClassVar

from fieldwork.quality.flags import N_, Severity
from fieldwork.quality.layout import Layout
from fieldwork.quality.open_text import mash_sign
from fieldwork.quality.rules.base import Case, Check, Evidence, Number, Param, Rule


class StraightLining(Rule):
    """The same rating down most of the grid, from someone who neither took the time to
    read the questions nor wrote anything.

    A very satisfied (or very unhappy) person may honestly give every rating the same
    value: when the answering time shows the questions were read and an open answer says
    something, a uniform grid alone is not held against them.
    """

    code = "straight-lining"
    modes = frozenset({"online", "paper"})  # a respondent's ratings, not a checklist's
    severity: ClassVar[Severity] = "review"
    params: ClassVar[Mapping[str, Param]] = {
        "min_items": Number(5, minimum=2, integer=True),
        "share": Number(0.8, minimum=0.5, maximum=1),
        "seconds_per_answer": Number(4, minimum=0),
    }
    # Flags stored before the rule weighed time and writing have no reason: the first
    # sentence still words them.
    explanation = N_(
        "Gave the same rating, %(value)s, to %(run)s rating questions in a row"
        " (%(first)s to %(last)s)."
    )
    reasons: ClassVar[Mapping[str, str]] = {
        "unread": N_(
            "Gave the same rating, %(value)s, to %(run)s of the %(items)s rating questions"
            " answered in a row (%(first)s to %(last)s), without the time or written answers"
            " that would show the questions were read."
        )
    }

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        fewest = params["min_items"]
        share = params["share"]
        per_answer = params["seconds_per_answer"]
        if len(layout.ratings) < fewest:
            return None

        def check(case: Case) -> Evidence | None:
            values = case.rated
            if len(values) < fewest:
                return None
            run, start = _longest_run([value for _, value in values])
            if run < max(fewest, math.ceil(share * len(values))):
                return None
            if _read(case, per_answer) and _wrote(case):
                return None
            return {
                "run": run,
                "items": len(values),
                "value": values[start][1],
                "first": values[start][0],
                "last": values[start + run - 1][0],
                "reasons": ("unread",),
            }

        return check


def _longest_run(values: Sequence[int]) -> tuple[int, int]:
    """(length, start) of the longest run of one value."""
    best, best_start, run, start = 0, 0, 0, 0
    for position, value in enumerate(values):
        if position and value == values[position - 1]:
            run += 1
        else:
            run, start = 1, position
        if run > best:
            best, best_start = run, start
    return best, best_start


def _read(case: Case, per_answer: float) -> bool:
    """Whether the answering time leaves `per_answer` seconds for every answer given."""
    seconds = case.subject.seconds
    answered = sum(value is not None for value in case.subject.answers.values())
    return seconds is not None and seconds >= per_answer * answered


def _wrote(case: Case) -> bool:
    """Whether some open answer says something in words of the respondent's own."""
    return any(
        len(answer.letters) >= 4
        and not answer.says_nothing()
        and not mash_sign(answer.text, letters=answer.letters)
        for answer in case.open_answers
    )


class AnswerPattern(Rule):
    """The ratings follow a repeating sequence: 1-2-3-1-2-3, 1-5-1-5, 5-4-3-2-1-5-4…

    A sequence spanning two neighbouring values only (4-5-4-5) is how an honest person
    may answer, and is not judged; a constant grid is straight-lining's.
    """

    code = "answer-pattern"
    modes = frozenset({"online", "paper"})
    severity: ClassVar[Severity] = "review"
    params: ClassVar[Mapping[str, Param]] = {
        "min_items": Number(6, minimum=4, integer=True),
        "share": Number(0.9, minimum=0.5, maximum=1),
    }
    explanation = N_(
        "The %(items)s ratings answered repeat the sequence %(pattern)s (%(first)s to %(last)s)."
    )

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        fewest = params["min_items"]
        share = params["share"]
        if len(layout.ratings) < fewest:
            return None

        def check(case: Case) -> Evidence | None:
            values = case.rated
            if len(values) < fewest:
                return None
            numbers = [value for _, value in values]
            if max(numbers) - min(numbers) < 2:
                return None
            period = _period(numbers, share)
            if period is None:
                return None
            return {
                "items": len(values),
                "pattern": "-".join(str(n) for n in numbers[:period]),
                "first": values[0][0],
                "last": values[-1][0],
            }

        return check


def _period(values: Sequence[int], share: float) -> int | None:
    """The length of the sequence `values` repeat at `share` of the positions, or None.

    Either a period of 2 to 4 whose first round holds more than one value, seen at least
    twice over and compared at three positions or more (1-5-1-5-1-5, 2-4-3-2-4-3); or a
    staircase, the same step up or down every time, wrapping round the values used
    (1-2-3-4-5-1-2-3, 5-4-3-2-1-5), whose period is then the number of values used.
    """
    for period in range(2, 5):
        compared = len(values) - period
        if len(values) < 2 * period or compared < 3 or len(set(values[:period])) < 2:
            continue
        same = sum(map(eq, values[period:], values[:-period]))
        if same >= share * compared:
            return period
    size = max(values) - min(values) + 1
    steps = [(b - a) % size for a, b in pairwise(values)]
    for step in set(steps) - {0}:
        if steps.count(step) >= share * len(steps):
            return min(size, len(values))
    return None
