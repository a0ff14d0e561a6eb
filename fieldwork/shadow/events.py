"""Logging a test's events: what the logger's taps, its offline queue and the typed-in
form hand the server, stored once each, whatever order and however often they arrive.

Each event carries the id the tester's device gave it. Storing is insert-or-ignore on
that id: a queue replayed after a lost answer stores nothing twice, and the same id
with other content is refused as a conflict, never overwritten. The server keeps the
device's time (when it happened) beside its own receipt time (when it arrived), and
refuses an event whose time and place in the device's order disagree with those already
logged (`timeline.runs_backwards`). "Undo last" marks an event undone; nothing a tester
logged is deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from fieldwork import writers
from fieldwork.clock import now
from fieldwork.quality.subjects import as_utc
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import timeline
from fieldwork.shadow.models import LOGGING, PLANNED, TAP, TYPED, ShadowEvent, ShadowTest

MALFORMED, UNKNOWN_EVENT, NO_ZONE, IN_FUTURE, BACKWARDS, CONFLICT, CLOSED, TOO_LONG = (
    "event-malformed",
    "event-unknown",
    "event-no-zone",
    "event-in-future",
    "event-runs-backwards",
    "event-conflict",
    "test-closed",
    "event-note-too-long",
)
"""Why an event is refused; the pages word each (`web/messages.py`)."""

SKEW = dt.timedelta(minutes=5)
"""How far ahead of the server's clock a device's clock may run before its events are
refused as "in the future": phones set by hand drift by minutes, not hours."""
NOTE_LENGTH = 500
MAX_BATCH = 500
"""The most events one request may carry: a day's offline queue, with room to spare."""
MAX_SEQUENCE = 10**9


@dataclass(frozen=True)
class Incoming:
    """One event as a request carries it, read but not yet checked against the test."""

    event_id: str
    sequence: int
    code: str
    at: dt.datetime
    note: str | None = None
    entered: str = TAP


@dataclass(frozen=True)
class Refused:
    event_id: str
    reason: str


@dataclass
class Logged:
    """What became of a request's events and undos."""

    stored: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # stored before, with the same content
    refused: list[Refused] = field(default_factory=list)
    undone: list[str] = field(default_factory=list)
    timeline: list[Known] = field(default_factory=list)  # as it stands after the request


def read(raw: Mapping[str, Any], entered: str = TAP) -> Incoming | Refused:
    """An event from a request's JSON object (or a typed-in form's fields): its id (a
    UUID), sequence, code, device time (ISO 8601 with its zone) and an optional note."""
    event_id = _uuid(raw.get("id"))
    if event_id is None:
        return Refused(str(raw.get("id"))[:36], MALFORMED)
    sequence, code, at = raw.get("sequence"), raw.get("code"), raw.get("at")
    note = raw.get("note") or None
    if not isinstance(sequence, int) or isinstance(sequence, bool):
        return Refused(event_id, MALFORMED)
    if not 0 <= sequence <= MAX_SEQUENCE:
        return Refused(event_id, MALFORMED)
    if not isinstance(code, str) or not isinstance(at, str) or len(at) > 40:
        return Refused(event_id, MALFORMED)
    if note is not None and (not isinstance(note, str) or len(note) > NOTE_LENGTH):
        return Refused(event_id, TOO_LONG)
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return Refused(event_id, MALFORMED)
    if moment.utcoffset() is None:
        return Refused(event_id, NO_ZONE)
    if not _in_utc_range(moment):
        return Refused(event_id, MALFORMED)
    return Incoming(event_id, sequence, code[:64], moment, note, entered)


def _in_utc_range(moment: dt.datetime) -> bool:
    """Whether a device time is one in UTC too: 0001-01-01T00:00+14:00 is not (it would be
    year 0), and stored as UTC it overflowed: a server error instead of a refusal."""
    try:
        moment.astimezone(dt.UTC)
    except OverflowError:
        return False
    return True


