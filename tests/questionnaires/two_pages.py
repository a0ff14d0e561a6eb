"""Complete answers to two_pages.yaml: a 35-to-59-year-old without children (segment
general) who phoned and chatted, waited 1 h 15 min and does not know if the rules were
clear."""

from __future__ import annotations

from tests.questionnaires import Survey

SURVEY = Survey(
    "two_pages",
    {
        "AGE": {"AGE": "age_35_59"},
        "KIDS": {"KIDS": "no"},
        "CHANNELS": {"CHANNELS": ["phone", "chat"]},
        "WHEN": {"WHEN-day": "3", "WHEN-month": "9", "WHEN-year": "2026"},
        "WAITED": {"WAITED-hours": "1", "WAITED-minutes": "15"},
        "CALLS": {"CALLS": "2"},
        "R1": {"R1": "4"},
        "R2": {"R2": "2"},
        "R3": {"R3": "_dont_know"},
        "SCORE": {"SCORE": "7"},
        "IMPROVE": {"IMPROVE": "退货更快一点"},
        "STORY": {"STORY": "客服一直让我找商家。\n最后解决了。"},
    },
)
