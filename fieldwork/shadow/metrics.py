"""What a submitted shadow test shows: its frozen timeline measured by the definition's
indicators for its scenario and channel, and its checklist scored.

Review pages, quality rules and exports all read a test through `of`, from the
response's frozen paradata (`submission.frozen`), so they never disagree. Pure: imports
neither Flask nor SQLModel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import checklist, definitions, timeline

PARADATA = "shadow"
"""The key of a shadow response's paradata that holds its frozen test."""


@dataclass(frozen=True)
class Shown:
    """A test's measures, one per indicator its scenario and channel are measured by, the
    checklist score, and the contact's length from first to last event (None: no event)."""

    measures: tuple[timeline.Measure, ...]
    score: checklist.Score
    contact_seconds: float | None
    events: tuple[timeline.Event, ...]


def events_of(paradata: Mapping[str, Any]) -> list[timeline.Event]:
    """The frozen timeline of a shadow response's paradata, in the order it happened."""
    frozen = paradata.get(PARADATA) or {}
    return timeline.ordered(
        [
            timeline.Event(e["code"], dt.datetime.fromisoformat(e["at"]), int(e["sequence"]))
            for e in frozen.get("events") or ()
        ]
    )


def of(
    definition: ShadowDefinition,
    scenario: str,
    channel: str,
    paradata: Mapping[str, Any],
    answers: Mapping[str, Any],
) -> Shown:
    """What one test shows (see `Shown`)."""
    events = events_of(paradata)
    measures = timeline.measure(events, definitions.indicators(definition, scenario, channel))
    return Shown(
        measures=tuple(measures),
        score=definitions.score(definition, checklist_answers(definition, answers)),
        contact_seconds=_length(events),
        events=tuple(events),
    )


def checklist_answers(definition: ShadowDefinition, answers: Mapping[str, Any]) -> dict[str, str]:
    """The checklist items' answers among a response's (notes and missing ones left out)."""
    return {
        item.code: answers[item.code]
        for item in definition.items
        if answers.get(item.code) in checklist.ANSWERS
    }


def _length(events: Sequence[timeline.Event]) -> float | None:
    if not events:
        return None
    return (events[-1].at - events[0].at).total_seconds()
