"""What the rules see: one response (a Subject) and what is known of the others (Neighbours).

Both are plain values, whatever the mode (online, paper, shadow) and whatever
the storage: the response service fills them from a row and a few indexed
queries at submit time, the bulk index from one streaming pass.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, NamedTuple

from fieldwork.quality.norms import Norms

UTC = dt.UTC


def as_utc(moment: dt.datetime) -> dt.datetime:
    """An aware UTC datetime; a naive one (as SQLite hands them back) is taken as UTC."""
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Subject:
    """One submitted response as the rules see it.

    `page_seconds` is the paradata's {page key: seconds}; `recorded` holds what
    was recorded at submit (e.g. {"code": "segment-conflict", "link": …, "answers": …}),
    or the flags stored by an earlier evaluation: rules read either.
    """

    id: int
    questionnaire_id: str
    mode: str
    answers: Mapping[str, Any]
    submitted_at: dt.datetime
    started_at: dt.datetime | None = None
    page_seconds: Mapping[str, Any] = field(default_factory=dict)
    ip_hash: str | None = None
    recorded: Sequence[Mapping[str, Any]] = ()
    assisted: bool = False
    """Answered with someone's help on a shared device (an invitation link marked
    `assisted=1`): sharing an address with other respondents is then expected."""
    shadow: Mapping[str, Any] = field(default_factory=dict)
    """A shadow response's frozen test (paradata["shadow"], see `quality.contacts`)."""

    def __post_init__(self) -> None:
        # Frozen, so normalise through object.__setattr__: rules compare times safely.
        object.__setattr__(self, "submitted_at", as_utc(self.submitted_at))
        if self.started_at is not None:
            object.__setattr__(self, "started_at", as_utc(self.started_at))

    @property
    def wall_seconds(self) -> float | None:
        """Time from start to submit, or None when the start is unknown (paper). Across a
        resume it holds the days away: it says when, not how long someone answered."""
        if self.started_at is None:
            return None
        return (self.submitted_at - self.started_at).total_seconds()

    @property
    def times(self) -> PageTimes:
        """The page times, read once: kept in the instance's __dict__, which a frozen
        dataclass still has (cached_property would take a lock on every read)."""
        found: PageTimes | None = self.__dict__.get("_times")
        if found is None:
            found = self.__dict__["_times"] = page_times(self.page_seconds)
        return found

    @property
    def seconds(self) -> float | None:
        """Answering time: see `active_seconds`."""
        return self.times.active

    def precedes(self, other: Subject) -> bool:
        """Earlier in the order every rule uses: submit time, then id."""
        return (self.submitted_at, self.id) < (other.submitted_at, other.id)


IDLE_SECONDS = 1800
"""A page counts at most this long towards the answering time: someone who left a page
open over lunch answered it in less."""

_NUMBERS = frozenset({int, float})  # by exact type: True is an int, but no clock gives it
_IDLE = repeat(IDLE_SECONDS)


class PageTimes(NamedTuple):
    """A response's page times, read once for every rule that reads them."""

    valid: Mapping[str, float]  # page -> seconds, for the times a clock could give
    absurd: tuple[str, ...]  # pages whose time no clock gives: negative, NaN, not a number
    total: float  # the valid times added up, uncapped: what start-to-submit must hold
    active: float | None  # see `active_seconds`


def page_times(page_seconds: Mapping[str, Any]) -> PageTimes:
    values = page_seconds.values()
    if values and set(map(type, values)) <= _NUMBERS:
        # Every time a number: the usual case, worked out in C. NaN or an infinity makes the
        # sum NaN or infinite, and goes the long way, which names the page.
        total = sum(values)
        if math.isfinite(total) and min(values) >= 0:
            longest = max(values)
            active = total if longest <= IDLE_SECONDS else sum(map(min, values, _IDLE))
            return PageTimes(page_seconds, (), total, round(active, 1))
    valid: dict[str, float] = {}
    absurd = []
    for page, value in page_seconds.items():
        if type(value) in _NUMBERS and 0 <= value < math.inf:  # NaN fails both
            valid[page] = value
        else:
            absurd.append(page)
    active = None
    if valid:
        active = round(sum(min(value, IDLE_SECONDS) for value in valid.values()), 1)
    return PageTimes(valid, tuple(sorted(absurd)), sum(valid.values()), active)


