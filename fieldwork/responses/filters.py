"""Filters over submitted responses: one object for the review queue, the batch page and
`flask fieldwork export`, read from plain data with one set of checks.

An entry point hands `parse` what a query string, a form or command-line options give
(each field name with the strings sent for it), the values that exist (`Known`) and the
fields it offers (`QUEUE`, `BATCH`). It gets back a `Filter`, or the problems found: each
a stable code with the field it belongs to and its parameters. `MESSAGES` words every
code in English, marked for translation; the web shows the words translated next to their
fields, the command line prints them as they are.

A filter day runs from midnight to midnight in the time zone staff see times in, so
"from 4 November" takes what the pages show as submitted on 4 November. A day far from
any fieldwork (year 1, year 9999) would overflow that arithmetic or be a slip of the
keyboard, so only days from `FIRST_DAY` to `LAST_DAY` are taken.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, or_, select
from sqlmodel import Session, col

from fieldwork import modes
from fieldwork.definitions.models import QuestionnaireVersion
from fieldwork.quality import FLAG_CODES, N_
from fieldwork.responses.models import PENDING, STATUSES, Response

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
MODES = tuple(modes.MODES)
"""How a response came in: the modes a filter can name."""
MAX_TEXT = 64
"""Campaigns and waves are stored in at most 64 characters: a longer one matches nothing."""
MIN_VERSION_PREFIX = 8
"""A version may be named by the start of its hash, as `flask fieldwork load` prints it."""
SHOWN_VALUE = 40
"""A value quoted back in a message is cut to this length: it may be anything at all."""

# The problem codes, each worded in MESSAGES.
NO_QUESTIONNAIRE = "no-questionnaire"
UNKNOWN_QUESTIONNAIRE = "unknown-questionnaire"
UNKNOWN_VERSION = "unknown-version"
UNKNOWN_SEGMENT = "unknown-segment"
UNKNOWN_MODE = "unknown-mode"
UNKNOWN_STATUS = "unknown-status"
UNKNOWN_FLAG = "unknown-flag"
NOT_A_DAY = "not-a-day"
DAY_OUT_OF_RANGE = "day-out-of-range"
FROM_AFTER_TO = "from-after-to"
TOO_LONG = "too-long"
ONE_VALUE = "one-value"

MESSAGES = {
    NO_QUESTIONNAIRE: N_("Choose a questionnaire."),
    UNKNOWN_QUESTIONNAIRE: N_("There is no questionnaire “%(value)s”: choose one from the list."),
    UNKNOWN_VERSION: N_(
        "Tick only versions of the questionnaire you chose, or none for every version."
    ),
    UNKNOWN_SEGMENT: N_("There is no segment “%(value)s”: choose one from the list."),
    UNKNOWN_MODE: N_("There is no mode “%(value)s”: choose one from the list."),
    UNKNOWN_STATUS: N_("There is no status “%(value)s”: choose one from the list."),
    UNKNOWN_FLAG: N_("There is no flag “%(value)s”: choose one from the list."),
    NOT_A_DAY: N_("Enter dates like 2026-11-22."),
    DAY_OUT_OF_RANGE: N_("Enter a date from %(first)s to %(last)s."),
    FROM_AFTER_TO: N_("The “Submitted from” date is after the “Submitted until” date: swap them."),
    TOO_LONG: N_("Shorten this to %(max)s characters or fewer."),
    ONE_VALUE: N_("Give only one value here."),
}
"""Every problem code, worded in English (the source language) for translation."""


def midnight(day: dt.date, time_zone: str) -> dt.datetime:
    """The moment `day` begins in `time_zone` (an IANA name such as Asia/Shanghai)."""
    return dt.datetime.combine(day, dt.time(), ZoneInfo(time_zone))


@dataclass(frozen=True)
class Problem:
    """Something a filter field cannot take: a code of MESSAGES, its field and parameters."""

    code: str
    field: str
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def words(self, translate: Callable[[str], str] = str) -> str:
        """The message for this problem, through `translate` (gettext on the web)."""
        return translate(MESSAGES[self.code]) % dict(self.params)


@dataclass(frozen=True)
class Known:
    """The values a filter can name: what is stored and configured now."""

    versions: Mapping[str, tuple[str, ...]]  # questionnaire id → its content hashes
    segments: frozenset[str] = frozenset()
    modes: frozenset[str] = frozenset(MODES)
    statuses: frozenset[str] = frozenset(STATUSES)
    flags: frozenset[str] = frozenset(FLAG_CODES)
    time_zone: str = "UTC"


def known(session: Session, segments: Iterable[str], time_zone: str) -> Known:
    """What the filters can name: the stored versions, these segments, days in this zone."""
    versions: dict[str, tuple[str, ...]] = {}
    rows = session.execute(
        select(
            col(QuestionnaireVersion.questionnaire_id), col(QuestionnaireVersion.content_hash)
        ).order_by(col(QuestionnaireVersion.loaded_at).desc())
    )
    for questionnaire_id, content_hash in rows:
        versions[questionnaire_id] = (*versions.get(questionnaire_id, ()), content_hash)
    return Known(
        versions=versions,
        segments=frozenset(segments),
        time_zone=time_zone,
    )


ANY = "all"
"""The value that takes every value of a field that has a default: the queue's "All
statuses", which must stay all statuses through its links and forms."""


