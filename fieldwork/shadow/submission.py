"""Turning a test into a response: the tester's checklist answers, stored once through
the same submission service as every mode, with the test's timeline and evidence frozen
into the response's paradata so review, quality rules and exports read one row.

The response's submission id is drawn from the test's number, so a test becomes one
response, ever: a resubmission stores nothing new, and other answers are a conflict.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from fieldwork import modes
from fieldwork.quality.subjects import as_utc
from fieldwork.questionnaire.model import STAFF, Questionnaire
from fieldwork.responses import entry as responses
from fieldwork.shadow import events as logging
from fieldwork.shadow.metrics import PARADATA
from fieldwork.shadow.models import LOGGING, PLANNED, SUBMITTED, Evidence, ShadowEvent, ShadowTest


class NotOpen(ValueError):
    """The test is submitted already, or void."""


def submission_id(test_id: int) -> str:
    """The submission id of the response a test becomes: one per test, ever."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fieldwork:shadow-test:{test_id}"))


def takes_checklist(test: ShadowTest) -> bool:
    """Whether the test's checklist may still be sent: it is open, or its log was closed
    by a submission that stopped before the response was stored (sending again ends it)."""
    return test.state in (PLANNED, LOGGING) or (test.state == SUBMITTED and not test.response_id)


def submit(
    session: Session,
    test: ShadowTest,
    checklist: Questionnaire,
    raw: responses.Raw,
    locale: str,
    storing: responses.Storing,
) -> responses.Outcome:
    """Validate the checklist and store the test as a response (mode shadow).

    The test is marked submitted first, under the lock every writer of its events holds
    (`events.holding`), so no event can arrive between the timeline being frozen into the
    response and the test closing: an event sent meanwhile is refused as `test-closed`,
    and the phone keeps it in view. If the checklist does not validate, or storing fails,
    the test is opened again. Raises NotOpen for a test that does not take its checklist,
    and what `responses.entry.submit` raises."""
    if not takes_checklist(test):
        raise NotOpen(test.state)
    assert test.id is not None
    was = _close(session, test)
    try:
        outcome = responses.submit(
            session,
            checklist,
            raw,
            _origin(session, test, locale),
            submission_id(test.id),
            current=storing.current,
            fallback_segment=storing.fallback_segment,
            screen=storing.screen,
        )
    except BaseException:
        session.rollback()
        _reopen(session, test, was)
        raise
    if outcome.stored is None:
        _reopen(session, test, was)
        return outcome
    test.response_id = outcome.stored.id
    session.add(test)
    session.commit()
    return outcome


def _close(session: Session, test: ShadowTest) -> str:
    """Close the test's log; the state it had (a test closed by a submission that stopped
    is reopened as logging, if it comes to that)."""
    with logging.holding(session, test):
        session.refresh(test)
        was = test.state if test.state != SUBMITTED else LOGGING
        test.state = SUBMITTED
        session.add(test)
        session.commit()
    return was


def _reopen(session: Session, test: ShadowTest, state: str) -> None:
    with logging.holding(session, test):
        session.refresh(test)
        if test.response_id is None:
            test.state = state
            session.add(test)
        session.commit()


def _origin(session: Session, test: ShadowTest, locale: str) -> responses.Origin:
    """Who sent the test and what it froze: the plan, its events and its evidence."""
    return responses.Origin(
        mode=modes.SHADOW.code,
        creator=modes.TESTER,
        locale=locale,
        preset={"campaign": test.campaign, "wave": test.wave, "segment": test.segment},
        preset_source=STAFF,
        entered_by=test.tester_id,
        source={
            "platform": test.platform,
            "channel": test.channel,
            "scenario": test.scenario,
            "slot": test.slot,
            "test": str(test.id),
        },
        paradata={PARADATA: frozen(test, logging.live(session, test), evidence_of(session, test))},
    )


def frozen(
    test: ShadowTest, timeline: Sequence[ShadowEvent], evidence: Sequence[Evidence]
) -> dict[str, Any]:
    """What a response keeps of its test: the plan, the events as they happened (undone
    ones left out) and the evidence files, each with what proves it."""
    return {
        "test": test.id,
        "definition": test.definition_id,
        "scenario": test.scenario,
        "slot": test.slot,
        "planned_on": test.planned_on.isoformat() if test.planned_on else None,
        "spans_days": test.spans_days,
        "tester": test.tester_id,
        "events": [
            {
                "id": e.event_id,
                "sequence": e.sequence,
                "code": e.code,
                "at": as_utc(e.device_at).isoformat(),
                "received": as_utc(e.received_at).isoformat(),
                "entered": e.entered,
                "note": e.note,
            }
            for e in timeline
        ],
        "evidence": [
            {
                "id": f.id,
                "item": f.item,
                "type": f.media_type,
                "sha256": f.sha256,
                "original_sha256": f.original_sha256,
                "received": as_utc(f.received_at).isoformat(),
            }
            for f in evidence
        ],
    }


def evidence_of(session: Session, test: ShadowTest) -> list[Evidence]:
    """The evidence files attached to a test and not taken off, oldest first."""
    query = (
        select(Evidence)
        .where(col(Evidence.test_id) == test.id, col(Evidence.removed_at).is_(None))
        .order_by(col(Evidence.id))
    )
    return list(session.exec(query))
