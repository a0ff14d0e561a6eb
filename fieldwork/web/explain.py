"""Flags explained to reviewers in their language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

SEVERITIES = {"reject": _l("reject"), "review": _l("review"), "note": _l("note")}
SEGMENT_CONFLICT = _l(
    "The invitation link was for “%(link)s”, but the answers point to “%(answers)s”."
)


@dataclass(frozen=True)
class Explained:
    code: str
    severity_label: str
    text: str


def explain_flag(flag: Mapping[str, Any]) -> Explained:
    """A flag's code, severity and sentence. Rules' sentences are catalog entries."""
    from fieldwork.quality import RULES  # the pure registry; imported late to keep web light

    code = str(flag.get("code", ""))
    params = {k: v for k, v in flag.items() if k not in ("code", "severity")}
    rule = RULES.get(code)
    template = (
        gettext(rule.explanation)
        if rule
        else str(SEGMENT_CONFLICT)
        if code == "segment-conflict"
        else code
    )
    try:
        sentence = template % params if params else template
    except (KeyError, TypeError, ValueError):
        sentence = template
    severity = str(flag.get("severity") or (rule.severity if rule else "review"))
    return Explained(code, str(SEVERITIES.get(severity, severity)), sentence)
