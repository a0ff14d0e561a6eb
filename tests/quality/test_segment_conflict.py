"""Segment conflict: what the response service recorded at submit becomes a flag."""

from __future__ import annotations

from collections.abc import Mapping

from fieldwork.quality import ALONE, Flag, evaluate, settings_of
from tests.quality.factories import NOW, subject, survey

SURVEY = survey()
SETTINGS = settings_of(SURVEY.definition)
RECORDED = {"code": "segment-conflict", "link": "elderly", "answers": "young"}


def conflicts(*recorded: Mapping[str, object]) -> list[Flag]:
    found = evaluate(SURVEY, SETTINGS, subject(recorded=recorded), ALONE, NOW)
    return [flag for flag in found if flag.rule == "segment-conflict"]


def test_a_recorded_conflict_is_flagged_for_review() -> None:
    assert conflicts(RECORDED) == [
        Flag.of("segment-conflict", "review", link="elderly", answers="young")
    ]


def test_no_record_no_flag() -> None:
    assert conflicts() == []


def test_other_records_are_not_conflicts() -> None:
    assert conflicts({"code": "something-else", "link": "x"}) == []


def test_re_evaluating_the_stored_flag_gives_the_same_flag() -> None:
    (flag,) = conflicts(RECORDED)
    assert conflicts(flag.as_json()) == [flag]
