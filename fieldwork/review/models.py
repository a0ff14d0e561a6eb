"""What a review decision may say: the reason codes each status takes."""

from __future__ import annotations

from fieldwork.responses.models import APPROVED, ON_HOLD, PENDING, REJECTED

REASONS = {
    APPROVED: ("valid", "checked-flag-false-alarm", "auto-clean"),
    REJECTED: (
        "speeder",
        "duplicate",
        "straight-lining",
        "random-answers",
        "impossible-answers",
        "junk-text",
        "out-of-scope",
        "auto-reject-flag",
        "other",
    ),
    ON_HOLD: ("needs-cross-check", "ask-supervisor", "other"),
    PENDING: ("reopened",),
}
"""Reason codes a decision may give, by the status it sets."""
