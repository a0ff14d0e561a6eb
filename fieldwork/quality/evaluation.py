"""Running the rules on one response, combining their notes, and wording what they found.

`Checker` prepares the rules of one questionnaire once (which questions are
ratings, which thresholds apply, which notes combine) and then evaluates
responses cheaply: the bulk run holds one per questionnaire; `evaluate` keeps a
few for submit time. Notes from enough different rules add a `combined-evidence`
flag at review severity, naming them; each note stays as it is, with its own
evidence, so a reviewer reads both what was found and why it adds up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from fieldwork.quality.flags import N_, RANK, Flag, Severity, Value
from fieldwork.quality.layout import Layout
from fieldwork.quality.rules import RULES
from fieldwork.quality.rules.base import Case, Check
from fieldwork.quality.settings import Settings
from fieldwork.quality.subjects import Neighbours, Subject
from fieldwork.questionnaire.model import Questionnaire

UNKNOWN_RULE = N_("Flagged by rule %(code)s, which this version no longer has.")
NOT_APPLIED = "rules-not-applied"
"""The note on a response whose mode some enabled rules do not judge, naming them."""
NOT_APPLIED_EXPLANATION = N_("Not checked for %(mode)s responses: %(rules)s.")
COMBINED = "combined-evidence"
"""The review flag on a response whose notes from different rules add up (`combine:`)."""
COMBINED_EXPLANATION = N_(
    "Notes from several rules together: %(rules)s. None is reason enough alone, but this"
    " questionnaire sends a response with notes from %(needed)s or more rules to review."
)
FLAG_CODES: tuple[str, ...] = (*RULES, COMBINED, NOT_APPLIED)
"""Every code a flag can carry: the rules', then the two evaluation adds."""


class Checker:
    """The enabled rules of one questionnaire with its settings, ready for many responses."""

    def __init__(self, questionnaire: Questionnaire, settings: Settings) -> None:
        self.questionnaire = questionnaire
        self.settings = settings
        self.layout = Layout.of(questionnaire)
        checks: list[tuple[str, Severity, Check, frozenset[str]]] = []
        for code, rule in RULES.items():
            chosen = settings[code]
            if not chosen.enabled:
                continue
            check = rule.prepare(self.layout, chosen.values)
            if check is not None:
                checks.append((code, chosen.severity, check, rule.modes))
        # Most serious first, then by code: the order flags are stored and shown in.
        checks.sort(key=lambda item: (RANK[item[1]], item[0]))
        self._checks = tuple(checks)
        combine = settings.combine
        notes = {code for code, severity, _, _ in checks if severity == "note"}
        counted = frozenset(notes - set(combine.not_counted))
        # Too few rules give notes to ever reach the count: nothing to look at per response.
        enough = combine.enabled and len(counted) >= combine.notes_for_review
        self._counted = counted if enough else frozenset()
        self._needed = combine.notes_for_review
        self._by_mode: dict[str, tuple[tuple[tuple[str, Severity, Check], ...], Flag | None]] = {}

    def _for(self, mode: str) -> tuple[tuple[tuple[str, Severity, Check], ...], Flag | None]:
        """The checks that judge a mode's responses, and the note naming those that don't."""
        found = self._by_mode.get(mode)
        if found is None:
            applied = tuple((c, s, check) for c, s, check, modes in self._checks if mode in modes)
            skipped = tuple(sorted(c for c, _, _, modes in self._checks if mode not in modes))
            note = Flag.of(NOT_APPLIED, "note", mode=mode, rules=skipped) if skipped else None
            found = self._by_mode[mode] = (applied, note)
        return found

    def not_applied(self, mode: str) -> Flag | None:
        """The note a response of `mode` carries naming the enabled rules that skip it."""
        return self._for(mode)[1]

    def evaluate(self, subject: Subject, neighbours: Neighbours, now: dt.datetime) -> list[Flag]:
        """Every flag the rules raise on one response, most serious first."""
        if subject.questionnaire_id != self.questionnaire.id:
            raise ValueError(
                f"response {subject.id} answers {subject.questionnaire_id},"
                f" not {self.questionnaire.id}"
            )
        checks, note = self._for(subject.mode)
        flags = []
        case = Case(self.layout, subject, neighbours, now)
        for code, severity, check in checks:
            evidence = check(case)
            if evidence is not None:
                flags.append(Flag(code, severity, tuple(sorted(evidence.items()))))
        combined = self._combined(flags)
        if combined is not None:
            flags.append(combined)
        if note is not None:
            flags.append(note)
        if combined is not None or note is not None:
            flags.sort(key=lambda flag: (RANK[flag.severity], flag.rule))
        return flags

    def _combined(self, flags: list[Flag]) -> Flag | None:
        """The combined-evidence flag if notes from enough counted rules were raised.

        Only rules' own notes count: `rules-not-applied` says what was not checked, which
        is no evidence about the response."""
        if not self._counted:
            return None
        rules = tuple(flag.rule for flag in flags if flag.rule in self._counted)
        if len(rules) < self._needed:
            return None
        return Flag.of(COMBINED, "review", rules=rules, needed=self._needed)


_CHECKERS: dict[tuple[str, str, Settings], Checker] = {}
_KEPT = 32


def checker(questionnaire: Questionnaire, settings: Settings) -> Checker:
    """A checker for this questionnaire version and settings, reused between calls."""
    key = (questionnaire.id, questionnaire.content_hash, settings)
    found = _CHECKERS.get(key)
    if found is None:
        if len(_CHECKERS) >= _KEPT:
            _CHECKERS.clear()  # versions come and go rarely: no need for an LRU
        found = _CHECKERS[key] = Checker(questionnaire, settings)
    return found


def evaluate(
    questionnaire: Questionnaire,
    settings: Settings,
    subject: Subject,
    neighbours: Neighbours,
    now: dt.datetime,
) -> list[Flag]:
    """Every flag the rules raise on one response, sorted most serious first, then by code.

    Deterministic: the same response, neighbours and settings give equal flags,
    whenever `now` is (only a timestamp in the future depends on it).
    """
    return checker(questionnaire, settings).evaluate(subject, neighbours, now)


Message = tuple[str, dict[str, Value | str]]
"""A message id (English, marked N_) and its parameters, for the UI to translate:
`gettext(message, **params)`."""


def explain(flag: Flag | Mapping[str, Any]) -> list[Message]:
    """What a flag means, as sentences to translate: one per reason it was raised for.

    Takes a Flag or its stored JSON. List parameters are joined with ", ".
    """
    if not isinstance(flag, Flag):
        flag = Flag.from_json(flag)
    params: dict[str, Value | str] = {
        key: ", ".join(str(v) for v in value) if isinstance(value, tuple) else value
        for key, value in flag.params
    }
    if flag.rule == NOT_APPLIED:
        return [(NOT_APPLIED_EXPLANATION, params)]
    if flag.rule == COMBINED:
        return [(COMBINED_EXPLANATION, params)]
    rule = RULES.get(flag.rule)
    if rule is None:
        return [(UNKNOWN_RULE, {"code": flag.rule})]
    reasons = flag.param("reasons")
    if rule.reasons and isinstance(reasons, tuple):
        sentences = [rule.reasons[r] for r in reasons if isinstance(r, str) and r in rule.reasons]
        if sentences:
            return [(sentence, params) for sentence in sentences]
    return [(rule.explanation, params)]
