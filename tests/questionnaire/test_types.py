"""The type registry: each type parses raw parts (as a form or entry screen sends them) and
validates stored values; special answers ("don't know") are handled for every type."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from fieldwork.questionnaire.model import Choice, Question
from fieldwork.questionnaire.problems import Issue
from fieldwork.questionnaire.types import TYPES, type_of

SCHEMA = Path(__file__).resolve().parents[2] / "questionnaires" / "schema.json"


def question(type_: str, *choices: str, allow: tuple[str, ...] = (), **options: Any) -> Question:
    exclusive = options.pop("exclusive", None)
    return Question(
        code="Q1",
        type=type_,
        text={"en": "A question"},
        section="main",
        allow=allow,
        choices=tuple(
            Choice(value, {"en": value}, position, exclusive=value == exclusive)
            for position, value in enumerate(choices, start=1)
        ),
        options=options,
    )


def parse(q: Question, **parts: str | list[str]) -> tuple[Any, Issue | None]:
    """Parse raw parts given as keyword arguments; `main` stands for the unnamed part."""
    raw = {
        ("" if name == "main" else name): value if isinstance(value, list) else [value]
        for name, value in parts.items()
    }
    return type_of(q).parse(q, raw)


def code_of(result: tuple[Any, Issue | None] | Issue | None) -> str | None:
    issue = result[1] if isinstance(result, tuple) else result
    return issue.code if issue else None


def validate(q: Question, value: Any) -> str | None:
    return code_of(type_of(q).validate(q, value))


# --- the registry --------------------------------------------------------------------------


def test_every_registered_type_is_named_by_its_key() -> None:
    assert all(qtype.name == name for name, qtype in TYPES.items())


def test_registry_and_schema_name_the_same_types() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert set(schema["$defs"]["question"]["properties"]["type"]["enum"]) == set(TYPES)


def test_registry_and_schema_accept_the_same_options_per_type() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    declared = {
        rule["if"]["properties"]["type"]["const"]: set(rule["then"]["properties"])
        for rule in schema["$defs"]["question"]["allOf"]
    }
    assert declared == {name: set(qtype.options) for name, qtype in TYPES.items()}


# --- single choice -------------------------------------------------------------------------

SINGLE = question("single_choice", "yes", "no")


def test_single_choice_parses_a_defined_value() -> None:
    assert parse(SINGLE, main="yes") == ("yes", None)


def test_single_choice_left_blank_is_unanswered() -> None:
    assert parse(SINGLE, main="") == (None, None)


def test_single_choice_with_no_parts_is_unanswered() -> None:
    assert type_of(SINGLE).parse(SINGLE, {}) == (None, None)


def test_single_choice_tampered_value_is_an_invalid_choice() -> None:
    assert code_of(parse(SINGLE, main="maybe")) == "invalid-choice"


def test_single_choice_stored_value_that_is_not_a_string_is_invalid() -> None:
    assert validate(SINGLE, ["yes"]) == "invalid-choice"


# --- multiple choice -----------------------------------------------------------------------

MULTI = question("multiple_choice", "a", "b", "c", "none", exclusive="none")


def test_multiple_choice_keeps_definition_order() -> None:
    assert parse(MULTI, main=["c", "a"]) == (["a", "c"], None)


def test_multiple_choice_repeated_value_counts_once() -> None:
    assert parse(MULTI, main=["b", "b"]) == (["b"], None)


def test_multiple_choice_nothing_ticked_is_unanswered() -> None:
    assert parse(MULTI, main=[]) == (None, None)


def test_multiple_choice_tampered_value_is_an_invalid_choice() -> None:
    assert code_of(parse(MULTI, main=["a", "evil"])) == "invalid-choice"


def test_multiple_choice_exclusive_option_alone_is_accepted() -> None:
    assert parse(MULTI, main=["none"]) == (["none"], None)


def test_multiple_choice_exclusive_option_combined_is_an_issue() -> None:
    assert code_of(parse(MULTI, main=["a", "none"])) == "exclusive-combined"


def test_exclusive_combined_names_the_exclusive_choice() -> None:
    """So the message can name it by its label, whatever the questionnaire calls it."""
    assert parse(MULTI, main=["a", "none"])[1] == Issue.of(
        "Q1", "exclusive-combined", choice="none"
    )


def test_multiple_choice_fewer_than_min_selected_is_an_issue() -> None:
    q = question("multiple_choice", "a", "b", "c", min_selected=2)
    assert parse(q, main=["a"]) == (["a"], Issue.of("Q1", "too-few", min=2))


def test_multiple_choice_more_than_max_selected_is_an_issue() -> None:
    q = question("multiple_choice", "a", "b", "c", max_selected=2)
    assert parse(q, main=["a", "b", "c"]) == (["a", "b", "c"], Issue.of("Q1", "too-many", max=2))


def test_multiple_choice_exclusive_option_satisfies_min_selected() -> None:
    q = question("multiple_choice", "a", "b", "none", exclusive="none", min_selected=2)
    assert parse(q, main=["none"]) == (["none"], None)


def test_multiple_choice_stored_empty_list_is_invalid() -> None:
    assert validate(MULTI, []) == "invalid-choice"


def test_multiple_choice_stored_duplicates_are_invalid() -> None:
    assert validate(MULTI, ["a", "a"]) == "invalid-choice"


def test_multiple_choice_stored_unknown_value_is_invalid() -> None:
    assert validate(MULTI, ["a", "z"]) == "invalid-choice"


def test_multiple_choice_stored_nested_list_is_invalid() -> None:
    assert validate(MULTI, [["a"], "b"]) == "invalid-choice"


# --- rating and 0-10 scale -----------------------------------------------------------------

RATING = question("rating")


def test_rating_parses_a_point() -> None:
    assert parse(RATING, main="4") == (4, None)


def test_rating_accepts_full_width_digits() -> None:
    assert parse(RATING, main="４") == (4, None)


def test_rating_above_the_scale_is_an_issue() -> None:
    assert parse(RATING, main="6") == (6, Issue.of("Q1", "above-max", max=5))


def test_rating_below_the_scale_is_an_issue() -> None:
    assert parse(RATING, main="0") == (0, Issue.of("Q1", "below-min", min=1))


def test_rating_with_custom_ends_uses_them() -> None:
    q = question("rating", min=0, max=3)
    assert code_of(parse(q, main="0")) is None
    assert code_of(parse(q, main="4")) == "above-max"


def test_rating_that_is_not_a_whole_point_is_an_invalid_choice() -> None:
    assert code_of(parse(RATING, main="3.5")) == "invalid-choice"


def test_rating_stored_boolean_is_invalid() -> None:
    assert validate(RATING, True) == "invalid-choice"


def test_scale_0_10_accepts_both_ends() -> None:
    scale = question("scale_0_10")
    assert (parse(scale, main="0"), parse(scale, main="10")) == ((0, None), (10, None))


def test_scale_0_10_refuses_eleven() -> None:
    assert code_of(parse(question("scale_0_10"), main="11")) == "above-max"


def test_scale_0_10_ignores_stray_min_and_max_options() -> None:
    assert code_of(parse(question("scale_0_10", min=5, max=6), main="9")) is None


# --- number --------------------------------------------------------------------------------

NUMBER = question("number", min=0, max=50)


def test_number_parses_digits() -> None:
    assert parse(NUMBER, main=" 12 ") == (12, None)


def test_number_accepts_full_width_digits() -> None:
    assert parse(NUMBER, main="１２") == (12, None)


def test_number_accepts_thousands_separators() -> None:
    assert parse(question("number"), main="1,234") == (1234, None)


def test_number_accepts_a_full_width_comma() -> None:
    assert parse(question("number"), main="1，234") == (1234, None)


def test_number_with_a_zero_fraction_is_whole() -> None:
    assert parse(NUMBER, main="12.0") == (12, None)


def test_integer_number_refuses_decimals() -> None:
    assert parse(NUMBER, main="12.5") == (None, Issue.of("Q1", "not-whole-number"))


def test_decimal_number_accepts_decimals() -> None:
    assert parse(question("number", integer=False), main="12.5") == (12.5, None)


@pytest.mark.parametrize("text", ["abc", "12abc", "NaN", "Infinity", "-inf", "1..2"])
def test_number_refuses_text_that_is_not_a_finite_number(text: str) -> None:
    assert parse(NUMBER, main=text) == (None, Issue.of("Q1", "not-a-number"))


def test_number_above_max_is_an_issue_with_the_bound() -> None:
    assert parse(NUMBER, main="51") == (51, Issue.of("Q1", "above-max", max=50))


def test_number_below_min_is_an_issue_with_the_bound() -> None:
    assert parse(NUMBER, main="-1") == (-1, Issue.of("Q1", "below-min", min=0))


def test_number_with_a_huge_exponent_is_refused_quickly() -> None:
    # Turning 1e1000000 into an int takes tens of seconds: one post must not do that.
    started = time.perf_counter()
    assert code_of(parse(question("number"), main="1e1000000")) == "not-a-number"
    assert time.perf_counter() - started < 0.5


def test_number_with_many_digits_is_refused() -> None:
    assert code_of(parse(question("number"), main="9" * 40)) == "not-a-number"


def test_number_stored_boolean_is_invalid() -> None:
    assert validate(NUMBER, True) == "not-a-number"


def test_integer_number_stored_as_a_float_is_invalid() -> None:
    assert validate(NUMBER, 12.5) == "not-whole-number"


def test_number_stored_as_text_is_invalid() -> None:
    assert validate(NUMBER, "12") == "not-a-number"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10**20])
def test_number_stored_beyond_any_real_answer_is_invalid(value: float) -> None:
    assert validate(question("number", integer=False), value) == "not-a-number"


# --- duration ------------------------------------------------------------------------------

DURATION = question("duration", max=600)


def test_duration_hours_and_minutes_become_minutes() -> None:
    assert parse(DURATION, hours="1", minutes="15") == (75, None)


def test_duration_hours_alone() -> None:
    assert parse(DURATION, hours="2", minutes="") == (120, None)


def test_duration_minutes_alone() -> None:
    assert parse(DURATION, hours="", minutes="90") == (90, None)


def test_duration_accepts_full_width_digits() -> None:
    assert parse(DURATION, hours="１", minutes="３０") == (90, None)


def test_duration_left_blank_is_unanswered() -> None:
    assert parse(DURATION, hours="", minutes="") == (None, None)


@pytest.mark.parametrize(("hours", "minutes"), [("1.5", ""), ("-1", "0"), ("1", "-5"), ("one", "")])
def test_duration_that_is_not_whole_positive_numbers_is_refused(hours: str, minutes: str) -> None:
    assert parse(DURATION, hours=hours, minutes=minutes) == (None, Issue.of("Q1", "not-a-duration"))


def test_duration_above_max_is_an_issue() -> None:
    assert code_of(parse(DURATION, hours="10", minutes="1")) == "above-max"


def test_duration_stored_negative_is_invalid() -> None:
    assert validate(DURATION, -5) == "not-a-duration"


def test_duration_of_thousands_of_digits_is_refused() -> None:
    assert code_of(parse(question("duration"), hours="9" * 4000, minutes="")) == "not-a-duration"


# --- date ----------------------------------------------------------------------------------

DATE = question("date", min="2020-01-01", max="2026-12-31")


def date(q: Question, day: str, month: str, year: str) -> tuple[Any, Issue | None]:
    return parse(q, day=day, month=month, year=year)


def test_date_parts_become_an_iso_date() -> None:
    assert date(DATE, "3", "9", "2026") == ("2026-09-03", None)


def test_date_accepts_full_width_digits() -> None:
    assert date(DATE, "３", "９", "２０２６") == ("2026-09-03", None)


def test_date_31_february_names_the_day_and_how_many_days_the_month_has() -> None:
    assert date(DATE, "31", "2", "2026") == (
        None,
        Issue.of("Q1", "no-such-day", days=28, parts=("day",)),
    )


def test_date_29_february_in_a_leap_year_is_a_date() -> None:
    assert date(DATE, "29", "2", "2024") == ("2024-02-29", None)


def test_date_29_february_in_another_year_has_no_such_day() -> None:
    assert code_of(date(DATE, "29", "2", "2025")) == "no-such-day"


@pytest.mark.parametrize(
    ("day", "month", "year", "code"),
    [
        ("3", "", "2026", "not-a-month"),
        ("3", "13", "2026", "not-a-month"),
        ("3", "0", "2026", "not-a-month"),
        ("3", "Sept", "2026", "not-a-month"),
        ("", "9", "2026", "not-a-day"),
        ("32", "9", "2026", "not-a-day"),
        ("3", "9", "", "not-a-year"),
        ("3", "9", "26", "not-a-year"),
        ("3", "9", "20266", "not-a-year"),
        ("3", "9", "0000", "not-a-year"),
    ],
)
def test_date_with_one_wrong_part_names_that_part(
    day: str, month: str, year: str, code: str
) -> None:
    part = code.removeprefix("not-a-")
    assert date(DATE, day, month, year) == (None, Issue.of("Q1", code, parts=(part,)))


def test_date_typed_year_first_names_every_wrong_part() -> None:
    """2026 in the day box and 3 in the year's: neither is possible there."""
    assert date(DATE, "2026", "9", "3") == (
        None,
        Issue.of("Q1", "not-a-date", parts=("year", "day")),
    )


