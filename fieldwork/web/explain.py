"""Flags explained to reviewers in their language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from fieldwork import quality

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
    try:
        messages = quality.explain(flag)
    except (KeyError, ValueError):  # a record from before the rules ran: show what it holds
        return Explained(code, str(SEVERITY_LABELS.get(severity, severity)), code)
    text = " ".join(gettext(message, **params) for message, params in messages)
    return Explained(code, str(SEVERITY_LABELS.get(severity, severity)), text)
