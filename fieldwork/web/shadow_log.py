"""The tester's event logger: the page of large buttons, and what its script and its
offline queue send (`POST …/events`, JSON).

A request carries new events (each with the device's id, sequence and time) and the ids
of events to undo; the answer says which were stored, which were stored before, which
were refused and why, and gives the timeline as it now stands, so the page shows what
the server holds.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from fieldwork import db
from fieldwork.i18n import text
from fieldwork.quality.subjects import as_utc
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import events
from fieldwork.shadow.models import ShadowTest
from fieldwork.web.errors import ClientError
from fieldwork.web.shadow_tests import LOGGERS, REFUSED, own_test
from fieldwork.web.staff import role_required

bp = Blueprint("shadow_log", __name__, url_prefix="/staff/shadow")


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
        timeline=timeline_of(test, definition),
    )


def timeline_of(test: ShadowTest, definition: ShadowDefinition) -> list[dict[str, Any]]:
    """The test's timeline as the page shows it: each event's id, code, label in the
    page's language, device time (ISO 8601, UTC) and note."""
    shown = []
    for event in events.live(db.session(), test):
        found = definition.event(event.code)
        shown.append(
            {
                "id": event.event_id,
                "code": event.code,
                "label": text(found.label) if found else event.code,
                "at": as_utc(event.device_at).isoformat(),
                "note": event.note,
            }
        )
    return shown
