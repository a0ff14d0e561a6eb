"""What every shadow-test page starts from: the test asked for, if the signed-in tester
may touch it, with the definition it was planned against; and the words for why an
event was refused."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from fieldwork import catalog, db, modes
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import events, plans
from fieldwork.shadow.models import ShadowTest
from fieldwork.web.errors import ClientError
from fieldwork.web.staff import current_user

LOGGERS = modes.SHADOW.creators
"""Roles that log tests: testers, and admins trying the logger out on their own tests."""

REFUSED: dict[str, LazyString] = {
    events.MALFORMED: _l("This event could not be read. Log it again."),
    events.UNKNOWN_EVENT: _l("This test has no such event."),
    events.NO_ZONE: _l("This event's time has no time zone. Log it again."),
    events.IN_FUTURE: _l(
        "This event's time is in the future: check the date and time set on your phone."
    ),
    events.BACKWARDS: _l(
        "This event's time is earlier than an event logged before it. Check the time."
    ),
    events.CONFLICT: _l("Another event was logged under the same id: this one was not stored."),
    events.CLOSED: _l("This test is submitted or void: it takes no more events."),
    events.TOO_LONG: _l("Shorten the note to 500 characters or fewer."),
}
"""Why an event was refused, for the tester (`fieldwork.shadow.events`)."""


def own_test(test_id: int) -> tuple[ShadowTest, ShadowDefinition]:
    """The test, if assigned to the signed-in user, and its definition; a 404 otherwise
    (the same for a test that does not exist: numbers cannot be probed)."""
    user = current_user()
    assert user is not None  # the views are role_required
    try:
        test = plans.for_tester(db.session(), test_id, user)
    except plans.NotFound:
        raise ClientError(404, _("There is no such test among yours.")) from None
    definition = catalog.versions().shadow(db.session(), test.version_hash)
    if definition is None:  # a test is planned against a stored shadow definition
        raise ClientError(404, _("This test's definition is not loaded."))
    return test, definition
