"""What every rule is: a stable code, a default severity, typed parameters, an explanation.

A rule is prepared once per questionnaire with its settled parameters and
gives back a check, a plain function from one case (a response, its
neighbours, the time) to the evidence for a flag, or None. Preparing once, and
working out what several rules read of a response once per case, keeps the
per-response work small enough for a bulk run over a million responses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from fieldwork.quality.flags import Severity, Value
from fieldwork.quality.layout import Layout
from fieldwork.quality.open_text import OpenAnswer, open_answers
from fieldwork.quality.subjects import Neighbours, Subject

ParamValue = int | float | tuple[str, ...]
"""A threshold as settings hold it: a number, or a list of words."""

Evidence = dict[str, Value]
"""The parameters of a flag; multi-reason rules add "reasons", a tuple of reason codes."""


class Case:
    """One response being evaluated, with what several rules read of it worked out once."""

    __slots__ = ("_open", "_rated", "layout", "neighbours", "now", "subject")

    def __init__(
        self, layout: Layout, subject: Subject, neighbours: Neighbours, now: dt.datetime
    ) -> None:
        self.layout = layout
        self.subject = subject
        self.neighbours = neighbours
        self.now = now
        self._open: tuple[OpenAnswer, ...] | None = None
        self._rated: tuple[tuple[str, int], ...] | None = None

    @property
    def open_answers(self) -> tuple[OpenAnswer, ...]:
        """The open questions answered with some text, normalised, in questionnaire order."""
        if self._open is None:
            self._open = open_answers(self.layout.open, self.subject.answers)
        return self._open

    @property
    def rated(self) -> tuple[tuple[str, int], ...]:
        """(code, value) of the rating questions answered with a number, in questionnaire
        order: skip logic's hidden ones, unanswered ones and "don't know" left out."""
        if self._rated is None:
            answers = self.subject.answers
            self._rated = tuple(
                (code, value)
                for code in self.layout.ratings
                if type(value := answers.get(code)) is int
            )
        return self._rated


Check = Callable[[Case], Evidence | None]


@dataclass(frozen=True)
class Number:
    """A numeric parameter: its default, bounds and whether it must be whole."""

    default: int | float
    minimum: float = 0
    maximum: float | None = None
    integer: bool = False

    def problem(self, value: Any) -> tuple[str, str] | None:
        """(check code, what is wrong) with a value from a definition file, or None."""
        kind = "a whole number" if self.integer else "a number"
        wrong_kind = isinstance(value, bool) or not isinstance(value, int | float)
        if wrong_kind or (self.integer and not isinstance(value, int)):
            return "quality-type", f"must be {kind}, not {value!r}"
        if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
            return "quality-type", f"must be {kind}, not {value!r}"
        if value < self.minimum:
            return "quality-range", f"must be at least {self.minimum:g}, not {value!r}"
        if self.maximum is not None and value > self.maximum:
            return "quality-range", f"must be at most {self.maximum:g}, not {value!r}"
        return None

    def settle(self, value: Any) -> ParamValue:
        settled: int | float = int(value) if self.integer else value
        return settled


@dataclass(frozen=True)
class Words:
    """A parameter that is a list of words or phrases."""

    default: tuple[str, ...] = ()

    def problem(self, value: Any) -> tuple[str, str] | None:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return "quality-type", f"must be a list of texts, not {value!r}"
        return None

    def settle(self, value: Any) -> ParamValue:
        return tuple(value)


Param = Number | Words


class Rule:
    """Base of every rule. Subclasses set the class attributes and `prepare`."""

    code: ClassVar[str]
    severity: ClassVar[Severity]
    params: ClassVar[Mapping[str, Param]] = {}
    explanation: ClassVar[str]
    """What the flag means, with %(name)s placeholders for its parameters (marked N_)."""
    reasons: ClassVar[Mapping[str, str]] = {}
    """For rules that find more than one kind of evidence: a sentence per reason code."""
    modes: ClassVar[frozenset[str]]
    """The collection modes (fieldwork.modes) whose responses the rule judges: a paper
    sheet has no page times or network address, so timing and address rules skip it."""

    def defaults(self) -> dict[str, ParamValue]:
        return {name: spec.default for name, spec in self.params.items()}

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        """The check for one questionnaire, or None where the rule cannot apply to it."""
        raise NotImplementedError
