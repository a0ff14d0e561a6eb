"""Speeders and impossible paradata: completion times that are too short or cannot be true."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fieldwork.quality import (
    ALONE,
    Flag,
    Neighbours,
    active_seconds,
    evaluate,
    settings_of,
    unwalked,
)
from fieldwork.quality.subjects import IDLE_SECONDS
from tests.quality.factories import NOW, question, questionnaire, subject, survey

SURVEY = survey()
SETTINGS = settings_of(SURVEY.definition)


def flags_of(code: str, **response: Any) -> list[Flag]:
    found = evaluate(SURVEY, SETTINGS, subject(**response), ALONE, NOW)
    return [flag for flag in found if flag.rule == code]


def speeder(seconds: float | None, neighbours: Neighbours = ALONE, **quality: Any) -> list[Flag]:
    """The speeder flags of a response, on the survey with these quality settings."""
    q = survey(**quality)
    found = evaluate(q, settings_of(q.definition), subject(seconds=seconds), neighbours, NOW)
    return [flag for flag in found if flag.rule == "speeder"]


def with_median(median: float, count: int = 30) -> Neighbours:
    return Neighbours(median_seconds=median, duration_count=count)


# --- speeder ---------------------------------------------------------------------------------


def test_speeder_under_the_two_minute_minimum_is_rejected() -> None:
    assert speeder(75) == [
        Flag.of("speeder", "reject", seconds=75.0, min_seconds=120, reasons=("minimum",))
    ]


def test_speeder_at_the_minimum_is_not_a_speeder() -> None:
    assert speeder(120) == []


def test_speeder_minimum_comes_from_the_questionnaire_settings() -> None:
    assert speeder(130, speeder={"min_seconds": 150})[0].kwargs["min_seconds"] == 150
    assert speeder(130) == []


def test_speeder_under_a_third_of_the_median_is_rejected() -> None:
    (flag,) = speeder(290, with_median(900))
    assert flag.kwargs == {
        "seconds": 290.0,
        "median_seconds": 900.0,
        "percent": 33,
        "reasons": ("median",),
    }


def test_speeder_over_a_third_of_the_median_is_not_a_speeder() -> None:
    assert speeder(310, with_median(900)) == []


def test_speeder_median_is_ignored_until_enough_responses_have_one() -> None:
    assert speeder(290, with_median(900, count=29)) == []


def test_speeder_median_fraction_and_count_come_from_settings() -> None:
    quality = {"median_fraction": 0.5, "min_responses": 10}
    assert speeder(400, with_median(900, count=10), speeder=quality)[0].kwargs["percent"] == 50


def test_speeder_both_reasons_are_given_in_one_flag() -> None:
    (flag,) = speeder(60, with_median(900))
    assert flag.kwargs["reasons"] == ("minimum", "median")


def test_speeder_does_not_apply_without_a_start_time_as_on_paper() -> None:
    assert speeder(None, with_median(900)) == []


def test_speeder_leaves_a_non_positive_time_to_impossible_paradata() -> None:
    assert speeder(-5) == []


def test_speeder_severity_can_be_lowered_to_review() -> None:
    assert speeder(75, speeder={"severity": "review"})[0].severity == "review"


def test_speeder_can_be_switched_off() -> None:
    assert speeder(75, speeder={"enabled": False}) == []


# --- impossible paradata ---------------------------------------------------------------------


def test_impossible_when_started_after_it_was_submitted() -> None:
    (flag,) = flags_of("impossible-paradata", seconds=-30)
    assert flag == Flag.of(
        "impossible-paradata", "reject", seconds=-30.0, reasons=("started-after-submitted",)
    )


def test_impossible_when_submitted_the_moment_it_was_started() -> None:
    (flag,) = flags_of("impossible-paradata", seconds=0)
    assert flag.kwargs["reasons"] == ("zero-duration",)


def test_a_resume_days_later_is_neither_impossible_nor_slow_nor_fast() -> None:
    pages = {"p1": 200.0, "p2": 180.0}  # answered in six minutes, over twelve days
    found = evaluate(SURVEY, SETTINGS, subject(seconds=12 * 86400, pages=pages), ALONE, NOW)
    assert [f.rule for f in found if f.rule in ("speeder", "impossible-paradata")] == []


def test_a_speeder_who_resumed_days_later_is_still_a_speeder() -> None:
    pages = {"p1": 30.0, "p2": 25.0}
    (flag,) = flags_of("speeder", seconds=3 * 86400, pages=pages)
    assert flag.kwargs["seconds"] == 55.0


def test_a_page_left_open_counts_half_an_hour_at_most() -> None:
    assert active_seconds({"p1": 100.0, "p2": 9 * 3600}) == 100.0 + IDLE_SECONDS
    assert active_seconds({}) is None
    assert active_seconds({"p1": "x", "p2": -4}) is None


def test_impossible_when_pages_took_longer_than_start_to_submit() -> None:
    (flag,) = flags_of("impossible-paradata", seconds=300, pages={"p1": 200.0, "p2": 180.0})
    assert flag.kwargs == {
        "page_total": 380.0,
        "wall_seconds": 300.0,
        "reasons": ("pages-exceed-wall",),
    }


def test_page_times_within_a_few_seconds_of_the_wall_time_are_rounding() -> None:
    assert flags_of("impossible-paradata", seconds=300, pages={"p1": 152.5, "p2": 150.0}) == []


def test_impossible_when_a_page_time_is_no_time() -> None:
    pages = {"p1": 30.0, "p2": -5, "p3": "soon", "p4": float("nan"), "p5": True}
    (flag,) = flags_of("impossible-paradata", seconds=600, pages=pages)
    assert flag.kwargs == {"absurd_pages": ("p2", "p3", "p4", "p5"), "reasons": ("absurd-page",)}


# --- not walked ----------------------------------------------------------------------------


def test_an_online_response_without_page_times_did_not_walk_its_pages() -> None:
    (flag,) = flags_of("not-walked", seconds=None, pages={})
    assert flag.severity == "review"
    assert flag.kwargs == {"reasons": ("untimed",)}


def test_answers_submit_recorded_as_unseen_are_named() -> None:
    recorded = [{"code": "not-walked", "questions": ["C1", "R2"]}]
    (flag,) = flags_of("not-walked", recorded=recorded)
    assert flag.kwargs == {"questions": ("C1", "R2"), "reasons": ("unseen",)}
    again = flags_of("not-walked", recorded=[flag.as_json()])  # re-evaluated from storage
    assert again == [flag]


def test_a_paper_response_has_no_pages_to_walk() -> None:
    assert flags_of("not-walked", seconds=None, pages={}, mode="paper") == []


def test_unwalked_names_answers_the_pages_did_not_save() -> None:
    given = {"C1": "yes", "C2": 3, "R1": None, "R2": 4}
    assert unwalked(given, {"C1": "yes", "C2": 3}) == [{"code": "not-walked", "questions": ["R2"]}]
    assert unwalked(given, {"C1": "yes", "C2": 2, "R2": 4}) == [
        {"code": "not-walked", "questions": ["C2"]}
    ]
    assert unwalked(given, {"C1": "yes", "C2": 3, "R2": 4}) == []
    assert unwalked({"M": ("a", "b")}, {"M": ["a", "b"]}) == []  # as a draft's JSON keeps it


def test_impossible_when_pages_were_answered_in_under_a_second() -> None:
    pages = {"p1": 12.5, "p3": 0.4, "p2": 0.9}
    (flag,) = flags_of("impossible-paradata", pages=pages)
    assert flag.kwargs == {
        "pages": ("p2", "p3"),
        "fastest_seconds": 0.4,
        "min_page_seconds": 1.0,
        "reasons": ("fast-pages",),
    }


def test_pages_of_a_second_or_more_are_possible() -> None:
    assert flags_of("impossible-paradata", pages={"p1": 1.0, "p2": 30}) == []


def test_page_minimum_comes_from_settings() -> None:
    q = survey(**{"impossible-paradata": {"min_page_seconds": 2.5}})
    found = evaluate(q, settings_of(q.definition), subject(pages={"p1": 2.0}), ALONE, NOW)
    assert [f.kwargs["pages"] for f in found if f.rule == "impossible-paradata"] == [("p1",)]


def test_impossible_when_submitted_in_the_future() -> None:
    later = NOW + dt.timedelta(minutes=10)
    (flag,) = flags_of("impossible-paradata", submitted=later)
    assert flag.kwargs == {"future_at": later.isoformat(), "reasons": ("future",)}


def test_clock_skew_within_five_minutes_is_tolerated() -> None:
    assert flags_of("impossible-paradata", submitted=NOW + dt.timedelta(minutes=4)) == []


def test_every_kind_of_evidence_comes_in_one_flag() -> None:
    found = flags_of("impossible-paradata", seconds=0, pages={"p1": 0.1})
    assert len(found) == 1
    assert found[0].kwargs["reasons"] == ("zero-duration", "fast-pages")


def test_a_plausible_response_has_no_timing_flags() -> None:
    pages = {"p1": 300.0, "p2": 240.0}
    found = evaluate(SURVEY, SETTINGS, subject(seconds=600, pages=pages), ALONE, NOW)
    assert [f.rule for f in found if f.rule in ("speeder", "impossible-paradata")] == []


def test_timing_rules_need_no_questions() -> None:
    q = questionnaire(question("C1", "single_choice"))
    found = evaluate(q, settings_of(q.definition), subject(seconds=10), ALONE, NOW)
    assert [f.rule for f in found] == ["speeder"]