@dataclass(frozen=True)
class Fields:
    """The filter fields a page or command offers (by the names it sends them under),
    which of them it needs, and the values a field takes when none is sent (`ANY` sent
    instead takes every value)."""

    names: tuple[str, ...]
    required: frozenset[str] = frozenset()
    defaults: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def with_defaults(self, data: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        """`data`'s values of these fields, a field with a default and nothing sent given
        its default: what the filter is made of, and what its form shows as chosen."""
        given = {name: [v for v in _listed(data.get(name, ())) if v.strip()] for name in self.names}
        for name, default in self.defaults.items():
            given[name] = given[name] or list(default)
        return given


def _listed(sent: Sequence[str] | str) -> list[str]:
    return [sent] if isinstance(sent, str) else list(sent)


# The queue opens on what waits for a reviewer: pending responses.
QUEUE = Fields(
    ("questionnaire", "flag", "segment", "mode", "status", "from", "to"),
    defaults={"status": (PENDING,)},
)
BATCH = Fields(
    ("questionnaire", "version", "campaign", "wave", "from", "to", "segment", "mode"),
    required=frozenset({"questionnaire"}),
)
SINGLE = frozenset({"questionnaire", "campaign", "wave", "from", "to"})
"""Fields that take one value; the others take any number (none: all)."""


@dataclass(frozen=True)
class Filter:
    """Which responses to take; an empty field takes all. Batches store it as JSON."""

    questionnaire_id: str | None = None
    versions: tuple[str, ...] = ()  # content hashes
    campaign: str | None = None
    wave: str | None = None
    submitted_from: dt.date | None = None  # inclusive
    submitted_to: dt.date | None = None  # inclusive
    segments: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    # The days run from midnight to midnight in this zone, the one staff see times in. A
    # batch frozen before the zone was recorded counted UTC days, and keeps doing so.
    time_zone: str = "UTC"
    statuses: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # flag codes: a response with any of them

    def where(self, query: Any) -> Any:  # any Select over the response table
        """`query` narrowed to the responses this filter takes."""
        for condition in _conditions(self):
            query = query.where(condition)
        return query

    def as_json(self) -> dict[str, Any]:
        """The filter as a batch stores it: the keys every batch has always had, in their
        order (a batch's manifest copies them), then statuses and flags only when set."""
        data: dict[str, Any] = {
            "questionnaire_id": self.questionnaire_id,
            "versions": list(self.versions),
            "campaign": self.campaign,
            "wave": self.wave,
            "submitted_from": _iso(self.submitted_from),
            "submitted_to": _iso(self.submitted_to),
            "segments": list(self.segments),
            "modes": list(self.modes),
            "time_zone": self.time_zone,
        }
        extra = {"statuses": list(self.statuses), "flags": list(self.flags)}
        return data | {key: value for key, value in extra.items() if value}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Filter:
        """A filter as `as_json` (or a batch frozen before time zones were kept) wrote it."""
        return cls(
            questionnaire_id=data.get("questionnaire_id"),
            versions=tuple(data.get("versions") or ()),
            campaign=data.get("campaign"),
            wave=data.get("wave"),
            submitted_from=_day_of(data.get("submitted_from")),
            submitted_to=_day_of(data.get("submitted_to")),
            segments=tuple(data.get("segments") or ()),
            modes=tuple(data.get("modes") or ()),
            time_zone=data.get("time_zone") or "UTC",
            statuses=tuple(data.get("statuses") or ()),
            flags=tuple(data.get("flags") or ()),
        )

    def as_args(self, fields: Fields | None = None) -> dict[str, list[str]]:
        """The plain data `parse` reads back as this filter (with `fields`, which may give
        a field a default): for links and hidden fields."""
        args = {
            "questionnaire": [self.questionnaire_id] if self.questionnaire_id else [],
            "version": list(self.versions),
            "campaign": [self.campaign] if self.campaign else [],
            "wave": [self.wave] if self.wave else [],
            "from": [self.submitted_from.isoformat()] if self.submitted_from else [],
            "to": [self.submitted_to.isoformat()] if self.submitted_to else [],
            "segment": list(self.segments),
            "mode": list(self.modes),
            "status": list(self.statuses),
            "flag": list(self.flags),
        }
        for name in fields.defaults if fields else ():
            args[name] = args[name] or [ANY]  # every value, not the default
        return {key: values for key, values in args.items() if values}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _day_of(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _conditions(chosen: Filter) -> Iterator[Any]:
    """One WHERE condition per field the filter sets."""
    equal = (
        (Response.questionnaire_id, chosen.questionnaire_id),
        (Response.campaign, chosen.campaign),
        (Response.wave, chosen.wave),
    )
    for column, value in equal:
        if value:
            yield col(column) == value
    among = (
        (Response.version_hash, chosen.versions),
        (Response.segment, chosen.segments),
        (Response.mode, chosen.modes),
        (Response.status, chosen.statuses),
    )
    for column, values in among:
        if values:
            yield col(column).in_(values)
    if chosen.flags:
        # Flags are a JSON list of {"code": …}; this text match works on SQLite and
        # PostgreSQL. Codes are known rule codes, so none holds a LIKE wildcard.
        flags = cast(col(Response.flags), String)
        yield or_(*(flags.like(f'%"code": "{code}"%') for code in chosen.flags))
    if chosen.submitted_from:
        yield col(Response.submitted_at) >= midnight(chosen.submitted_from, chosen.time_zone)
    if chosen.submitted_to:
        end = chosen.submitted_to + dt.timedelta(days=1)
        yield col(Response.submitted_at) < midnight(end, chosen.time_zone)


# ---------------------------------------------------------------- reading plain data

Given = Mapping[str, tuple[str, ...]]
"""Each offered field with the distinct non-blank values sent for it, in order."""


@dataclass(frozen=True)
class Parsed:
    """What `parse` found: the filter, or (then `filter` is None) the problems, at most
    one per field, in the order the fields are offered."""

    filter: Filter | None
    problems: tuple[Problem, ...] = ()


def parse(data: Mapping[str, Sequence[str]], known: Known, fields: Fields = BATCH) -> Parsed:
    """The filter `data` (field name → the strings sent for it) asks for, or its problems.

    Only `fields.names` are read: a page's other fields (a page number, a CSRF token)
    are not filters.
    """
    sent = fields.with_defaults(data)
    given = {name: _values(sent[name]) for name in fields.names}
    for name in fields.defaults:
        if ANY in given[name]:
            given[name] = ()
    problems = _first_per_field(fields.names, _problems(given, known, fields))
    if problems:
        return Parsed(None, problems)
    return Parsed(_build(given, known))


def _values(sent: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value.strip() for value in sent if value.strip()))


def _first_per_field(names: Sequence[str], found: Iterator[Problem]) -> tuple[Problem, ...]:
    """The first problem of each field: one thing to fix next to it, however many junk
    values a hand-made address repeats."""
    first: dict[str, Problem] = {}
    for problem in found:
        first.setdefault(problem.field, problem)
    return tuple(first[name] for name in names if name in first)


Check = Callable[[Given, Known, Fields], Iterator[Problem]]


def _problems(given: Given, known: Known, fields: Fields) -> Iterator[Problem]:
    for check in CHECKS:
        yield from check(given, known, fields)


def _required(given: Given, known: Known, fields: Fields) -> Iterator[Problem]:
    if "questionnaire" in fields.required and not given.get("questionnaire"):
        yield Problem(NO_QUESTIONNAIRE, "questionnaire")


def _one_value(given: Given, known: Known, fields: Fields) -> Iterator[Problem]:
    for name in SINGLE & given.keys():
        if len(given[name]) > 1:
            yield Problem(ONE_VALUE, name)


def _too_long(given: Given, known: Known, fields: Fields) -> Iterator[Problem]:
    for name in ("campaign", "wave"):
        if any(len(value) > MAX_TEXT for value in given.get(name, ())):
            yield Problem(TOO_LONG, name, {"max": str(MAX_TEXT)})


UNKNOWN: dict[str, tuple[str, Callable[[Known], Collection[str]]]] = {
    "questionnaire": (UNKNOWN_QUESTIONNAIRE, lambda known: known.versions.keys()),
    "segment": (UNKNOWN_SEGMENT, lambda known: known.segments),
    "mode": (UNKNOWN_MODE, lambda known: known.modes),
    "status": (UNKNOWN_STATUS, lambda known: known.statuses),
    "flag": (UNKNOWN_FLAG, lambda known: known.flags),
}
"""Fields whose values must be one of a known set: the problem code and that set."""


def _unknown_values(given: Given, known: Known, fields: Fields) -> Iterator[Problem]:
    for name, (code, values_of) in UNKNOWN.items():
        allowed = values_of(known)
        for value in given.get(name, ()):
            if value not in allowed:
                yield Problem(code, name, {"value": _shown(value)})


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_VALUE else value[: SHOWN_VALUE - 1] + "…"


def _unknown_versions(given: Given, known: Known, fields: Fields) -> Iterator[Problem]:
    stored = known.versions.get(_one(given, "questionnaire") or "")
    if stored is None:  # no questionnaire, or an unknown one: that is the problem to fix
        return
    for value in given.get("version", ()):
        if _version(value, stored) is None:
            yield Problem(UNKNOWN_VERSION, "version", {"value": _shown(value)})


def _one(given: Given, name: str) -> str | None:
    """The value of a field that takes one (the first, if a check refuses more)."""
    return next(iter(given.get(name, ())), None)


def _version(text: str, stored: Sequence[str]) -> str | None:
    """The one stored hash `text` is, or is the start of (at least 8 characters)."""
    if len(text) < MIN_VERSION_PREFIX:
        return None
    matches = [h for h in stored if h.startswith(text.lower())]
    return matches[0] if len(matches) == 1 else None


DAY_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(text: str) -> dt.date | str:
    """The day `text` names, or the code of its problem."""
    # NFKC reads the full-width digits and hyphen a Chinese keyboard types as ASCII.
    text = unicodedata.normalize("NFKC", text)
    if not DAY_FORMAT.fullmatch(text):  # fromisoformat also takes 20261122 and 2026-W47
        return NOT_A_DAY
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        return NOT_A_DAY
    return day if FIRST_DAY <= day <= LAST_DAY else DAY_OUT_OF_RANGE


DAY_LIMITS = {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}


def _days(given: Given, known: Known, fields: Fields) -> Iterator[Problem]:
    for name in ("from", "to"):
        for value in given.get(name, ()):
            day = _day(value)
            if isinstance(day, str):
                yield Problem(day, name, DAY_LIMITS if day == DAY_OUT_OF_RANGE else {})


def _day_order(given: Given, known: Known, fields: Fields) -> Iterator[Problem]:
    first, last = _chosen_day(given, "from"), _chosen_day(given, "to")
    if first and last and first > last:
        yield Problem(FROM_AFTER_TO, "from")


def _chosen_day(given: Given, name: str) -> dt.date | None:
    day = _day(_one(given, name) or "")
    return day if isinstance(day, dt.date) else None


CHECKS: tuple[Check, ...] = (
    _required,
    _one_value,
    _too_long,
    _unknown_values,
    _unknown_versions,
    _days,
    _day_order,
)
"""Every check, in order; a field shows the first problem found in it."""


def _build(given: Given, known: Known) -> Filter:
    """The filter of data every check passed."""
    questionnaire_id = _one(given, "questionnaire")
    stored = known.versions.get(questionnaire_id or "", ())
    versions = (_version(text, stored) for text in given.get("version", ()))
    return Filter(
        questionnaire_id=questionnaire_id,
        versions=tuple(dict.fromkeys(v for v in versions if v)),
        campaign=_one(given, "campaign"),
        wave=_one(given, "wave"),
        submitted_from=_chosen_day(given, "from"),
        submitted_to=_chosen_day(given, "to"),
        segments=given.get("segment", ()),
        modes=given.get("mode", ()),
        time_zone=known.time_zone,
        statuses=given.get("status", ()),
        flags=given.get("flag", ()),
    )
