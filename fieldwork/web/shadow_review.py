"""What the review page shows of a shadow response: the plan, the timeline, the derived
metrics against their thresholds, the checklist score and the evidence files.

Everything is read from the response's frozen test through `shadow.metrics.of`, as the
quality rules and exports read it, and worded here in the reviewer's language: values
in human units, pass or fail in words (colour only repeats them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext
from flask_babel import ngettext as babel_ngettext

from fieldwork import catalog, db
from fieldwork.accounts.models import StaffUser
from fieldwork.i18n import text
from fieldwork.quality import contacts
from fieldwork.questionnaire.shadow import COUNT, FOLLOWED, INTERVAL, Indicator, ShadowDefinition
from fieldwork.responses.models import Response
from fieldwork.shadow import metrics, timeline
from fieldwork.shadow.models import TYPED
from fieldwork.web.labels import SLOTS, segment_label
from fieldwork.web.shadow_evidence import INLINE


def _(message: str, **params: Any) -> str:
    """gettext, typed: the words go into dataclasses of str."""
    return str(gettext(message, **params))


def ngettext(singular: str, plural: str, num: int) -> str:
    return str(babel_ngettext(singular, plural, num))


@dataclass(frozen=True)
class Row:
    """One event of the timeline as the page lists it."""

    at: dt.datetime
    offset: str
    label: str
    code: str
    note: str | None
    received: dt.datetime | None
    lag: str
    typed: bool


@dataclass(frozen=True)
class Metric:
    name: str
    value: str
    threshold: str
    passed: bool


@dataclass(frozen=True)
class File:
    id: int
    item: str
    media_type: str
    sha256: str
    received: dt.datetime | None
    url: str
    image: bool


def of(found: Response) -> dict[str, Any] | None:
    """What the shadow part of the review page shows, or None for another mode."""
    test = contacts.frozen(found.paradata)
    if found.mode != "shadow" or not test:
        return None
    definition = catalog.versions().shadow(db.session(), found.version_hash)
    if definition is None:
        return None
    scenario = str(test.get("scenario") or found.source.get("scenario") or "")
    channel = found.channel or ""
    shown = metrics.of(definition, scenario, channel, found.paradata, found.answers)
    return {
        "plan": _plan(found, test, definition, scenario),
        "timeline": _timeline(definition, test),
        "metrics": _metrics(definition, scenario, channel, shown.measures),
        "score": _score(definition, shown),
        "contact": duration(shown.contact_seconds) if shown.contact_seconds is not None else "–",
        "evidence": _files(definition, test),
    }


def _plan(
    found: Response, test: Mapping[str, Any], definition: ShadowDefinition, scenario: str
) -> list[tuple[str, str]]:
    platforms = catalog.platforms()
    platform = platforms.platform(found.platform or "")
    channel = platforms.channel(found.channel or "")
    named = definition.scenario(scenario)
    day = test.get("planned_on")
    tester = db.session().get(StaffUser, found.entered_by) if found.entered_by else None
    return [
        (_("Test"), str(test.get("test", "–"))),
        (_("Platform"), text(platform.name) if platform else found.platform or "–"),
        (_("Channel"), text(channel.name) if channel else found.channel or "–"),
        (_("Scenario"), text(named.name) if named else scenario),
        (_("Time slot"), slot_words(str(test.get("slot") or ""))),
        (_("Planned day"), str(day) if day else _("Any day of the wave")),
        (_("Case over several days"), _("Yes") if test.get("spans_days") else _("No")),
        (_("Persona"), segment_label(found.segment)),
        (_("Tester"), tester.username if tester else "–"),
    ]


def slot_words(slot: str) -> str:
    """A slot's name, with the hours `quality.contacts.SLOT_HOURS` reads it by."""
    name = SLOTS.get(slot)
    hours = contacts.SLOT_HOURS.get(slot.partition("_")[2])
    if name is None or hours is None:
        return slot
    between = f"{hours[0]:02d}:00–{hours[1]:02d}:00"
    return _("%(slot)s (%(hours)s)", slot=name, hours=between)


