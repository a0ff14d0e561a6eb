"""Rules on duplicates: the same network address, or the same answers from it, again.

Only a later response is flagged: the first one from an address stays clean,
so a household's first answer survives while its copies are caught.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

from fieldwork.quality.flags import N_, Severity
from fieldwork.quality.layout import Layout
from fieldwork.quality.rules.base import Case, Check, Evidence, Number, Param, Rule


class DuplicateIp(Rule):
    """The same keyed IP hash as an earlier response of the questionnaire, within a window."""

    code = "duplicate-ip"
    modes = frozenset({"online"})  # only an online response has a network address
    severity: ClassVar[Severity] = "review"
    params: ClassVar[Mapping[str, Param]] = {"window_hours": Number(24)}
    explanation = N_(
        "Sent from the same network address as response %(earlier)s, %(minutes)s minutes"
        " after it (%(count)s earlier responses from that address within %(window_hours)s hours)."
    )

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check:
        window = dt.timedelta(hours=params["window_hours"])
        hours = params["window_hours"]

        def check(case: Case) -> Evidence | None:
            latest = case.neighbours.same_ip_latest
            if case.subject.ip_hash is None or latest is None:
                return None
            gap = case.subject.submitted_at - latest.submitted_at
            if gap > window:  # whoever filled the neighbours used a wider window
                return None
            return {
                "earlier": latest.id,
                "minutes": round(gap / dt.timedelta(minutes=1), 1),
                "count": max(case.neighbours.same_ip_count, 1),
                "window_hours": hours,
            }

        return check


class DuplicateAnswers(Rule):
    """Identical answers to every closed question, from the IP hash of an earlier response."""

    code = "duplicate-answers"
    modes = frozenset({"online"})
    severity: ClassVar[Severity] = "reject"
    explanation = N_(
        "Gave the same answers to every closed question as response %(earlier)s,"
        " from the same network address."
    )

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        if not layout.closed:
            return None

        def check(case: Case) -> Evidence | None:
            first = case.neighbours.same_answers_first
            if case.subject.ip_hash is None or first is None:
                return None
            return {"earlier": first}

        return check
