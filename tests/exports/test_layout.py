"""The layout: which columns a batch has, and which value or missing code each cell gets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from fieldwork.answers import shown
from fieldwork.exports.columns import Kind
from fieldwork.exports.layout import FIXED, Layout, Visibility
from fieldwork.exports.records import ExportError, ExportRecord, Missing, MissingText
from fieldwork.questionnaire.loader import build
from fieldwork.questionnaire.model import BLANK, ILLEGIBLE, Questionnaire

from .conftest import FULL, STARTED, SUBMITTED, mini_definition

MakeRecord = Callable[..., ExportRecord]


def cells(layout: Layout, record: ExportRecord) -> dict[str, Any]:
    return dict(zip(layout.names, layout.row(record), strict=True))


def test_metadata_columns_come_first_in_the_documented_order(layout: Layout) -> None:
    assert layout.names[: len(FIXED)] == (
        "response_id",
        "questionnaire_id",
        "questionnaire_version",
        "mode",
        "segment",
        "segment_source",
        "language",
        "text_size",
        "contrast",
        "started_at",
        "submitted_at",
        "duration_seconds",
    )


def test_questions_follow_in_questionnaire_order_with_a_column_per_choice(
    layout: Layout,
) -> None:
    assert layout.names[len(FIXED) :] == (
        "A1",
        "A2_chat",
        "A2_phone",
        "A2_none",
        "A3",
        "A4",
        "A5",
        "A6",
        "A7",
        "A8",
        "A9",
        "A10",
    )


def test_storage_kinds_follow_the_question_types(layout: Layout) -> None:
    kinds = {c.name: c.kind for c in layout.columns}
    assert kinds["A1"] is Kind.TEXT
    assert kinds["A2_chat"] is Kind.INTEGER
    assert kinds["A3"] is kinds["A4"] is kinds["A5"] is kinds["A7"] is Kind.INTEGER
    assert kinds["A6"] is Kind.NUMBER  # integer: false
    assert kinds["A8"] is kinds["A9"] is kinds["A10"] is Kind.TEXT
    assert kinds["submitted_at"] is Kind.TIMESTAMP


def test_answers_are_exported_as_stored(layout: Layout, record: MakeRecord) -> None:
    row = cells(layout, record())
    assert row["A1"] == "yes"
    assert (row["A2_chat"], row["A2_phone"], row["A2_none"]) == (1, 1, 0)
    assert (row["A3"], row["A4"], row["A5"], row["A6"], row["A7"]) == (4, 9, 3, 12.5, 95)
    assert row["A8"] == "2026-09-01"
    assert row["A9"] == "fine"


def test_metadata_cells(layout: Layout, record: MakeRecord) -> None:
    row = cells(layout, record(id=42))
    assert row["response_id"] == 42
    assert row["questionnaire_version"] == "1"
    assert row["language"] == "zh-Hans"
    assert row["started_at"] == STARTED
    assert row["submitted_at"] == SUBMITTED
    assert row["duration_seconds"] == 570.0


def test_a_question_hidden_by_its_condition_is_not_shown(
    layout: Layout, record: MakeRecord
) -> None:
    row = cells(layout, record())
    assert row["A10"] == Missing.NOT_SHOWN.text == "-96"  # shown only when A1 is "no"


def test_hidden_multiple_choice_fills_every_option_column(
    layout: Layout, record: MakeRecord
) -> None:
    row = cells(layout, record(answers={"A1": "no", "A2": ["chat"]}))
    assert {row[name] for name in ("A2_chat", "A2_phone", "A2_none")} == {Missing.NOT_SHOWN}


def test_a_stale_answer_to_a_hidden_question_is_not_exported(
    layout: Layout, record: MakeRecord
) -> None:
    row = cells(layout, record(answers={**FULL, "A10": "left over from before A1 changed"}))
    assert row["A10"] == Missing.NOT_SHOWN.text


def test_a_sheet_routed_on_an_unreadable_answer_exports_what_both_routes_hold(
    mini: Questionnaire, record: MakeRecord
) -> None:
    """An illegible A1 decides neither route, so A2 and A10 export as keyed, and the same
    answers read back without it still hide what their route hides (the memo tells the
    two apart)."""
    layout = Layout(mini, modes=["paper"])
    unreadable = {**FULL, "A1": ILLEGIBLE, "A2": ["chat"], "A10": BLANK}
    row = cells(layout, record(answers=unreadable, mode="paper"))
    assert (row["A1"], row["A2_chat"], row["A10"]) == ("-94", 1, "-95")
    readable = cells(layout, record(answers={**unreadable, "A1": "yes"}, mode="paper"))
    assert (readable["A2_chat"], readable["A10"]) == (1, Missing.NOT_SHOWN.text)
    assert Missing.SEVERAL_TICKED in layout.missing_codes(mini.question("A1"))
    assert Missing.BLANK not in Layout(mini).missing_codes(mini.question("A1"))


def test_dont_know_and_not_applicable_keep_their_own_codes(
    layout: Layout, record: MakeRecord
) -> None:
    dont_know = cells(layout, record(answers={**FULL, "A3": "_dont_know", "A2": "_dont_know"}))
    not_applicable = cells(layout, record(answers={**FULL, "A3": "_not_applicable"}))
    assert dont_know["A3"] == Missing.DONT_KNOW.value == -98
    assert {dont_know[n] for n in ("A2_chat", "A2_phone", "A2_none")} == {Missing.DONT_KNOW}
    assert not_applicable["A3"] == Missing.NOT_APPLICABLE.value == -97


def test_a_shown_question_left_blank_is_not_answered(layout: Layout, record: MakeRecord) -> None:
    row = cells(layout, record(answers={"A1": "no"}))
    assert row["A3"] == Missing.NOT_ANSWERED.value == -99
    assert row["A10"] == Missing.NOT_ANSWERED.text  # shown, since A1 is "no"


def test_missing_codes_in_text_columns_are_marked_text(layout: Layout, record: MakeRecord) -> None:
    row = cells(layout, record(answers={"A1": "no"}))
    assert row["A9"] == "-99"
    assert isinstance(row["A9"], MissingText)
    assert cells(layout, record(answers={"A1": "no", "A9": "-99"}))["A9"].__class__ is str


def test_a_paper_response_without_start_time_has_no_duration(
    layout: Layout, record: MakeRecord
) -> None:
    row = cells(layout, record(started_at=None, text_size=None))
    assert row["started_at"] is None
    assert row["duration_seconds"] is None
    assert row["text_size"] is None


def test_times_are_converted_to_utc(layout: Layout, record: MakeRecord) -> None:
    shanghai = dt.timezone(dt.timedelta(hours=8))
    row = cells(layout, record(submitted_at=SUBMITTED.astimezone(shanghai)))
    assert row["submitted_at"].utcoffset() == dt.timedelta(0)
    assert row["submitted_at"] == SUBMITTED


def test_a_time_without_zone_is_refused(layout: Layout, record: MakeRecord) -> None:
    with pytest.raises(ExportError, match=r"response 5: .* no time zone"):
        layout.row(record(id=5, submitted_at=SUBMITTED.replace(tzinfo=None)))


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("A1", "maybe"),
        ("A2", ["chat", "fax"]),
        ("A2", "chat"),
        ("A3", True),
        ("A3", "4"),
        ("A5", 2.5),
        ("A9", 12),
    ],
)
def test_an_answer_its_type_cannot_hold_is_refused_with_the_response_id(
    layout: Layout, record: MakeRecord, code: str, value: Any
) -> None:
    with pytest.raises(ExportError, match=f"response 9: {code}: "):
        layout.row(record(id=9, answers={**FULL, code: value}))


def test_a_table_of_records_names_the_one_whose_answer_it_cannot_hold(
    layout: Layout, record: MakeRecord
) -> None:
    records = [record(1), record(2, {**FULL, "A3": True}), record(3)]
    with pytest.raises(ExportError, match="response 2: A3: "):
        layout.table(records)


def test_a_table_holds_the_rows_of_its_records(layout: Layout, record: MakeRecord) -> None:
    records = [
        record(1),
        record(2, {"A1": "no", "A10": "why"}),
        record(3, {**FULL, "A2": "_dont_know", "A3": "_not_applicable"}),
        record(4, {"A1": "yes"}, started_at=None),
    ]
    rows = [list(row) for row in zip(*layout.table(records), strict=True)]
    assert rows == [layout.row(r) for r in records]


def test_a_record_of_an_unknown_version_is_refused(layout: Layout, record: MakeRecord) -> None:
    with pytest.raises(ExportError, match="does not cover"):
        layout.row(record(version_hash="0" * 64))


def test_sheet_row_neutralises_formula_text_but_not_missing_codes(
    layout: Layout, record: MakeRecord
) -> None:
    answers = {"A1": "no", "A10": "=1+1", "A9": "-99"}
    row = dict(
        zip(layout.names, layout.sheet_row(layout.row(record(answers=answers))), strict=True)
    )
    assert row["A10"] == "'=1+1"
    assert row["A9"] == "'-99"  # typed by the respondent
    assert row["A8"] == "-99"  # the export's code
    assert row["A3"] == -99
    assert row["submitted_at"] == "2026-09-03T10:24:30Z"


# --- several versions ------------------------------------------------------------------------


def older() -> Questionnaire:
    """Version 0: A9 and A10 were not asked yet; A1 had no condition either way."""
    definition = mini_definition("0")
    questions = definition["sections"][0]["questions"]
    definition["sections"][0]["questions"] = [
        q for q in questions if q["code"] not in ("A9", "A10")
    ]
    return build(definition)


def test_records_of_an_earlier_version_use_its_own_definition(
    mini: Questionnaire, record: MakeRecord
) -> None:
    old = older()
    layout = Layout(mini, also=[old])
    row = cells(layout, record(version="0", version_hash=old.content_hash, answers={"A1": "no"}))
    assert row["questionnaire_version"] == "0"
    assert row["A3"] == Missing.NOT_ANSWERED
    assert row["A9"] == Missing.NOT_SHOWN.text  # never asked in version 0
    assert row["A10"] == Missing.NOT_SHOWN.text


def test_a_version_the_columns_cannot_hold_is_refused(mini: Questionnaire) -> None:
    definition = mini_definition("0")
    definition["sections"][0]["questions"][1]["choices"].append(
        {"value": "email", "label": {"en": "Email", "zh-Hans": "邮件"}}
    )
    with pytest.raises(ValueError, match="A2 of version 0 has other columns"):
        Layout(mini, also=[build(definition)])


def test_column_names_must_be_unique() -> None:
    definition = mini_definition()
    definition["sections"][0]["questions"].append(
        {"code": "A2_chat", "type": "short_text", "text": {"en": "?", "zh-Hans": "?"}}
    )
    with pytest.raises(ValueError, match="named twice: A2_chat"):
        Layout(build(definition))


def test_visibility_is_remembered_per_combination_of_condition_outcomes(
    layout: Layout, record: MakeRecord
) -> None:
    first = layout.row(record(answers={"A1": "no", "A9": "x"}))
    again = layout.row(record(answers={"A1": "no", "A9": "y", "A3": 2}))
    assert first[layout.names.index("A10")] == again[layout.names.index("A10")] == "-99"
    visibility = layout._visible[layout.questionnaire.content_hash]
    assert [test.question for test in visibility.tests] == ["A1", "A1"]
    assert len(visibility._memo) == 1


def test_remembered_visibility_ignores_the_answers_of_hidden_questions() -> None:
    """A condition on a hidden question reads no answer, whatever is stored for it; asked
    again, remembered outcomes give the same (a selection's order included)."""
    definition = mini_definition()
    definition["sections"][0]["questions"] += [
        {
            "code": "A11",
            "type": "short_text",
            "show_if": {"question": "A10", "answered": True},
            "text": {"en": "And?", "zh-Hans": "还有呢？"},
        },
        {
            "code": "A12",
            "type": "short_text",
            "show_if": {"question": "A2", "in": ["phone"]},
            "text": {"en": "Which number?", "zh-Hans": "哪个号码？"},
        },
    ]
    version = build(definition)
    visibility = Visibility(version)
    for given in 2 * [
        {"A1": "yes", "A10": "stored before A1 changed"},
        {"A1": "no", "A10": "because"},
        {"A1": "no"},
        {"A1": "yes", "A2": ["chat"]},
        {"A1": "yes", "A2": ["chat", "phone"]},
        {"A1": "yes", "A2": ["phone", "chat"]},
        {"A1": "no", "A2": ["phone"]},
    ]:
        assert visibility(given) == {q.code for q in shown(version, given)}
