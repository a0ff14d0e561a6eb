"""Each question type's paper form: one per type, with the boxes and codes it prints."""

from __future__ import annotations

import pytest
from jinja2 import Environment, FileSystemLoader

from fieldwork.paper import forms
from fieldwork.paper.forms import Choices, Context, Digits, Figures, Points, Writing, printed
from fieldwork.paper.keying import special_code
from fieldwork.paper.sheet import TEMPLATES
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.types import TYPES
from fieldwork.ui_catalogs import gettext
from tests.paper.reading import questionnaire as read
from tests.quality.factories import question, questionnaire

PRINTED = read("printed")


def form(q: Questionnaire, code: str, language: str = "en") -> forms.Printed:
    return printed(q.question(code), Context(q, language, gettext(language)))


def test_every_question_type_has_a_print_form() -> None:
    assert set(forms.FORMS) == set(TYPES)


def test_every_print_form_has_its_macro() -> None:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    macros = environment.get_template("paper/printed/forms.html").module
    drawn = {form(PRINTED, q.code).macro for q in PRINTED.questions}
    assert {q.type for q in PRINTED.questions} == set(TYPES)  # the survey prints every type
    for macro in drawn:
        assert callable(getattr(macros, macro, None)), macro


def test_one_answer_is_circles_and_several_are_squares() -> None:
    single, several = form(PRINTED, "USED"), form(PRINTED, "HOW")
    assert isinstance(single, Choices) and isinstance(several, Choices)
    assert (single.shape, single.special_shape) == ("circle", "circle")
    assert several.shape == "square"
    assert [(b.code, b.label) for b in several.boxes] == [(1, "Phone"), (2, "Chat")]
    assert [(b.code, b.label) for b in several.alternatives] == [(3, "Neither")]


def test_boxes_that_route_carry_their_jump_and_special_answers_their_code() -> None:
    used = form(PRINTED, "USED")
    assert isinstance(used, Choices)
    assert [(b.code, b.jump) for b in used.boxes] == [(1, None), (2, "→ go to RATE")]
    assert [(b.code, b.label, b.jump) for b in used.specials] == [(8, "Don't know", "→ go to RATE")]


def test_special_answers_are_coded_after_every_real_answer() -> None:
    def choices(count: int) -> list[dict[str, object]]:
        return [{"value": f"c{i}", "label": {"en": str(i)}} for i in range(1, count + 1)]

    both = ["dont_know", "not_applicable"]
    q = questionnaire(
        question("FEW", "single_choice", choices=choices(7), allow=both),
        question("EIGHT", "single_choice", choices=choices(8), allow=both),
        question("MANY", "single_choice", choices=choices(98), allow=["dont_know"]),
        question("NPS", "scale_0_10", allow=["dont_know"]),
        question("N", "number", allow=["not_applicable"]),
    )
    codes = {
        code: [special_code(q.question(code), value) for value in q.question(code).allow]
        for code in q.codes()
    }
    assert codes == {
        "FEW": [8, 9],
        "EIGHT": [98, 99],
        "MANY": [998],
        "NPS": [98],
        "N": [9],
    }


@pytest.mark.parametrize(
    ("language", "order", "after"),
    [("zh-Hans", ["year", "month", "day"], True), ("en", ["month", "day", "year"], False)],
)
def test_a_date_is_boxes_in_the_languages_order(
    language: str, order: list[str], after: bool
) -> None:
    date = form(PRINTED, "WHEN", language)
    assert isinstance(date, Figures)
    assert [g.part for g in date.groups] == order
    assert {g.part: g.count for g in date.groups} == {"year": 4, "month": 2, "day": 2}
    assert date.names_after is after


def test_figures_have_as_many_boxes_as_the_largest_answer_has_digits() -> None:
    wait, times = form(PRINTED, "WAIT"), form(PRINTED, "TIMES")
    assert isinstance(wait, Figures) and isinstance(times, Figures)
    # At most 600 minutes: 10 hours, two boxes; minutes always two.
    assert wait.groups == (Digits("hours", "Hours", 2), Digits("minutes", "Minutes", 2))
    assert times.groups == (Digits("", "", 2),) and times.unit == "times"
    decimal = form(questionnaire(question("KG", "number", integer=False)), "KG")
    assert isinstance(decimal, Figures)
    assert decimal.groups == (Digits("", "", forms.UNBOUNDED_DIGITS, 2),)


def test_points_and_writing() -> None:
    rate, nps = form(PRINTED, "RATE"), form(PRINTED, "NPS")
    assert isinstance(rate, Points) and isinstance(nps, Points)
    assert (rate.points, rate.low, rate.high) == ((1, 2, 3, 4, 5), "Poor", "Good")
    assert nps.points == tuple(range(11))
    assert [(b.code, b.label) for b in rate.specials] == [(9, "Not applicable")]
    word, story = form(PRINTED, "WORD"), form(PRINTED, "STORY")
    assert isinstance(word, Writing) and isinstance(story, Writing)
    assert (word.lines, story.lines) == (1, forms.LONG_TEXT_LINES)


def test_the_forms_words_are_in_the_sheets_language() -> None:
    single = form(PRINTED, "USED", "zh-Hant")
    assert isinstance(single, Choices)
    assert single.instruction == "請只勾一個。"
    assert [b.label for b in single.boxes] == ["聯絡過", "沒有聯絡"]
    assert single.boxes[1].jump == "→ 請跳到RATE"
