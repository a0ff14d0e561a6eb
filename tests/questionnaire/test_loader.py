"""Loading definition files: YAML → schema → meaning checks → model, problems as data.

Each test writes a tiny questionnaire (a Python dict dumped to YAML) next to a
copy of the real schema and loads the folder the way `flask fieldwork check`
does; problems are compared as the `file: location: message` lines it prints.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from fieldwork.definitions.reading import read_folder
from fieldwork.questionnaire import checks
from fieldwork.questionnaire.loader import Catalog, load_directory, read_definition
from fieldwork.questionnaire.problems import Problem

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
SCHEMA = QUESTIONNAIRES / "schema.json"
OWN_QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "questionnaires"  # the suite's
LANGUAGES = ["en", "zh-Hans"]


def text(en: str) -> dict[str, str]:
    return {"en": en, "zh-Hans": f"{en}（中文）"}


def choice(value: str, **extra: Any) -> dict[str, Any]:
    return {"value": value, "label": text(value.title()), **extra}


def tiny() -> dict[str, Any]:
    """Two questions, one shown only after a given answer to the other."""
    return {
        "id": "tiny",
        "version": "1",
        "kind": "survey",
        "languages": list(LANGUAGES),
        "title": text("Tiny survey"),
        "sections": [
            {
                "code": "main",
                "title": text("Main"),
                "questions": [
                    {
                        "code": "A1",
                        "type": "single_choice",
                        "text": text("How old are you?"),
                        "hint": text("Pick one"),
                        "choices": [choice("young"), choice("old")],
                    },
                    {
                        "code": "A2",
                        "type": "number",
                        "text": text("How many times?"),
                        "min": 0,
                        "max": 10,
                        "show_if": {"question": "A1", "equals": "old"},
                    },
                ],
            }
        ],
    }


def with_question(question: dict[str, Any], raw: dict[str, Any] | None = None) -> dict[str, Any]:
    raw = raw or tiny()
    raw["sections"][0]["questions"].append({"text": text("Another question"), **question})
    return raw


def questions(raw: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = raw["sections"][0]["questions"]
    return result


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(SCHEMA, tmp_path / "schema.json")
    return tmp_path


def write(folder: Path, raw: Any, name: str = "tiny.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load(folder: Path, raw: Any, name: str = "tiny.yaml") -> Catalog:
    write(folder, raw, name)
    return load_directory(folder)


def lines(catalog: Catalog) -> list[str]:
    return [str(problem) for problem in catalog.problems]


def found(catalog: Catalog) -> list[tuple[str, str]]:
    """(location, check code) of every problem: what a test can pin without wording."""
    return [(problem.location, problem.code) for problem in catalog.problems]


# --- a valid file -------------------------------------------------------------------------


def test_valid_file_loads_without_problems(folder: Path) -> None:
    catalog = load(folder, tiny())
    assert catalog.problems == []
    assert list(catalog.questionnaires) == ["tiny"]


def test_loaded_questionnaire_keeps_question_order(folder: Path) -> None:
    questionnaire = load(folder, tiny()).questionnaires["tiny"]
    assert questionnaire.codes() == ["A1", "A2"]


def test_choices_are_numbered_by_position_unless_a_code_is_given(folder: Path) -> None:
    raw = tiny()
    questions(raw)[0]["choices"] = [choice("young"), choice("old", code=9), choice("unsure")]
    question = load(folder, raw).questionnaires["tiny"].question("A1")
    assert [c.code for c in question.choices] == [1, 9, 3]


def test_description_is_optional(folder: Path) -> None:
    raw = tiny()
    assert "description" not in raw
    catalog = load(folder, raw)
    assert catalog.problems == []
    assert catalog.questionnaires["tiny"].description == raw["title"]


def test_a_hand_written_estimated_minutes_is_named_as_retired(folder: Path) -> None:
    """The start page works the time out from the questions: a number left in a file would
    silently say something else, so check asks to remove it."""
    catalog = load(folder, {**tiny(), "estimated_minutes": 10})
    assert lines(catalog) == [
        "tiny.yaml: -: estimated_minutes is no longer read: the start page works out the time "
        "from the questions (docs/questionnaire-format.md); remove it"
    ]


def test_special_answers_are_stored_with_an_underscore(folder: Path) -> None:
    raw = tiny()
    questions(raw)[0]["allow"] = ["dont_know", "not_applicable"]
    question = load(folder, raw).questionnaires["tiny"].question("A1")
    assert question.allow == ("_dont_know", "_not_applicable")


def test_problem_prints_as_file_location_message() -> None:
    problem = Problem("tiny.yaml", "A2", "duplicate-code", "question code A2 is used twice")
    assert str(problem) == "tiny.yaml: A2: question code A2 is used twice"


# --- meaning checks, one per test ------------------------------------------------------------


def test_unknown_type_is_reported_once_at_its_question(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1]["type"] = "slider"
    catalog = load(folder, raw)
    assert found(catalog) == [("A2", "unknown-type")]
    assert lines(catalog)[0].startswith("tiny.yaml: A2: unknown type 'slider' (known: ")


def test_duplicate_question_code_is_reported(folder: Path) -> None:
    raw = with_question({"code": "A1", "type": "short_text"})
    assert lines(load(folder, raw)) == ["tiny.yaml: A1: question code A1 is used twice"]


def test_duplicate_section_code_is_reported(folder: Path) -> None:
    raw = tiny()
    raw["sections"].append(
        {
            "code": "main",
            "title": text("Again"),
            "questions": [{"code": "B1", "type": "short_text", "text": text("Why?")}],
        }
    )
    assert found(load(folder, raw)) == [("main", "duplicate-section")]


def test_duplicate_choice_value_is_reported(folder: Path) -> None:
    raw = tiny()
    questions(raw)[0]["choices"].append(choice("old"))
    assert lines(load(folder, raw)) == ["tiny.yaml: A1: choice value 'old' is used twice"]


def test_duplicate_printed_choice_code_is_reported(folder: Path) -> None:
    raw = tiny()
    questions(raw)[0]["choices"].append(choice("unsure", code=2))
    assert lines(load(folder, raw)) == ["tiny.yaml: A1: printed choice code 2 is used twice"]


def test_choice_question_needs_two_choices(folder: Path) -> None:
    raw = tiny()
    questions(raw)[0]["choices"] = [choice("young")]
    assert ("A1", "choices") in found(load(folder, raw))


def test_show_if_naming_an_unknown_question_is_reported(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1]["show_if"] = {"question": "Z9", "equals": "old"}
    assert lines(load(folder, raw)) == ["tiny.yaml: A2: show_if names unknown question Z9"]


def test_show_if_naming_a_later_question_is_reported(folder: Path) -> None:
    raw = with_question({"code": "A3", "type": "short_text"})
    questions(raw)[1]["show_if"] = {"question": "A3", "answered": True}
    assert lines(load(folder, raw)) == ["tiny.yaml: A2: show_if names A3, which is not earlier"]


def test_show_if_naming_its_own_question_is_reported_as_not_earlier(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1]["show_if"] = {"question": "A2", "answered": True}
    assert found(load(folder, raw)) == [("A2", "condition-later")]


def test_show_if_naming_an_unknown_choice_value_is_reported(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1]["show_if"] = {"question": "A1", "in": ["old", "ancient"]}
    assert lines(load(folder, raw)) == ["tiny.yaml: A2: show_if: A1 has no choice 'ancient'"]


def test_show_if_nested_in_all_any_not_is_checked(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1]["show_if"] = {
        "all": [
            {"any": [{"question": "A1", "equals": "old"}]},
            {"not": {"question": "Z9", "answered": True}},
        ]
    }
    assert found(load(folder, raw)) == [("A2", "condition-unknown")]


def test_show_if_on_an_offered_special_answer_is_accepted(folder: Path) -> None:
    raw = tiny()
    questions(raw)[0]["allow"] = ["dont_know"]
    questions(raw)[1]["show_if"] = {"question": "A1", "equals": "_dont_know"}
    assert load(folder, raw).problems == []


def test_show_if_on_a_special_answer_not_offered_is_reported(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1]["show_if"] = {"question": "A1", "equals": "_dont_know"}
    assert found(load(folder, raw)) == [("A2", "condition-value")]


def _drop_zh(mapping: dict[str, str]) -> None:
    del mapping["zh-Hans"]


MISSING_TEXTS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "question text": (lambda raw: _drop_zh(questions(raw)[0]["text"]), "A1: text"),
    "choice label": (
        lambda raw: _drop_zh(questions(raw)[0]["choices"][1]["label"]),
        "A1: label of choice 'old'",
    ),
    "hint": (lambda raw: _drop_zh(questions(raw)[0]["hint"]), "A1: hint"),
    "section title": (lambda raw: _drop_zh(raw["sections"][0]["title"]), "main: section title"),
    "questionnaire title": (lambda raw: _drop_zh(raw["title"]), "-: title"),
}


@pytest.mark.parametrize("what", list(MISSING_TEXTS))
def test_text_missing_a_declared_language_is_reported(folder: Path, what: str) -> None:
    damage, where = MISSING_TEXTS[what]
    raw = tiny()
    damage(raw)
    assert lines(load(folder, raw)) == [f"tiny.yaml: {where} has no zh-Hans text"]


def test_blank_text_counts_as_missing(folder: Path) -> None:
    raw = tiny()
    questions(raw)[0]["text"]["zh-Hans"] = "   "
    assert lines(load(folder, raw)) == ["tiny.yaml: A1: text has no zh-Hans text"]


def test_text_in_an_undeclared_language_is_reported(folder: Path) -> None:
    raw = tiny()
    questions(raw)[0]["text"]["fr"] = "Quel âge avez-vous ?"
    assert found(load(folder, raw)) == [("A1", "undeclared-language")]


def test_scale_end_label_missing_a_language_is_reported(folder: Path) -> None:
    labels = {"min": text("Bad"), "max": {"en": "Good"}}
    raw = with_question({"code": "R1", "type": "rating", "labels": labels})
    assert lines(load(folder, raw)) == ["tiny.yaml: R1: max label has no zh-Hans text"]


def test_unit_missing_a_language_is_reported(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1]["unit"] = {"en": "times"}
    assert lines(load(folder, raw)) == ["tiny.yaml: A2: unit has no zh-Hans text"]


def test_number_min_above_max_is_reported(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1].update(min=10, max=0)
    assert lines(load(folder, raw)) == ["tiny.yaml: A2: min 10 is greater than max 0"]


def test_duration_min_above_max_is_reported(folder: Path) -> None:
    raw = with_question({"code": "T1", "type": "duration", "min": 60, "max": 30})
    assert found(load(folder, raw)) == [("T1", "min-max")]


def test_rating_min_above_max_is_reported(folder: Path) -> None:
    labels = {"min": text("Bad"), "max": text("Good")}
    raw = with_question({"code": "R1", "type": "rating", "min": 5, "max": 3, "labels": labels})
    assert lines(load(folder, raw)) == ["tiny.yaml: R1: min 5 must be less than max 3"]


def test_date_min_after_max_is_reported(folder: Path) -> None:
    raw = with_question({"code": "D1", "type": "date", "min": "2026-01-01", "max": "2025-01-01"})
    assert lines(load(folder, raw)) == [
        "tiny.yaml: D1: min 2026-01-01 is later than max 2025-01-01"
    ]


def test_multiple_choice_min_selected_above_max_selected_is_reported(folder: Path) -> None:
    raw = with_question(
        {
            "code": "M1",
            "type": "multiple_choice",
            "choices": [choice("a"), choice("b"), choice("c")],
            "min_selected": 3,
            "max_selected": 2,
        }
    )
    assert lines(load(folder, raw)) == [
        "tiny.yaml: M1: min_selected 3 is greater than max_selected 2"
    ]


def test_multiple_choice_max_selected_above_the_number_of_choices_is_reported(
    folder: Path,
) -> None:
    raw = with_question(
        {
            "code": "M1",
            "type": "multiple_choice",
            "choices": [choice("a"), choice("b")],
            "max_selected": 3,
        }
    )
    assert lines(load(folder, raw)) == ["tiny.yaml: M1: max_selected 3 exceeds the 2 choices"]


def test_two_exclusive_choices_are_reported(folder: Path) -> None:
    choices = [choice("a"), choice("none", exclusive=True), choice("nothing", exclusive=True)]
    raw = with_question({"code": "M1", "type": "multiple_choice", "choices": choices})
    assert found(load(folder, raw)) == [("M1", "exclusive")]


def test_option_foreign_to_the_type_is_reported(folder: Path) -> None:
    raw = with_question({"code": "T1", "type": "short_text", "min": 1})
    assert "tiny.yaml: T1: option 'min' does not belong to type short_text" in lines(
        load(folder, raw)
    )


def test_foreign_option_on_a_0_to_10_scale_is_not_also_checked_as_a_bound(folder: Path) -> None:
    labels = {"min": text("Never"), "max": text("Surely")}
    raw = with_question({"code": "N1", "type": "scale_0_10", "labels": labels, "min": 7})
    codes = {code for _, code in found(load(folder, raw))}
    assert "foreign-option" in codes
    assert "min-max" not in codes


def test_special_answers_on_an_open_type_are_reported(folder: Path) -> None:
    raw = with_question({"code": "T1", "type": "long_text", "allow": ["dont_know"]})
    assert lines(load(folder, raw)) == [
        "tiny.yaml: T1: type long_text cannot offer 'don't know' answers"
    ]


def test_choice_value_starting_with_underscore_is_reported(folder: Path) -> None:
    raw = tiny()
    questions(raw)[0]["choices"].append(choice("_secret"))
    assert ("A1", "reserved-value") in found(load(folder, raw))


def test_schema_problem_names_the_question(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1]["required"] = "sometimes"
    assert found(load(folder, raw)) == [("A2", "schema")]


def test_unquoted_yes_in_a_condition_is_reported(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1]["show_if"] = {"question": "A1", "equals": True}
    assert ("A2", "condition") in found(load(folder, raw))


# --- files that cannot be read -------------------------------------------------------------


def test_invalid_yaml_is_reported_with_its_line(folder: Path) -> None:
    (folder / "broken.yaml").write_text("id: tiny\ntitle: [unclosed\n", encoding="utf-8")
    catalog = load_directory(folder)
    assert found(catalog) == [("-", "yaml")]
    assert lines(catalog)[0].startswith("broken.yaml: -: not valid YAML at line ")


def test_file_that_is_not_utf8_is_reported(folder: Path) -> None:
    (folder / "latin.yaml").write_bytes("id: café\n".encode("latin-1"))
    assert lines(load_directory(folder)) == ["latin.yaml: -: file is not valid UTF-8"]


def test_file_that_is_not_a_mapping_is_reported(folder: Path) -> None:
    assert lines(load(folder, ["a", "b"], "list.yaml")) == [
        "list.yaml: -: the file must hold a mapping"
    ]


def test_empty_file_is_reported(folder: Path) -> None:
    (folder / "empty.yaml").write_text("", encoding="utf-8")
    assert lines(load_directory(folder)) == ["empty.yaml: -: the file must hold a mapping"]


def test_python_tags_are_refused_not_run(folder: Path) -> None:
    (folder / "evil.yaml").write_text(
        "id: !!python/object/apply:os.system ['true']\n", encoding="utf-8"
    )
    assert found(load_directory(folder)) == [("-", "yaml")]


def test_file_without_an_id_is_reported(folder: Path) -> None:
    raw = tiny()
    del raw["id"]
    catalog = load(folder, raw)
    assert catalog.questionnaires == {}
    assert ("-", "schema") in found(catalog)


def test_two_files_with_the_same_id_are_reported(folder: Path) -> None:
    write(folder, tiny(), "first.yaml")
    catalog = load(folder, tiny(), "second.yaml")
    assert lines(catalog) == ["second.yaml: -: questionnaire id tiny is used twice"]


# --- all at once ---------------------------------------------------------------------------


def test_every_problem_in_a_file_is_reported_at_once(folder: Path) -> None:
    raw = with_question({"code": "A1", "type": "slider"})
    _drop_zh(questions(raw)[0]["hint"])
    questions(raw)[1].update(min=10, max=0)
    questions(raw)[1]["show_if"] = {"question": "A1", "equals": "ancient"}
    assert sorted(found(load(folder, raw))) == [
        ("A1", "duplicate-code"),
        ("A1", "missing-translation"),
        ("A1", "unknown-type"),
        ("A2", "condition-value"),
        ("A2", "min-max"),
    ]


def test_file_with_a_problem_yields_no_questionnaire(folder: Path) -> None:
    raw = tiny()
    questions(raw)[1].update(min=10, max=0)
    assert load(folder, raw).questionnaires == {}


def test_problems_in_one_file_do_not_stop_another_loading(folder: Path) -> None:
    (folder / "broken.yaml").write_text("- not a mapping\n", encoding="utf-8")
    assert list(load(folder, tiny()).questionnaires) == ["tiny"]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a nested document, containers included."""
    found: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(raw: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(raw)
    target: Any = raw
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return raw


WRONG_SHAPES: list[Any] = [None, 5, True, "x", [], {}, [5], [[1]], {"x": [1]}, [{"x": 1}]]
FULL = with_question(
    {
        "code": "M1",
        "type": "multiple_choice",
        "allow": ["dont_know"],
        "choices": [choice("a"), choice("b", exclusive=True)],
        "min_selected": 1,
        "max_selected": 2,
        "show_if": {
            "any": [
                {"question": "A1", "in": ["old"]},
                {"not": {"question": "A2", "answered": True}},
            ]
        },
    },
    with_question({"code": "D1", "type": "date", "min": "2020-01-01", "max": "2030-01-01"}),
)


@pytest.mark.parametrize("path", _paths(FULL), ids=lambda p: "/".join(map(str, p)))
def test_meaning_checks_survive_a_wrongly_shaped_value_anywhere(path: tuple[Any, ...]) -> None:
    # The checks run even when the schema has failed, so `check` can list every problem;
    # a value of the wrong shape must be skipped (the schema reports it), never raise.
    for value in WRONG_SHAPES:
        checks.run(_replace(FULL, path, value))


def test_wrongly_shaped_sections_are_reported_not_raised(tmp_path: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    raw = tiny()
    raw["sections"] = 5
    parsed, problems = read_definition(write(tmp_path, raw), schema)
    assert parsed is not None
    assert [(p.location, p.code) for p in problems] == [("-", "schema")]


def test_full_document_used_for_wrong_shapes_is_itself_valid(tmp_path: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    raw, problems = read_definition(write(tmp_path, FULL), schema)
    assert raw is not None
    assert problems == []


# --- the shipped questionnaires ------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_directory(QUESTIONNAIRES)


@pytest.mark.shipped
def test_shipped_questionnaires_have_no_problems(shipped: Catalog) -> None:
    assert lines(shipped) == []


@pytest.mark.shipped
def test_shipped_consumer_survey_has_15_scored_questions_with_a_dimension(shipped: Catalog) -> None:
    questionnaire = shipped.questionnaires["after_sales_consumer"]
    scored = [q for q in questionnaire.questions if q.code.startswith("Q")]
    assert len(scored) == 15
    assert all(
        q.tags.get("dimension") in {"response", "resolution", "experience", "compliance"}
        for q in scored
    )


@pytest.mark.shipped
def test_shipped_consumer_survey_has_5_open_questions(shipped: Catalog) -> None:
    questionnaire = shipped.questionnaires["after_sales_consumer"]
    open_questions = [q for q in questionnaire.questions if q.code.startswith("O")]
    assert len(open_questions) == 5
    assert {q.type for q in open_questions} <= {"short_text", "long_text"}


@pytest.mark.shipped
def test_shipped_consumer_survey_derives_its_segment_ending_with_the_fallback(
    shipped: Catalog,
) -> None:
    segmentation = shipped.questionnaires["after_sales_consumer"].segmentation
    assert [r.code for r in segmentation.rules] == ["elderly", "parents", "young", "general"]
    assert [r.derive_if is None for r in segmentation.rules] == [False, False, False, True]
    assert [s.code for s in shipped.segments] == ["elderly", "parents", "young", "general"]


# What rewording for readers leaves alone: everything but the words. Exports, quality rules
# and paper read these, so a change to them is a decision, never a side effect of wording.
TEXT_KEYS = frozenset(
    {"text", "hint", "label", "labels", "unit", "title", "description", "explanation"}
)
# 2026.5, which declared the consistency checks (2026.2 to 2026.4 had none):
SHIPPED_STRUCTURE = "404e0506bbc80f105b1a7fb7404603ec5bda8fd33f4dbeb5af3bbff6819c8932"


def _structure(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _structure(v) for k, v in node.items() if k not in TEXT_KEYS}
    if isinstance(node, list):
        return [_structure(v) for v in node]
    return node


@pytest.mark.shipped
def test_shipped_wording_changes_no_code_value_type_or_condition(shipped: Catalog) -> None:
    definition = dict(shipped.questionnaires["after_sales_consumer"].definition)
    del definition["version"]
    found = json.dumps(_structure(definition), sort_keys=True).encode()
    assert hashlib.sha256(found).hexdigest() == SHIPPED_STRUCTURE


@pytest.mark.shipped
def test_no_shipped_hint_speaks_to_one_group_about_another(shipped: Catalog) -> None:
    """Q13 used to tell older readers they could answer "even if you are not older"."""
    questionnaire = shipped.questionnaires["after_sales_consumer"]
    aside = ("不是老年人", "不是長者", "not older", "even if you are not")
    hints = [text for q in questionnaire.questions if q.hint for text in q.hint.values()]
    assert hints and [h for h in hints if any(a in h for a in aside)] == []


# --- content hash --------------------------------------------------------------------------


def test_content_hash_is_stable_across_loads(folder: Path) -> None:
    first = load(folder, tiny()).questionnaires["tiny"].content_hash
    second = load_directory(folder).questionnaires["tiny"].content_hash
    assert first == second


def test_content_hash_ignores_comments_and_key_order(folder: Path) -> None:
    first = load(folder, tiny()).questionnaires["tiny"].content_hash
    reordered = dict(reversed(list(tiny().items())))
    path = write(folder, reordered)
    path.write_text("# a comment\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_directory(folder).questionnaires["tiny"].content_hash == first


@pytest.mark.parametrize(
    "edit",
    [
        lambda raw: raw["title"].update(en="Tiny survey!"),
        lambda raw: questions(raw)[0]["choices"][0]["label"].update({"zh-Hans": "年轻"}),
        lambda raw: questions(raw)[0]["hint"].update(en="Pick one answer"),
        lambda raw: questions(raw)[1]["text"].update(en="How often?"),
    ],
    ids=["title", "choice label", "hint", "question text"],
)
def test_content_hash_changes_with_any_text(
    folder: Path, edit: Callable[[dict[str, Any]], None]
) -> None:
    before = load(folder, tiny()).questionnaires["tiny"].content_hash
    raw = tiny()
    edit(raw)
    assert load(folder, raw).questionnaires["tiny"].content_hash != before


# --- segments: segments.yaml names them, each questionnaire says how its own are found ----


def segment(code: str) -> dict[str, Any]:
    return {"code": code, "label": text(code.title())}


def with_segments(folder: Path, declared: Any, *codes: str) -> Catalog:
    write(
        folder, {"segments": [segment(c) for c in codes or ("older", "everyone")]}, "segments.yaml"
    )
    raw = tiny()
    raw["segments"] = declared
    return load(folder, raw)


OLDER = {"segment": "older", "if": {"question": "A1", "equals": "old"}}
RULES = {"from": "answers", "rules": [OLDER, {"segment": "everyone"}]}


def test_segment_rules_load_in_priority_order(folder: Path) -> None:
    catalog = with_segments(folder, RULES)
    assert catalog.problems == []
    segmentation = catalog.questionnaires["tiny"].segmentation
    assert (segmentation.method, [r.code for r in segmentation.rules]) == (
        "answers",
        ["older", "everyone"],
    )
    assert catalog.questionnaires["tiny"].segments == ("older", "everyone")


def test_staff_assigned_segments_load(folder: Path) -> None:
    catalog = with_segments(folder, {"from": "staff", "offer": ["everyone", "older"]})
    assert catalog.problems == []
    segmentation = catalog.questionnaires["tiny"].segmentation
    assert (segmentation.method, segmentation.rules, segmentation.offered) == (
        "staff",
        (),
        ("everyone", "older"),
    )


def test_segment_rule_naming_an_unknown_question_is_reported(folder: Path) -> None:
    rules = {
        "from": "answers",
        "rules": [{**OLDER, "if": {"question": "Z9", "answered": True}}, {"segment": "everyone"}],
    }
    assert lines(with_segments(folder, rules)) == [
        "tiny.yaml: segments: older: if names unknown question Z9"
    ]


def test_segment_rule_naming_an_unknown_choice_value_is_reported(folder: Path) -> None:
    rules = {
        "from": "answers",
        "rules": [{**OLDER, "if": {"question": "A1", "in": ["ancient"]}}, {"segment": "everyone"}],
    }
    assert lines(with_segments(folder, rules)) == [
        "tiny.yaml: segments: older: if: A1 has no choice 'ancient'"
    ]


def test_segment_rules_without_a_fallback_are_reported(folder: Path) -> None:
    rules = {"from": "answers", "rules": [OLDER, {**OLDER, "segment": "everyone"}]}
    assert lines(with_segments(folder, rules)) == [
        "tiny.yaml: segments: every rule but the last has an if; the last has none"
    ]


def test_fallback_that_is_not_last_is_reported(folder: Path) -> None:
    rules = {"from": "answers", "rules": [{"segment": "everyone"}, OLDER]}
    assert ("segments", "segments") in found(with_segments(folder, rules))


def test_segment_named_twice_is_reported(folder: Path) -> None:
    rules = {"from": "answers", "rules": [OLDER, OLDER, {"segment": "everyone"}]}
    assert ("segments", "duplicate-code") in found(with_segments(folder, rules))


def test_staff_assigned_segments_need_a_list_to_choose_from(folder: Path) -> None:
    assert found(with_segments(folder, {"from": "staff"})) == [("segments", "segments")]


def test_segments_from_an_unknown_source_are_refused_by_the_schema(folder: Path) -> None:
    assert ("segments", "schema") in found(with_segments(folder, {"from": "horoscope"}))


def test_questionnaire_naming_an_unknown_segment_is_reported(folder: Path) -> None:
    declared = {"from": "staff", "offer": ["older", "martians"]}
    assert lines(with_segments(folder, declared)) == [
        "segments.yaml: martians: tiny names unknown segment martians"
    ]


def test_a_rule_left_in_segments_yaml_says_where_rules_live_now(folder: Path) -> None:
    write(
        folder,
        {"segments": [{**segment("older"), "derive_if": OLDER["if"]}, segment("everyone")]},
        "segments.yaml",
    )
    assert lines(load(folder, tiny())) == [
        "segments.yaml: older: derive_if moved into each questionnaire: list it under the "
        "questionnaire's segments: rules"
    ]


def test_segment_label_missing_a_language_is_reported(folder: Path) -> None:
    everyone = segment("everyone")
    _drop_zh(everyone["label"])
    write(folder, {"segments": [segment("older"), everyone]}, "segments.yaml")
    assert lines(load(folder, tiny())) == ["segments.yaml: everyone: label has no zh-Hans text"]


def test_segment_description_missing_a_language_is_reported(folder: Path) -> None:
    everyone = {**segment("everyone"), "description": {"en": "Everyone else"}}
    write(folder, {"segments": [segment("older"), everyone]}, "segments.yaml")
    assert lines(load(folder, tiny())) == [
        "segments.yaml: everyone: description has no zh-Hans text"
    ]


def test_duplicate_segment_code_is_reported(folder: Path) -> None:
    write(folder, {"segments": [segment("older"), segment("older")]}, "segments.yaml")
    assert ("older", "duplicate-code") in found(load(folder, tiny()))


def test_segments_file_that_is_not_a_list_is_reported(folder: Path) -> None:
    write(folder, {"segments": "everyone"}, "segments.yaml")
    assert lines(load(folder, tiny())) == ["segments.yaml: -: segments must be a non-empty list"]


def test_segment_default_display_that_is_not_a_mapping_is_reported(folder: Path) -> None:
    everyone = {**segment("everyone"), "default_display": "large"}
    write(folder, {"segments": [segment("older"), everyone]}, "segments.yaml")
    assert lines(load(folder, tiny())) == [
        "segments.yaml: everyone: default_display must be a mapping"
    ]


def test_wrongly_shaped_segments_in_a_questionnaire_are_reported_not_raised(folder: Path) -> None:
    write(folder, {"segments": [OLDER, segment("everyone")]}, "segments.yaml")
    raw = tiny()
    raw["segments"] = 5
    raw["languages"] = 7
    catalog = load(folder, raw)
    assert catalog.questionnaires == {}
    assert ("-", "schema") in found(catalog)


def test_quality_settings_are_checked_with_the_file(tmp_path: Path) -> None:
    """A threshold of the wrong type is reported as `file: quality: message`, not loaded."""
    source = (OWN_QUESTIONNAIRES / "two_pages.yaml").read_text(encoding="utf-8")
    broken = source.replace("min_seconds: 120", "min_seconds: fast")
    assert broken != source
    (tmp_path / "two_pages.yaml").write_text(broken, encoding="utf-8")
    for name in ("segments.yaml", "schema.json"):
        shutil.copy(QUESTIONNAIRES / name, tmp_path / name)
    catalog = read_folder(tmp_path)
    assert "two_pages" not in catalog.questionnaires
    assert any(
        p.location == "quality" and "speeder" in p.message and "min_seconds" in p.message
        for p in catalog.problems
    ), catalog.problems


# --- hostile files -------------------------------------------------------------------------

BILLION_LAUGHS = (
    "id: bomb\nversion: '1'\nsections:\n  - &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"  - &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 10))
)


def test_a_yaml_bomb_is_refused_at_once(folder: Path) -> None:
    """Under a kilobyte standing for ten billion values: check used to run for ever."""
    (folder / "bomb.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")

    def too_slow(_signal: int, _frame: object) -> None:
        raise TimeoutError("still reading the file after 10 seconds")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(10)
    try:
        catalog = load_directory(folder)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert lines(catalog) == ["bomb.yaml: -: the file stands for more than 200000 values"]


def test_an_alias_inside_its_own_anchor_is_refused(folder: Path) -> None:
    (folder / "loop.yaml").write_text("id: loop\nsections: &s [*s]\n", encoding="utf-8")
    assert lines(load_directory(folder)) == [
        "loop.yaml: -: an alias refers to a value that contains it"
    ]


@pytest.mark.parametrize("nesting", ["[" * 5000 + "]" * 5000, "{a: " * 5000 + "1" + "}" * 5000])
def test_deep_nesting_is_a_problem_not_a_crash(folder: Path, nesting: str) -> None:
    (folder / "deep.yaml").write_text(f"id: deep\nsections: {nesting}\n", encoding="utf-8")
    assert lines(load_directory(folder)) == ["deep.yaml: -: values are nested more than 64 deep"]


def test_aliases_within_the_limits_still_load(folder: Path) -> None:
    """A shared list of choices written once is a fair use of an anchor."""
    raw = tiny()
    source = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    source = source.replace("  hint:", "  hint: &hint", 1).replace(
        "    show_if:", "    hint: *hint\n    show_if:", 1
    )
    (folder / "tiny.yaml").write_text(source, encoding="utf-8")
    catalog = load_directory(folder)
    assert catalog.problems == []
    assert (
        catalog.questionnaires["tiny"].question("A2").hint
        == catalog.questionnaires["tiny"].question("A1").hint
    )
