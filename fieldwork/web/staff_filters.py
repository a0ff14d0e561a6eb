"""Staff filters on the web (review queue, batches): the time zone their days are counted
in, and what `responses.filters` finds wrong with them, in the user's language.

The filters themselves are read and checked in `fieldwork.responses.filters`, the same for
every page and for the command line.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.dates import get_timezone_name
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from fieldwork.responses.filters import Problem


def field_errors(problems: Sequence[Problem], prefix: str) -> list[tuple[str, str]]:
    """(field id, message) for each problem, the field ids being `prefix` + the field's name.

    Filters are chosen and typed by hand, so a slip is shown next to its field on the form
    itself, with every other choice kept, not on an error page that loses them.
    """
    return [(f"{prefix}{problem.field}", problem.words(_)) for problem in problems]


def zone() -> str:
    """The IANA name of the time zone filter days are counted in."""
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def zone_name(key: str | None = None) -> str:
    """A time zone as people call it in their language ("中国时间", "China Time")."""
    key = key or zone()
    return "UTC" if key == "UTC" else get_timezone_name(key, locale=get_locale())
