"""Evaluating one response: flags sorted, deterministic, stored as JSON, explained in words."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import replace

from fieldwork.quality import (
    ALONE,
    RULES,
    Earlier,
    Flag,
    Neighbours,
    evaluate,
    explain,
    settings_of,
)
from fieldwork.quality.evaluation import NOT_APPLIED_EXPLANATION
from tests.quality.factories import (
    NOW,
    cannot_all_hold,
    one_factor_norms,
    question,
    questionnaire,
    subject,
    survey,
)
from tests.quality.test_shadow import every_shadow_flag

SURVEY = survey()
SETTINGS = settings_of(SURVEY.definition)
CONTRADICTED = questionnaire(
    question("C1", "single_choice"),
    question("C2", "number"),
    consistency=[
        cannot_all_hold(
            "c1_yes_c2_many", {"question": "C1", "equals": "yes"}, {"question": "C2", "at_least": 5}
        )
    ],
)

CONFLICT = {"code": "segment-conflict", "link": "elderly", "answers": "young"}
# A response that trips every rule at once.
BAD = subject(
    5,
    answers={
        **{f"R{i}": 3 for i in range(1, 9)},
        "C1": "yes",
        "O1": "asdfasdfjkl",
        "O2": "asdfasdfjkl",
        "O3": "asdfasdfjkl",
    },
    seconds=0,
    pages={"p1": 0.2},
    recorded=[CONFLICT],
)
NEAR = Neighbours(
    median_seconds=600,
    duration_count=40,
    same_ip_latest=Earlier(4, BAD.submitted_at - dt.timedelta(minutes=5)),
    same_ip_count=1,
    same_answers_first=2,
    farm_addresses=4,
    farm_latest=3,
    norms=one_factor_norms(),  # BAD's ratings sit on their mean
)
SHARED = Neighbours(same_ip_latest=NEAR.same_ip_latest, same_ip_count=1)
"""A shared address and other answers: what raises duplicate-ip."""


def test_flags_come_most_serious_first_then_by_code() -> None:
    found = evaluate(SURVEY, SETTINGS, BAD, NEAR, NOW)
    assert [(f.severity, f.rule) for f in found] == [
        ("reject", "duplicate-answers"),
        ("reject", "impossible-paradata"),
        ("reject", "speeder"),
        ("review", "click-farm"),
        ("review", "open-mash"),
        ("review", "open-same-text"),
        ("review", "segment-conflict"),
        ("review", "straight-lining"),
    ]


def test_evaluating_twice_gives_equal_flags() -> None:
    first = evaluate(SURVEY, SETTINGS, BAD, NEAR, NOW)
    again = evaluate(survey(), settings_of(SURVEY.definition), BAD, NEAR, NOW + dt.timedelta(1))
    assert first == again
    assert [f.as_json() for f in first] == [f.as_json() for f in again]


def test_naive_times_as_sqlite_returns_them_are_taken_as_utc() -> None:
    naive = subject(submitted=NOW.replace(tzinfo=None), seconds=600)
    assert naive == subject(submitted=NOW, seconds=600)
    assert naive.submitted_at.tzinfo is dt.UTC


def test_a_clean_response_has_no_flags() -> None:
    answers = {"C1": "yes", "R1": 4, "R2": 5, "O1": "退款很快。"}
    assert evaluate(SURVEY, SETTINGS, subject(answers=answers, pages={"p1": 300}), ALONE, NOW) == []


def test_flags_read_back_from_their_stored_json() -> None:
    for flag in evaluate(SURVEY, SETTINGS, BAD, NEAR, NOW):
        stored = flag.as_json()
        assert stored["code"] == flag.rule and stored["severity"] == flag.severity
        assert Flag.from_json(stored) == flag


def test_flag_params_are_sorted_whatever_order_they_are_given_in() -> None:
    assert Flag.of("x", "note", b=1, a=2) == Flag.of("x", "note", a=2, b=1)
    assert Flag.of("x", "note", b=1, a=2).as_json() == {
        "code": "x",
        "severity": "note",
        "a": 2,
        "b": 1,
    }


def test_every_sentence_of_every_rule_is_worded_with_its_flag_s_parameters() -> None:
    cases = [
        subject(1, {"O1": "无"}, seconds=-5),
        subject(2, seconds=90000, submitted=NOW + dt.timedelta(hours=1)),
        subject(3, seconds=60),
        subject(10, {f"R{i}": 1 + i % 3 for i in range(1, 9)}),
        subject(4, seconds=100, pages={"p1": 150.0, "p2": -1}),
        subject(5, seconds=None, pages={}, recorded=[{"code": "not-walked", "questions": ["C1"]}]),
        *(
            subject(6 + n, recorded=[{**CONFLICT, "source": source}], mode="paper")
            for n, source in enumerate(("sheet", "staff"))
        ),
    ]
    flags = evaluate(SURVEY, SETTINGS, BAD, NEAR, NOW)
    flags += evaluate(SURVEY, SETTINGS, BAD, SHARED, NOW)
    flags += evaluate(SURVEY, SETTINGS, BAD, replace(SHARED, near_answers=2), NOW)
    first_of_farm = replace(NEAR, farm_latest=None, farm_following=9)
    flags += evaluate(SURVEY, SETTINGS, BAD, first_of_farm, NOW)
    for one in cases:
        flags += evaluate(SURVEY, SETTINGS, one, NEAR, NOW)
    flags += evaluate(CONTRADICTED, SETTINGS, subject(answers={"C1": "yes", "C2": 7}), ALONE, NOW)
    flags += every_shadow_flag()
    worded: set[str] = set()
    for flag in flags:
        for message, params in explain(flag):
            assert "%(" not in message % params
            worded.add(message)
    every = {s for rule in RULES.values() for s in rule.reasons.values() or [rule.explanation]}
    # A link's segment conflict keeps its first sentence; only other presets give a reason.
    every.add(RULES["segment-conflict"].explanation)
    # A click farm's member with earlier ones keeps it too; only its first gives a reason.
    every.add(RULES["click-farm"].explanation)
    assert worded == every | {NOT_APPLIED_EXPLANATION}


def test_a_reason_gets_its_own_sentence() -> None:
    (flag,) = [
        f for f in evaluate(SURVEY, SETTINGS, BAD, NEAR, NOW) if f.rule == "impossible-paradata"
    ]
    assert [message for message, _ in explain(flag.as_json())] == [
        RULES["impossible-paradata"].reasons["zero-duration"],
        RULES["impossible-paradata"].reasons["fast-pages"],
    ]


def test_explanations_join_lists_for_reading() -> None:
    flag = Flag.of("open-empty", "note", questions=("O1", "O3"))
    assert explain(flag)[0][0] % explain(flag)[0][1] == (
        "The answers to O1, O3 say nothing (such as “none”, “n/a” or “-”)."
    )


def test_a_flag_of_a_rule_that_no_longer_exists_is_still_explained() -> None:
    (message, params) = explain({"code": "retired", "severity": "note"})[0]
    assert "retired" in message % params


def test_rules_judge_only_their_modes_and_a_note_names_the_rest() -> None:
    on_paper = dataclasses.replace(BAD, mode="paper")
    flags = {f.rule: f for f in evaluate(SURVEY, SETTINGS, on_paper, NEAR, NOW)}
    assert not {"speeder", "impossible-paradata", "duplicate-ip", "duplicate-answers"} & set(flags)
    assert {"straight-lining", "open-mash", "segment-conflict"} <= set(flags)
    note = flags["rules-not-applied"]
    assert (note.severity, note.param("mode"), note.param("rules")) == (
        "note",
        "paper",
        (
            "click-farm",
            "duplicate-answers",
            "duplicate-ip",
            "impossible-paradata",
            "not-walked",
            "speeder",
        ),
    )


def test_an_online_response_is_judged_by_every_rule_with_no_note() -> None:
    codes = [f.rule for f in evaluate(SURVEY, SETTINGS, BAD, NEAR, NOW)]
    assert "rules-not-applied" not in codes
    assert {"impossible-paradata", "click-farm", "straight-lining"} <= set(codes)
