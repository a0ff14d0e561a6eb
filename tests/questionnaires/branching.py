"""Complete answers to branching.yaml: a phone call that did not solve
the problem, with both texts written."""

from __future__ import annotations

from tests.questionnaires import Survey

SURVEY = Survey(
    "branching",
    {
        "USED": {"USED": "yes"},
        "HOW": {"HOW": "phone"},
        "WAIT": {"WAIT-hours": "0", "WAIT-minutes": "20"},
        "SOLVED": {"SOLVED": "no"},
        "WHY": {"WHY": "没人管"},
        "RATE": {"RATE": "2"},
        "NOTE": {"NOTE": "希望快一点"},
        "MORE": {"MORE": "谢谢"},
    },
)
