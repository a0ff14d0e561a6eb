"""What the stored shadow tests tell the quality rules about one shadow response.

Two facts, each found with index seeks on the shadow tables, never a scan of responses:
the evidence files whose bytes as uploaded also back another test's earlier response
(`ix_shadow_evidence_original`), and the tester's other tests with events near this
one's (`ix_shadow_test_tester_state`, then `ix_shadow_event_test` per test). The same
lookups serve the submit-time screen and the bulk run, on whatever connection they have.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from fieldwork import quality
from fieldwork.quality import contacts
from fieldwork.responses.models import Response
from fieldwork.shadow.models import VOID, Evidence, ShadowEvent, ShadowTest

NEAR = dt.timedelta(days=1)
"""How far before and after a test's events another test's events are read: a contact
longer than a day is the timeline rule's to flag, not one to overlap with."""

_EVIDENCE = Evidence.__table__  # type: ignore[attr-defined]
_TEST = ShadowTest.__table__  # type: ignore[attr-defined]
_EVENT = ShadowEvent.__table__  # type: ignore[attr-defined]
_RESPONSE = Response.__table__  # type: ignore[attr-defined]


def facts(connection: Connection, subject: quality.Subject, zone: str) -> quality.ShadowFacts:
    """The shadow facts of a response (`quality.ShadowFacts`); a response stored already
    (a bulk run) compares only with responses before it, one about to be stored
    (id 0) with every stored one."""
    test = subject.shadow
    test_id = test.get("test") if isinstance(test.get("test"), int) else None
    return quality.ShadowFacts(
        zone=zone,
        reused=_reused(connection, subject, test, test_id),
        others=_others(connection, subject, test, test_id),
    )


def _reused(
    connection: Connection, subject: quality.Subject, test: Any, test_id: int | None
) -> tuple[tuple[str, int], ...]:
    shas = sorted(
        {
            f["original_sha256"]
            for f in test.get("evidence") or ()
            if isinstance(f, dict) and isinstance(f.get("original_sha256"), str)
        }
    )
    if not shas:
        return ()
    query = (
        select(_EVIDENCE.c.original_sha256, _RESPONSE.c.id)
        .join(_TEST, _TEST.c.id == _EVIDENCE.c.test_id)
        .join(_RESPONSE, _RESPONSE.c.id == _TEST.c.response_id)
        .where(_EVIDENCE.c.original_sha256.in_(shas), _EVIDENCE.c.removed_at.is_(None))
    )
    if test_id is not None:
        query = query.where(_EVIDENCE.c.test_id != test_id)
    if subject.id:  # stored: only what was submitted before it counts
        at = quality.as_utc(subject.submitted_at)
        query = query.where(
            or_(
                _RESPONSE.c.submitted_at < at,
                and_(_RESPONSE.c.submitted_at == at, _RESPONSE.c.id < subject.id),
            )
        )
    rows = connection.execute(query.order_by(_RESPONSE.c.id)).all()
    return tuple((str(row[0]), int(row[1])) for row in rows)


def _others(
    connection: Connection, subject: quality.Subject, test: Any, test_id: int | None
) -> tuple[quality.OtherTest, ...]:
    tester = test.get("tester")
    timeline = contacts.events(test)
    if not isinstance(tester, int) or not timeline:
        return ()
    # One statement: the tester's tests by their index, and each one's events near this
    # test's by (test_id, device_at); the database walks the nested seeks.
    query = (
        select(
            _TEST.c.id, _TEST.c.response_id, _TEST.c.spans_days, _EVENT.c.code, _EVENT.c.device_at
        )
        .join(_EVENT, _EVENT.c.test_id == _TEST.c.id)
        .where(
            _TEST.c.tester_id == tester,
            _TEST.c.state != VOID,
            _EVENT.c.device_at >= quality.as_utc(timeline[0].at - NEAR),
            _EVENT.c.device_at <= quality.as_utc(timeline[-1].at + NEAR),
            _EVENT.c.undone_at.is_(None),
        )
        .order_by(_TEST.c.id, _EVENT.c.device_at, _EVENT.c.sequence)
    )
    if test_id is not None:
        query = query.where(_TEST.c.id != test_id)
    grouped: dict[int, tuple[Any, list[tuple[str, dt.datetime]]]] = {}
    for row in connection.execute(query):
        _, events = grouped.setdefault(int(row.id), (row, []))
        events.append((str(row.code), quality.as_utc(row.device_at)))
    return tuple(
        quality.OtherTest(
            test=number,
            response=first.response_id,
            spans_days=bool(first.spans_days),
            events=tuple(events),
        )
        for number, (first, events) in grouped.items()
    )
