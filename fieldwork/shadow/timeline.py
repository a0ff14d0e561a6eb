"""What a shadow test's event timeline shows, measured against the definition's thresholds.

A tester logs events as they happen (contacted, bot replied, transferred to a human,
line dropped, problem solved…), each with the device's time; a case that spans days (a
return: requested, picked up, refunded) logs them on different days. The definition
names its indicators as data, each one of four kinds:

- `Interval`: seconds from the first of some events to the first of others after it
  ("first reply": contacted → bot or human replied; "pickup": requested → picked up),
  passing when at most a limit. Never reached is a fail, not a pass: no reply at all is
  the worst reply time.
- `Count`: how often some events happen ("bot repeated itself"), passing when at most a
  limit.
- `Occurs`: whether an event happens at all ("problem solved"), passing when it does.
- `Followed`: of the times an event happens ("transferred"), how many are followed by
  another ("human replied") before any of some others ("line dropped", "contact
  ended") or the same event again; passing when all of them are.

Events are ordered by device time, then by the order they were logged, so a queue sent
late from a phone that was offline still reads in the order things happened. Times are
aware datetimes, so a contact over midnight or across days is a plain difference.

Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """One logged event: its code and the device time it happened, and its place in the
    order the tester logged events (ties in time are read in that order)."""

    code: str
    at: dt.datetime
    sequence: int = 0


@dataclass(frozen=True)
class Interval:
    code: str
    start: frozenset[str]
    end: frozenset[str]
    at_most_seconds: float


@dataclass(frozen=True)
class Count:
    code: str
    events: frozenset[str]
    at_most: int


@dataclass(frozen=True)
class Occurs:
    code: str
    event: str


@dataclass(frozen=True)
class Followed:
    code: str
    event: str
    by: frozenset[str]
    unless: frozenset[str] = frozenset()


Indicator = Interval | Count | Occurs | Followed


@dataclass(frozen=True)
class Measure:
    """One indicator on one test: what was measured and whether it meets the threshold.
    `value` is seconds for an interval (None: never reached), a count, 1/0 for an event
    that occurs, and for `Followed` the times followed (`of` the times it happened)."""

    code: str
    value: float | None
    passed: bool
    of: int | None = None


def ordered(events: Sequence[Event]) -> list[Event]:
    """The events in the order they happened: device time, then the order logged.

    Raises ValueError for a time without a zone: it cannot be placed among the others."""
    if any(event.at.utcoffset() is None for event in events):
        raise ValueError("event times must carry a time zone")
    return sorted(events, key=lambda event: (event.at, event.sequence))


def runs_backwards(logged: Iterable[Event], new: Event) -> bool:
    """Whether `new` contradicts the order of events already logged: logged after one of
    them on the device yet earlier in time, or before one yet later. Events may arrive
    out of order from an offline queue; their times and their places may not disagree."""
    for event in logged:
        if event.sequence < new.sequence and event.at > new.at:
            return True
        if event.sequence > new.sequence and event.at < new.at:
            return True
    return False


def measure(events: Sequence[Event], indicators: Sequence[Indicator]) -> list[Measure]:
    """Every indicator on one test's events, in the order the definition names them."""
    timeline = ordered(events)
    return [_measure(timeline, indicator) for indicator in indicators]


def _measure(timeline: list[Event], indicator: Indicator) -> Measure:
    if isinstance(indicator, Interval):
        seconds = _interval(timeline, indicator.start, indicator.end)
        passed = seconds is not None and seconds <= indicator.at_most_seconds
        return Measure(indicator.code, seconds, passed)
    if isinstance(indicator, Count):
        count = sum(1 for event in timeline if event.code in indicator.events)
        return Measure(indicator.code, count, count <= indicator.at_most)
    if isinstance(indicator, Occurs):
        happened = any(event.code == indicator.event for event in timeline)
        return Measure(indicator.code, int(happened), happened)
    followed, times = _followed(timeline, indicator)
    return Measure(indicator.code, followed, followed == times, of=times)


def _interval(timeline: list[Event], start: Collection[str], end: Collection[str]) -> float | None:
    """Seconds from the first start event to the first end event after it, or None."""
    begun = next((event for event in timeline if event.code in start), None)
    if begun is None:
        return None
    after = timeline[timeline.index(begun) + 1 :]
    reached = next((event for event in after if event.code in end), None)
    return None if reached is None else (reached.at - begun.at).total_seconds()


def _followed(timeline: list[Event], indicator: Followed) -> tuple[int, int]:
    """(times the event was followed by one of `by` before one of `unless` or the event
    itself again, times the event happened)."""
    times = followed = 0
    waiting = False
    for event in timeline:
        if event.code == indicator.event:
            times += 1
            waiting = True
        elif waiting and event.code in indicator.by:
            followed += 1
            waiting = False
        elif waiting and event.code in indicator.unless:
            waiting = False
    return followed, times


@dataclass(frozen=True)
class Rate:
    """How many of a group's tests passed one indicator, and how many tests it rests on:
    "phone connection ≥ 90 %" read across every test of a platform's hotline."""

    code: str
    passed: int
    tests: int

    @property
    def share(self) -> float:
        return self.passed / self.tests


Group = tuple[str, ...]
"""What tests are rolled up by, such as (platform, channel)."""


def rates(tests: Iterable[tuple[Group, Sequence[Measure]]]) -> dict[Group, list[Rate]]:
    """Per group, each indicator's passes over its tests, in the order first measured."""
    counts: dict[Group, dict[str, list[int]]] = {}
    for group, measures in tests:
        by_code = counts.setdefault(group, {})
        for found in measures:
            tally = by_code.setdefault(found.code, [0, 0])
            tally[0] += found.passed
            tally[1] += 1
    return {
        group: [Rate(code, passed, total) for code, (passed, total) in by_code.items()]
        for group, by_code in counts.items()
    }
