"""Complete answers to units.yaml: a call of 45 minutes and a refund of 120 yuan."""

from __future__ import annotations

from tests.questionnaires import Survey

SURVEY = Survey(
    "units",
    {
        "CALL": {"CALL-hours": "0", "CALL-minutes": "45"},
        "REFUND": {"REFUND": "120"},
    },
)
