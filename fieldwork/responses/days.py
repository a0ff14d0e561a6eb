"""Responses counted per day, questionnaire, segment and mode: the staff overview's table.

A day is a day in the time zone staff see times in, the one the queue shows times in and
its filters count days in (`filters.midnight`): a response submitted at 20:30 UTC on
3 November counts on 4 November in Shanghai. PostgreSQL turns each time into the zone's
own with the zone's rules. SQLite knows no zones, so each time is shifted by the zone's
offset from UTC at that moment; the offset changes only at the zone's transitions
(daylight saving time; none in China since 1991), found here between the first and the
last response, so the query holds one shift per stretch between two transitions.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from fieldwork.quality import as_utc
from fieldwork.responses.models import Response

PROBE = dt.timedelta(hours=6)
"""Offsets are compared this far apart: no zone has had two transitions closer together."""


@dataclass(frozen=True)
class DayCount:
    """How many responses to one questionnaire, of one segment and mode, came on one day."""

    questionnaire_id: str
    segment: str
    mode: str
    day: dt.date
    count: int


def by_day(session: Session, time_zone: str) -> list[DayCount]:
    """Every day with responses, the latest first, counted per questionnaire, segment and
    mode, the days being those of `time_zone` (an IANA name such as Asia/Shanghai)."""
    keys = col(Response.questionnaire_id), col(Response.segment), col(Response.mode)
    day = _local_day(session, time_zone)
    query = select(*keys, day, func.count()).group_by(*keys, day).order_by(day.desc(), *keys)
    # A day comes back as text from SQLite and as a date from PostgreSQL.
    return [
        DayCount(questionnaire_id, segment, mode, dt.date.fromisoformat(str(day)), count)
        for questionnaire_id, segment, mode, day, count in session.execute(query).all()
    ]


def _local_day(session: Session, time_zone: str) -> Any:
    """The day of each response's submission in `time_zone`, as SQL."""
    moment = col(Response.submitted_at)
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(time_zone, moment))
    first, last = session.execute(select(func.min(moment), func.max(moment))).one()
    if first is None:
        return func.date(moment)
    spans = offsets(ZoneInfo(time_zone), as_utc(first), as_utc(last))
    if len(spans) == 1:
        return func.date(moment, _modifier(spans[0][1]))
    # A stretch's shift for the times before the next stretch starts: the first match wins.
    shifts = [
        (moment < start, _modifier(offset)) for (_, offset), (start, _) in itertools.pairwise(spans)
    ]
    return func.date(moment, case(*shifts, else_=_modifier(spans[-1][1])))


def _modifier(offset: int) -> str:
    """SQLite's date modifier that shifts a time by `offset` seconds."""
    return f"{offset:+d} seconds"


def offsets(zone: ZoneInfo, first: dt.datetime, last: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """(start, UTC offset in seconds) of each stretch of one offset in `zone` from `first`
    to `last` (aware times), the first stretch starting at `first`."""
    spans = [(first, _offset(zone, first))]
    probe = first
    while probe < last:
        step = min(probe + PROBE, last)
        if _offset(zone, step) != spans[-1][1]:
            spans.append((_transition(zone, probe, step), _offset(zone, step)))
        probe = step
    return spans


def _offset(zone: ZoneInfo, moment: dt.datetime) -> int:
    shift = moment.astimezone(zone).utcoffset()
    return int(shift.total_seconds()) if shift is not None else 0


def _transition(zone: ZoneInfo, before: dt.datetime, after: dt.datetime) -> dt.datetime:
    """The moment after `before`, up to `after`, where the zone's offset changes.

    Transitions fall on whole seconds: once the gap is halved to a second at most, the
    whole second at or just before `after` is the one.
    """
    old = _offset(zone, before)
    while after - before > dt.timedelta(seconds=1):
        middle = before + (after - before) / 2
        if _offset(zone, middle) == old:
            before = middle
        else:
            after = middle
    return after.replace(microsecond=0)
