"""Complete answers to one_date.yaml: the 5th of November 2026."""

from __future__ import annotations

from tests.questionnaires import Survey

SURVEY = Survey(
    "one_date",
    {"CONTACT": {"CONTACT-year": "2026", "CONTACT-month": "11", "CONTACT-day": "5"}},
)
