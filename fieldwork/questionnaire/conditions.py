"""Declarative conditions: parsed from data, evaluated on answers, never eval'd.

`show_if`, segment rules and consistency checks all speak this one language. A
`show_if` names earlier questions only, so it can be evaluated on the server,
mirrored in the browser and printed on paper as words.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from math import isfinite
from typing import Any

Answers = Mapping[str, Any]


NUMBER_OPS = frozenset({"at_least", "at_most"})
"""Comparisons that hold only for a number: rating, 0–10 scale, number, duration."""


class ConditionError(ValueError):
    """A condition's data has the wrong shape."""


@dataclass(frozen=True)
class Compare:
    """`{question, equals|in|not_in|at_least|at_most: …}`: one answer against values."""

    question: str
    op: str  # "equals", "in", "not_in", or one of NUMBER_OPS with a single limit
    values: tuple[Any, ...]
    _set: frozenset[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The bulk run asks this of a million responses: the values' set is made once.
        object.__setattr__(self, "_set", frozenset(self.values))

    def holds(self, answers: Answers) -> bool:
        answer, op = answers.get(self.question), self.op
        if op in NUMBER_OPS:
            return self._within(answer)
        if answer is None:
            return False
        if answer.__class__ is list:  # a multiple choice: any (not_in: none) selected
            hit = not self._set.isdisjoint(answer)
            return bool(answer) and not hit if op == "not_in" else hit
        return (answer not in self._set) if op == "not_in" else (answer in self._set)

    def _within(self, answer: Any) -> bool:
        # A special answer ("_dont_know") is no number, and True is no 1.
        if type(answer) not in (int, float):
            return False
        limit = self.values[0]
        return bool(answer >= limit if self.op == "at_least" else answer <= limit)

    def outcome(self, answers: Answers, open_: Set[str]) -> bool | None:
        """Whether it holds, or None while it reads a question in `open_` (still to come)."""
        return None if self.question in open_ else self.holds(answers)

    def references(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """The question read and the choice values named (a limit names none)."""
        yield self.question, () if self.op in NUMBER_OPS else self.values


@dataclass(frozen=True)
class Answered:
    question: str
    expected: bool

    def holds(self, answers: Answers) -> bool:
        return (answers.get(self.question) is not None) == self.expected

    def outcome(self, answers: Answers, open_: Set[str]) -> bool | None:
        return None if self.question in open_ else self.holds(answers)

    def references(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        yield self.question, ()


@dataclass(frozen=True)
class Combine:
    """`all`, `any` or `not` over nested conditions."""

    op: str
    parts: tuple[Condition, ...]

    def holds(self, answers: Answers) -> bool:
        if self.op == "all":
            return all(p.holds(answers) for p in self.parts)
        if self.op == "any":
            return any(p.holds(answers) for p in self.parts)
        return not self.parts[0].holds(answers)

    def outcome(self, answers: Answers, open_: Set[str]) -> bool | None:
        """Three-valued: decided as soon as the decided parts decide it (one false part of
        `all`, one true part of `any`), whatever the open ones turn out to be."""
        found = [p.outcome(answers, open_) for p in self.parts]
        if self.op == "not":
            return None if found[0] is None else not found[0]
        decisive = self.op == "any"  # the value that settles it on its own
        if decisive in found:
            return decisive
        return None if None in found else not decisive

    def references(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        for part in self.parts:
            yield from part.references()


Condition = Compare | Answered | Combine


def tests(condition: Condition) -> Iterator[Compare | Answered]:
    """The tests of single answers a condition is made of, `all`/`any`/`not` taken apart."""
    if isinstance(condition, Combine):
        for part in condition.parts:
            yield from tests(part)
    else:
        yield condition


def _value(op: str, value: Any) -> str | int | float:
    """A value to compare answers with: a choice value, a number or a special answer.

    Booleans are refused: an unquoted YAML `yes` would otherwise never match the
    choice value "yes", silently hiding a question.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ConditionError(f"'{op}' values must be choice values or numbers, not {value!r}")
    return value


def parse(data: Any) -> Condition:
    """Build a condition from its data; raise ConditionError on a wrong shape."""
    if not isinstance(data, Mapping):
        raise ConditionError("a condition must be a mapping")
    keys = set(data)
    if keys in ({"all"}, {"any"}):
        op = keys.pop()
        parts = data[op]
        if not isinstance(parts, Sequence) or isinstance(parts, str) or not parts:
            raise ConditionError(f"'{op}' needs a non-empty list of conditions")
        return Combine(op, tuple(parse(p) for p in parts))
    if keys == {"not"}:
        return Combine("not", (parse(data["not"]),))
    if "question" not in keys or len(keys) != 2:
        raise ConditionError(
            "a condition is {question, equals|in|not_in|at_least|at_most|answered} or all/any/not"
        )
    question = data["question"]
    if not isinstance(question, str):
        raise ConditionError("'question' must be a question code")
    (op,) = keys - {"question"}
    value = data[op]
    if op == "equals":
        return Compare(question, "equals", (_value(op, value),))
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"'{op}' needs a non-empty list of values")
        return Compare(question, op, tuple(_value(op, v) for v in value))
    if op in NUMBER_OPS:
        if isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
            raise ConditionError(f"'{op}' needs a number, not {value!r}")
        return Compare(question, op, (value,))
    if op == "answered":
        if not isinstance(value, bool):
            raise ConditionError("'answered' must be true or false")
        return Answered(question, value)
    raise ConditionError(f"unknown condition operator '{op}'")
