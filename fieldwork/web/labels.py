"""Words for codes staff pages show: statuses, reasons, modes, segments, flags, roles.

A reviewer reads these in their language; a code shown as it is stored (`speeder`,
`answers`, `reviewer`) is English jargon on a Chinese page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from fieldwork import catalog
from fieldwork.i18n import text
from fieldwork.web import staff_filters

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
    "random-answers": _l("Answered at random"),
    "impossible-answers": _l("Impossible answers or timings"),
    "junk-text": _l("Junk text"),
    "out-of-scope": _l("Outside the survey's scope"),
    "auto-reject-flag": _l("A reject flag (automatic)"),
    "needs-cross-check": _l("Needs a cross-check with platform data"),
    "ask-supervisor": _l("Ask a supervisor"),
    "reopened": _l("Reopened"),
    "other": _l("Other (see comment)"),
}

FLAGS = {
    "speeder": _l("Answered too fast"),
    "impossible-paradata": _l("Impossible timings"),
    "not-walked": _l("Sent without walking the pages"),
    "duplicate-ip": _l("Same network address"),
    "duplicate-answers": _l("Same or nearly the same answers from one address"),
    "click-farm": _l("Nearly the same answers from many addresses"),
    "straight-lining": _l("Same rating in a row"),
    "answer-pattern": _l("Ratings in a pattern"),
    "random-answering": _l("Ratings that do not hang together"),
    "segment-conflict": _l("Segment conflict"),
    "contradiction": _l("Answers that contradict each other"),
    "open-same-text": _l("Same text in every open answer"),
    "open-mash": _l("Keyboard mash in an open answer"),
    "open-empty": _l("Empty open answers"),
    "shadow-timeline": _l("Impossible shadow-test timeline"),
    "shadow-evidence-missing": _l("Checklist answers without evidence"),
    "shadow-evidence-reused": _l("Evidence file from another test"),
    "shadow-contacts-overlap": _l("Tester in two contacts at once"),
    "combined-evidence": _l("Several notes together"),
    "rules-not-applied": _l("Rules not applied"),
}
ROLES = {
    "admin": _l("administrator"),
    "reviewer": _l("reviewer"),
    "fieldworker": _l("fieldworker"),
    "tester": _l("tester"),
}
SEGMENT_SOURCES = {
    "link": _l("from the invitation link"),
    "answers": _l("from the answers"),
    "staff": _l("assigned by staff"),
}
AUDIT_ACTIONS = {
    "flags": _l("Flags"),
    "status": _l("Status"),
    "edit": _l("Answers edited"),
    "thresholds": _l("Rule thresholds"),
    "sheet-issued": _l("Sheet issued"),
    "sheet-void": _l("Sheet made void"),
    "sheet-keyed": _l("Sheet typed in"),
    "sheet-reconciled": _l("Sheet stored as a response"),
}
ACTORS = {"system": _l("Automatic"), "command-line": _l("From the command line")}
TEXT_SIZES = {
    "standard": _l("Standard text"),
    "large": _l("Large text"),
    "x-large": _l("Extra large text"),
}
CONTRASTS = {"high": _l("High contrast"), "standard": _l("Standard contrast")}
SLOTS = {
    "weekday_morning": _l("Weekday morning"),
    "weekday_afternoon": _l("Weekday afternoon"),
    "weekday_evening": _l("Weekday evening"),
    "weekday_night": _l("Weekday night"),
    "weekend_morning": _l("Weekend morning"),
    "weekend_afternoon": _l("Weekend afternoon"),
    "weekend_evening": _l("Weekend evening"),
    "weekend_night": _l("Weekend night"),
}
"""A shadow test's time slots (`shadow.models.SLOTS`, in that order), as staff read them."""
LANGUAGE_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}
"""Each language in its own words, as the language menu shows them."""


def flag_label(code: str) -> str:
    return str(FLAGS.get(code, code))


def segment_label(code: str) -> str:
    segment = catalog.segment(code)
    return text(segment.label) if segment else code


def template_globals() -> dict[str, object]:
    return {
        "modes": MODES,
        "statuses": STATUSES,
        "reasons": REASONS,
        "segment_label": segment_label,
        "flag_label": flag_label,
        "roles": ROLES,
        "segment_sources": SEGMENT_SOURCES,
        "audit_actions": AUDIT_ACTIONS,
        "actors": ACTORS,
        "text_sizes": TEXT_SIZES,
        "contrasts": CONTRASTS,
        "language_names": LANGUAGE_NAMES,
        "zone_name": staff_filters.zone_name,
        "time_zone": staff_filters.zone,
    }
