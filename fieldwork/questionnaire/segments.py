"""User segments: definitions from segments.yaml, derivation from answers, conflicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fieldwork.questionnaire.conditions import Condition
from fieldwork.questionnaire.model import SPECIAL_ANSWERS

LINK, ANSWERS, STAFF = "link", "answers", "staff"
"""Where a response's segment came from."""


@dataclass(frozen=True)
class Segment:
    code: str
    label: Mapping[str, str]
    description: Mapping[str, str] | None = None
    default_display: Mapping[str, str] = field(default_factory=dict)
    derive_if: Condition | None = None


def derive(segments: Sequence[Segment], answers: Mapping[str, Any]) -> str:
    """The first segment, in priority order, whose rule holds; the fallback has no rule."""
    for segment in segments:
        if segment.derive_if is None or segment.derive_if.holds(answers):
            return segment.code
    raise ValueError("segments.yaml has no fallback segment")


def contradicts(segment: Segment, answers: Mapping[str, Any]) -> bool:
    """True when answers to every question the segment's rule reads show it does not hold.

    An "elderly" link answered "18–24" contradicts; an unanswered or "don't know" age
    does not.
    """
    if segment.derive_if is None:
        return False
    asked = {code for code, _ in segment.derive_if.references()}
    if any(answers.get(code) in (None, *SPECIAL_ANSWERS.values()) for code in asked):
        return False
    return not segment.derive_if.holds(answers)


def conflicts(segments: Sequence[Segment], chosen: Segment, answers: Mapping[str, Any]) -> bool:
    """True when the answers show the respondent is not in the link's segment: they
    contradict its rule, or a segment earlier in priority order holds, as for a "parents"
    link answered by someone aged 65, or a "young users" link by someone with children.
    """
    earlier = segments[: segments.index(chosen)] if chosen in segments else ()
    return contradicts(chosen, answers) or any(
        s.derive_if is not None and s.derive_if.holds(answers) for s in earlier
    )
