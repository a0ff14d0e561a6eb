"""Rule settings: defaults, per-questionnaire overrides from YAML, checks and the rules version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fieldwork.definitions.reading import read_folder
from fieldwork.quality import (
    COMBINE,
    COMBINED,
    DEFAULTS,
    RULES,
    SEVERITIES,
    Combination,
    SettingsError,
    check_settings,
    rules_version,
    settings_of,
)

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


def quality(block: str) -> dict[str, Any]:
    """A definition holding only the `quality:` block written as YAML."""
    document = yaml.safe_load(block)
    assert isinstance(document, dict)
    return document


def test_every_rule_has_a_default_severity_and_an_explanation() -> None:
    assert {
        "speeder",
        "duplicate-ip",
        "duplicate-answers",
        "straight-lining",
        "impossible-paradata",
        "segment-conflict",
        "open-same-text",
        "open-mash",
        "open-empty",
    } <= set(RULES)
    for code, rule in RULES.items():
        assert DEFAULTS[code].severity == rule.severity in SEVERITIES
        assert DEFAULTS[code].enabled
        assert rule.explanation.strip()


def test_defaults_are_the_scheme_s_thresholds() -> None:
    assert DEFAULTS["speeder"].values == {
        "min_seconds": 120,
        "median_fraction": 1 / 3,
        "min_responses": 30,
    }
    assert DEFAULTS.param("duplicate-ip", "window_hours") == 24
    assert DEFAULTS.param("straight-lining", "min_items") == 5
    assert DEFAULTS["impossible-paradata"].values == {
        "min_page_seconds": 1.0,
        "clock_skew_seconds": 300,
    }


def test_yaml_settings_override_the_defaults_of_the_rules_they_name() -> None:
    settings = settings_of(
        quality(
            """
            quality:
              speeder: {min_seconds: 150}
              straight-lining: {min_items: 10, severity: note}
            """
        )
    )
    assert settings.param("speeder", "min_seconds") == 150
    assert settings.param("speeder", "min_responses") == 30
    assert settings["straight-lining"].severity == "note"
    assert settings.param("straight-lining", "min_items") == 10
    assert settings["duplicate-ip"] == DEFAULTS["duplicate-ip"]


def test_a_rule_named_with_nothing_under_it_keeps_its_defaults() -> None:
    assert settings_of(quality("quality:\n  speeder:\n")) == DEFAULTS


def test_a_rule_can_be_switched_off() -> None:
    assert not settings_of({"quality": {"open-empty": {"enabled": False}}})["open-empty"].enabled


@pytest.mark.shipped
def test_the_shipped_questionnaire_loads_with_its_quality_block() -> None:
    catalog = read_folder(QUESTIONNAIRES)
    assert catalog.problems == []
    definition = catalog.questionnaires["after_sales_consumer"].definition
    assert check_settings(definition) == []
    assert settings_of(definition).param("speeder", "min_seconds") == 120


@pytest.mark.parametrize(
    ("block", "code", "words"),
    [
        ("quality: [speeder]", "quality", "must map rule codes"),
        ("quality: {speedster: {}}", "quality-rule", "unknown rule 'speedster'"),
        ("quality: {speeder: 120}", "quality", "speeder: settings must be a mapping"),
        ("quality: {speeder: {min_secs: 1}}", "quality-param", "unknown parameter 'min_secs'"),
        ("quality: {speeder: {min_seconds: fast}}", "quality-type", "must be a number"),
        ("quality: {speeder: {min_seconds: true}}", "quality-type", "must be a number"),
        ("quality: {speeder: {min_seconds: -1}}", "quality-range", "must be at least 0"),
        ("quality: {speeder: {median_fraction: 1.5}}", "quality-range", "must be at most 1"),
        ("quality: {straight-lining: {min_items: 7.5}}", "quality-type", "whole number"),
        ("quality: {straight-lining: {min_items: 1}}", "quality-range", "at least 2"),
        ("quality: {duplicate-ip: {window_hours: -24}}", "quality-range", "at least 0"),
        ("quality: {speeder: {severity: fatal}}", "quality-severity", "reject, review, note"),
        ("quality: {speeder: {enabled: 'no'}}", "quality-type", "true or false"),
        ("quality: {open-empty: {extra_words: 无}}", "quality-type", "list of texts"),
    ],
)
def test_check_settings_names_each_problem(block: str, code: str, words: str) -> None:
    problems = check_settings(quality(block))
    assert len(problems) == 1
    assert problems[0][0] == code
    assert words in problems[0][1]
    with pytest.raises(SettingsError):
        settings_of(quality(block))


def test_check_settings_reports_every_problem_at_once() -> None:
    block = "quality: {speeder: {min_seconds: -1, severity: x}, nope: {}}"
    assert [code for code, _ in check_settings(quality(block))] == [
        "quality-range",
        "quality-severity",
        "quality-rule",
    ]


def test_a_definition_without_settings_has_no_problems() -> None:
    assert check_settings({"id": "tiny"}) == []


def test_rules_version_is_short_and_stable() -> None:
    version = rules_version(DEFAULTS)
    assert len(version) == 12
    assert version == rules_version(settings_of({"quality": {"speeder": {"min_seconds": 120}}}))


@pytest.mark.parametrize(
    "change",
    [
        {"speeder": {"min_seconds": 121}},
        {"straight-lining": {"severity": "note"}},
        {"open-empty": {"enabled": False}},
        {"open-empty": {"extra_words": ["没啥"]}},
    ],
)
def test_rules_version_changes_with_any_threshold(change: dict[str, Any]) -> None:
    assert rules_version(settings_of({"quality": change})) != rules_version(DEFAULTS)


def test_notes_from_two_rules_combine_by_default_a_shared_address_aside() -> None:
    assert DEFAULTS.combine == Combination(
        enabled=True, notes_for_review=2, not_counted=("duplicate-ip",)
    )


def test_a_questionnaire_declares_how_its_notes_combine() -> None:
    settings = settings_of(
        quality("quality: {combine: {notes_for_review: 3, not_counted: [open-empty]}}")
    )
    assert settings.combine == Combination(True, 3, ("open-empty",))
    assert settings["speeder"] == DEFAULTS["speeder"]
    assert not settings_of(quality("quality: {combine: {enabled: false}}")).combine.enabled
    assert settings_of(quality("quality:\n  combine:\n")) == DEFAULTS


def test_combine_is_no_rule_s_code() -> None:
    """`combine:` sits beside the rules under `quality:`: a rule of that code could not
    be set, nor one whose flag the combined one would pass for."""
    assert COMBINE not in RULES and COMBINED not in RULES


@pytest.mark.parametrize(
    ("block", "code", "words"),
    [
        ("quality: {combine: 2}", "quality", "combine: settings must be a mapping"),
        ("quality: {combine: {notes: 2}}", "quality-param", "unknown parameter 'notes'"),
        ("quality: {combine: {notes_for_review: 1}}", "quality-range", "at least 2"),
        ("quality: {combine: {notes_for_review: 2.5}}", "quality-type", "whole number"),
        ("quality: {combine: {notes_for_review: two}}", "quality-type", "whole number"),
        ("quality: {combine: {enabled: 'yes'}}", "quality-type", "true or false"),
        ("quality: {combine: {not_counted: duplicate-ip}}", "quality-type", "list of texts"),
        ("quality: {combine: {not_counted: [same-ip]}}", "quality-rule", "unknown rule 'same-ip'"),
        ("quality: {combine: {severity: reject}}", "quality-param", "unknown parameter"),
    ],
)
def test_check_settings_names_each_problem_of_the_combination(
    block: str, code: str, words: str
) -> None:
    problems = check_settings(quality(block))
    assert [found for found, _ in problems] == [code]
    assert words in problems[0][1] and "combine" in problems[0][1]
    with pytest.raises(SettingsError):
        settings_of(quality(block))


@pytest.mark.parametrize(
    "change",
    [
        {"notes_for_review": 3},
        {"enabled": False},
        {"not_counted": []},
        {"not_counted": ["duplicate-ip", "open-empty"]},
    ],
)
def test_rules_version_changes_with_the_combination(change: dict[str, Any]) -> None:
    assert rules_version(settings_of({"quality": {"combine": change}})) != rules_version(DEFAULTS)


def test_the_combination_is_listed_with_the_settings_as_a_manifest_shows_them() -> None:
    shown = settings_of(quality("quality: {combine: {notes_for_review: 3}}")).as_json()
    assert shown["combine"] == {
        "enabled": True,
        "notes_for_review": 3,
        "not_counted": ["duplicate-ip"],
    }
    assert shown["speeder"] == DEFAULTS.as_json()["speeder"]
