"""What the rules need to know of a questionnaire: its closed, rating and open questions,
and the answers it declares cannot all be true.

Worked out once per questionnaire version (by content hash), not per response,
because the bulk run evaluates a million responses against the same few.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldwork.quality import similarity
from fieldwork.quality.open_text import letters_of, normalise
from fieldwork.questionnaire.model import Consistency, Questionnaire
from fieldwork.questionnaire.types import TYPES

RATING_TYPES = frozenset({"rating"})
"""Straight-lining runs over these: one grid of agreement or satisfaction ratings. The 0–10
recommendation scale is left out: the same number on it means something else."""

SCALE_TYPES = RATING_TYPES | {"scale_0_10"}
"""The numbers random-answering compares with the other responses' (`norms`): the 0–10
scale joins the ratings there, since a distance over covariances does not mind its range."""


@dataclass(frozen=True)
class Layout:
    """Question codes by the role they play in the rules, in questionnaire order."""

    questionnaire_id: str
    closed: tuple[str, ...]
    ratings: tuple[str, ...]
    open: tuple[str, ...]
    prompts: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    """Each open question's text and hint in every language, as `letters_of` leaves them:
    what an answer pasting the question back is compared with."""
    consistency: tuple[Consistency, ...] = field(default=(), compare=False)
    """The answers the questionnaire declares cannot all be true together."""
    scales: tuple[str, ...] = ()
    """The questions answered with a number on a scale (`SCALE_TYPES`)."""
    kind: str = "survey"
    """The questionnaire's kind: the shadow rules prepare a check only for kind shadow, so
    no other response lists them as not applied."""
    evidence: tuple[str, ...] = ()
    """A shadow checklist's items whose yes or no needs a file behind it (options["evidence"])."""

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> Layout:
        layout = _LAYOUTS.get(questionnaire.content_hash)
        if layout is None or layout.questionnaire_id != questionnaire.id:
            questions = list(questionnaire.questions)
            layout = cls(
                questionnaire_id=questionnaire.id,
                closed=tuple(q.code for q in questions if TYPES[q.type].closed),
                ratings=tuple(q.code for q in questions if q.type in RATING_TYPES),
                open=tuple(q.code for q in questions if not TYPES[q.type].closed),
                prompts={
                    q.code: tuple(
                        letters_of(normalise(words))
                        for words in (*q.text.values(), *(q.hint or {}).values())
                    )
                    for q in questions
                    if not TYPES[q.type].closed
                },
                consistency=questionnaire.consistency,
                scales=tuple(q.code for q in questions if q.type in SCALE_TYPES),
                kind=questionnaire.kind,
                evidence=tuple(q.code for q in questions if q.options.get("evidence") is True),
            )
            _LAYOUTS[questionnaire.content_hash] = layout
        return layout

    def fingerprint(self, answers: Mapping[str, Any]) -> str | None:
        """See `fingerprint`."""
        given = {}
        for code in self.closed:
            value = answers.get(code)
            if value is not None:
                given[code] = value
        if not given:
            return None
        canonical = _CANONICAL.encode(given)
        # Not a secret, only an index key: sha-1 keeps it to the 40 characters stored.
        return hashlib.sha1(canonical.encode("utf-8"), usedforsecurity=False).hexdigest()

    def signature(self, answers: Mapping[str, Any]) -> str | None:
        """See `similarity.signature`: what near-duplicate rules compare."""
        return similarity.signature(self.closed, answers)


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""Canonical JSON: keys sorted, no spaces, text as is. Made once: json.dumps with options
builds a new encoder on every call."""

_LAYOUTS: dict[str, Layout] = {}
"""Layouts by content hash. Few versions exist, and a version never changes."""


def fingerprint(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> str | None:
    """sha-1 (40 hex digits) of the answers to the closed questions, or None if none answered.

    Keyed by question code and stable across runs and processes, so storage can
    index it: two responses with the same fingerprint gave the same answers to
    every closed question (special answers included, unanswered left out).
    """
    return Layout.of(questionnaire).fingerprint(answers)


def answer_signature(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> str | None:
    """The hex signature of the closed answers (`similarity.signature`), or None if none
    is answered: what the near-duplicate rules compare, stored with the response."""
    return Layout.of(questionnaire).signature(answers)
