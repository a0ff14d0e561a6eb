"""User segments: the catalogue from segments.yaml, and how each questionnaire finds a
response's segment (derived from answers by its own rules, or assigned by staff).

A preset (an invitation link's segment, a paper sheet's, a fieldworker's choice) wins
over a derived segment; answers that contradict it are detected here and flagged by the
response service, never silently replaced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fieldwork.questionnaire.model import MISSING_VALUES, Segmentation, SegmentRule

LINK, SHEET = "link", "sheet"
"""Where a preset segment came from, besides STAFF: a response records this, or ANSWERS
when its own answers gave the segment (see the model)."""


@dataclass(frozen=True)
class Segment:
    """One entry of segments.yaml: what a segment is called and how its people see pages."""

    code: str
    label: Mapping[str, str]
    description: Mapping[str, str] | None = None
    default_display: Mapping[str, str] = field(default_factory=dict)


def derived(segmentation: Segmentation, answers: Mapping[str, Any]) -> str | None:
    """The segment the answers place a respondent in, or None without rules."""
    return derive(segmentation.rules, answers) if segmentation.rules else None


def conflicting(segmentation: Segmentation, chosen: str, answers: Mapping[str, Any]) -> bool:
    """True when the answers show a preset segment is not the respondent's."""
    rule = next((r for r in segmentation.rules if r.code == chosen), None)
    return rule is not None and conflicts(segmentation.rules, rule, answers)


def derive(rules: Sequence[SegmentRule], answers: Mapping[str, Any]) -> str:
    """The first segment, in priority order, whose rule holds; the fallback has no rule."""
    for rule in rules:
        if rule.derive_if is None or rule.derive_if.holds(answers):
            return rule.code
    raise ValueError("the segment rules have no fallback")


def contradicts(rule: SegmentRule, answers: Mapping[str, Any]) -> bool:
    """True when answers to every question the rule reads show it does not hold.

    An "elderly" link answered "18–24" contradicts; an unanswered, "don't know" or
    illegible age does not.
    """
    if rule.derive_if is None:
        return False
    asked = {code for code, _ in rule.derive_if.references()}
    if any(_missing(answers.get(code)) for code in asked):
        return False
    return not rule.derive_if.holds(answers)


def conflicts(
    rules: Sequence[SegmentRule], chosen: SegmentRule, answers: Mapping[str, Any]
) -> bool:
    """True when the answers show the respondent is not in the preset segment: they
    contradict its rule, or a rule earlier in priority order holds, as for a "parents"
    link answered by someone aged 65, or a "young users" link by someone with children.
    """
    earlier = rules[: rules.index(chosen)] if chosen in rules else ()
    return contradicts(chosen, answers) or any(
        r.derive_if is not None and r.derive_if.holds(answers) for r in earlier
    )


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value in MISSING_VALUES)
