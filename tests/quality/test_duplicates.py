"""Duplicates: a shared address judged with the answers, and click farms across addresses."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from fieldwork.quality import (
    ALONE,
    Earlier,
    Flag,
    Neighbours,
    answer_signature,
    bands,
    evaluate,
    explain,
    fingerprint,
    settings_of,
)
from fieldwork.quality.similarity import differences, farm
from tests.quality.factories import NOW, question, questionnaire, subject, survey

SURVEY = survey()
SETTINGS = settings_of(SURVEY.definition)
ANSWERS = {"C1": "yes", "C2": 3, "R1": 4, "O1": "Slow refund"}


def rules(neighbours: Neighbours, **response: Any) -> dict[str, Flag]:
    found = evaluate(SURVEY, SETTINGS, subject(**response), neighbours, NOW)
    return {flag.rule: flag for flag in found if flag.rule in SHARING}


SHARING = ("duplicate-ip", "duplicate-answers", "click-farm")


def earlier(id: int, hours_before: float, count: int = 1) -> Neighbours:
    at = NOW - dt.timedelta(hours=1 + hours_before)  # the subject is submitted an hour ago
    return Neighbours(same_ip_latest=Earlier(id, at), same_ip_count=count)


# --- duplicate-ip ----------------------------------------------------------------------------


def test_a_shared_address_with_other_answers_is_only_a_note() -> None:
    assert rules(earlier(7, 1.5, count=2), id=9)["duplicate-ip"] == Flag.of(
        "duplicate-ip", "note", earlier=7, minutes=90.0, count=2, window_hours=24
    )


def test_an_assisted_session_sharing_an_address_gets_no_note() -> None:
    helped = replace(subject(id=9), assisted=True)
    found = evaluate(SURVEY, SETTINGS, helped, earlier(7, 1.5), NOW)
    assert [f.rule for f in found if f.rule in SHARING] == []


def test_no_shared_address_note_when_the_answers_are_a_duplicate() -> None:
    copied = replace(earlier(7, 1.5), near_answers=7, near_different=1)
    assert set(rules(copied, answers=ANSWERS)) == {"duplicate-answers"}


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


def test_nearly_the_same_answers_from_the_same_address_are_rejected() -> None:
    found = rules(Neighbours(near_answers=3, near_different=2), answers=ANSWERS)
    assert found["duplicate-answers"] == Flag.of(
        "duplicate-answers", "reject", earlier=3, different=2, reasons=("near",)
    )


def test_duplicate_answers_are_a_duplicate_even_when_assisted() -> None:
    helped = replace(subject(answers=ANSWERS), assisted=True)
    found = evaluate(SURVEY, SETTINGS, helped, Neighbours(near_answers=3), NOW)
    assert [f.rule for f in found if f.rule in SHARING] == ["duplicate-answers"]


def test_duplicate_answers_explains_how_many_answers_differ() -> None:
    flag = Flag.of("duplicate-answers", "reject", earlier=3, different=1, reasons=("near",))
    [(sentence, params)] = explain(flag)
    assert "but %(different)s" in sentence and params["different"] == 1


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


# --- click-farm ------------------------------------------------------------------------------


def test_a_cluster_from_other_addresses_is_a_click_farm() -> None:
    found = rules(Neighbours(farm_addresses=3, farm_latest=41), answers=ANSWERS)
    assert found["click-farm"] == Flag.of(
        "click-farm",
        "review",
        addresses=3,
        earlier=41,
        max_different=2,
        window_hours=6,
    )


def test_fewer_other_addresses_than_the_cluster_needs_is_no_farm() -> None:
    assert rules(Neighbours(farm_addresses=2, farm_latest=41), answers=ANSWERS) == {}


def test_the_cluster_size_comes_from_settings() -> None:
    q = survey(**{"click-farm": {"min_addresses": 5}})
    near = Neighbours(farm_addresses=4, farm_latest=41)
    found = evaluate(q, settings_of(q.definition), subject(answers=ANSWERS), near, NOW)
    assert "click-farm" not in {f.rule for f in found}


def test_a_short_form_has_no_click_farm_rule() -> None:
    q = questionnaire(question("C1", "single_choice"), question("C2", "single_choice"))
    near = Neighbours(farm_addresses=30, farm_latest=41)
    assert evaluate(q, settings_of(q.definition), subject(answers={"C1": "yes"}), near, NOW) == []


def test_click_farm_cannot_look_for_more_differences_than_the_bands_find() -> None:
    from fieldwork.quality import check_settings

    problems = check_settings({"quality": {"click-farm": {"max_different": 3}}})
    assert [code for code, _ in problems] == ["quality-range"]


# --- signature -------------------------------------------------------------------------------


def test_signature_counts_the_closed_answers_that_differ() -> None:
    one = bytes.fromhex(answer_signature(SURVEY, ANSWERS) or "")
    two = bytes.fromhex(answer_signature(SURVEY, {**ANSWERS, "R1": 5, "C2": 4}) or "")
    text = bytes.fromhex(answer_signature(SURVEY, {**ANSWERS, "O1": "Other words"}) or "")
    assert (differences(one, two), differences(one, text), differences(one, one)) == (2, 0, 0)


def test_answers_differing_in_two_questions_share_a_band() -> None:
    one = answer_signature(SURVEY, ANSWERS)
    two = answer_signature(SURVEY, {**ANSWERS, "R1": 5, "C2": 4})
    shared = [a == b for a, b in zip(bands(one), bands(two), strict=True)]
    assert any(shared) and not all(shared)


def test_signature_of_no_closed_answer_is_none() -> None:
    assert answer_signature(SURVEY, {"O1": "Only words"}) is None
    assert bands(None) == (None, None, None)


def test_a_farm_counts_each_other_address_once_and_never_its_own() -> None:
    mine = bytes.fromhex(answer_signature(SURVEY, ANSWERS) or "")
    near = bytes.fromhex(answer_signature(SURVEY, {**ANSWERS, "R1": 5}) or "")
    far = bytes.fromhex(answer_signature(SURVEY, {**ANSWERS, "R1": 5, "C2": 9, "C1": "no"}) or "")
    candidates = [
        (1, 11, "x", near),
        (2, 12, "x", mine),  # the same other address again
        (3, 13, "own", mine),  # the subject's own address: a duplicate's business
        (4, 14, "y", far),  # three answers apart
        (5, 15, "z", None),  # stored before signatures
    ]
    assert farm(mine, "own", candidates, 2) == (1, 12)
