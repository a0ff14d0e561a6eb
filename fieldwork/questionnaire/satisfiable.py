"""Whether any answers meet a set of conditions, found by trying one answer of each kind.

A consistency check that no answers can meet never fires: a typo in a value or a
limit, or two conditions on one question that exclude each other. `flask fieldwork
check` reports it. The conditions themselves are evaluated (`Condition.holds`), not
reasoned about, over a few answers per question that stand for all the others: a test
of one answer is true or false alike for every value between the values and limits
the conditions name, so trying each named value, a value on either side of each, and
one value named nowhere covers every case.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fieldwork.questionnaire.conditions import Compare, Condition, tests
from fieldwork.questionnaire.model import SPECIAL_ANSWERS, Question
from fieldwork.questionnaire.types import TYPES

MAX_TRIES = 10_000
"""More combinations of answers than this and the question is left open (None)."""
MAX_CHOICES = 10
"""A multiple choice is tried with every set of the choices named (and one more): more
named than this and the question is left open."""

UNNAMED = "\x00unnamed"
"""An answer to a text or date question that no condition names."""


def as_question(raw: Mapping[str, Any]) -> Question:
    """A question's definition as the model, enough for its type's bounds and validation."""
    return Question(
        code=str(raw.get("code")), type=str(raw.get("type")), text={}, section="", options=raw
    )


def satisfiable(
    conditions: Sequence[Condition], questions: Mapping[str, Mapping[str, Any]]
) -> bool | None:
    """Whether some answers to `questions` (raw definitions by code) meet every condition;
    None when that is too costly to find out or a question's definition is broken."""
    named: dict[str, list[Any]] = {}
    for condition in conditions:
        for test in tests(condition):
            values = test.values if isinstance(test, Compare) else ()
            named.setdefault(test.question, []).extend(values)
    try:
        kinds = {code: candidates(questions[code], values) for code, values in named.items()}
    except (KeyError, TypeError, ValueError):
        return None  # an unknown question or a broken definition: reported on its own
    if math.prod(len(answers) for answers in kinds.values()) > MAX_TRIES:
        return None
    codes = list(kinds)
    for combination in itertools.product(*kinds.values()):
        answers = dict(zip(codes, combination, strict=True))
        if all(condition.holds(answers) for condition in conditions):
            return True
    return False


def candidates(raw: Mapping[str, Any], named: Iterable[Any]) -> list[Any]:
    """Answers to one question that stand for every answer it can have, as far as
    conditions naming `named` can tell them apart: no answer, each special answer
    offered, and answers of the question's type."""
    qtype = TYPES[raw["type"]]
    question = as_question(raw)
    named = list(dict.fromkeys(named))
    found: list[Any] = [None]
    found += [SPECIAL_ANSWERS[name] for name in raw.get("allow") or ()]
    if qtype.has_choices:
        values = [c["value"] for c in raw["choices"]]
        kinds = [v for v in values if v in named]
        kinds += [v for v in values if v not in named][:1]
        if qtype.name == "multiple_choice":
            if len(kinds) > MAX_CHOICES:
                raise ValueError("too many sets of choices to try")
            found += [
                list(chosen)
                for size in range(1, len(kinds) + 1)
                for chosen in itertools.combinations(kinds, size)
            ]
        else:
            found += kinds
    elif qtype.numeric:
        found += [n for n in _numbers(qtype.bounds(question), named) if _valid(question, n)]
    else:
        found += [*named, UNNAMED]
    return found


def _numbers(bounds: tuple[Any, Any], named: list[Any]) -> list[int | float]:
    """Each named number and bound, the whole numbers next to it, and the midpoints."""
    points = sorted({v for v in (*bounds, *named) if type(v) in (int, float)}) or [0]
    found: set[int | float] = set()
    for point in points:
        low, high = math.floor(point), math.ceil(point)
        found |= {point, low - 1, low, high, high + 1}
    found |= {(a + b) / 2 for a, b in itertools.pairwise(points)}
    return sorted(found)


def _valid(question: Question, value: int | float) -> bool:
    return TYPES[question.type].validate(question, value) is None
