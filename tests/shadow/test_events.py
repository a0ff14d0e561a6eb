"""Logging a test's events: stored once however often a queue is replayed, in the order
they happened however they arrive, and refused when they cannot be right."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from fieldwork import clock
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import events
from fieldwork.shadow.models import LOGGING, ShadowTest
from tests.shadow.plans import START, tap, taps

NOW = START + dt.timedelta(hours=1)


def send(
    session: Session,
    test: ShadowTest,
    covert: ShadowDefinition,
    raw: list[dict[str, Any]],
    **kw: Any,
) -> events.Logged:
    with clock.set_to(NOW):
        return events.log(session, test, covert, [events.read(r) for r in raw], **kw)


def codes(session: Session, test: ShadowTest) -> list[str]:
    return [e.code for e in events.live(session, test)]


def test_a_replayed_queue_stores_each_event_once(
    session: Session, covert: ShadowDefinition, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    queue = taps(("contacted", 0), ("bot_replied", 12), ("human_replied", 80))
    first = send(session, test, covert, queue)
    again = send(session, test, covert, queue)
    assert len(first.stored) == 3 and again.stored == []
    assert sorted(again.already) == sorted(e["id"] for e in queue)
    assert codes(session, test) == ["contacted", "bot_replied", "human_replied"]
    assert test.state == LOGGING


def test_events_arriving_out_of_order_read_in_the_order_they_happened(
    session: Session, covert: ShadowDefinition, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    queue = taps(("contacted", 0), ("bot_replied", 12), ("problem_solved", 90))
    send(session, test, covert, [queue[2]])
    send(session, test, covert, [queue[0], queue[1]])
    assert codes(session, test) == ["contacted", "bot_replied", "problem_solved"]
    stored = events.live(session, test)
    assert all(e.received_at.replace(tzinfo=dt.UTC) == NOW for e in stored)


def test_a_timeline_that_runs_backwards_is_refused(
    session: Session, covert: ShadowDefinition, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    send(session, test, covert, [tap("contacted", 60, 1)])
    logged = send(session, test, covert, [tap("bot_replied", 30, 2)])  # later tap, earlier time
    assert [r.reason for r in logged.refused] == [events.BACKWARDS]
    assert codes(session, test) == ["contacted"]


def test_the_same_id_with_other_content_is_a_conflict_not_an_overwrite(
    session: Session, covert: ShadowDefinition, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    event = tap("contacted", 0, 1)
    send(session, test, covert, [event])
    logged = send(session, test, covert, [{**event, "code": "line_dropped"}])
    assert [r.reason for r in logged.refused] == [events.CONFLICT]
    assert codes(session, test) == ["contacted"]


def test_unknown_events_times_without_zone_future_times_and_bad_ids_are_refused(
    session: Session, covert: ShadowDefinition, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    naive = {**tap("contacted", 0, 1), "at": "2026-11-03T19:30:00"}
    future = tap("contacted", 3 * 3600, 2)
    logged = send(
        session,
        test,
        covert,
        [
            tap("teleported", 0, 3),
            naive,
            future,
            {**tap("contacted", 0, 4), "id": "not-a-uuid"},
            {**tap("contacted", 0, 5), "sequence": "5"},
            {**tap("contacted", 0, 6), "note": "x" * 501},
        ],
    )
    reasons = sorted(r.reason for r in logged.refused)
    assert reasons == sorted(
        [
            events.UNKNOWN_EVENT,
            events.NO_ZONE,
            events.IN_FUTURE,
            events.MALFORMED,
            events.MALFORMED,
            events.TOO_LONG,
        ]
    )
    assert codes(session, test) == []


def test_undo_last_takes_an_event_off_the_timeline_but_keeps_it(
    session: Session, covert: ShadowDefinition, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    queue = taps(("contacted", 0), ("line_dropped", 5))
    send(session, test, covert, queue)
    logged = send(session, test, covert, [], undo=[queue[1]["id"], queue[1]["id"]])
    assert logged.undone == [queue[1]["id"]]
    assert codes(session, test) == ["contacted"]
    assert [e.code for e in events.recorded(session, test)] == ["contacted", "line_dropped"]
    # An undone event no longer holds the order: a later tap at an earlier time is fine.
    assert send(session, test, covert, [tap("bot_replied", 3, 3)]).refused == []


def test_a_submitted_test_takes_no_more_events(
    session: Session, covert: ShadowDefinition, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    test.state = "submitted"
    logged = send(session, test, covert, taps(("contacted", 0)))
    assert [r.reason for r in logged.refused] == [events.CLOSED]


def racing(
    session: Session,
    test: ShadowTest,
    covert: ShadowDefinition,
    *requests: list[dict[str, Any]],
) -> list[events.Logged]:
    """Log each request from its own thread and session, all started while another holds
    the test, so that each has read the test's events before the holder lets go unless
    logging holds the test from its first read to its commit."""
    engine = session.get_bind()
    answers: list[events.Logged] = []

    def one(raw: list[dict[str, Any]]) -> None:
        with Session(engine) as own:
            found = own.get(ShadowTest, test.id)
            assert found is not None
            answers.append(events.log(own, found, covert, [events.read(r) for r in raw]))

    threads = [threading.Thread(target=one, args=(raw,)) for raw in requests]
    with clock.set_to(NOW), Session(engine) as holder:
        with events.holding(holder, holder.get(ShadowTest, test.id) or test):
            for thread in threads:
                thread.start()
            time.sleep(0.3)  # both are waiting for the test now
            holder.commit()
        for thread in threads:
            thread.join()
    return answers


def test_a_queue_replayed_while_its_taps_still_arrive_is_all_stored_and_none_refused(
    session: Session, covert: ShadowDefinition, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    queue = taps(("contacted", 0), ("bot_replied", 12), ("human_replied", 80))
    send(session, test, covert, queue[:2])
    answers = racing(session, test, covert, [queue[2]], queue)
    assert [r for a in answers for r in a.refused] == []
    assert sorted(i for a in answers for i in a.stored) == [queue[2]["id"]]
    assert codes(session, test) == ["contacted", "bot_replied", "human_replied"]


def test_two_requests_that_contradict_each_other_cannot_both_be_stored(
    session: Session, covert: ShadowDefinition, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    send(session, test, covert, [tap("contacted", 0, 1)])
    later_tap_earlier_time = [tap("bot_replied", 30, 3)], [tap("human_replied", 60, 2)]
    answers = racing(session, test, covert, *later_tap_earlier_time)
    assert sorted(r.reason for a in answers for r in a.refused) == [events.BACKWARDS]
    assert len(codes(session, test)) == 2
