"""The tester's event logger: the page of large buttons, the forms it keeps for a phone
without a script, what its script and its offline queue send (`POST …/events`, JSON),
and the service worker that keeps the page on the phone.

A JSON request carries new events (each with the device's id, sequence and time) and
the ids of events to undo; the answer says which were stored, which were stored before,
which were refused and why, and gives the timeline as it now stands, so the page shows
what the server holds.

Without a script the same page still logs: each button posts its event, stamped with
the server's time; a second form takes an event with a typed date and time (in the
app's time zone, which the page names); "undo last" posts too. Each redirects back to
the page (post/redirect/get), or shows the page again with what went wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import LazyString, format_date, format_time, ngettext, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from fieldwork import catalog, clock, db
from fieldwork.config import ROOT
from fieldwork.i18n import date_entry, text
from fieldwork.quality.subjects import as_utc
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import events, hand_entry
from fieldwork.shadow.models import LOGGING, PLANNED, TAP, TYPED, ShadowEvent, ShadowTest
from fieldwork.web import labels
from fieldwork.web.errors import ClientError
from fieldwork.web.labels import segment_label
from fieldwork.web.redirects import see_other
from fieldwork.web.shadow_tests import LOGGERS, REFUSED, own_test
from fieldwork.web.staff import role_required
from fieldwork.web.staff_filters import zone_name

bp = Blueprint("shadow_log", __name__, url_prefix="/staff/shadow")

SERVICE_WORKER = ROOT / "static" / "js" / "shadow-sw.js"
TYPED_PROBLEMS: Mapping[str, LazyString] = {
    hand_entry.EVENT_MISSING: _l("Choose the event that happened."),
    hand_entry.DATE_INVALID: _l("Enter a real date: year, month and day in numbers."),
    hand_entry.TIME_INVALID: _l(
        "Enter a real time of day: hours from 0 to 23, minutes and seconds from 0 to 59."
    ),
}
"""Why a typed-in event could not be read (`fieldwork.shadow.hand_entry`)."""
REFUSED_FIELD = {
    events.UNKNOWN_EVENT: "event",
    events.IN_FUTURE: "date",
    events.BACKWARDS: "date",
    events.TOO_LONG: "note",
}
"""Which field of a form a refusal is about; any other refusal points at the event."""
SHOWN_NOTE = 2 * events.NOTE_LENGTH
"""The most of a refused note shown again to shorten: a pasted page is not echoed whole."""


# ---------------------------------------------------------------- the page


@bp.get("/tests/<int:test_id>/log")
@role_required(*LOGGERS)
def page(test_id: int) -> tuple[str, int]:
    test, definition = own_test(test_id)
    return _render(test, definition)


def _render(
    test: ShadowTest,
    definition: ShadowDefinition,
    errors: Sequence[tuple[str, str]] = (),
    typed: Mapping[str, str] | None = None,
    tap_note: str = "",
    status: int = 200,
) -> tuple[str, int]:
    """The logger: the test, its buttons and forms, its timeline so far."""
    timeline = timeline_of(test, definition)
    page_ = render_template(
        "shadow/log.html",
        test=test,
        about=_about(test, definition),
        buttons=[(event.code, text(event.label)) for event in definition.events],
        open=test.state in (PLANNED, LOGGING),
        days=_days(timeline),
        timeline=timeline,
        notice=_notice(test, definition, timeline),
        errors=list(errors),
        typed=typed if typed is not None else _now_typed(),
        tap_note=tap_note,
        zone=zone_name(),
        zone_key=current_app.config["BABEL_DEFAULT_TIMEZONE"],
        date_order=date_entry().order,
        date_example=" ".join(_EXAMPLE[part] for part in date_entry().order),
        next_sequence=hand_entry.next_sequence(db.session(), test),
        served_at=clock.now().isoformat(),
        words=_script_words(),
    )
    return page_, status


def _about(test: ShadowTest, definition: ShadowDefinition) -> list[tuple[str, str]]:
    """What the tester is to do, in their language: platform, channel, scenario, slot and
    the persona they play."""
    platforms = catalog.platforms()
    platform, channel = platforms.platform(test.platform), platforms.channel(test.channel)
    scenario = definition.scenario(test.scenario)
    about = [
        (_("Platform"), text(platform.name) if platform else test.platform),
        (_("Channel"), text(channel.name) if channel else test.channel),
        (_("Scenario"), text(scenario.name) if scenario else test.scenario),
        (_("Time slot"), str(labels.SLOTS.get(test.slot, test.slot))),
        (_("Persona"), segment_label(test.segment) if test.segment else _("None given")),
    ]
    if test.planned_on is not None:
        about.append((_("Planned for"), format_date(test.planned_on, "full")))
    return about


def _days(timeline: Sequence[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The timeline cut into days of the app's time zone, each under its date."""
    return [(day, list(rows)) for day, rows in groupby(timeline, key=lambda row: row["day"])]


