"""contradiction: answers the questionnaire declares cannot all be true together."""

from __future__ import annotations

import random

import pytest

from fieldwork.quality import ALONE, BulkIndex, Checker, Flag, evaluate, explain, settings_of
from fieldwork.questionnaire.model import Questionnaire
from tests.quality.factories import NOW, cannot_all_hold, question, questionnaire, subject

SOLVED_AT_ONCE = {"question": "SOLVED", "equals": "first_time"}
MANY_CONTACTS = {"question": "CONTACTS", "at_least": 5}
NO_CONTACT = {"question": "CONTACTS", "equals": 0}
USED_CHANNEL = {"question": "CHANNELS", "not_in": ["none"]}


def contacts(**quality: object) -> Questionnaire:
    """How it was solved, how many contacts, which channels; two checks between them."""
    return questionnaire(
        question(
            "SOLVED",
            "single_choice",
            choices=[{"value": v, "label": {"en": v}} for v in ("first_time", "later", "no")],
        ),
        question("CONTACTS", "number", min=0, max=50, allow=["dont_know"]),
        question(
            "CHANNELS",
            "multiple_choice",
            choices=[{"value": v, "label": {"en": v}} for v in ("phone", "chat", "none")],
        ),
        question("O1", "short_text"),
        quality=quality or None,
        consistency=[
            cannot_all_hold("at_once_many", SOLVED_AT_ONCE, MANY_CONTACTS),
            cannot_all_hold("channel_no_contact", USED_CHANNEL, NO_CONTACT),
        ],
    )


Q = contacts()
SETTINGS = settings_of(Q.definition)


def contradictions(
    answers: dict[str, object], mode: str = "online", q: Questionnaire = Q
) -> list[Flag]:
    flags = evaluate(q, settings_of(q.definition), subject(answers=answers, mode=mode), ALONE, NOW)
    return [flag for flag in flags if flag.rule == "contradiction"]


def test_answers_meeting_every_condition_are_flagged_with_the_check_and_answers() -> None:
    [flag] = contradictions({"SOLVED": "first_time", "CONTACTS": 7})
    assert flag.severity == "review"
    assert flag.kwargs == {
        "checks": ("at_once_many",),
        "answers": ("SOLVED = first_time", "CONTACTS = 7"),
    }


@pytest.mark.parametrize(
    "answers",
    [
        {"SOLVED": "first_time", "CONTACTS": 4},  # one short of the limit
        {"SOLVED": "later", "CONTACTS": 12},
        {"SOLVED": "first_time"},  # the number unanswered (or hidden, so dropped)
        {"SOLVED": "first_time", "CONTACTS": "_dont_know"},  # "don't know" is no number
        {"CHANNELS": ["none"], "CONTACTS": 0},
        {"CHANNELS": ["phone"], "CONTACTS": 1},
    ],
)
def test_answers_that_can_all_be_true_are_not_flagged(answers: dict[str, object]) -> None:
    assert contradictions(answers) == []


def test_every_check_met_is_named_and_each_answer_shown_once() -> None:
    answers = {"SOLVED": "first_time", "CONTACTS": 0, "CHANNELS": ["phone", "chat"]}
    q = questionnaire(
        *Q.definition["sections"][0]["questions"],
        consistency=[
            cannot_all_hold("at_once_none", SOLVED_AT_ONCE, NO_CONTACT),
            cannot_all_hold("channel_no_contact", USED_CHANNEL, NO_CONTACT),
        ],
    )
    [flag] = contradictions(answers, q=q)
    assert flag.kwargs == {
        "checks": ("at_once_none", "channel_no_contact"),
        "answers": ("SOLVED = first_time", "CONTACTS = 0", "CHANNELS = phone + chat"),
    }


def test_paper_responses_are_judged_and_a_testers_checklist_is_not() -> None:
    """A paper sheet holds a respondent's answers; a shadow checklist logs what a platform
    did, and saying so is no contradiction."""
    answers = {"SOLVED": "first_time", "CONTACTS": 9}
    assert [f.rule for f in contradictions(answers, mode="paper")] == ["contradiction"]
    flags = evaluate(Q, SETTINGS, subject(answers=answers, mode="shadow"), ALONE, NOW)
    assert "contradiction" not in [f.rule for f in flags]
    [note] = [f for f in flags if f.rule == "rules-not-applied"]
    assert "contradiction" in note.kwargs["rules"]


def test_a_questionnaire_declaring_no_checks_has_no_rule_to_skip() -> None:
    plain = questionnaire(question("C1", "single_choice"), question("C2", "number"))
    note = Checker(plain, settings_of(plain.definition)).not_applied("shadow")
    assert note is not None and "contradiction" not in note.kwargs["rules"]


def test_severity_is_set_and_the_rule_turned_off_under_quality() -> None:
    answers = {"SOLVED": "first_time", "CONTACTS": 9}
    [flag] = contradictions(answers, q=contacts(contradiction={"severity": "reject"}))
    assert flag.severity == "reject"
    assert contradictions(answers, q=contacts(contradiction={"enabled": False})) == []


def test_the_explanation_names_the_checks_and_the_answers() -> None:
    [flag] = contradictions({"CHANNELS": ["chat"], "CONTACTS": 0})
    [(message, params)] = explain(flag.as_json())
    assert message % params == (
        "Answers that cannot all be true together (channel_no_contact):"
        " CHANNELS = chat, CONTACTS = 0."
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_the_bulk_run_finds_what_per_response_evaluation_finds(seed: int) -> None:
    rng = random.Random(seed)
    subjects = [
        subject(
            id,
            {
                "SOLVED": rng.choice(["first_time", "later", "no", None]),
                "CONTACTS": rng.choice([0, 1, 4, 5, 20, "_dont_know", None]),
                "CHANNELS": rng.choice([["phone"], ["phone", "chat"], ["none"], None]),
            },
            mode=rng.choice(["online", "online", "paper"]),
        )
        for id in range(1, 301)
    ]
    index = BulkIndex(Q, SETTINGS)
    for one in subjects:
        index.observe(one)
    found = 0
    for one in subjects:
        bulk = [f for f in index.evaluate(one, NOW) if f.rule == "contradiction"]
        assert bulk == [
            f for f in evaluate(Q, SETTINGS, one, ALONE, NOW) if f.rule == "contradiction"
        ]
        found += len(bulk)
    assert found > 30  # not vacuous
