"""Days typed into the staff filters (review queue, batches): parsed, bounded, refused in
the user's language.

A filter day runs from midnight to midnight in the time zone staff see times in
(`BABEL_DEFAULT_TIMEZONE`), so "from 4 November" takes what the pages show as submitted on
4 November. A day far from any fieldwork (year 1, year 9999) would either overflow that
arithmetic or be a slip of the keyboard, so only days from `FIRST_DAY` to `LAST_DAY` are
taken.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import get_timezone_name
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from fieldwork.web.errors import ClientError

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


def day(value: str | None) -> dt.date | None:
    """The day a filter field gives, None if empty; a ClientError (400) that says what to
    type if it is not a day from FIRST_DAY to LAST_DAY."""
    if not value:
        return None
    try:
        found = dt.date.fromisoformat(value)
    except ValueError:
        raise ClientError(400, _("Enter dates like 2026-11-22.")) from None
    if not FIRST_DAY <= found <= LAST_DAY:
        raise ClientError(
            400,
            _(
                "Enter a date from %(first)s to %(last)s.",
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            ),
        )
    return found


def day_range(start: str | None, end: str | None) -> tuple[dt.date | None, dt.date | None]:
    """Both ends of a "from … until …" filter, refused if the first comes after the last."""
    first, last = day(start), day(end)
    if first and last and first > last:
        raise ClientError(
            400, _("The “Submitted from” date is after the “Submitted until” date: swap them.")
        )
    return first, last


def field_errors(start: str | None, end: str | None, prefix: str) -> list[tuple[str, str]]:
    """(field id, message) for each typed day a filter form cannot take; the fields are
    `prefix` + "from" and "to".

    Days are typed by hand, so a slip is shown next to its field on the form itself,
    with every other choice kept, not on an error page that loses them.
    """
    errors = []
    for key, value in (("from", start), ("to", end)):
        try:
            day(value)
        except ClientError as error:
            errors.append((f"{prefix}{key}", error.detail))
    if not errors:
        try:
            day_range(start, end)
        except ClientError as error:
            errors.append((f"{prefix}from", error.detail))
    return errors


def zone() -> str:
    """The IANA name of the time zone filter days are counted in."""
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def zone_name(key: str | None = None) -> str:
    """A time zone as people call it in their language ("中国时间", "China Time")."""
    key = key or zone()
    return "UTC" if key == "UTC" else get_timezone_name(key, locale=get_locale())
