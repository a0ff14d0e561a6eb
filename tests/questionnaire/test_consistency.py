"""Consistency checks in a definition (`consistency:`): loaded into the model, and every
problem in them reported by the checks `flask fieldwork check` runs.

Each test writes a small questionnaire next to the real schema, as test_loader does.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from fieldwork.questionnaire import conditions
from fieldwork.questionnaire.loader import Catalog, load_directory
from fieldwork.questionnaire.satisfiable import satisfiable

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


def text(en: str) -> dict[str, str]:
    return {"en": en, "zh-Hans": f"{en}（中文）"}


def choices(*values: str) -> list[dict[str, Any]]:
    return [{"value": v, "label": text(v)} for v in values]


QUESTIONS: list[dict[str, Any]] = [
    {"code": "SOLVED", "type": "single_choice", "choices": choices("first_time", "later", "no")},
    {"code": "CONTACTS", "type": "number", "min": 0, "max": 50, "allow": ["dont_know"]},
    {"code": "WAY", "type": "multiple_choice", "choices": choices("phone", "chat", "none")},
    {"code": "SPEED", "type": "rating", "labels": {"min": text("Slow"), "max": text("Fast")}},
    {"code": "NOTE", "type": "short_text"},
]


def check(code: str, *conditions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    explanation = text(f"{code} cannot be")
    return {"code": code, "cannot_all_hold": list(conditions), "explanation": explanation, **extra}


AT_ONCE_MANY = check(
    "at_once_many",
    {"question": "SOLVED", "equals": "first_time"},
    {"question": "CONTACTS", "at_least": 5},
)


def definition(*checks: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "contacts",
        "version": "1",
        "kind": "survey",
        "languages": ["en", "zh-Hans"],
        "title": text("Contacts"),
        "sections": [
            {
                "code": "main",
                "title": text("Main"),
                "questions": [{**q, "text": text(q["code"])} for q in QUESTIONS],
            }
        ],
        "consistency": list(checks),
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(QUESTIONNAIRES / "schema.json", tmp_path)
    return tmp_path


def load(folder: Path, raw: dict[str, Any]) -> Catalog:
    (folder / "contacts.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return load_directory(folder)


def lines(catalog: Catalog) -> list[str]:
    return [str(problem) for problem in catalog.problems]


def found(catalog: Catalog) -> list[tuple[str, str]]:
    return [(problem.location, problem.code) for problem in catalog.problems]


# --- a valid declaration -------------------------------------------------------------------


def test_checks_load_in_order_with_their_conditions_and_explanation(folder: Path) -> None:
    later = check(
        "way_no_contact",
        {"question": "WAY", "not_in": ["none"]},
        {"question": "CONTACTS", "equals": 0},
    )
    catalog = load(folder, definition(AT_ONCE_MANY, later))
    assert catalog.problems == []
    first, second = catalog.questionnaires["contacts"].consistency
    assert (first.code, second.code) == ("at_once_many", "way_no_contact")
    assert first.explanation == text("at_once_many cannot be")
    assert first.questions == ("SOLVED", "CONTACTS")
    assert first.met({"SOLVED": "first_time", "CONTACTS": 5})
    assert not first.met({"SOLVED": "first_time", "CONTACTS": 4})


def test_a_check_may_read_questions_in_any_order(folder: Path) -> None:
    """Unlike a show_if, a check is read after every answer is in."""
    backwards = check(
        "backwards",
        {"question": "NOTE", "answered": True},
        {"question": "SOLVED", "equals": "no"},
    )
    assert load(folder, definition(backwards)).problems == []


def test_a_questionnaire_without_checks_has_none(folder: Path) -> None:
    raw = definition()
    del raw["consistency"]
    assert load(folder, raw).questionnaires["contacts"].consistency == ()


# --- problems, one per test ----------------------------------------------------------------


def test_unknown_question_is_reported(folder: Path) -> None:
    raw = definition(
        check("typo", {"question": "SOLVD", "equals": "no"}, {"question": "NOTE", "answered": True})
    )
    assert lines(load(folder, raw)) == [
        "contacts.yaml: consistency: typo: cannot_all_hold names unknown question SOLVD"
    ]


def test_a_value_the_question_does_not_offer_is_reported(folder: Path) -> None:
    raw = definition(
        check(
            "typo",
            {"question": "SOLVED", "equals": "first"},
            {"question": "NOTE", "answered": True},
        )
    )
    assert lines(load(folder, raw)) == [
        "contacts.yaml: consistency: typo: cannot_all_hold: SOLVED has no choice 'first'"
    ]


def test_a_word_compared_with_a_number_question_is_reported(folder: Path) -> None:
    raw = definition(
        check(
            "typo",
            {"question": "CONTACTS", "equals": "none"},
            {"question": "NOTE", "answered": True},
        )
    )
    assert lines(load(folder, raw)) == [
        "contacts.yaml: consistency: typo: cannot_all_hold: CONTACTS takes numbers, not 'none'"
    ]


@pytest.mark.parametrize("code", ["SOLVED", "WAY", "NOTE"])
def test_a_number_condition_on_a_question_that_stores_none_is_reported(
    folder: Path, code: str
) -> None:
    raw = definition(
        check("wrong", {"question": code, "at_least": 2}, {"question": "CONTACTS", "equals": 0})
    )
    assert found(load(folder, raw)) == [("consistency", "condition-number")]


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        (
            {"question": "CONTACTS", "at_least": 51},
            "CONTACTS is never at_least 51: its answers stop at 50",
        ),
        (
            {"question": "CONTACTS", "at_most": -1},
            "CONTACTS is never at_most -1: its answers stop at 0",
        ),
        ({"question": "SPEED", "at_least": 6}, "SPEED is never at_least 6: its answers stop at 5"),
    ],
)
def test_a_limit_beyond_the_questions_answers_is_reported(
    folder: Path, limit: dict[str, Any], message: str
) -> None:
    raw = definition(check("never", limit, {"question": "SOLVED", "equals": "no"}))
    assert lines(load(folder, raw)) == [
        f"contacts.yaml: consistency: never: cannot_all_hold: {message}"
    ]


def test_an_explanation_missing_a_language_is_reported(folder: Path) -> None:
    english_only = {**AT_ONCE_MANY, "explanation": {"en": "Solved at once, yet many contacts"}}
    assert lines(load(folder, definition(english_only))) == [
        "contacts.yaml: consistency: explanation of at_once_many has no zh-Hans text"
    ]


def test_a_code_declared_twice_is_reported(folder: Path) -> None:
    raw = definition(AT_ONCE_MANY, AT_ONCE_MANY)
    assert lines(load(folder, raw)) == [
        "contacts.yaml: consistency: consistency check at_once_many is declared twice"
    ]


def test_a_single_condition_is_refused_by_the_schema(folder: Path) -> None:
    raw = definition(check("alone", {"question": "SOLVED", "equals": "no"}))
    assert found(load(folder, raw)) == [("consistency", "schema")]


def test_a_malformed_condition_is_reported(folder: Path) -> None:
    raw = definition(
        check("bad", {"question": "SOLVED", "equals": True}, {"question": "NOTE", "answered": True})
    )
    assert ("consistency", "condition") in found(load(folder, raw))


@pytest.mark.parametrize(
    "parts",
    [
        [{"question": "SOLVED", "equals": "first_time"}, {"question": "SOLVED", "equals": "no"}],
        [{"question": "CONTACTS", "at_least": 5}, {"question": "CONTACTS", "at_most": 3}],
        [{"question": "WAY", "answered": False}, {"question": "WAY", "in": ["phone"]}],
        [
            {"question": "SOLVED", "in": ["later"]},
            {"not": {"question": "SOLVED", "answered": True}},
        ],
    ],
    ids=["two choices", "disjoint limits", "unanswered yet chosen", "chosen yet unanswered"],
)
def test_a_check_no_answers_can_meet_is_reported(folder: Path, parts: list[Any]) -> None:
    catalog = load(folder, definition(check("never", *parts)))
    assert lines(catalog) == [
        "contacts.yaml: consistency: never: no answers meet every condition of"
        " cannot_all_hold, so the check never finds anything"
    ]


# --- which checks some answers meet: none is reported that some answers meet -------------


EVERY = {q["code"]: q for q in QUESTIONS}


@pytest.mark.parametrize(
    "parts",
    [
        [{"question": "WAY", "in": ["phone"]}, {"question": "WAY", "in": ["chat"]}],
        [{"question": "WAY", "in": ["phone"]}, {"question": "WAY", "not_in": ["chat"]}],
        [{"question": "WAY", "not_in": ["phone", "chat"]}, {"question": "WAY", "answered": True}],
        [{"question": "CONTACTS", "at_least": 2.5}, {"question": "CONTACTS", "at_most": 3}],
        [{"question": "CONTACTS", "at_least": 3}, {"question": "CONTACTS", "at_most": 3}],
        [
            {"not": {"question": "CONTACTS", "at_least": 60}},
            {"question": "CONTACTS", "answered": True},
        ],
        [
            {"question": "CONTACTS", "equals": "_dont_know"},
            {"question": "SOLVED", "answered": False},
        ],
        [{"question": "NOTE", "answered": True}, {"not": {"question": "NOTE", "in": ["x"]}}],
        [
            {"any": [{"question": "SPEED", "at_most": 1}, {"question": "SOLVED", "equals": "no"}]},
            {"not": {"question": "SPEED", "equals": 1}},
        ],
    ],
)
def test_a_check_some_answers_meet_is_satisfiable(parts: list[Any]) -> None:
    assert satisfiable([conditions.parse(p) for p in parts], EVERY) is True


def test_integer_questions_are_tried_with_whole_numbers_only() -> None:
    between = [{"question": "CONTACTS", "at_least": 2.2}, {"question": "CONTACTS", "at_most": 2.8}]
    assert satisfiable([conditions.parse(p) for p in between], EVERY) is False


def test_too_many_combinations_are_left_undecided() -> None:
    many = {f"N{i}": {"code": f"N{i}", "type": "number"} for i in range(12)}
    parts = [{"question": code, "at_least": 1} for code in many]
    assert satisfiable([conditions.parse(p) for p in parts], many) is None


# --- the same checks in show_if ------------------------------------------------------------


def test_show_if_gets_the_number_checks_too(folder: Path) -> None:
    raw = definition()
    raw["sections"][0]["questions"][4]["show_if"] = {"question": "SOLVED", "at_least": 2}
    assert lines(load(folder, raw)) == [
        "contacts.yaml: NOTE: show_if: SOLVED is a single_choice, not a number: no at_least"
    ]


def test_show_if_may_compare_a_number_with_a_limit(folder: Path) -> None:
    raw = definition()
    raw["sections"][0]["questions"][4]["show_if"] = {"question": "CONTACTS", "at_least": 2}
    note = load(folder, raw).questionnaires["contacts"].question("NOTE")
    assert note.show_if is not None and note.show_if.holds({"CONTACTS": 2})
