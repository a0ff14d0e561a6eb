"""Rule settings: defaults, overridden per questionnaire under `quality:` in its YAML.

    quality:
      speeder: {min_seconds: 150}
      straight-lining: {min_items: 10, severity: note}
      open-empty: {extra_words: [没啥说的], enabled: false}
      combine: {notes_for_review: 3}

Each rule takes its own parameters plus `severity` (reject, review or note)
and `enabled`. `combine` is not a rule: it says how weak signals add up, how
many notes from different rules send a response to review (see `Combination`).
`check_settings` reports every problem for `flask fieldwork check`;
`settings_of` builds the settings of a definition that passed it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldwork.quality.flags import SEVERITIES, Severity
from fieldwork.quality.rules import RULES
from fieldwork.quality.rules.base import Number, Param, ParamValue, Words

KEY = "quality"
"""The top-level key of a questionnaire definition that holds its rule settings."""

LOGIC_VERSION = 2
"""Bump when what a rule finds changes in a way its parameters do not show: the rules
version changes with it, so flags and batches tell old findings from new."""

RESERVED = ("severity", "enabled")

COMBINE = "combine"
"""The key under `quality:` that says how notes combine; no rule may take this code."""


@dataclass(frozen=True)
class RuleSettings:
    """One rule as a questionnaire sets it."""

    enabled: bool
    severity: Severity
    params: tuple[tuple[str, ParamValue], ...]

    @property
    def values(self) -> dict[str, ParamValue]:
        return dict(self.params)


@dataclass(frozen=True)
class Combination:
    """How weak signals add up: notes from `notes_for_review` different rules, those in
    `not_counted` aside, send a response to review as one combined finding.

    A note alone is too weak to hold a response back, but several independent ones
    (an empty open answer, an odd answer pattern, a contradiction) together are worth
    a reviewer's look."""

    enabled: bool = True
    notes_for_review: int = 2
    # A shared address is no evidence about the answers: a family on one network or
    # elderly people helped on a community worker's tablet share one, and many of them
    # answer an open question with "无". Counting it would send them to review together.
    not_counted: tuple[str, ...] = ("duplicate-ip",)

    def as_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "notes_for_review": self.notes_for_review,
            "not_counted": list(self.not_counted),
        }


COMBINE_PARAMS: Mapping[str, Param] = {
    # Two is the least that combines anything; one would make every note a review.
    "notes_for_review": Number(Combination.notes_for_review, minimum=2, integer=True),
    "not_counted": Words(Combination.not_counted),
}


@dataclass(frozen=True)
class Settings:
    """Every rule's settings for one questionnaire, in registry order, and how their
    notes combine. Hashable."""

    rules: tuple[tuple[str, RuleSettings], ...]
    combine: Combination = Combination()
    _by_code: Mapping[str, RuleSettings] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", dict(self.rules))

    def __getitem__(self, code: str) -> RuleSettings:
        return self._by_code[code]

    def param(self, code: str, name: str) -> ParamValue:
        return self._by_code[code].values[name]

    def number(self, code: str, name: str) -> int | float:
        """A numeric parameter, e.g. `number("duplicate-ip", "window_hours")` for a query."""
        value = self.param(code, name)
        if isinstance(value, tuple):
            raise TypeError(f"{code} {name} is a list, not a number")
        return value

    def as_json(self) -> dict[str, dict[str, Any]]:
        """{rule code: {"enabled", "severity", **params}, "combine": {…}}, shaped like the
        `quality:` mapping, e.g. for a batch manifest; the rules version hashes it."""
        rules = {
            code: {
                "enabled": rule.enabled,
                "severity": rule.severity,
                **{k: list(v) if isinstance(v, tuple) else v for k, v in rule.params},
            }
            for code, rule in self.rules
        }
        return {**rules, COMBINE: self.combine.as_json()}


class SettingsError(ValueError):
    """A definition's rule settings do not pass `check_settings`."""


