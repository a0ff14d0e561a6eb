"""Complete answers to ratings.yaml: someone fairly satisfied who contacted customer service."""

from __future__ import annotations

from tests.questionnaires import Survey

SURVEY = Survey(
    "ratings",
    {
        "CONTACTED": {"CONTACTED": "yes"},
        "R1": {"R1": "4"},
        "R2": {"R2": "4"},
        "R3": {"R3": "_dont_know"},
        "R4": {"R4": "5"},
        "R5": {"R5": "4"},
        "R6": {"R6": "3"},
        "SCORE": {"SCORE": "8"},
        "NOTE": {"NOTE": "退款很快，客服态度也好。"},
    },
)
