"""Segment conflict: the invitation link's segment contradicts the answers.

The response service records the conflict at submit and keeps the link's
segment (a conflict is kept and flagged, never overwritten); this
rule turns that record into a flag a reviewer decides on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from fieldwork.quality.flags import N_, Severity, Value
from fieldwork.quality.layout import Layout
from fieldwork.quality.rules.base import Case, Check, Evidence, Rule


class SegmentConflict(Rule):
    code = "segment-conflict"
    modes = frozenset({"online", "paper"})  # a checklist's segment is the tester's persona
    severity: ClassVar[Severity] = "review"
    explanation = N_(
        "Invited through the link for the %(link)s segment, but the answers describe"
        " the %(answers)s segment."
    )
    # A preset that came from elsewhere than a link names its source (`reasons`); the
    # evidence keeps the name "link" for the preset, as flags stored before did.
    reasons: ClassVar[Mapping[str, str]] = {
        "sheet": N_(
            "The paper sheet was for the %(link)s segment, but the answers describe"
            " the %(answers)s segment."
        ),
        "staff": N_(
            "Staff assigned the %(link)s segment, but the answers describe the %(answers)s segment."
        ),
    }

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check:
        def check(case: Case) -> Evidence | None:
            # The record from submit, or the flag an earlier evaluation stored in its place:
            # both carry "link" and "answers", so re-evaluating stored flags changes nothing.
            for entry in case.subject.recorded:
                if entry.get("code") == self.code:
                    evidence = {
                        "link": _scalar(entry.get("link")),
                        "answers": _scalar(entry.get("answers")),
                    }
                    source = entry.get("source")
                    if isinstance(source, str):  # a sheet's or staff's preset, not a link's
                        evidence["source"] = source
                        evidence["reasons"] = (source,)
                    return evidence
            return None

        return check


def _scalar(value: Any) -> Value:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)
