"""A shadow test's whole life in a real browser, on the real pages (issue 13 point 8).

An admin plans one test on the plan page and assigns it to a tester. The tester, on a
phone-sized screen, finds it among their assignments and logs the contact; the network
is cut part-way (Playwright's offline mode), three more events are tapped, and the
connection comes back: every event arrives once, in the order it happened. The tester
attaches a photo carrying GPS coordinates in its EXIF and answers the checklist. A
reviewer sees the timeline and the metrics, downloads the photo (its EXIF gone) and
approves; the batch frozen on the batch pages holds the test's metrics in data.csv and
its events in events.csv.

The test follows the suite's definition `covert` (tests/shadow/definitions).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import BrowserContext, Page
from sqlmodel import Session, select

from fieldwork.responses.models import Response
from fieldwork.shadow import events
from fieldwork.shadow.models import SUBMITTED, ShadowTest
from tests.browser.conftest import click_and_wait, sign_in_as
from tests.review.factories import PASSWORD, fast_password_hashing, staff

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
ONLINE_FIRST = ("contacted", "bot_replied")
OFFLINE = ("transferred", "human_replied", "problem_solved")
GPS = 0x8825  # the EXIF tag that points at the GPS block


@pytest.fixture(autouse=True)
def _people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)
    staff(app, "wang", "admin")
    staff(app, "tester.li", "tester")
    staff(app, "zhao", "reviewer")


def signed_in(open_context: Any, username: str, **options: Any) -> tuple[BrowserContext, Page]:
    context: BrowserContext = open_context(accept_downloads=True, **options)
    page = context.new_page()
    page.goto("/settings/language/en")
    page.goto("/staff/login")
    sign_in_as(page, username, PASSWORD)
    return context, page


def plan_one_test(page: Page) -> None:
    """Plan Taobao's in-app chat, a complaint, a weekday evening, for tester.li."""
    page.goto("/staff/shadow/plan?definition=covert")
    for name, value in (
        ("platforms", "taobao"),
        ("channels", "in_app_chat"),
        ("scenarios", "complaint"),
        ("slots", "weekday_evening"),
    ):
        page.check(f"input[name={name}][value={value}]")
    page.fill("#p-campaign", "2026Q4")
    page.select_option("#p-segment", "elderly")
    page.select_option("#p-tester", "tester.li")
    click_and_wait(page, "form[method=post][action$='/staff/shadow/plan'] button[type=submit]")


def tap_and_wait(page: Page, codes: tuple[str, ...], waiting: int | None = None) -> None:
    for code in codes:
        page.tap(f"#event-{code}")
    if waiting is not None:
        page.wait_for_function(
            "n => document.querySelector('[data-shadow-log]').dataset.waiting === String(n)",
            arg=waiting,
        )


def all_sent(page: Page, count: int) -> None:
    page.wait_for_function(
        """count => document.querySelector('[data-shadow-log]').dataset.waiting === '0'
          && document.querySelectorAll('[data-timeline-list] li').length === count
          && !document.querySelector(
               '[data-timeline-list] li[data-state]:not([data-state=stored])')""",
        arg=count,
    )


