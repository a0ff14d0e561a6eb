"""The tester's logger in a real browser, on a phone (390 × 844, touch): events tapped and
sent, every button at least 60 × 60 px, the page audited in three languages and in
large text, logging with the keyboard alone, logging without JavaScript, and the
offline queue: the network cut part-way, more taps, the page reloaded while offline
(the service worker serves it, the queue is still there), the network back — and every
event in the database exactly once, in order, with its device and receipt times.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page
from sqlmodel import Session

from fieldwork.quality.subjects import as_utc
from fieldwork.shadow import events
from fieldwork.shadow.models import TAP, TYPED, ShadowEvent, ShadowTest
from tests.browser.conftest import (
    LANGS,
    PHONE,
    click_and_wait,
    sign_in_as,
    staff_sign_in_page,
)
from tests.browser.test_review import Keyboard
from tests.review.factories import PASSWORD, fast_password_hashing, staff
from tests.shadow.plans import planned_test

pytestmark = pytest.mark.browser

TARGET = 60  # px: the smallest a button may be, each way
ON_A_PHONE = {"viewport": PHONE, "has_touch": True, "is_mobile": True}


@pytest.fixture(autouse=True)
def _people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)
    staff(app, "admin.wang", "admin")
    staff(app, "tester.li", "tester")


@pytest.fixture
def test_id(session: Session) -> int:
    """Taobao's in-app chat, a complaint, a weekday evening: planned for tester.li."""
    test = planned_test(session)
    assert test.id is not None
    return test.id


def logged(session: Session, test_id: int) -> list[ShadowEvent]:
    """The test's events as stored, undone ones included, in the order they happened."""
    session.expire_all()
    test = session.get(ShadowTest, test_id)
    assert test is not None
    return events.recorded(session, test)


def phone(open_context: Any, **options: Any) -> tuple[BrowserContext, Page]:
    context: BrowserContext = open_context(**{**ON_A_PHONE, **options})
    page = context.new_page()
    page.goto("/staff/login")
    sign_in_as(page, "tester.li", PASSWORD)
    return context, page


def open_logger(page: Page, test_id: int) -> None:
    page.goto(f"/staff/shadow/tests/{test_id}/log")
    page.wait_for_selector("[data-shadow-log] [data-timeline-list]")


def all_sent(page: Page, count: int) -> None:
    """Wait until the timeline shows `count` events, none of them waiting, and nothing
    (an undo included) is left to send."""
    page.wait_for_function(
        """count => document.querySelector('[data-shadow-log]').dataset.waiting === '0'
          && document.querySelectorAll('[data-timeline-list] li').length === count
          && !document.querySelector('[data-timeline-list] li[data-state=waiting]')""",
        arg=count,
    )


