"""The questionnaire model: frozen dataclasses built once by the loader and shared."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from fieldwork.questionnaire.conditions import Condition

Text = Mapping[str, str]
"""A text in every language of its questionnaire, keyed by BCP 47 tag."""

DONT_KNOW = "_dont_know"
NOT_APPLICABLE = "_not_applicable"
SPECIAL_ANSWERS = {"dont_know": DONT_KNOW, "not_applicable": NOT_APPLICABLE}
"""Special answers as named in definitions, and the value stored for each."""

BLANK = "_blank"
ILLEGIBLE = "_illegible"
SEVERAL_TICKED = "_several_ticked"
PAPER_MISSING = (BLANK, ILLEGIBLE, SEVERAL_TICKED)
"""What a keyer records when a paper sheet gives no answer to read: the question left
blank, an answer that cannot be read, more than one box ticked where one was asked for.
Any question of a paper response may hold one; the definition does not offer them."""

MISSING_VALUES = frozenset({DONT_KNOW, NOT_APPLICABLE, *PAPER_MISSING})
"""Stored values that stand for a missing answer rather than being one."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text
    code: int  # the number printed next to the box on paper
    exclusive: bool = False


@dataclass(frozen=True)
class Question:
    code: str
    type: str
    text: Text
    section: str
    hint: Text | None = None
    required: bool = False
    allow: tuple[str, ...] = ()  # stored special values offered, e.g. ("_dont_know",)
    show_if: Condition | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)

    def choice(self, value: str) -> Choice | None:
        return self._choices.get(value)

    @cached_property
    def _choices(self) -> dict[str, Choice]:
        # Every submitted answer is checked against its choices: look them up, don't scan.
        return {c.value: c for c in self.choices}


@dataclass(frozen=True)
class Section:
    code: str
    title: Text
    questions: tuple[Question, ...]


ANSWERS, STAFF = "answers", "staff"
"""How a questionnaire finds its responses' segment (`segments: from:`)."""


@dataclass(frozen=True)
class SegmentRule:
    """One derivation rule: the segment, and when the answers say so. The last rule of a
    questionnaire has no condition: the fallback."""

    code: str
    derive_if: Condition | None = None


@dataclass(frozen=True)
class Segmentation:
    """How one questionnaire finds its responses' segment (see `questionnaire.segments`).

    `method` ANSWERS: `rules`, in priority order, derive it. STAFF: whoever enters the
    response chooses one of `offered`. A definition stored before questionnaires declared
    this lists its segments only: ANSWERS without rules, judged by the current version's.
    """

    method: str = ANSWERS
    rules: tuple[SegmentRule, ...] = ()
    offered: tuple[str, ...] = ()


@dataclass(frozen=True)
class Consistency:
    """Answers that cannot all be true together (`consistency:`): a stable code, the
    conditions, and what the contradiction is, in every language, for the reviewer."""

    code: str
    conditions: tuple[Condition, ...]
    explanation: Text

    def met(self, answers: Mapping[str, Any]) -> bool:
        """Whether the answers meet every condition: the contradiction is there."""
        # A loop, not all(…) over a generator: a third to two thirds less time a response.
        for condition in self.conditions:  # noqa: SIM110 (speed, above)
            if not condition.holds(answers):
                return False
        return True

    @cached_property
    def questions(self) -> tuple[str, ...]:
        """The questions its conditions read, in the order they name them."""
        named = (code for condition in self.conditions for code, _ in condition.references())
        return tuple(dict.fromkeys(named))


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    kind: str
    languages: tuple[str, ...]
    title: Text
    description: Text
    segmentation: Segmentation
    sections: tuple[Section, ...]
    content_hash: str  # sha-256 of the canonical definition: its identity in storage
    definition: Mapping[str, Any]  # the parsed file, stored with responses' version
    consistency: tuple[Consistency, ...] = ()

    @property
    def segments(self) -> tuple[str, ...]:
        """The codes of the segments this questionnaire serves."""
        return self.segmentation.offered

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every question in order. Built once: each submission walks them several times."""
        return tuple(q for section in self.sections for q in section.questions)

    @cached_property
    def _by_code(self) -> dict[str, Question]:
        return {q.code: q for q in self.questions}

    def question(self, code: str) -> Question:
        return self._by_code[code]

    def codes(self) -> list[str]:
        return [q.code for q in self.questions]
