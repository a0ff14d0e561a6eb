"""Planning shadow tests and handing them to testers.

A test is planned against one version of a shadow definition, for a platform and one
of the channels it offers, a scenario and a time slot. Testers see and log only the
tests assigned to them; admins plan, assign and see all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from fieldwork.accounts.models import StaffUser
from fieldwork.clock import now
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow.models import SLOTS, VOID, ShadowTest


@dataclass(frozen=True)
class Plan:
    """One planned contact, as the plan form or the command line gives it."""

    platform: str
    channel: str
    scenario: str
    slot: str
    campaign: str | None = None
    wave: str | None = None
    planned_on: dt.date | None = None
    segment: str | None = None
    spans_days: bool = False
    tester_id: int | None = None


class NotFound(LookupError):
    """No such test, or not one the asking tester may see."""


def plan(
    session: Session, definition: ShadowDefinition, chosen: Plan, actor: StaffUser | None
) -> ShadowTest:
    """Store one planned test. The caller has checked the plan (platform, channel,
    scenario and slot known and the channel offered by the platform)."""
    if chosen.slot not in SLOTS:
        raise ValueError(f"unknown slot {chosen.slot}")
    test = ShadowTest(
        definition_id=definition.id,
        version_hash=definition.content_hash,
        campaign=chosen.campaign,
        wave=chosen.wave,
        platform=chosen.platform,
        channel=chosen.channel,
        scenario=chosen.scenario,
        slot=chosen.slot,
        planned_on=chosen.planned_on,
        segment=chosen.segment,
        spans_days=chosen.spans_days,
        tester_id=chosen.tester_id,
        created_by=actor.id if actor is not None else None,
        created_at=now(),
    )
    session.add(test)
    session.commit()
    session.refresh(test)
    return test


def assigned(session: Session, tester: StaffUser) -> list[ShadowTest]:
    """A tester's tests that are not void, the most recently planned first."""
    query = (
        select(ShadowTest)
        .where(col(ShadowTest.tester_id) == tester.id, col(ShadowTest.state) != VOID)
        .order_by(col(ShadowTest.id).desc())
    )
    return list(session.exec(query))


def for_tester(session: Session, test_id: int, tester: StaffUser) -> ShadowTest:
    """A test the tester may log: one assigned to them. NotFound otherwise, the same for
    a test that does not exist and one of someone else's, so numbers cannot be probed."""
    test = session.get(ShadowTest, test_id)
    if test is None or test.tester_id != tester.id:
        raise NotFound(test_id)
    return test
