"""Events logged from the logger's forms that work without a script: a button tapped
(stamped with the server's time), an event typed in with its date and time, and "undo
last".

Without a script the tester's device makes no id, keeps no order and sends no time, so
the server makes them: a random UUID, the next sequence after the highest the test
holds, and a time read from the typed boxes in the app's time zone. What comes out is
the same JSON object the logger's script sends, read and stored by `events`, so a typed
event meets every rule a tapped one does (known event, not in the future, not before an
event logged earlier).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from fieldwork.shadow import events
from fieldwork.shadow.models import ShadowEvent, ShadowTest

EVENT_MISSING, DATE_INVALID, TIME_INVALID = (
    "typed-event-missing",
    "typed-date-invalid",
    "typed-time-invalid",
)
"""Why a typed-in event could not be read; the logger page words each."""

DATE_FIELDS = ("year", "month", "day")
TIME_FIELDS = ("hour", "minute", "second")
TYPED_LIMIT = 16
"""The most characters of a date or time box worth reading: more is not a number."""


@dataclass(frozen=True)
class Problem:
    """What is wrong with a typed-in event, and which of its fields says so."""

    field: str  # "event", "date" or "time"
    code: str


def typed_time(fields: Mapping[str, str], zone: dt.tzinfo) -> dt.datetime | Problem:
    """The moment typed in the date and time boxes, read in `zone` (the app's); seconds
    may be left empty. A date that does not exist (2026-13-40) or a time past 23:59:59
    is a problem, not a guess."""
    date = _numbers(fields, DATE_FIELDS, optional=())
    if date is None:
        return Problem("date", DATE_INVALID)
    time = _numbers(fields, TIME_FIELDS, optional=("second",))
    if time is None:
        return Problem("time", TIME_INVALID)
    try:
        year, month, date_ = date
        day = dt.date(year, month, date_)
    except ValueError:
        return Problem("date", DATE_INVALID)
    try:
        hour, minute, second = time
        clock = dt.time(hour, minute, second)
    except ValueError:
        return Problem("time", TIME_INVALID)
    return dt.datetime.combine(day, clock, tzinfo=zone)


def _numbers(
    fields: Mapping[str, str], names: tuple[str, ...], optional: tuple[str, ...]
) -> list[int] | None:
    """The boxes' whole numbers in order (an empty optional box is 0), or None."""
    found = []
    for name in names:
        typed = (fields.get(name) or "").strip()[:TYPED_LIMIT]
        if not typed and name in optional:
            found.append(0)
        elif typed.isascii() and typed.isdigit():
            found.append(int(typed))
        else:
            return None
    return found


def next_sequence(session: Session, test: ShadowTest) -> int:
    """The sequence after the highest the test holds, undone events included: an event
    made on the server comes after everything logged before it."""
    highest = session.exec(
        select(func.max(col(ShadowEvent.sequence))).where(col(ShadowEvent.test_id) == test.id)
    ).one()
    return (highest or 0) + 1


def raw_event(
    session: Session, test: ShadowTest, code: str, at: dt.datetime, note: str | None
) -> dict[str, Any]:
    """A server-made event as the logger's script would send it, for `events.read`."""
    return {
        "id": str(uuid.uuid4()),
        "sequence": next_sequence(session, test),
        "code": code,
        "at": at.isoformat(),
        "note": note,
    }


def last_live(session: Session, test: ShadowTest) -> ShadowEvent | None:
    """The event "undo last" takes back: the latest of the timeline, if any."""
    timeline = events.live(session, test)
    return timeline[-1] if timeline else None