def _notice(
    test: ShadowTest, definition: ShadowDefinition, timeline: Sequence[dict[str, Any]]
) -> str:
    """What the last form did, from the address it sent the tester to: only for an event
    of this test, so a made-up link cannot put words on the page."""
    logged, undone = request.args.get("logged"), request.args.get("undone")
    if logged:
        row = next((row for row in timeline if row["id"] == logged), None)
        return (
            _("Logged: %(event)s at %(time)s.", event=row["label"], time=row["time"]) if row else ""
        )
    if undone:
        found = next((e for e in events.recorded(db.session(), test) if e.event_id == undone), None)
        if found is not None and found.undone_at is not None:
            [row] = _rows([found], definition)
            return str(_("Undone: %(event)s at %(time)s.", event=row["label"], time=row["time"]))
    return ""


def _now_typed() -> dict[str, str]:
    """The typed-in form's boxes as first shown: today's date and the time now, in the
    app's time zone, which the tester changes to when the event happened."""
    moment = clock.now().astimezone(_zone())
    return {
        "year": str(moment.year),
        "month": str(moment.month),
        "day": str(moment.day),
        "hour": str(moment.hour),
        "minute": f"{moment.minute:02d}",
        "second": "",
        "event": "",
        "note": "",
    }


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _counted(n: int) -> dict[str, str]:
    """The script's words that count events, for `n` of them."""
    return {
        "offline": ngettext(
            "Offline — %(num)s event waiting, it will be sent when the connection returns.",
            "Offline — %(num)s events waiting, they will be sent when the connection returns.",
            n,
        ),
        "sending": ngettext("Sending %(num)s event…", "Sending %(num)s events…", n),
        "retry": ngettext(
            "%(num)s event waiting: the server did not take it. It will be sent again.",
            "%(num)s events waiting: the server did not take them. They will be sent again.",
            n,
        ),
        "refused": ngettext(
            "%(num)s event was not stored: see the timeline.",
            "%(num)s events were not stored: see the timeline.",
            n,
        ),
    }


def _script_words() -> dict[str, str]:
    """What the page's script says, in the page's language; %(count)s is filled in by it.
    Each count has its one and its many form."""
    words = {
        f"{key}_{form}": said.replace(str(n), "%(count)s")
        for form, n in (("one", 1), ("many", 7))
        for key, said in _counted(n).items()
    }
    words.update(
        all_sent=_("All events sent."),
        waiting=_("waiting to send"),
        not_stored=_("not stored:"),
        remove=_("Remove from the timeline"),
        removed=_("The event that was not stored is removed from this phone."),
        nothing_to_undo=_("Nothing to undo."),
        undone=_("Undone: %(event)s."),
        logged=_("Logged: %(event)s."),
        signed_out=_(
            "You are signed out. Sign in again, then open this page again: the waiting "
            "events stay on this phone until they are sent."
        ),
        empty=_("No events yet."),
    )
    return words


# ---------------------------------------------------------------- forms without a script


@bp.post("/tests/<int:test_id>/log/tap")
@role_required(*LOGGERS)
def tap(test_id: int) -> Any:
    """A button of the page pressed without the script: the event happened now."""
    test, definition = own_test(test_id)
    note = _note(request.form.get("note"))
    code = request.form.get("code", "")[:64]
    raw = hand_entry.raw_event(db.session(), test, code, clock.now(), note)
    refused = _log(test, definition, raw, TAP)
    if refused is not None:
        field = "tap-note" if refused == events.TOO_LONG else _first_button(definition)
        problem = (field, str(REFUSED[refused]))
        return _render(test, definition, [problem], tap_note=_shown(note), status=422)
    return see_other(url_for(".page", test_id=test_id, logged=raw["id"]) + "#timeline")


@bp.post("/tests/<int:test_id>/log/typed")
@role_required(*LOGGERS)
def typed(test_id: int) -> Any:
    """An event typed in with the date and time it happened."""
    test, definition = own_test(test_id)
    fields = {name: request.form.get(name, "") for name in _TYPED_FIELDS}
    shown = {name: value[: hand_entry.TYPED_LIMIT] for name, value in fields.items()}
    shown["note"] = _shown(fields["note"])
    ids = _typed_ids()
    if not fields["event"]:
        problem = (ids["event"], str(TYPED_PROBLEMS[hand_entry.EVENT_MISSING]))
        return _render(test, definition, [problem], typed=shown, status=422)
    moment = hand_entry.typed_time(fields, _zone())
    if isinstance(moment, hand_entry.Problem):
        problem = (ids[moment.field], str(TYPED_PROBLEMS[moment.code]))
        return _render(test, definition, [problem], typed=shown, status=422)
    raw = hand_entry.raw_event(db.session(), test, fields["event"], moment, _note(fields["note"]))
    refused = _log(test, definition, raw, TYPED)
    if refused is not None:
        problem = (ids[REFUSED_FIELD.get(refused, "event")], str(REFUSED[refused]))
        return _render(test, definition, [problem], typed=shown, status=422)
    return see_other(url_for(".page", test_id=test_id, logged=raw["id"]) + "#timeline")


