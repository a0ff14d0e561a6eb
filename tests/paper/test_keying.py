"""What a keyer types for each question type, and what it is read as: the same raw parts
and the same validation as the web form, with the sheet's missing answers kept apart."""

from __future__ import annotations

from typing import Any

import pytest

from fieldwork import answers
from fieldwork.modes import PAPER
from fieldwork.paper import keying
from fieldwork.paper.keying import Box
from fieldwork.questionnaire.model import BLANK, DONT_KNOW, ILLEGIBLE, SEVERAL_TICKED
from fieldwork.questionnaire.types import TYPES
from tests.quality.factories import question, questionnaire

EIGHT = [{"value": f"c{n}", "label": {"en": f"C{n}"}} for n in range(1, 9)]
SHEET = questionnaire(
    question("ONE", "single_choice", allow=["dont_know"]),
    question("MANY", "multiple_choice", choices=EIGHT, allow=["dont_know"]),
    question("RATE", "rating", allow=["dont_know", "not_applicable"]),
    question("NPS", "scale_0_10", allow=["dont_know"]),
    question("COUNT", "number", max=500, allow=["dont_know"]),
    question("WAIT", "duration"),
    question("WHEN", "date"),
    question("NOTE", "long_text"),
)


def read(code: str, typed: dict[str, str]) -> tuple[Any, list[tuple[str, str]]]:
    """One question keyed, read as entry reads it: the value, and the issues' codes."""
    found = SHEET.question(code)
    raw, issue = keying.read(found, typed)
    if issue is not None:
        return None, [(issue.code, str(issue.kwargs["box"]))]
    values, issues = answers.parse([found], {code: raw}, PAPER.missing)
    return values.get(code), [(i.code, i.question) for i in issues]


def test_every_question_type_can_be_keyed() -> None:
    assert set(keying.KEYERS) == set(TYPES)


def test_special_answers_print_after_every_other_code_and_never_as_one() -> None:
    assert keying.keyer(SHEET.question("ONE")).boxes(SHEET.question("ONE")) == (
        Box(1, "yes"),
        Box(2, "no"),
        Box(8, DONT_KNOW),
    )
    rate = SHEET.question("RATE")
    assert [box.code for box in keying.keyer(rate).boxes(rate)] == [1, 2, 3, 4, 5, 8, 9]
    for code in ("MANY", "NPS"):  # a box already reads 8, or 10
        boxes = keying.keyer(SHEET.question(code)).boxes(SHEET.question(code))
        assert boxes[-1] == Box(98, DONT_KNOW), code


@pytest.mark.parametrize(
    ("code", "typed", "expected"),
    [
        ("ONE", {"": "2"}, "no"),
        ("ONE", {"": "8"}, DONT_KNOW),
        ("MANY", {"": "1 3, 8"}, ["c1", "c3", "c8"]),
        ("RATE", {"": "4"}, 4),
        ("NPS", {"": "10"}, 10),
        ("NPS", {"": "0"}, 0),
        ("COUNT", {"": "120"}, 120),
        ("WAIT", {"hours": "1", "minutes": "30"}, 90),
        ("WHEN", {"year": "2026", "month": "11", "day": "5"}, "2026-11-05"),
        ("NOTE", {"": "退款太慢"}, "退款太慢"),
    ],
)
def test_printed_codes_digits_and_text_read_as_the_web_form_stores_them(
    code: str, typed: dict[str, str], expected: Any
) -> None:
    assert read(code, typed) == (expected, [])


@pytest.mark.parametrize("code", ["ONE", "MANY", "RATE", "COUNT", "WHEN", "NOTE"])
def test_the_missing_keys_mean_the_same_in_every_question(code: str) -> None:
    first = keying.keyer(SHEET.question(code)).fields(SHEET.question(code), "zh-Hans")[0]
    assert read(code, {first: ""}) == (BLANK, [])
    assert read(code, {first: " ? "}) == (ILLEGIBLE, [])
    assert read(code, {first: "*"}) == (SEVERAL_TICKED, [])


def test_a_written_answers_special_box_is_keyed_after_a_slash_since_its_code_is_a_number() -> None:
    assert read("COUNT", {"": "/8"}) == (DONT_KNOW, [])
    assert read("COUNT", {"": "8"}) == (8, [])
    assert read("ONE", {"": "/8"}) == (DONT_KNOW, [])  # the same key on a box question
    assert read("COUNT", {"": "/9"}) == (None, [("no-such-box", "/9")])  # not offered
    assert keying.keystrokes(SHEET.question("COUNT"), DONT_KNOW, "en") == 2
    assert keying.keystrokes(SHEET.question("ONE"), DONT_KNOW, "en") == 1


def test_a_code_no_box_prints_is_refused_by_name() -> None:
    assert read("ONE", {"": "3"}) == (None, [("no-such-box", "3")])
    assert read("RATE", {"": "6"}) == (None, [("no-such-box", "6")])
    assert read("MANY", {"": "1 12"}) == (None, [("no-such-box", "12")])


def test_digits_out_of_range_get_the_web_forms_issues() -> None:
    assert read("COUNT", {"": "501"}) == (None, [("above-max", "COUNT")])
    assert read("WHEN", {"year": "2026", "month": "2", "day": "30"}) == (
        None,
        [("no-such-day", "WHEN")],
    )


def test_a_date_is_keyed_in_the_sheets_language_order() -> None:
    when = SHEET.question("WHEN")
    assert keying.keyer(when).fields(when, "zh-Hans") == ("year", "month", "day")
    assert keying.keyer(when).fields(when, "en")[-1] == "year"


def test_a_code_completes_when_no_longer_code_begins_with_it() -> None:
    one_to_five = [1, 2, 3, 4, 5, 8]
    assert keying.complete(one_to_five, "2")
    zero_to_ten = [*range(11), 98]
    assert not keying.complete(zero_to_ten, "1")  # 10 may follow
    assert keying.complete(zero_to_ten, "10")
    assert not keying.complete(zero_to_ten, "9")  # 98 may follow
    assert not keying.complete(zero_to_ten, "7 ")
    assert not keying.complete(one_to_five, "6")


def test_keystrokes_count_what_the_sheet_holds() -> None:
    sheet = {
        "ONE": "no",  # 2
        "MANY": ["c1", "c3"],  # 1 3
        "RATE": ILLEGIBLE,  # ?
        "NPS": 10,
        "COUNT": 120,
        "WAIT": 90,  # 1 30
        "WHEN": "2026-11-05",  # 2026 11 5
        "NOTE": "退款太慢",
    }
    counts = {
        code: keying.keystrokes(SHEET.question(code), value, "zh-Hans")
        for code, value in sheet.items()
    }
    assert counts == {
        "ONE": 1,
        "MANY": 3,
        "RATE": 1,
        "NPS": 2,
        "COUNT": 3,
        "WAIT": 3,
        "WHEN": 7,
        "NOTE": 4,
    }
    assert keying.keystrokes(SHEET.question("NOTE"), BLANK, "en") == 0