def photo_with_gps() -> bytes:
    """A JPEG from a phone camera, as far as its metadata goes: where it was taken."""
    image = Image.new("RGB", (640, 480), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def download(page: Page, selector: str) -> bytes:
    with page.expect_download() as started:
        page.click(selector)
    return started.value.path().read_bytes()


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_planned_test_is_logged_offline_checked_reviewed_and_batched(
    open_context: Any, session: Session
) -> None:
    _admin_context, admin = signed_in(open_context, "wang")
    plan_one_test(admin)
    test = session.exec(select(ShadowTest)).one()
    assert (test.platform, test.channel, test.segment) == ("taobao", "in_app_chat", "elderly")

    # The tester logs the contact on a phone; the network drops part-way through.
    phone, tester = signed_in(open_context, "tester.li", **PHONE)
    click_and_wait(tester, "nav a[href$='/staff/shadow/']")
    click_and_wait(tester, f"main a[href$='/tests/{test.id}/log']")
    tester.wait_for_selector("[data-shadow-log][data-offline-ready=yes]")
    tap_and_wait(tester, ONLINE_FIRST)
    all_sent(tester, 2)
    phone.set_offline(True)
    tap_and_wait(tester, OFFLINE, waiting=3)
    assert "Offline" in tester.inner_text("[data-log-status]")
    session.expire_all()
    assert len(events.recorded(session, test)) == 2  # nothing went out while offline
    phone.set_offline(False)
    all_sent(tester, 5)
    session.expire_all()
    stored = events.recorded(session, test)
    assert [e.code for e in stored] == [*ONLINE_FIRST, *OFFLINE]  # once each, in order
    assert [e.sequence for e in stored] == [1, 2, 3, 4, 5]
    assert all(e.received_at >= e.device_at for e in stored[2:])

    # The checklist, with a photo behind the policy item.
    click_and_wait(tester, f"main a[href$='/tests/{test.id}/checklist']")
    photo = {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps()}
    tester.set_input_files("#file", files=[photo])
    tester.select_option("#item", "policy")
    click_and_wait(tester, "#evidence form[enctype] button[type=submit]")
    for item in ("polite", "no_buck", "policy"):
        tester.check(f"#{item}-1")  # yes
    click_and_wait(tester, f"form[action$='/tests/{test.id}/checklist'] button[type=submit]")
    assert "This test is submitted." in tester.inner_text("main")
    session.expire_all()
    response = session.exec(select(Response)).one()
    assert (response.mode, session.get(ShadowTest, test.id).state) == ("shadow", SUBMITTED)

    # The reviewer sees the timeline and metrics, opens the photo, approves.
    _reviewer_context, reviewer = signed_in(open_context, "zhao")
    reviewer.goto(f"/staff/review/{response.id}")
    main = reviewer.inner_text("main")
    assert "Problem solved" in main and "First reply" in main
    href = reviewer.get_attribute("main .evidence-list a[href*='/staff/shadow/evidence/']", "href")
    assert href is not None
    served = reviewer.request.get(href)
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    opened = Image.open(io.BytesIO(served.body()))
    assert opened.size == (640, 480) and dict(opened.getexif()) == {}  # no maker, no GPS
    reviewer.select_option("#status", "approved")
    click_and_wait(reviewer, f"form[action*='/staff/review/{response.id}'] button[type=submit]")
    session.expire_all()
    assert session.get(Response, response.id).status == "approved"

    # A batch of the approved test: one row of metrics, five events in order.
    click_and_wait(reviewer, "nav a[href$='/staff/batches/']")
    reviewer.select_option("#b-questionnaire", "covert")
    click_and_wait(reviewer, "main form button[type=submit]")
    reviewer.fill("#name", "2026Q4 shadow")
    click_and_wait(reviewer, "main form button[type=submit]")
    [row] = rows_of(download(reviewer, "main a[href$='/data.csv']"))
    assert (row["mode"], row["test"], row["platform"], row["channel"]) == (
        "shadow",
        str(test.id),
        "taobao",
        "in_app_chat",
    )
    assert row["tester"] == "S01" and "tester.li" not in str(row)
    assert (row["first_reply_pass"], row["transfer_held_pass"]) == ("1", "1")
    assert row["first_contact_resolution_value"] == "1"
    assert row["checklist_score"] == "100.0"
    logged = rows_of(download(reviewer, "main a[href$='/events.csv']"))
    assert [r["code"] for r in logged] == [*ONLINE_FIRST, *OFFLINE]
    assert [r["sequence"] for r in logged] == ["1", "2", "3", "4", "5"]
    assert float(logged[0]["offset_seconds"]) == 0.0
