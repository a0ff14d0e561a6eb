"""Planning shadow tests: a grid checked against the catalog and stored in one go or not
at all, and tests assigned, reassigned and voided with audit rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, col, func, select

from fieldwork.config import ROOT
from fieldwork.questionnaire.loader import PLATFORMS_FILE, read_platforms
from fieldwork.questionnaire.platforms import Platforms
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import plans
from fieldwork.shadow.models import SUBMITTED, VOID, ShadowTest
from tests.shadow.plans import person

SEGMENTS = ("elderly", "parents", "young", "general")
GRID = plans.Grid(
    platforms=("taobao", "xiaohongshu"),
    channels=("in_app_chat", "phone_hotline"),
    scenarios=("complaint",),
    slots=("weekday_evening", "weekend_night"),
    campaign="c2026",
    planned_on="2026-11-03",
    segment="elderly",
)


@pytest.fixture(scope="module")
def platforms() -> Platforms:
    """The shipped platforms.yaml, which the suite's definition is planned on."""
    return read_platforms(ROOT / "questionnaires" / PLATFORMS_FILE)[0]


def stored_count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(ShadowTest)).one())


def plan(session: Session, covert: ShadowDefinition, platforms: Platforms, grid: plans.Grid):
    return plans.plan_grid(
        session, covert, platforms, SEGMENTS, grid, person(session, "admin.wang")
    )


def codes(refused: pytest.ExceptionInfo[plans.PlanRefused]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in refused.value.problems]


def test_a_grid_plans_only_the_channels_each_platform_offers(
    people: None, session: Session, covert: ShadowDefinition, platforms: Platforms
) -> None:
    checked = plan(session, covert, platforms, replace(GRID, count=2))
    # Taobao: chat and hotline; Xiaohongshu: chat only (it has no hotline) → 3 pairs × 2 slots × 2.
    assert len(checked.plans) == stored_count(session) == 12
    assert checked.skipped == (("xiaohongshu", "phone_hotline"),)
    stored = session.exec(select(ShadowTest)).all()
    assert {(t.platform, t.channel) for t in stored} == {
        ("taobao", "in_app_chat"),
        ("taobao", "phone_hotline"),
        ("xiaohongshu", "in_app_chat"),
    }
    assert all(t.campaign == "c2026" and t.segment == "elderly" for t in stored)
    assert all(
        t.planned_on is not None and t.planned_on.isoformat() == "2026-11-03" for t in stored
    )


def test_a_grid_for_a_tester_assigns_every_test_with_an_audit_row(
    people: None, session: Session, covert: ShadowDefinition, platforms: Platforms
) -> None:
    plan(session, covert, platforms, replace(GRID, tester="tester.li", spans_days=True))
    stored = session.exec(select(ShadowTest)).all()
    li = person(session, "tester.li")
    assert {t.tester_id for t in stored} == {li.id} and all(t.spans_days for t in stored)
    for test in stored:
        assert test.id is not None
        [entry] = plans.history(session, test.id)
        assert entry.action == "test-assigned" and entry.new == {"tester": "tester.li"}
    assert [t.id for t in plans.assigned(session, li)] == sorted(
        (t.id for t in stored), reverse=True
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"platforms": ("taobao", "myspace")}, [("platforms", "unknown-platform")]),
        (
            {"platforms": ("xiaohongshu",), "channels": ("phone_hotline",)},
            [("channels", "not-offered")],
        ),
        ({"channels": ("carrier_pigeon",)}, [("channels", "unknown-channel")]),
        ({"scenarios": ("haggling",)}, [("scenarios", "unknown-scenario")]),
        ({"slots": ("weekday_dawn",)}, [("slots", "unknown-slot")]),
        ({"slots": ()}, [("slots", "none-chosen")]),
        ({"planned_on": "2026-02-30"}, [("planned_on", "bad-date")]),
        ({"planned_on": "30/02/2026"}, [("planned_on", "bad-date")]),
        ({"segment": "martians"}, [("segment", "unknown-segment")]),
        ({"tester": "reviewer.zhao"}, [("tester", "not-a-tester")]),
        ({"campaign": "x" * 100_000}, [("campaign", "bad-label")]),
        ({"count": 1_000_000}, [("count", "count-range")]),
        ({"count": None}, [("count", "count-not-a-number")]),
        ({"count": 500}, [("count", "too-many")]),
    ],
)
def test_a_grid_with_a_problem_stores_nothing(
    people: None,
    session: Session,
    covert: ShadowDefinition,
    platforms: Platforms,
    given: dict[str, object],
    expected: list[tuple[str, str]],
) -> None:
    with pytest.raises(plans.PlanRefused) as refused:
        plan(session, covert, platforms, replace(GRID, **given))  # type: ignore[arg-type]
    assert codes(refused) == expected
    assert stored_count(session) == 0


def test_a_form_stuffed_with_unknown_codes_gets_a_few_messages_not_thousands(
    people: None, session: Session, covert: ShadowDefinition, platforms: Platforms
) -> None:
    stuffed = tuple(f"p{n}" for n in range(5000))
    with pytest.raises(plans.PlanRefused) as refused:
        plan(session, covert, platforms, replace(GRID, platforms=stuffed))
    assert codes(refused) == [("platforms", "unknown-platform")] * plans.UNKNOWN_SHOWN


