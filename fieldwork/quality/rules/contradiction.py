"""Contradiction: answers that the questionnaire declares cannot all be true together.

The checks are the questionnaire's own data (`consistency:`, checked by `flask
fieldwork check`) in the language of `show_if`, evaluated by the same conditions.
The rule names the checks a response meets and the answers that meet them; the
review page adds each check's explanation in the reviewer's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from fieldwork.quality.flags import N_, Severity
from fieldwork.quality.layout import Layout
from fieldwork.quality.rules.base import Case, Check, Evidence, Rule


class Contradiction(Rule):
    code = "contradiction"
    # A respondent's answers, typed in from paper or not; a tester's checklist is a log of
    # what a platform did, which may well contradict itself.
    modes = frozenset({"online", "paper"})
    severity: ClassVar[Severity] = "review"
    explanation = N_("Answers that cannot all be true together (%(checks)s): %(answers)s.")

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        declared = layout.consistency
        if not declared:
            return None

        def check(case: Case) -> Evidence | None:
            answers = case.subject.answers
            met = [c for c in declared if c.met(answers)]
            if not met:
                return None
            read = dict.fromkeys(code for c in met for code in c.questions)
            return {
                "checks": tuple(c.code for c in met),
                "answers": tuple(f"{code} = {_shown(answers.get(code))}" for code in read),
            }

        return check


def _shown(answer: Any) -> str:
    """An answer as stored, on one line: a multiple choice's values joined by " + "."""
    if isinstance(answer, list):
        return " + ".join(str(value) for value in answer)
    return "–" if answer is None else str(answer)