def active_seconds(page_seconds: Mapping[str, Any]) -> float | None:
    """The time spent answering: the server-measured page times added up, each counted up to
    IDLE_SECONDS; None when no page was timed (a paper sheet, or a form that never walked
    its pages). Times no clock gives are impossible-paradata's to judge and count as
    nothing here."""
    return page_times(page_seconds).active


@dataclass(frozen=True)
class Earlier:
    """Another response of the same questionnaire, submitted before the subject."""

    id: int
    submitted_at: dt.datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "submitted_at", as_utc(self.submitted_at))


SAME_IP_COUNTED = 100
"""Earlier same-address responses are counted up to this many, so a flood from one
address costs each new response a bounded query."""


@dataclass(frozen=True)
class Neighbours:
    """What the rules need to know about the other responses of the subject's questionnaire.

    "Earlier" means before the subject in (submitted_at, id) order, so a response
    submitted later never changes an earlier one's flags, but for one thing: a click farm
    is a cluster, and the bulk run counts its later members too (`farm_following`).

    - `median_seconds`, `duration_count`: the median completion time over every
      response of the questionnaire that has one (the subject included), and how
      many there are; the speeder uses the median once there are `min_responses`.
    - `same_ip_latest`, `same_ip_count`: the latest earlier response with the
      same IP hash submitted at most `window_hours` before the subject, and how
      many such responses there are (at most `SAME_IP_COUNTED`).
    - `same_answers_first`: the id of the first earlier response with the same IP
      hash and the same closed-answer fingerprint, at any time.
    - `near_answers`, `near_different`: the latest earlier response with the same IP
      hash within the duplicate window, among the `SAME_IP_COUNTED` latest, whose closed
      answers differ in at most duplicate-answers' `max_different` questions (counted
      from the signatures), and in how many.
    - `farm_addresses`, `farm_latest`: how many other IP hashes sent near-same closed
      answers (at most click-farm's `max_different` differences) within click-farm's
      window, among the `FARM_CANDIDATES` latest earlier responses sharing each band of
      the signature; and the latest of those responses.
    - `farm_following`: in the bulk run only, the first later response that found the
      subject so (among its own candidates); `farm_addresses` then counts the addresses
      of those later responses too. At submit nothing later exists: the first members
      of a cluster are found by the next bulk run.
    """

    median_seconds: float | None = None
    duration_count: int = 0
    same_ip_latest: Earlier | None = None
    same_ip_count: int = 0  # counted up to SAME_IP_COUNTED
    same_answers_first: int | None = None
    near_answers: int | None = None
    near_different: int = 0
    farm_addresses: int = 0
    farm_latest: int | None = None
    farm_following: int | None = None
    norms: Norms | None = None
    shadow: ShadowFacts | None = None


@dataclass(frozen=True)
class OtherTest:
    """Another test of the same tester: its number, its response if submitted, and its
    events (not undone) as (code, device time), for the contacts it held."""

    test: int
    response: int | None
    spans_days: bool
    events: tuple[tuple[str, dt.datetime], ...]


@dataclass(frozen=True)
class ShadowFacts:
    """What the stored tests tell the rules about a shadow response, and the zone its
    planned slot is read in (the staff's, `BABEL_DEFAULT_TIMEZONE`).

    - `reused`: (file's sha-256 as uploaded, the earlier response) for each of the
      response's evidence files also behind another test's response submitted before it.
    - `others`: the tester's other tests (submitted or still open, not void) with events
      near this one's, to find two contacts at once.
    """

    zone: str = "Asia/Shanghai"
    reused: tuple[tuple[str, int], ...] = ()
    others: tuple[OtherTest, ...] = ()


FARM_CANDIDATES = 24
"""Earlier responses read per band of a signature when looking for a click farm: a bounded
index lookup at submit, a bounded look back in the bulk run, however common the answers."""


ALONE = Neighbours()
"""No comparable responses: what a response sees when it is the first."""