@pytest.mark.parametrize("huge", ["2147483648", "9" * 500, "1e9", "-2026", "２０２６０"])
def test_date_with_a_huge_or_signed_year_is_refused_as_a_year(huge: str) -> None:
    assert date(DATE, "3", "9", huge) == (None, Issue.of("Q1", "not-a-year", parts=("year",)))


def test_date_with_huge_day_and_month_names_both() -> None:
    assert date(DATE, "9" * 500, "2147483648", "2026") == (
        None,
        Issue.of("Q1", "not-a-date", parts=("month", "day")),
    )


def test_date_left_blank_is_unanswered() -> None:
    assert date(DATE, "", "", "") == (None, None)


def test_date_before_min_is_an_issue() -> None:
    assert code_of(date(DATE, "31", "12", "2019")) == "date-before"


def test_date_after_max_is_an_issue() -> None:
    assert code_of(date(DATE, "1", "1", "2027")) == "date-after"


def test_date_on_its_bounds_is_accepted() -> None:
    assert (code_of(date(DATE, "1", "1", "2020")), code_of(date(DATE, "31", "12", "2026"))) == (
        None,
        None,
    )


@pytest.mark.parametrize("value", ["2026-02-31", "2026-9-3", "20260903", "2026-W36-4", 20260903])
def test_date_stored_in_any_other_form_than_yyyy_mm_dd_is_invalid(value: Any) -> None:
    assert validate(DATE, value) == "not-a-date"


