"""Flags explained to reviewers in their language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from fieldwork import quality
from fieldwork.web.labels import MODES

SEVERITY_LABELS = {"reject": _l("reject"), "review": _l("review"), "note": _l("note")}


@dataclass(frozen=True)
class Explained:
    code: str
    severity_label: str
    text: str


def explain_flag(flag: Mapping[str, Any]) -> Explained:
    """A stored flag's code, severity and the rule's sentences, translated."""
    code = str(flag.get("code", ""))
    severity = str(flag.get("severity", ""))
    label = str(SEVERITY_LABELS.get(severity, severity))
    try:
        messages = quality.explain(flag)
        text = " ".join(gettext(message, **_worded(params)) for message, params in messages)
    except (KeyError, ValueError, TypeError):
        # A record from before the rules ran, or written by an older rule whose evidence
        # lacks a parameter its sentence now names: show what it holds, never fail the page.
        evidence = ", ".join(f"{k}={v}" for k, v in flag.items() if k not in ("code", "severity"))
        return Explained(code, label, f"{code} ({evidence})" if evidence else code)
    return Explained(code, label, text)


def _worded(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as a reviewer reads them: a mode by its name, not its code."""
    mode = params.get("mode")
    return {**params, "mode": str(MODES[mode])} if mode in MODES else dict(params)
