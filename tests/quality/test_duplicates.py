"""Duplicates: the same network address again within a day, or the same answers from it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fieldwork.quality import ALONE, Earlier, Flag, Neighbours, evaluate, fingerprint, settings_of
from tests.quality.factories import NOW, question, questionnaire, subject, survey

SURVEY = survey()
SETTINGS = settings_of(SURVEY.definition)
ANSWERS = {"C1": "yes", "C2": 3, "R1": 4, "O1": "Slow refund"}


def rules(neighbours: Neighbours, **response: Any) -> dict[str, Flag]:
    found = evaluate(SURVEY, SETTINGS, subject(**response), neighbours, NOW)
    return {flag.rule: flag for flag in found if flag.rule.startswith("duplicate")}


def earlier(id: int, hours_before: float, count: int = 1) -> Neighbours:
    at = NOW - dt.timedelta(hours=1 + hours_before)  # the subject is submitted an hour ago
    return Neighbours(same_ip_latest=Earlier(id, at), same_ip_count=count)


# --- duplicate-ip ----------------------------------------------------------------------------


def test_duplicate_ip_names_the_earlier_response() -> None:
    assert rules(earlier(7, 1.5, count=2), id=9)["duplicate-ip"] == Flag.of(
        "duplicate-ip", "review", earlier=7, minutes=90.0, count=2, window_hours=24
    )


def test_duplicate_ip_within_exactly_the_window_is_flagged() -> None:
    assert "duplicate-ip" in rules(earlier(7, 24))


def test_duplicate_ip_outside_the_window_is_not_flagged() -> None:
    assert rules(earlier(7, 24.01)) == {}


def test_duplicate_ip_window_comes_from_settings() -> None:
    q = survey(**{"duplicate-ip": {"window_hours": 1}})
    found = evaluate(q, settings_of(q.definition), subject(), earlier(7, 1.5), NOW)
    assert [f.rule for f in found if f.rule == "duplicate-ip"] == []


def test_the_first_response_from_an_address_is_not_flagged() -> None:
    assert rules(ALONE) == {}


def test_duplicate_ip_needs_an_ip_hash() -> None:
    assert rules(earlier(7, 1), ip=None) == {}


# --- duplicate-answers -----------------------------------------------------------------------


def test_duplicate_answers_from_the_same_address_are_rejected() -> None:
    found = rules(Neighbours(same_answers_first=3), answers=ANSWERS)
    assert found["duplicate-answers"] == Flag.of("duplicate-answers", "reject", earlier=3)


def test_no_earlier_response_with_the_same_answers_is_no_duplicate() -> None:
    assert rules(ALONE, answers=ANSWERS) == {}


def test_duplicate_answers_does_not_apply_without_closed_questions() -> None:
    q = questionnaire(question("O1", "long_text"))
    found = evaluate(q, settings_of(q.definition), subject(), Neighbours(same_answers_first=3), NOW)
    assert found == []


# --- fingerprint -----------------------------------------------------------------------------


def test_fingerprint_covers_closed_answers_only() -> None:
    other_text = {**ANSWERS, "O1": "Something else entirely"}
    assert fingerprint(SURVEY, ANSWERS) == fingerprint(SURVEY, other_text)


def test_fingerprint_differs_when_one_closed_answer_does() -> None:
    assert fingerprint(SURVEY, ANSWERS) != fingerprint(SURVEY, {**ANSWERS, "R1": 5})


def test_fingerprint_tells_dont_know_from_unanswered() -> None:
    dont_know = {**ANSWERS, "R2": "_dont_know"}
    assert fingerprint(SURVEY, ANSWERS) != fingerprint(SURVEY, dont_know)
    assert fingerprint(SURVEY, ANSWERS) == fingerprint(SURVEY, {**ANSWERS, "R2": None})


def test_fingerprint_is_stable_sha1_hex_for_storage() -> None:
    value = fingerprint(SURVEY, ANSWERS)
    assert value == fingerprint(survey(), dict(reversed(list(ANSWERS.items()))))
    assert value is not None and len(value) == 40 and int(value, 16) >= 0


def test_fingerprint_of_no_closed_answer_is_none() -> None:
    assert fingerprint(SURVEY, {"O1": "Only words"}) is None