# --- text ----------------------------------------------------------------------------------

SHORT = question("short_text", max_length=10)


def test_text_is_trimmed() -> None:
    assert parse(SHORT, main="  hello \n") == ("hello", None)


def test_text_line_breaks_are_normalised() -> None:
    assert parse(question("long_text"), main="one\r\ntwo\rthree") == ("one\ntwo\nthree", None)


def test_text_keeps_full_width_characters_as_typed() -> None:
    assert parse(SHORT, main="１２ＡＢ") == ("１２ＡＢ", None)


def test_text_left_blank_is_unanswered() -> None:
    assert parse(SHORT, main="   ") == (None, None)


def test_text_longer_than_max_length_is_an_issue() -> None:
    assert parse(SHORT, main="x" * 11) == ("x" * 11, Issue.of("Q1", "too-long", max=10))


def test_text_of_exactly_max_length_is_accepted() -> None:
    assert code_of(parse(SHORT, main="x" * 10)) is None


def test_short_text_defaults_to_200_characters() -> None:
    assert validate(question("short_text"), "x" * 201) == "too-long"


def test_long_text_defaults_to_2000_characters() -> None:
    q = question("long_text")
    assert (validate(q, "x" * 2000), validate(q, "x" * 2001)) == (None, "too-long")


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x07", "\x7f"])
def test_text_with_a_control_character_is_an_issue(control: str) -> None:
    assert code_of(parse(question("long_text"), main=f"a{control}b")) == "invalid-text"