def shown(page: Page) -> list[tuple[str, str]]:
    """The timeline as shown: (label, state) per event, state "stored", "waiting" or
    "refused" (the server's timeline has no state mark)."""
    rows: list[tuple[str, str]] = page.eval_on_selector_all(
        "[data-timeline-list] li",
        "items => items.map(li => [li.querySelector('.log-label').textContent,"
        " li.dataset.state || 'stored'])",
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def status(page: Page) -> str:
    return page.inner_text("[data-log-status]")


def test_a_tester_taps_events_on_a_phone_and_they_arrive_in_order(
    open_context: Any, test_id: int, session: Session
) -> None:
    _context, page = phone(open_context, locale="en-GB")
    page.goto("/settings/language/en")
    open_logger(page, test_id)
    buttons = page.locator(".log-button")
    assert buttons.count() == 12
    too_small = []
    for target in [*buttons.all(), page.locator("#undo")]:
        box = target.bounding_box()
        assert box is not None
        if box["width"] < TARGET or box["height"] < TARGET:
            too_small.append((target.inner_text(), box["width"], box["height"]))
    assert not too_small, f"targets under {TARGET} px: {too_small}"
    # One column on a phone: every button as wide as the first, one under another.
    lefts = {round((b.bounding_box() or {"x": -1})["x"]) for b in buttons.all()}
    assert len(lefts) == 1, lefts

    before = dt.datetime.now(dt.UTC)
    page.fill("#tap-note", "Asked about a cracked screen")
    for code in ("contacted", "bot_replied", "bot_repeated"):
        page.tap(f"#event-{code}")
    all_sent(page, 3)
    assert status(page) == "Logged: Bot repeated itself. All events sent."
    assert shown(page) == [
        ("Contacted", "stored"),
        ("Bot replied", "stored"),
        ("Bot repeated itself", "stored"),
    ]
    page.tap("#undo")
    all_sent(page, 2)
    assert shown(page) == [("Contacted", "stored"), ("Bot replied", "stored")]

    stored = logged(session, test_id)
    assert [(e.code, e.sequence, e.entered) for e in stored] == [
        ("contacted", 1, TAP),
        ("bot_replied", 2, TAP),
        ("bot_repeated", 3, TAP),
    ]
    assert [e.undone_at is not None for e in stored] == [False, False, True]
    assert stored[0].note == "Asked about a cracked screen" and stored[1].note is None
    for event in stored:
        assert before <= as_utc(event.device_at) <= as_utc(event.received_at)


def test_offline_taps_survive_a_reload_and_arrive_once_in_order(
    open_context: Any, test_id: int, session: Session
) -> None:
    context, page = phone(open_context, locale="en-GB")
    page.goto("/settings/language/en")
    open_logger(page, test_id)
    page.wait_for_selector("[data-shadow-log][data-offline-ready=yes]")
    page.tap("#event-contacted")
    page.tap("#event-bot_replied")
    all_sent(page, 2)

    context.set_offline(True)
    cut = dt.datetime.now(dt.UTC)
    for code in ("asked_for_human", "transferred", "human_replied"):
        page.tap(f"#event-{code}")
    page.wait_for_function(
        "() => document.querySelector('[data-shadow-log]').dataset.waiting === '3'"
    )
    assert status(page).endswith(
        "Offline — 3 events waiting, they will be sent when the connection returns."
    )

    # The phone dies; the tester opens the logger again, still offline.
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    page.wait_for_function(
        "() => document.querySelectorAll('[data-timeline-list] li').length === 5"
    )
    assert shown(page) == [
        ("Contacted", "stored"),
        ("Bot replied", "stored"),
        ("Asked for a human", "waiting"),
        ("Transferred", "waiting"),
        ("Human replied", "waiting"),
    ]
    page.tap("#event-line_dropped")  # a slip, undone before it ever left the phone
    page.tap("#undo")
    page.tap("#event-problem_solved")
    page.wait_for_function(
        "() => document.querySelector('[data-shadow-log]').dataset.waiting === '4'"
    )
    assert len(logged(session, test_id)) == 2  # nothing went out while offline

    back = dt.datetime.now(dt.UTC)
    context.set_offline(False)
    all_sent(page, 6)
    assert status(page).endswith("All events sent.")
    assert [state for _label, state in shown(page)] == ["stored"] * 6

    stored = logged(session, test_id)
    assert [e.code for e in stored] == [
        "contacted",
        "bot_replied",
        "asked_for_human",
        "transferred",
        "human_replied",
        "problem_solved",
    ]
    assert [e.sequence for e in stored] == [1, 2, 3, 4, 5, 6]
    assert len({e.event_id for e in stored}) == 6
    device = [as_utc(e.device_at) for e in stored]
    assert device == sorted(device)
    for event in stored[2:]:  # tapped offline: happened then, arrived when the network was back
        assert cut <= as_utc(event.device_at) < back <= as_utc(event.received_at)


@pytest.mark.layout
@pytest.mark.parametrize("mode", ["standard", "large"])
@pytest.mark.parametrize("lang", LANGS)
def test_the_logger_passes_the_audit(open_context: Any, test_id: int, lang: str, mode: str) -> None:
    page, checks = staff_sign_in_page(open_context, lang, mode)
    sign_in_as(page, "tester.li", PASSWORD)
    open_logger(page, test_id)
    checks.audit("logger, nothing logged")
    if mode == "large":  # on a phone, in reach without scrolling
        first = page.locator(".log-button").first.bounding_box()
        assert first is not None and first["y"] + first["height"] <= PHONE["height"], first
    page.click("#event-contacted")
    page.fill("#tap-note", "等了很久")
    page.click("#event-bot_replied")
    all_sent(page, 2)
    checks.audit("logger, two events logged")
    page.fill("#typed-month", "13")
    click_and_wait(page, "form[action$='/log/typed'] button[type=submit]")
    checks.error_summary("logger, a date that does not exist")
    checks.audit("logger, a date that does not exist")
    checks.report()


def test_a_tester_logs_with_the_keyboard_alone(
    open_context: Any, test_id: int, session: Session
) -> None:
    context: BrowserContext = open_context(locale="en-GB")
    page = context.new_page()
    keys = Keyboard(page)
    page.goto("/staff/login")
    keys.type_into("#username", "tester.li")
    keys.type_into("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    open_logger(page, test_id)
    keys.type_into("#tap-note", "Hotline menu, option 3")
    keys.tab_to("#event-contacted")
    page.keyboard.press("Enter")
    keys.tab_to("#event-human_replied")
    page.keyboard.press("Space")
    keys.tab_to("#event-line_dropped")
    page.keyboard.press("Enter")
    all_sent(page, 3)  # so the undo goes to the server, not just out of the phone's queue
    keys.tab_to("#undo")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('[data-log-status]').textContent.startsWith('Undone:')"
    )
    all_sent(page, 2)
    assert not keys.invisible, keys.invisible
    stored = logged(session, test_id)
    assert [(e.code, e.undone_at is None) for e in stored] == [
        ("contacted", True),
        ("human_replied", True),
        ("line_dropped", False),
    ]
    assert stored[0].note == "Hotline menu, option 3"


def test_without_javascript_buttons_and_typed_times_still_log(
    open_context: Any, test_id: int, session: Session
) -> None:
    _context, page = phone(open_context, java_script_enabled=False, locale="en-GB")
    open_logger(page, test_id)
    click_and_wait(page, "#event-contacted")
    assert "Logged: " in page.inner_text("[data-notice]")
    page.select_option("#typed-event", "bot_replied")
    page.fill("#typed-second", "59")
    click_and_wait(page, "form[action$='/log/typed'] button[type=submit]")
    stored = logged(session, test_id)
    # The form shows the minute now; 59 seconds into it is after the tap.
    assert [(e.code, e.entered) for e in stored] == [("contacted", TAP), ("bot_replied", TYPED)]
    click_and_wait(page, "#undo")
    assert sum(e.undone_at is None for e in logged(session, test_id)) == 1


def test_an_event_the_server_refuses_stays_in_view_with_its_reason(
    open_context: Any, test_id: int, session: Session
) -> None:
    _context, page = phone(open_context, locale="en-GB")
    page.goto("/settings/language/en")
    open_logger(page, test_id)
    page.clock.set_system_time(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))  # phone ahead
    page.tap("#event-contacted")
    refused = page.locator("[data-timeline-list] li[data-state=refused]")
    refused.wait_for()
    assert "not stored: This event's time is in the future" in refused.inner_text()
    assert status(page) == "Logged: Contacted. 1 event was not stored: see the timeline."
    page.reload()  # kept on the phone, not dropped
    refused.wait_for()
    assert shown(page) == [("Contacted", "refused")]
    assert logged(session, test_id) == []

    page.tap("[data-remove]")  # read, and let go by the tester
    page.wait_for_function("() => !document.querySelector('[data-timeline-list] li')")
    assert status(page) == "The event that was not stored is removed from this phone."
    assert page.evaluate("document.activeElement.hasAttribute('data-log-status')")
    page.reload()
    page.wait_for_selector("[data-timeline-list] p")
    assert shown(page) == []
    assert logged(session, test_id) == []


def test_undo_reaches_the_server_when_a_send_went_unanswered(
    open_context: Any, test_id: int, session: Session
) -> None:
    """The server stored a tap but its answer never came back (the line dropped on the
    way home): undoing that tap must reach the server, not only the phone's queue."""
    context, page = phone(open_context, locale="en-GB")
    open_logger(page, test_id)
    events_url = f"**/staff/shadow/tests/{test_id}/events"

    def stored_then_lost(route: Any) -> None:
        route.fetch()  # the server gets the request and stores it ...
        route.abort("connectionreset")  # ... and the phone never hears back

    context.route(events_url, stored_then_lost)
    page.tap("#event-contacted")
    page.wait_for_function(  # the phone took the lost answer for a cut line
        "() => document.querySelector('[data-log-status]').textContent.includes('Offline')"
    )
    assert [e.undone_at for e in logged(session, test_id)] == [None]
    context.unroute(events_url)
    page.tap("#undo")
    all_sent(page, 0)
    assert [e.undone_at is not None for e in logged(session, test_id)] == [True]
