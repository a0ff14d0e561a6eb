"""Straight-lining: the same rating given to a long run of rating questions in a row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from fieldwork.quality.flags import N_, Severity
from fieldwork.quality.layout import Layout
from fieldwork.quality.rules.base import Case, Check, Evidence, Number, Param, Rule


class StraightLining(Rule):
    """Longest run of one value over the rating questions, in questionnaire order.

    Applies only to questionnaires with at least `min_run` rating questions, so a
    short questionnaire answered "5, 5, 5" is not suspected. A special answer
    ("don't know") or an unanswered question breaks the run.
    """

    code = "straight-lining"
    modes = frozenset({"online", "paper"})  # a respondent's ratings, not a checklist's
    severity: ClassVar[Severity] = "review"
    params: ClassVar[Mapping[str, Param]] = {"min_run": Number(8, minimum=2, integer=True)}
    explanation = N_(
        "Gave the same rating, %(value)s, to %(run)s rating questions in a row"
        " (%(first)s to %(last)s)."
    )

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        shortest = params["min_run"]
        codes = layout.ratings
        if len(codes) < shortest:
            return None

        def check(case: Case) -> Evidence | None:
            answers = case.subject.answers
            best, best_start, best_end = 0, 0, 0
            run, start, previous = 0, 0, None
            for position, code in enumerate(codes):
                value = answers.get(code)
                if type(value) is not int:  # unanswered or special: the run breaks
                    run, previous = 0, None
                    continue
                if value == previous:
                    run += 1
                else:
                    run, start, previous = 1, position, value
                if run > best:
                    best, best_start, best_end = run, start, position
            if best < shortest:
                return None
            return {
                "run": best,
                "value": answers[codes[best_start]],
                "first": codes[best_start],
                "last": codes[best_end],
                "min_run": shortest,
            }

        return check