def test_text_may_hold_newlines_and_tabs() -> None:
    assert validate(question("long_text"), "a\tb\nc") is None


def test_text_stored_as_a_number_is_invalid() -> None:
    assert validate(SHORT, 12) == "invalid-text"


# --- special answers -----------------------------------------------------------------------


def test_dont_know_ticked_is_stored_as_the_special_value() -> None:
    q = question("number", allow=("_dont_know",))
    assert parse(q, main="", special="_dont_know") == ("_dont_know", None)


def test_dont_know_as_a_radio_answer_is_stored_as_the_special_value() -> None:
    q = question("rating", allow=("_dont_know",))
    assert parse(q, main="_dont_know") == ("_dont_know", None)


def test_not_applicable_offered_is_accepted() -> None:
    q = question("single_choice", "yes", "no", allow=("_not_applicable",))
    assert parse(q, main="_not_applicable") == ("_not_applicable", None)


def test_dont_know_not_offered_is_an_invalid_choice() -> None:
    assert parse(RATING, main="_dont_know") == (None, Issue.of("Q1", "invalid-choice"))


def test_dont_know_ticked_but_not_offered_is_an_invalid_choice() -> None:
    assert code_of(parse(NUMBER, main="", special="_dont_know")) == "invalid-choice"


def test_other_special_than_offered_is_an_invalid_choice() -> None:
    q = question("rating", allow=("_dont_know",))
    assert code_of(parse(q, main="_not_applicable")) == "invalid-choice"