def _timeline(definition: ShadowDefinition, test: Mapping[str, Any]) -> list[Row]:
    logged = contacts.events(test)
    notes = {
        (e.get("sequence"), e.get("code")): e
        for e in test.get("events") or ()
        if isinstance(e, dict)
    }
    rows = []
    for event in logged:
        raw = notes.get((event.sequence, event.code), {})
        kind = definition.event(event.code)
        rows.append(
            Row(
                at=event.at,
                offset="+" + clock_offset((event.at - logged[0].at).total_seconds()),
                label=text(kind.label) if kind else event.code,
                code=event.code,
                note=raw.get("note"),
                received=event.received,
                lag=_lag(event),
                typed=raw.get("entered") == TYPED,
            )
        )
    return rows


def clock_offset(seconds: float) -> str:
    """Seconds as h:mm:ss, days in front when there are any: 1d 2:03:04."""
    whole = round(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    shown = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{days}d {shown}" if days else shown


def _lag(event: contacts.Logged) -> str:
    """How the device's time and the server's receipt compare, in words."""
    if event.received is None:
        return "–"
    seconds = (event.received - event.at).total_seconds()
    if seconds < 0:
        return _("device clock ahead by %(time)s", time=duration(-seconds))
    return _("received %(time)s later", time=duration(seconds))


def duration(seconds: float) -> str:
    """A length of time in the largest two units that say it: 45 s, 12 min 5 s, 2 h 5 min,
    3 d 4 h."""
    whole = round(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h", days=days, hours=hours)
    if hours:
        return _("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)
    if minutes:
        return _("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=secs)
    return _("%(seconds)s s", seconds=secs)


def _metrics(
    definition: ShadowDefinition,
    scenario: str,
    channel: str,
    measures: tuple[timeline.Measure, ...],
) -> list[Metric]:
    indicators = {i.code: i for i in definition.indicators_for(scenario, channel)}
    return [
        Metric(
            name=text(indicators[m.code].name),
            value=_value(indicators[m.code], m),
            threshold=_threshold(indicators[m.code]),
            passed=m.passed,
        )
        for m in measures
        if m.code in indicators
    ]


def _value(indicator: Indicator, measure: timeline.Measure) -> str:
    if indicator.measure == INTERVAL:
        return _("never reached") if measure.value is None else duration(measure.value)
    if indicator.measure == COUNT:
        count = int(measure.value or 0)
        return ngettext("%(num)s time", "%(num)s times", count)
    if indicator.measure == FOLLOWED:
        return _(
            "%(followed)s of %(times)s", followed=int(measure.value or 0), times=measure.of or 0
        )
    return _("happened") if measure.value else _("did not happen")


def _threshold(indicator: Indicator) -> str:
    if indicator.measure == INTERVAL:
        return _("at most %(time)s", time=duration(indicator.limit or 0))
    if indicator.measure == COUNT:
        limit = int(indicator.limit or 0)
        return ngettext("at most %(num)s time", "at most %(num)s times", limit)
    if indicator.measure == FOLLOWED:
        return _("every time")
    return _("must happen")


def _score(definition: ShadowDefinition, shown: metrics.Shown) -> dict[str, Any]:
    items = {item.code: text(item.text) for item in definition.items}
    score = shown.score
    return {
        "points": score.points,
        "capped": score.capped,
        "cap": definition.cap,
        "failed": [items.get(code, code) for code in score.failed_critical],
    }


def _files(definition: ShadowDefinition, test: Mapping[str, Any]) -> list[File]:
    items = {item.code: text(item.text) for item in definition.items}
    found = []
    for raw in test.get("evidence") or ():
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), int):
            continue
        item = raw.get("item")
        media_type = str(raw.get("type") or "")
        found.append(
            File(
                id=raw["id"],
                item=items.get(str(item), str(item)) if item else _("the whole test"),
                media_type=media_type,
                sha256=str(raw.get("sha256") or ""),
                received=contacts.moment(raw.get("received")),
                url=url_for("shadow_evidence.file", evidence_id=raw["id"]),
                image=media_type in INLINE,
            )
        )
    return found
