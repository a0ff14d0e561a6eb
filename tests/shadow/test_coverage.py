"""Coverage of a plan: planned and submitted tests per platform × channel × slot, and
the gaps, from plain counted rows (pure) and from stored tests."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from fieldwork.shadow import coverage, plans
from fieldwork.shadow.coverage import NEVER_PLANNED, NONE_SUBMITTED, Row
from fieldwork.shadow.models import SLOTS, SUBMITTED, ShadowTest

PAIRS = [("taobao", "phone_hotline"), ("jd", "in_app_chat")]


def test_a_pair_with_no_test_is_a_gap_in_every_slot() -> None:
    found = coverage.grid(PAIRS, [Row("jd", "in_app_chat", slot, SUBMITTED, 1) for slot in SLOTS])
    [gap] = found.gaps
    assert (gap.platform, gap.channel, gap.kind, gap.slots) == (
        "taobao",
        "phone_hotline",
        NEVER_PLANNED,
        SLOTS,
    )
    assert gap.everywhere


def test_planned_but_not_submitted_is_a_gap_of_its_own() -> None:
    rows = [
        Row("taobao", "phone_hotline", "weekday_evening", "planned", 2),
        Row("taobao", "phone_hotline", "weekday_morning", "logging", 1),
        Row("taobao", "phone_hotline", "weekday_morning", SUBMITTED, 1),
    ]
    line = coverage.grid(PAIRS[:1], rows).lines[0]
    cells = {cell.slot: (cell.planned, cell.submitted, cell.gap) for cell in line.cells}
    assert cells["weekday_evening"] == (2, 0, NONE_SUBMITTED)
    assert cells["weekday_morning"] == (2, 1, None)
    assert cells["weekend_night"] == (0, 0, NEVER_PLANNED)
    kinds = {gap.kind: gap.slots for gap in coverage.gaps(line)}
    assert kinds[NONE_SUBMITTED] == ("weekday_evening",)
    assert "weekday_morning" not in kinds[NEVER_PLANNED]


def test_void_tests_and_pairs_not_offered_do_not_count() -> None:
    rows = [
        Row("taobao", "phone_hotline", "weekday_night", "void", 5),
        Row("xiaohongshu", "phone_hotline", "weekday_night", SUBMITTED, 1),
    ]
    found = coverage.grid(PAIRS[:1], rows)
    assert [line.platform for line in found.lines] == ["taobao"]
    assert all(cell.planned == 0 for cell in found.lines[0].cells)


def test_stored_tests_are_counted_for_a_campaign(
    session: Session, planned: Callable[..., ShadowTest]
) -> None:
    planned(campaign="spring", channel="phone_hotline", slot="weekend_evening")
    done = planned(campaign="spring", channel="phone_hotline", slot="weekday_evening")
    done.state = SUBMITTED
    session.add(done)
    session.commit()
    planned(campaign="autumn", channel="phone_hotline", slot="weekday_night")
    rows = plans.coverage_rows(session, plans.Filters(campaign="spring"))
    line = coverage.grid(PAIRS[:1], rows).lines[0]
    counts = {c.slot: (c.planned, c.submitted) for c in line.cells if c.planned}
    assert counts == {"weekend_evening": (1, 0), "weekday_evening": (1, 1)}
