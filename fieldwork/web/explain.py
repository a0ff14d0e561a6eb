"""Flags explained to reviewers in their language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from fieldwork import i18n, quality
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.web.labels import MODES, flag_label

SEVERITY_LABELS = {"reject": _l("reject"), "review": _l("review"), "note": _l("note")}


@dataclass(frozen=True)
class Explained:
    code: str
    severity_label: str
    text: str


IN_QUESTIONNAIRE_ORDER = ("pages", "questions")
"""Evidence that lists questions or pages: shown in the questionnaire's order, as staff
read the questionnaire, whatever order a rule stored them in (pages sorted as text put
Q10 before Q2)."""


def explain_flag(
    flag: Mapping[str, Any],
    order: Mapping[str, int] | None = None,
    declared: Mapping[str, str] | None = None,
) -> Explained:
    """A stored flag's code, severity and the rule's sentences, translated; the questions
    and pages it names in the order `order` gives them places (code → place), if given;
    then, for each consistency check it names, the questionnaire's own explanation from
    `declared` (see `declared_checks`)."""
    if order is not None:
        flag = _ordered(flag, order)
    flag = _rules_named(flag)
    code = str(flag.get("code", ""))
    severity = str(flag.get("severity", ""))
    label = str(SEVERITY_LABELS.get(severity, severity))
    try:
        messages = quality.explain(flag)
        sentences = [gettext(message, **_worded(params)) for message, params in messages]
        text = " ".join(sentences + _said(flag, declared or {}))
    except (KeyError, ValueError, TypeError):
        # A record from before the rules ran, or written by an older rule whose evidence
        # lacks a parameter its sentence now names: show what it holds, never fail the page.
        evidence = ", ".join(f"{k}={v}" for k, v in flag.items() if k not in ("code", "severity"))
        return Explained(code, label, f"{code} ({evidence})" if evidence else code)
    return Explained(code, label, text)


def declared_checks(questionnaire: Questionnaire) -> dict[str, str]:
    """Each consistency check's explanation in the reader's language, by code.

    A contradiction flag names its checks; what each means is questionnaire wording,
    written per language in the definition, not a UI string the catalogs translate.
    """
    return {
        check.code: i18n.text(check.explanation, questionnaire.languages)
        for check in questionnaire.consistency
    }


def _said(flag: Mapping[str, Any], declared: Mapping[str, str]) -> list[str]:
    """The explanations of the checks a flag names, those its version still declares."""
    named = flag.get("checks")
    if not isinstance(named, Sequence) or isinstance(named, str):
        return []
    return [declared[code] for code in named if isinstance(code, str) and code in declared]


def places(questionnaire: Questionnaire) -> dict[str, int]:
    """Where each question, and each section, comes in the questionnaire (a page is named
    by its first question's code, or by its section's in older paradata)."""
    found: dict[str, int] = {}
    for place, question in enumerate(questionnaire.questions):
        found.setdefault(question.code, place)
        found.setdefault(question.section, place)
    return found


def in_order(codes: Iterable[Any], order: Mapping[str, int]) -> list[Any]:
    """Questions or pages in questionnaire order; a name the questionnaire does not know
    (a question since removed) goes last."""
    return sorted(codes, key=lambda code: (order.get(str(code), len(order)), str(code)))


def _ordered(flag: Mapping[str, Any], order: Mapping[str, int]) -> dict[str, Any]:
    """The flag with the lists of questions and pages it names in questionnaire order."""
    ordered = dict(flag)
    for key in IN_QUESTIONNAIRE_ORDER:
        codes = flag.get(key)
        if isinstance(codes, Sequence) and not isinstance(codes, str):
            ordered[key] = in_order(codes, order)
    return ordered


def _rules_named(flag: Mapping[str, Any]) -> Mapping[str, Any]:
    """The flag with the rules it names (the notes combined, the rules not applied) by
    their labels, listed as the reviewer's language lists things ("A, B, and C", "A、B和C"):
    a code such as `open-empty` is jargon."""
    rules = flag.get("rules")
    if not isinstance(rules, Sequence) or isinstance(rules, str):
        return flag
    named = [flag_label(str(code)) for code in rules]
    return {**flag, "rules": format_list(named, locale=get_locale() or "en")}


def _worded(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as a reviewer reads them: a mode by its name, not its code."""
    mode = params.get("mode")
    return {**params, "mode": str(MODES[mode])} if mode in MODES else dict(params)
