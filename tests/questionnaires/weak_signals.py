"""Complete answers to weak_signals.yaml: four ratings that differ and a sentence, nothing
to note. `UNIFORM` and `SAYS_NOTHING` are the answers that raise one note each."""

from __future__ import annotations

from tests.questionnaires import Survey

SURVEY = Survey(
    "weak_signals",
    {
        "FAST": {"FAST": "4"},
        "POLITE": {"POLITE": "5"},
        "CLEAR": {"CLEAR": "3"},
        "SOLVED": {"SOLVED": "4"},
        "IMPROVE": {"IMPROVE": "退款再快一点"},
    },
)
UNIFORM = {code: {code: "3"} for code in ("FAST", "POLITE", "CLEAR", "SOLVED")}
"""The same rating four times: a straight-lining note."""
SAYS_NOTHING = {"IMPROVE": {"IMPROVE": "无"}}
"""An open answer that says nothing: an open-empty note."""
