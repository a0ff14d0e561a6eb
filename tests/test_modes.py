"""The mode registry: who creates each mode's responses, from which questionnaires, with
what provenance; and every layer that lists modes covers the same ones."""

from __future__ import annotations

import pytest

from fieldwork import modes
from fieldwork.quality import RULES
from fieldwork.web.labels import MODES as MODE_LABELS


def test_online_takes_public_surveys_from_anyone_with_the_link() -> None:
    assert modes.check("online", modes.RESPONDENT, "survey", {}) is modes.ONLINE


def test_paper_is_typed_in_by_fieldworkers_with_its_sheet() -> None:
    source = {"sheet_id": "S-000123-7", "entry_pass": "1"}
    assert modes.check("paper", modes.FIELDWORKER, "survey", source) is modes.PAPER


def test_shadow_tests_are_logged_by_testers_on_checklists() -> None:
    source = {"platform": "jd", "channel": "hotline", "slot": "weekday-evening"}
    assert modes.check("shadow", modes.TESTER, "checklist", source) is modes.SHADOW


@pytest.mark.parametrize(
    ("mode", "creator", "kind", "source", "code"),
    [
        ("online", modes.RESPONDENT, "checklist", {}, "wrong-kind"),
        (
            "paper",
            modes.RESPONDENT,
            "survey",
            {"sheet_id": "S1", "entry_pass": "1"},
            "not-a-creator",
        ),
        ("paper", modes.FIELDWORKER, "survey", {"entry_pass": "1"}, "field-missing"),
        ("shadow", modes.TESTER, "checklist", {"platform": "jd"}, "field-missing"),
        ("online", modes.RESPONDENT, "survey", {"sheet_id": "S1"}, "unknown-field"),
        (
            "paper",
            modes.FIELDWORKER,
            "survey",
            {"sheet_id": "S" * 33, "entry_pass": "1"},
            "field-too-long",
        ),
        ("fax", modes.RESPONDENT, "survey", {}, "unknown-mode"),
    ],
)
def test_a_response_the_mode_cannot_take_is_refused_with_a_reason(
    mode: str, creator: str, kind: str, source: dict[str, str], code: str
) -> None:
    with pytest.raises(modes.ModeError) as refused:
        modes.check(mode, creator, kind, source)
    assert refused.value.code == code


def test_only_surveys_are_public() -> None:
    assert modes.is_public("survey")
    assert not modes.is_public("checklist")


def test_every_rule_names_only_known_modes_and_some_judge_every_mode() -> None:
    for rule in RULES.values():
        assert rule.modes and rule.modes <= set(modes.MODES), rule.code
    for mode in modes.MODES:
        assert any(mode in rule.modes for rule in RULES.values()), mode


def test_staff_pages_name_every_mode() -> None:
    assert set(MODE_LABELS) == set(modes.MODES)


def test_columns_staff_filter_on_are_provenance_fields_of_some_mode() -> None:
    assert modes.SOURCE_COLUMNS == ("sheet_id", "platform", "channel")
