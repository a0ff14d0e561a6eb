"""The questionnaire model: frozen dataclasses built once by the loader and shared."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldwork.questionnaire.conditions import Condition

Text = Mapping[str, str]
"""A text in every language of its questionnaire, keyed by BCP 47 tag."""

DONT_KNOW = "_dont_know"
NOT_APPLICABLE = "_not_applicable"
SPECIAL_ANSWERS = {"dont_know": DONT_KNOW, "not_applicable": NOT_APPLICABLE}
"""Special answers as named in definitions, and the value stored for each."""


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
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class Section:
    code: str
    title: Text
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    kind: str
    languages: tuple[str, ...]
    title: Text
    description: Text
    estimated_minutes: int
    segments: tuple[str, ...]
    sections: tuple[Section, ...]
    content_hash: str  # sha-256 of the canonical definition: its identity in storage
    definition: Mapping[str, Any]  # the parsed file, stored with responses' version

    @property
    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, code: str) -> Question:
        for question in self.questions:
            if question.code == code:
                return question
        raise KeyError(code)

    def codes(self) -> list[str]:
        return [q.code for q in self.questions]
