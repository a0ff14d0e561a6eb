"""Skip logic read per answer, for the instruction printed beside the box that routes."""

from __future__ import annotations

from itertools import product
from typing import Any

from fieldwork.answers import shown
from fieldwork.paper.routing import Jump, jumps
from tests.quality.factories import question, questionnaire
from tests.questionnaires import read


def routes(q: Any) -> dict[str, tuple[Jump, ...]]:
    return {code: found for code in q.codes() if (found := jumps(q, code))}


def test_the_branching_survey_routes_as_a_person_following_it_would() -> None:
    branching = read().questionnaires["branching"]
    assert routes(branching) == {
        # No contact: how and how long are skipped; a question skipped is unanswered, so
        # "if you phoned" is false too.
        "USED": (Jump("no", "SOLVED"),),
        "HOW": (Jump("chat", "SOLVED"),),
        # "Why not?" is for those not helped.
        "SOLVED": (Jump("yes", "RATE"),),
    }


def test_a_box_that_ends_the_questionnaire_says_so() -> None:
    q = questionnaire(
        question("AGREE", "single_choice"),
        question("Q1", "number", show_if={"question": "AGREE", "equals": "yes"}),
        question("Q2", "number", show_if={"question": "AGREE", "equals": "yes"}),
    )
    assert jumps(q, "AGREE") == (Jump("no", None),)


def test_a_special_answer_routes_too_after_the_choices() -> None:
    q = questionnaire(
        question("USED", "single_choice", allow=["dont_know"]),
        question("HOW", "short_text", show_if={"question": "USED", "in": ["yes"]}),
        question("END", "short_text"),
    )
    assert jumps(q, "USED") == (Jump("no", "END"), Jump("_dont_know", "END"))


def test_a_condition_on_another_answer_stops_the_jump_at_its_question() -> None:
    """Q3 needs AGE too: the box beside S1 cannot say whether Q3 is for them."""
    q = questionnaire(
        question("AGE", "single_choice"),
        question("S1", "single_choice"),
        question("Q2", "number", show_if={"question": "S1", "equals": "yes"}),
        question(
            "Q3",
            "number",
            show_if={
                "all": [{"question": "S1", "equals": "yes"}, {"question": "AGE", "equals": "no"}]
            },
        ),
        question(
            "Q4",
            "number",
            show_if={
                "any": [{"question": "S1", "equals": "no"}, {"question": "AGE", "equals": "yes"}]
            },
        ),
        question("Q5", "number"),
    )
    # S1 no: Q2 skipped, Q3 false whatever AGE, Q4 true whatever AGE.
    assert jumps(q, "S1") == (Jump("no", "Q4"),)
    # AGE routes nothing on its own: S1, next, is shown to everyone.
    assert jumps(q, "AGE") == ()


def test_not_and_not_in_read_as_the_boxes_they_leave() -> None:
    q = questionnaire(
        question(
            "CH",
            "single_choice",
            choices=[{"value": v, "label": {"en": v}} for v in ("app", "phone", "none")],
        ),
        question("Q1", "number", show_if={"question": "CH", "not_in": ["none"]}),
        question("Q2", "number", show_if={"not": {"question": "CH", "equals": "app"}}),
        question("Q3", "number"),
    )
    assert jumps(q, "CH") == (Jump("none", "Q2"),)


def test_questions_that_cannot_route_have_no_jumps() -> None:
    q = questionnaire(
        question("MANY", "multiple_choice"),
        question("N", "number"),
        question("Q1", "number", show_if={"question": "MANY", "in": ["yes"]}),
        question("Q2", "number", show_if={"question": "N", "at_least": 3}),
        question("Q3", "number"),
    )
    assert jumps(q, "MANY") == () and jumps(q, "N") == ()


def test_every_question_a_jump_passes_over_is_one_the_form_would_hide() -> None:
    """The printed route agrees with the web form's own skip logic, for every combination
    of the branching survey's one-answer questions."""
    branching = read().questionnaires["branching"]
    boxes = {
        q.code: [*(c.value for c in q.choices), *q.allow]
        for q in branching.questions
        if q.type == "single_choice"
    }
    order = branching.codes()
    checked = 0
    for values in product(*boxes.values()):
        answers: dict[str, Any] = {"WAIT": 20, "WHY": "没人管", "RATE": 2, "NOTE": "慢"}
        answers |= dict(zip(boxes, values, strict=True))
        visible = {q.code for q in shown(branching, answers)}
        for code in boxes:
            for jump in jumps(branching, code):
                if code not in visible or answers[code] != jump.value:
                    continue
                end = order.index(jump.target) if jump.target else len(order)
                assert not visible & set(order[order.index(code) + 1 : end]), (answers, jump)
                checked += 1
    assert checked > 0