def _uuid(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 36:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def log(
    session: Session,
    test: ShadowTest,
    definition: ShadowDefinition,
    incoming: Sequence[Incoming | Refused],
    undo: Sequence[str] = (),
) -> Logged:
    """Store a test's new events and undos; see the module's docstring for the rules.

    One request at a time reads, checks and writes a test's events (`holding`), in one
    transaction: two requests racing with the same queue (a replay while the taps still
    go) or with events that contradict each other cannot both pass a check made before
    the other wrote."""
    logged = Logged()
    if test.state not in (PLANNED, LOGGING):
        logged.refused = [Refused(_id(each), CLOSED) for each in incoming]
        logged.timeline = _live(_known(session, test))
        session.rollback()  # the read's transaction: nothing was written
        return logged
    received = now()
    with holding(session, test):
        known = _known(session, test)
        rows = []
        for each in sorted(incoming, key=_order):
            if isinstance(each, Refused):
                logged.refused.append(each)
                continue
            reason = _problem(each, definition, known, received)
            if reason == "already":
                logged.already.append(each.event_id)
            elif reason is not None:
                logged.refused.append(Refused(each.event_id, reason))
            else:
                rows.append(_row(test, each, received))
                known[each.event_id] = Known(
                    each.event_id, each.code, each.sequence, as_utc(each.at), None, each.note
                )
        inserted = _insert_once(session, rows)
        taken = {row["event_id"] for row in rows} - inserted  # ids of another test's events
        logged.stored = [row["event_id"] for row in rows if row["event_id"] in inserted]
        refused = [row["event_id"] for row in rows] + logged.already  # an id may come twice
        logged.refused += [Refused(event_id, CONFLICT) for event_id in refused if event_id in taken]
        logged.already = [event_id for event_id in logged.already if event_id not in taken]
        for event_id in taken:
            known.pop(event_id, None)
        for event_id in dict.fromkeys(undo):
            event = known.get(str(event_id))
            if event is not None and event.undone_at is None:
                _undo(session, event_id, received)
                known[event_id] = event._replace(undone_at=received)
                logged.undone.append(event_id)
        if test.state == PLANNED and (logged.stored or logged.undone):
            test.state = LOGGING
            session.add(test)
        session.commit()
    logged.timeline = _live(known)
    return logged


def _live(known: Mapping[str, Known]) -> list[Known]:
    """The events not undone, in the order they happened."""
    live = (event for event in known.values() if event.undone_at is None)
    return sorted(live, key=lambda event: (event.device_at, event.sequence))


class Known(NamedTuple):
    """What the checks, and the logger's answer, need of an event already logged."""

    event_id: str
    code: str
    sequence: int
    device_at: dt.datetime
    undone_at: dt.datetime | None
    note: str | None = None


@contextlib.contextmanager
def holding(session: Session, test: ShadowTest) -> Iterator[None]:
    """Hold a test's events while reading, checking and writing them, until the session
    commits (inside the block) or the block fails (rolled back): on SQLite the writer turn
    (the database has one writer anyway), on PostgreSQL a lock on the test's row, so
    requests for other tests go on beside it. Whatever writes a test's events holds it."""
    bind = session.get_bind()
    with writers.turn(bind):
        if bind.dialect.name != "sqlite":
            session.connection().execute(
                select(col(ShadowTest.id)).where(col(ShadowTest.id) == test.id).with_for_update()
            )
        try:
            yield
        except BaseException:
            session.rollback()  # inside the turn: the next writer finds the database free
            raise


def _known(session: Session, test: ShadowTest) -> dict[str, Known]:
    """The test's events by id, read as plain rows: a request reads them all, and ORM
    objects would cost it more than the insert."""
    columns = ("event_id", "code", "sequence", "device_at", "undone_at", "note")
    query = sa.select(*(_TABLE.c[name] for name in columns)).where(_TABLE.c.test_id == test.id)
    return {
        row.event_id: Known(
            row.event_id, row.code, row.sequence, as_utc(row.device_at), row.undone_at, row.note
        )
        for row in session.connection().execute(query)
    }


def _id(each: Incoming | Refused) -> str:
    return each.event_id


def _order(each: Incoming | Refused) -> int:
    return each.sequence if isinstance(each, Incoming) else -1


def _problem(
    each: Incoming,
    definition: ShadowDefinition,
    known: Mapping[str, Known],
    received: dt.datetime,
) -> str | None:
    """Why an event cannot be stored ("already": it was, with the same content), or None."""
    stored = known.get(each.event_id)
    if stored is not None:
        same = (stored.code, stored.sequence, as_utc(stored.device_at)) == (
            each.code,
            each.sequence,
            as_utc(each.at),
        )
        return "already" if same else CONFLICT
    if definition.event(each.code) is None:
        return UNKNOWN_EVENT
    if each.at > received + SKEW:
        return IN_FUTURE
    live = [_event(e) for e in known.values() if e.undone_at is None]
    if timeline.runs_backwards(live, timeline.Event(each.code, each.at, each.sequence)):
        return BACKWARDS
    return None


def _event(row: ShadowEvent | Known) -> timeline.Event:
    return timeline.Event(row.code, as_utc(row.device_at), row.sequence)


def _row(test: ShadowTest, each: Incoming, received: dt.datetime) -> dict[str, Any]:
    return {
        "event_id": each.event_id,
        "test_id": test.id,
        "sequence": each.sequence,
        "code": each.code,
        "note": each.note,
        "device_at": as_utc(each.at),
        "received_at": received,
        "entered": each.entered if each.entered in (TAP, TYPED) else TAP,
        "undone_at": None,
    }


_TABLE = ShadowEvent.__table__  # type: ignore[attr-defined]
_INSERT_ONCE = {
    name: dialect.insert(_TABLE).on_conflict_do_nothing(index_elements=["event_id"])
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}


def _insert_once(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the events whose ids are not stored yet, in one statement; the ids inserted."""
    if not rows:
        return set()
    insert = _INSERT_ONCE[session.get_bind().dialect.name].returning(_TABLE.c.event_id)
    return set(session.connection().execute(insert, rows).scalars())


def _undo(session: Session, event_id: str, moment: dt.datetime) -> None:
    session.connection().execute(
        _TABLE.update()
        .where(_TABLE.c.event_id == event_id, _TABLE.c.undone_at.is_(None))
        .values(undone_at=moment)
    )


def recorded(session: Session, test: ShadowTest) -> list[ShadowEvent]:
    """Every event logged for a test, undone ones included, in the order they happened."""
    rows = session.exec(select(ShadowEvent).where(col(ShadowEvent.test_id) == test.id)).all()
    return sorted(rows, key=lambda row: (as_utc(row.device_at), row.sequence))


def live(session: Session, test: ShadowTest) -> list[ShadowEvent]:
    """The test's timeline: its events not undone, in the order they happened."""
    return [row for row in recorded(session, test) if row.undone_at is None]


def as_timeline(rows: Sequence[ShadowEvent]) -> list[timeline.Event]:
    return [_event(row) for row in rows]
