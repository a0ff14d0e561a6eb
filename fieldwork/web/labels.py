"""Words for codes staff pages show: statuses, reasons, modes, segments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from fieldwork.i18n import text
from fieldwork.web import catalog

MODES = {"online": _l("Online"), "paper": _l("Paper"), "shadow": _l("Shadow test")}
STATUSES = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "on_hold": _l("On hold"),
}
REASONS = {
    "valid": _l("Valid response"),
    "checked-flag-false-alarm": _l("Checked: the flag is a false alarm"),
    "auto-clean": _l("No flags (automatic)"),
    "speeder": _l("Answered too fast"),
    "duplicate": _l("Duplicate"),
    "straight-lining": _l("Same answer everywhere"),
    "impossible-answers": _l("Impossible answers or timings"),
    "junk-text": _l("Junk text"),
    "out-of-scope": _l("Outside the survey's scope"),
    "auto-reject-flag": _l("A reject flag (automatic)"),
    "needs-cross-check": _l("Needs a cross-check with platform data"),
    "ask-supervisor": _l("Ask a supervisor"),
    "reopened": _l("Reopened"),
    "other": _l("Other (see comment)"),
}


def segment_label(code: str) -> str:
    segment = catalog.segment(code)
    return text(segment.label) if segment else code


def template_globals() -> dict[str, object]:
    return {
        "modes": MODES,
        "statuses": STATUSES,
        "reasons": REASONS,
        "segment_label": segment_label,
    }
