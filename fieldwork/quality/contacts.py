"""What the quality rules read of a shadow test: its frozen timeline, when its planned slot
begins, and the spans of time its tester was in contact with the platform.

A shadow response's paradata freezes its test (`fieldwork.shadow.submission.frozen`):
the plan, the events with device and receipt times, the evidence files. The rules read
that document here, never the live tables, so a bulk run judges what review shows. The
slot windows and the events that open and close a contact are defined once, here, for
the rules and for any page that explains them.

Pure: imports neither Flask nor SQLModel (the shadow service imports the quality core,
so this core cannot import the service's own pure modules without a cycle).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PARADATA = "shadow"
"""The key of a shadow response's paradata holding its frozen test (as in `shadow.metrics`)."""

DEFAULT_ZONE = "Asia/Shanghai"
"""The zone a slot is read in when none is handed in: the app's default staff zone."""

SLOT_HOURS: Mapping[str, tuple[int, int]] = {
    "morning": (6, 12),
    "afternoon": (12, 18),
    "evening": (18, 22),
    "night": (22, 6),  # ends the next morning
}
"""Each part of the day a test is planned in, as (first hour, hour it ends), local time."""

OPENING = frozenset({"contacted"})
"""Events that open a contact: nothing the platform does can come before one of them."""
CLOSING = frozenset({"contact_ended"})
"""Events that close a contact."""


@dataclass(frozen=True)
class Logged:
    """One frozen event: code, device time, receipt time and the order it was logged in."""

    code: str
    at: dt.datetime
    received: dt.datetime | None
    sequence: int


Window = tuple[dt.datetime, dt.datetime]
"""From when to when a tester was in contact (both ends included)."""


def frozen(paradata: Mapping[str, Any]) -> Mapping[str, Any]:
    """The frozen test of a shadow response's paradata ({} for any other response)."""
    found = paradata.get(PARADATA) if isinstance(paradata, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def events(test: Mapping[str, Any]) -> list[Logged]:
    """A frozen test's events in the order they happened: device time, then order logged.
    An event whose times cannot be read is left out (the logger stores none such)."""
    found = []
    for raw in test.get("events") or ():
        at = moment(raw.get("at"))
        if at is None or not isinstance(raw.get("code"), str):
            continue
        sequence = raw.get("sequence")
        found.append(
            Logged(
                raw["code"],
                at,
                moment(raw.get("received")),
                sequence if isinstance(sequence, int) else 0,
            )
        )
    return sorted(found, key=lambda event: (event.at, event.sequence))


def moment(value: Any) -> dt.datetime | None:
    """An ISO 8601 time with its zone as frozen, or None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def zone(name: str | None) -> dt.tzinfo:
    """The zone of that name, or the default one for a name not known."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def slot_begins(planned_on: str | None, slot: str | None, where: dt.tzinfo) -> dt.datetime | None:
    """When a test's slot begins on its planned day (ISO date), in `where`; None when it
    has no planned day or an unknown slot."""
    if not planned_on or not isinstance(slot, str):
        return None
    part = slot.rpartition("_")[2]
    hours = SLOT_HOURS.get(part)
    try:
        day = dt.date.fromisoformat(planned_on)
    except ValueError:
        return None
    if hours is None:
        return None
    return dt.datetime.combine(day, dt.time(hours[0]), tzinfo=where)


def windows(timeline: Sequence[Logged], spans_days: bool = False) -> list[Window]:
    """The spans a tester was in contact: from an opening event to the next closing one,
    or, lacking one, to the last event before the next opening one (or the timeline's
    end). A timeline with no opening event is one contact from first to last event,
    except in a case that spans days: its days between events are not contact time, and
    without opening events nothing says when it was."""
    if not timeline:
        return []
    if not any(event.code in OPENING for event in timeline):
        return [] if spans_days else [(timeline[0].at, timeline[-1].at)]
    found: list[Window] = []
    start: dt.datetime | None = None
    last: dt.datetime | None = None
    for event in timeline:
        if event.code in OPENING:
            if start is not None and last is not None:
                found.append((start, last))  # a contact never closed ends at its last event
            start = last = event.at
        elif start is not None:
            last = event.at
            if event.code in CLOSING:
                found.append((start, event.at))
                start = last = None
    if start is not None and last is not None:
        found.append((start, last))
    return found


def overlap(mine: Iterable[Window], theirs: Iterable[Window]) -> Window | None:
    """The first stretch of time two sets of contacts share, or None. Contacts back to
    back (one ends the moment the next begins) share none."""
    others = list(theirs)
    for start, end in mine:
        for other_start, other_end in others:
            if start < other_end and other_start < end:
                return max(start, other_start), min(end, other_end)
    return None
