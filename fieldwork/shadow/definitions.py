"""A loaded shadow definition's indicators and checklist as the timeline and checklist
cores take them, so what a definition says and what a test is measured by never drift.

Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

from collections.abc import Mapping

from fieldwork.questionnaire.shadow import (
    COUNT,
    INTERVAL,
    OCCURS,
    Indicator,
    ShadowDefinition,
)
from fieldwork.shadow import checklist, timeline


def indicators(
    definition: ShadowDefinition, scenario: str | None = None, channel: str | None = None
) -> list[timeline.Indicator]:
    """The definition's indicators, in its order, as the timeline core measures them:
    with a scenario and channel, only those a test of them is measured by."""
    chosen = (
        definition.indicators
        if scenario is None or channel is None
        else definition.indicators_for(scenario, channel)
    )
    return [indicator(found) for found in chosen]


def indicator(found: Indicator) -> timeline.Indicator:
    """One indicator of a definition as the timeline core's kind that reads it."""
    if found.measure == INTERVAL:
        limit = found.limit if found.limit is not None else 0.0
        return timeline.Interval(found.code, frozenset(found.start), frozenset(found.end), limit)
    if found.measure == COUNT:
        return timeline.Count(found.code, frozenset(found.events), int(found.limit or 0))
    if found.measure == OCCURS:
        return timeline.Occurs(found.code, found.events[0])
    return timeline.Followed(
        found.code, found.events[0], frozenset(found.end), frozenset(found.unless)
    )


def items(definition: ShadowDefinition) -> list[checklist.Item]:
    """The definition's checklist items as the checklist core scores them."""
    return [
        checklist.Item(item.code, item.weight, item.critical, item.evidence)
        for item in definition.items
    ]


def score(definition: ShadowDefinition, answers: Mapping[str, str]) -> checklist.Score:
    """A tester's checklist answers scored by the definition's items and cap."""
    return checklist.score(items(definition), answers, definition.cap)