def check_settings(definition: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(check code, message) for every problem in a definition's `quality:` mapping.

    Takes the whole definition (like the questionnaire checks); no `quality:` key
    is no problem. Codes: quality (not a mapping), quality-rule (unknown rule),
    quality-param (unknown parameter), quality-type, quality-range, quality-severity;
    `combine:` is checked with the same codes.
    """
    raw = definition.get(KEY)
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return [("quality", f"{KEY} must map rule codes to their settings")]
    problems: list[tuple[str, str]] = []
    for code, entry in raw.items():
        if code == COMBINE:
            problems += _combine_problems(entry)
            continue
        rule = RULES.get(code) if isinstance(code, str) else None
        if rule is None:
            known = ", ".join(RULES)
            problems.append(("quality-rule", f"{KEY}: unknown rule {code!r} (rules: {known})"))
            continue
        if entry is None:
            continue  # "speeder:" with nothing under it keeps the defaults
        if not isinstance(entry, Mapping):
            problems.append(("quality", f"{KEY}: {code}: settings must be a mapping"))
            continue
        for name, value in entry.items():
            where = f"{KEY}: {code}: {name}"
            if name == "severity":
                if value not in SEVERITIES:
                    allowed = ", ".join(SEVERITIES)
                    problems.append(
                        ("quality-severity", f"{where} must be one of {allowed}, not {value!r}")
                    )
            elif name == "enabled":
                if not isinstance(value, bool):
                    problems.append(("quality-type", f"{where} must be true or false"))
            elif name not in rule.params:
                takes = ", ".join([*rule.params, *RESERVED])
                problems.append(
                    ("quality-param", f"{KEY}: {code}: unknown parameter {name!r} (takes {takes})")
                )
            elif (problem := rule.params[name].problem(value)) is not None:
                problems.append((problem[0], f"{where} {problem[1]}"))
    return problems


def _combine_problems(entry: Any) -> list[tuple[str, str]]:
    """The problems of a `combine:` mapping: its parameters checked like a rule's, and the
    rules it leaves out named by their codes."""
    if entry is None:
        return []
    if not isinstance(entry, Mapping):
        return [("quality", f"{KEY}: {COMBINE}: settings must be a mapping")]
    problems: list[tuple[str, str]] = []
    for name, value in entry.items():
        where = f"{KEY}: {COMBINE}: {name}"
        if name == "enabled":
            if not isinstance(value, bool):
                problems.append(("quality-type", f"{where} must be true or false"))
        elif name not in COMBINE_PARAMS:
            takes = ", ".join([*COMBINE_PARAMS, "enabled"])
            problems.append(
                ("quality-param", f"{KEY}: {COMBINE}: unknown parameter {name!r} (takes {takes})")
            )
        elif (problem := COMBINE_PARAMS[name].problem(value)) is not None:
            problems.append((problem[0], f"{where} {problem[1]}"))
        elif name == "not_counted":
            known = ", ".join(RULES)
            problems += [
                ("quality-rule", f"{where}: unknown rule {code!r} (rules: {known})")
                for code in value
                if code not in RULES
            ]
    return problems


def _combination(entry: Mapping[str, Any]) -> Combination:
    """The combination a checked `combine:` mapping declares, defaults for what it omits."""
    notes = entry.get("notes_for_review", Combination.notes_for_review)
    not_counted = entry.get("not_counted", Combination.not_counted)
    return Combination(entry.get("enabled", True), int(notes), tuple(sorted(set(not_counted))))


def settings_of(definition: Mapping[str, Any]) -> Settings:
    """The settings of a definition: defaults, overridden by its `quality:` mapping.

    Raises SettingsError if `check_settings` finds a problem (the loader refuses such
    a definition before anything evaluates it).
    """
    problems = check_settings(definition)
    if problems:
        raise SettingsError("; ".join(message for _, message in problems))
    raw = definition.get(KEY) or {}
    rules = []
    for code, rule in RULES.items():
        entry = raw.get(code) or {}
        params = rule.defaults()
        for name, spec in rule.params.items():
            if name in entry:
                params[name] = spec.settle(entry[name])
        rules.append(
            (
                code,
                RuleSettings(
                    enabled=entry.get("enabled", True),
                    severity=entry.get("severity", rule.severity),
                    params=tuple(sorted(params.items())),
                ),
            )
        )
    return Settings(tuple(rules), _combination(raw.get(COMBINE) or {}))


DEFAULTS = settings_of({})
"""Every rule enabled with its default severity and parameters."""


def rules_version(settings: Settings) -> str:
    """A short stable hash of every rule's code, severity and parameters (and the logic
    version): it changes when any threshold does, so stored flags and frozen batches say
    which rules made them."""
    document = json.dumps(
        [LOGIC_VERSION, settings.as_json()], sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(document.encode("utf-8")).hexdigest()[:12]