def test_too_many_tests_says_how_many_were_asked_for(
    people: None, session: Session, covert: ShadowDefinition, platforms: Platforms
) -> None:
    with pytest.raises(plans.PlanRefused) as refused:
        plan(session, covert, platforms, replace(GRID, count=500))
    [problem] = refused.value.problems
    assert problem.params == {"count": 3 * 2 * 500, "most": plans.MAX_TESTS}


def test_only_an_admin_plans(
    people: None, session: Session, covert: ShadowDefinition, platforms: Platforms
) -> None:
    tester = person(session, "tester.li")
    with pytest.raises(plans.PlanRefused) as refused:
        plans.plan_grid(session, covert, platforms, SEGMENTS, GRID, tester)
    assert codes(refused) == [("actor", "not-allowed")] and stored_count(session) == 0


def test_a_test_is_reassigned_and_the_audit_log_says_from_whom(
    session: Session, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    assert test.id is not None
    admin = person(session, "admin.wang")
    plans.assign(session, test.id, "tester.chen", admin)
    session.refresh(test)
    assert test.tester_id == person(session, "tester.chen").id
    [entry] = plans.history(session, test.id)
    assert entry.old == {"state": "planned", "tester": "tester.li"}
    assert entry.new == {"tester": "tester.chen"} and entry.actor == "admin.wang"


def test_a_test_cannot_be_given_to_a_reviewer(
    session: Session, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    assert test.id is not None
    with pytest.raises(plans.TestError) as refused:
        plans.assign(session, test.id, "reviewer.zhao", person(session, "admin.wang"))
    assert refused.value.code == "not-a-tester"
    assert plans.history(session, test.id) == []


@pytest.mark.parametrize("state", [SUBMITTED, VOID])
def test_a_closed_test_is_neither_reassigned_nor_voided(
    session: Session, planned: Callable[..., ShadowTest], state: str
) -> None:
    test = planned()
    test.state = state
    session.add(test)
    session.commit()
    assert test.id is not None
    admin = person(session, "admin.wang")
    with pytest.raises(plans.TestError) as refused:
        plans.assign(session, test.id, "tester.chen", admin)
    assert refused.value.code == "closed"
    with pytest.raises(plans.TestError) as refused:
        plans.void(session, test.id, "planned twice", admin)
    assert refused.value.code == "closed"


def test_voiding_needs_a_reason_and_keeps_it(
    session: Session, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    assert test.id is not None
    admin = person(session, "admin.wang")
    for reason, code in (("  ", "no-reason"), ("x" * 2001, "reason-too-long")):
        with pytest.raises(plans.TestError) as refused:
            plans.void(session, test.id, reason, admin)
        assert refused.value.code == code
    plans.void(session, test.id, "The platform closed its hotline", admin)
    session.refresh(test)
    assert test.state == VOID
    assert [e.comment for e in plans.history(session, test.id)] == [
        "The platform closed its hotline"
    ]
    assert plans.assigned(session, person(session, "tester.li")) == []


def test_a_tester_cannot_void(session: Session, planned: Callable[..., ShadowTest]) -> None:
    test = planned()
    assert test.id is not None
    with pytest.raises(plans.TestError) as refused:
        plans.void(session, test.id, "I am ill", person(session, "tester.li"))
    assert refused.value.code == "not-allowed"


def test_the_list_filters_and_pages(session: Session, planned: Callable[..., ShadowTest]) -> None:
    for _ in range(3):
        planned()
    planned(tester="tester.chen", platform="jd")
    chen = person(session, "tester.chen")
    assert plans.listed(session, plans.Filters(tester_id=chen.id)).total == 1
    assert plans.listed(session, plans.Filters(platform="taobao")).total == 3
    second = plans.listed(session, plans.Filters(), page=2, per_page=3)
    assert second.total == 4 and len(second.rows) == 1
    assert second.rows[0][1] == "tester.li"
    assert session.exec(select(func.count()).where(col(ShadowTest.state) == VOID)).one() == 0


def test_the_command_line_plans_a_grid_and_words_its_refusals(
    app: Flask, people: None, session: Session
) -> None:
    def run(*args: str) -> Any:
        return app.test_cli_runner().invoke(args=["fieldwork", "shadow", "plan", "covert", *args])

    grid = ["--platform", "taobao", "--platform", "xiaohongshu", "--channel", "phone_hotline"]
    grid += ["--scenario", "complaint", "--slot", "weekday_night", "--to", "tester.li"]
    done = run(*grid, "--by", "admin.wang", "--on", "2026-11-03")
    assert done.exit_code == 0, done.output
    assert "1 test planned" in done.output and "skipped xiaohongshu phone_hotline" in done.output
    refused = run(*grid, "--on", "2026-02-30", "--count", "9999999")
    assert refused.exit_code == 1
    assert "--on: not a real day" in refused.output and "--count:" in refused.output
    assert stored_count(session) == 1