_EXAMPLE = {"year": "2026", "month": "11", "day": "3"}
"""A date to show how the boxes are filled in, in the language's order."""
_TYPED_FIELDS = ("event", *hand_entry.DATE_FIELDS, *hand_entry.TIME_FIELDS, "note")


def _typed_ids() -> dict[str, str]:
    """The field each problem of the typed-in form leads to: a date's to its first box."""
    return {
        "event": "typed-event",
        "date": f"typed-{date_entry().first}",
        "time": "typed-hour",
        "note": "typed-note",
    }


def _first_button(definition: ShadowDefinition) -> str:
    return f"event-{definition.events[0].code}" if definition.events else "tap-note"


def _note(typed: str | None) -> str | None:
    return (typed or "").strip() or None


def _shown(note: str | None) -> str:
    return (note or "")[:SHOWN_NOTE]


def _log(
    test: ShadowTest, definition: ShadowDefinition, raw: dict[str, Any], entered: str
) -> str | None:
    """Store one server-made event; why it was refused, or None once stored."""
    logged = events.log(db.session(), test, definition, [events.read(raw, entered)])
    return logged.refused[0].reason if logged.refused else None


@bp.post("/tests/<int:test_id>/log/undo")
@role_required(*LOGGERS)
def undo(test_id: int) -> Any:
    """Take back the latest event of the timeline; it stays on record, marked undone."""
    test, definition = own_test(test_id)
    last = hand_entry.last_live(db.session(), test)
    if last is None:
        return _render(test, definition, [("undo", _("There is no event to undo."))], status=422)
    logged = events.log(db.session(), test, definition, [], [last.event_id])
    if not logged.undone:
        problem = ("undo", str(REFUSED[events.CLOSED]))
        return _render(test, definition, [problem], status=422)
    return see_other(url_for(".page", test_id=test_id, undone=last.event_id) + "#timeline")


# ---------------------------------------------------------------- the script's queue


@bp.post("/tests/<int:test_id>/events")
@role_required(*LOGGERS)
def post_events(test_id: int) -> Response:
    test, definition = own_test(test_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ClientError(400, _("Send a JSON object with events and undo."))
    raw, undo = body.get("events") or [], body.get("undo") or []
    if not isinstance(raw, list) or not isinstance(undo, list):
        raise ClientError(400, _("Events and undo must be lists."))
    if len(raw) + len(undo) > events.MAX_BATCH:
        raise ClientError(
            413, _("Send at most %(count)s events at a time.", count=events.MAX_BATCH)
        )
    incoming = [
        events.read(each) if isinstance(each, dict) else events.Refused("", events.MALFORMED)
        for each in raw
    ]
    logged = events.log(
        db.session(), test, definition, incoming, [str(u)[:36] for u in undo if isinstance(u, str)]
    )
    return jsonify(
        stored=logged.stored,
        already=logged.already,
        refused=[
            {"id": r.event_id, "reason": r.reason, "message": str(REFUSED[r.reason])}
            for r in logged.refused
        ],
        undone=logged.undone,
        timeline=_rows(logged.timeline, definition),
        served_at=clock.now().isoformat(),
    )


def timeline_of(test: ShadowTest, definition: ShadowDefinition) -> list[dict[str, Any]]:
    """The test's timeline as the page shows it: each event's id, sequence, code, label in
    the page's language, device time (ISO 8601, UTC), its day and time of day in the
    app's time zone, and its note."""
    return _rows(events.live(db.session(), test), definition)


def _rows(
    logged: Sequence[ShadowEvent | events.Known], definition: ShadowDefinition
) -> list[dict[str, Any]]:
    days: dict[dt.date, str] = {}  # a timeline spans a day or a few: word each once
    rows = []
    for event in logged:
        found = definition.event(event.code)
        at = as_utc(event.device_at)
        local = to_user_timezone(at)
        if local.date() not in days:
            days[local.date()] = format_date(at, "full")
        rows.append(
            {
                "id": event.event_id,
                "sequence": event.sequence,
                "code": event.code,
                "label": text(found.label) if found else event.code,
                "at": at.isoformat(),
                "day": days[local.date()],
                "time": format_time(at, "medium"),
                "note": event.note,
            }
        )
    return rows


# ---------------------------------------------------------------- the service worker


@bp.get("/sw.js")
def service_worker() -> Response:
    """The logger's service worker, served from under /staff/shadow/ so that its scope
    covers the logger pages (a worker's scope is its script's folder at most)."""
    sent = send_file(SERVICE_WORKER, mimetype="application/javascript", max_age=0)
    sent.headers["Cache-Control"] = "no-cache"
    return sent
