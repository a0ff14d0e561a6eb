"""Indicators that are rates, rolled up per platform × channel across all its tests.

"Phone connection ≥ 90 %" is not judged on one call: it is the share of a platform's
hotline tests whose call connected. For every submitted shadow response of a definition
that was not rejected, its figures are read through `metrics.of` (as review and exports
read them), then `timeline.rates` counts, per platform and channel, how many tests
passed each indicator that has a `rate_at_least`, and how many tests the figure rests
on, so a 100 % from two calls is not mistaken for one from two hundred.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from fieldwork.modes import SHADOW
from fieldwork.questionnaire.shadow import Indicator, ShadowDefinition
from fieldwork.responses.models import REJECTED, Response
from fieldwork.shadow import metrics, timeline

Definitions = Callable[[str], ShadowDefinition | None]
"""A stored shadow definition by its content hash (`Versions.shadow`, bound to a session)."""
BATCH = 500
"""Responses read at a time: their paradata holds whole timelines."""


@dataclass(frozen=True)
class Figure:
    """One rate indicator of one platform × channel: tests passed of tests behind it,
    against the share the definition asks for."""

    indicator: Indicator
    passed: int
    tests: int

    @property
    def share(self) -> float:
        return self.passed / self.tests

    @property
    def threshold(self) -> float:
        """The share asked for, 0–1 (the definition says it in percent)."""
        return (self.indicator.rate_at_least or 0.0) / 100

    @property
    def meets(self) -> bool:
        return self.share >= self.threshold


@dataclass(frozen=True)
class RollUp:
    platform: str
    channel: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Filters:
    campaign: str | None = None
    wave: str | None = None


def roll_up(
    session: Session, definition: ShadowDefinition, stored: Definitions, filters: Filters
) -> dict[tuple[str, str], RollUp]:
    """Per (platform, channel), the figures of `definition`'s rate indicators over every
    submitted, not rejected test of that definition (any version: each is measured by
    the version it answered, and shown with the threshold of `definition`)."""
    rated = {i.code: i for i in definition.indicators if i.rate_at_least is not None}
    counted = timeline.rates(_measured(session, definition.id, stored, filters, rated))
    found = {}
    for group, rates in counted.items():
        platform, channel = group
        figures = tuple(
            Figure(rated[rate.code], rate.passed, rate.tests)
            for code in rated
            for rate in rates
            if rate.code == code
        )
        if figures:
            found[(platform, channel)] = RollUp(platform, channel, figures)
    return found


def _measured(
    session: Session,
    definition_id: str,
    stored: Definitions,
    filters: Filters,
    rated: dict[str, Indicator],
) -> Iterator[tuple[timeline.Group, list[timeline.Measure]]]:
    """Each counted test's (platform, channel) and its measures of rate indicators."""
    for row in _responses(session, definition_id, filters):
        version = stored(row.version_hash)
        if version is None or row.platform is None or row.channel is None:
            continue
        scenario = str((row.source or {}).get("scenario", ""))
        shown = metrics.of(version, scenario, row.channel, row.paradata, row.answers)
        yield (
            (row.platform, row.channel),
            [measure for measure in shown.measures if measure.code in rated],
        )


def _responses(session: Session, definition_id: str, filters: Filters) -> Iterator[Any]:
    conditions: list[Any] = [
        col(Response.mode) == SHADOW.code,
        col(Response.questionnaire_id) == definition_id,
        col(Response.status) != REJECTED,
    ]
    if filters.campaign is not None:
        conditions.append(col(Response.campaign) == filters.campaign)
    if filters.wave is not None:
        conditions.append(col(Response.wave) == filters.wave)
    query = (
        select(
            col(Response.version_hash),
            col(Response.platform),
            col(Response.channel),
            col(Response.source),
            col(Response.paradata),
            col(Response.answers),
        )
        .where(*conditions)
        .order_by(col(Response.id))
        .execution_options(yield_per=BATCH)
    )
    yield from session.execute(query)