def test_number_and_dont_know_both_given_is_an_issue() -> None:
    q = question("number", allow=("_dont_know",))
    assert parse(q, main="5", special="_dont_know") == (
        None,
        Issue.of("Q1", "value-and-special", special="_dont_know"),
    )


def test_a_value_with_not_applicable_names_not_applicable() -> None:
    """So the message names the option on screen, not "Don't know"."""
    q = question("number", allow=("_not_applicable",))
    issue = parse(q, main="5", special="_not_applicable")[1]
    assert issue == Issue.of("Q1", "value-and-special", special="_not_applicable")


def test_duration_and_dont_know_both_given_is_an_issue() -> None:
    q = question("duration", allow=("_dont_know",))
    assert code_of(parse(q, hours="1", minutes="", special="_dont_know")) == "value-and-special"


def test_date_and_dont_know_both_given_is_an_issue() -> None:
    q = question("date", allow=("_dont_know",))
    parsed = parse(q, day="3", month="", year="", special="_dont_know")
    assert code_of(parsed) == "value-and-special"


def test_choices_and_dont_know_both_ticked_is_an_issue() -> None:
    q = question("multiple_choice", "a", "b", allow=("_dont_know",))
    assert code_of(parse(q, main=["a"], special="_dont_know")) == "value-and-special"


@pytest.mark.parametrize("main", [["_dont_know", "a"], ["a", "_dont_know"]])
def test_dont_know_among_multiple_choice_values_is_an_issue(main: list[str]) -> None:
    # The paper entry screen may key "don't know" as one more value of the list.
    q = question("multiple_choice", "a", "b", allow=("_dont_know",))
    assert code_of(parse(q, main=main)) == "value-and-special"


def test_dont_know_alone_in_a_multiple_choice_list_is_accepted() -> None:
    q = question("multiple_choice", "a", "b", allow=("_dont_know",))
    assert parse(q, main=["_dont_know"]) == ("_dont_know", None)


def test_empty_parts_beside_dont_know_are_not_a_value() -> None:
    q = question("duration", allow=("_dont_know",))
    assert parse(q, hours="", minutes=" ", special="_dont_know") == ("_dont_know", None)
