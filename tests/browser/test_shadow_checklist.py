"""The tester's checklist in a real browser: on a phone, it passes the audit in three
languages and in large text with high contrast (before and after a failed submit and a
refused file); a screenshot is attached and the checklist answered with the keyboard
alone, and the test becomes a response with the file behind its item."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Page
from sqlmodel import Session, select

from fieldwork.responses.models import Response
from fieldwork.shadow.models import Evidence, ShadowTest
from tests.browser.conftest import LANGS, PHONE, click_and_wait, sign_in_as, staff_sign_in_page
from tests.review.factories import PASSWORD, fast_password_hashing, staff
from tests.shadow.plans import planned_test

pytestmark = pytest.mark.browser


@pytest.fixture
def test(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> ShadowTest:
    """A complaint over Taobao's in-app chat, assigned to tester.li."""
    fast_password_hashing(monkeypatch)
    staff(app, "admin.wang", "admin")
    staff(app, "tester.li", "tester")
    return planned_test(session)


def screenshot() -> dict[str, Any]:
    out = io.BytesIO()
    Image.new("RGB", (390, 844), (240, 240, 240)).save(out, "PNG")
    return {"name": "screenshot.png", "mimeType": "image/png", "buffer": out.getvalue()}


def checklist_of(page: Page, test: ShadowTest) -> None:
    page.goto(f"/staff/shadow/tests/{test.id}/checklist")


@pytest.mark.layout
@pytest.mark.parametrize("mode", ["standard", "large"])
@pytest.mark.parametrize("lang", LANGS)
def test_the_checklist_passes_the_audit(
    open_context: Any, test: ShadowTest, lang: str, mode: str
) -> None:
    page, checks = staff_sign_in_page(open_context, lang, mode)
    sign_in_as(page, "tester.li", PASSWORD)
    checklist_of(page, test)
    checks.audit("checklist")
    checks.post_empty("checklist, nothing answered", "form[data-once] button[type=submit]")
    checks.audit("checklist with errors")
    page.set_input_files("#file", files=[{**screenshot(), "buffer": b"%PDF-1.4 not an image"}])
    click_and_wait(page, "#evidence form[enctype] button[type=submit]")
    checks.error_summary("a refused file")
    checks.audit("checklist, a refused file")
    page.set_input_files("#file", files=[screenshot()])
    click_and_wait(page, "#evidence form[enctype] button[type=submit]")
    checks.audit("checklist with a file attached")
    checks.report()


def test_a_tester_attaches_a_screenshot_and_answers_with_the_keyboard_on_a_phone(
    open_context: Any, session: Session, test: ShadowTest
) -> None:
    page = open_context(viewport=PHONE).new_page()
    page.goto("/settings/language/en")
    page.goto("/staff/login")
    sign_in_as(page, "tester.li", PASSWORD)
    checklist_of(page, test)
    page.set_input_files("#file", files=[screenshot()])
    page.select_option("#item", "policy")
    click_and_wait(page, "#evidence form[enctype] button[type=submit]")
    assert page.locator("[data-notice]").inner_text().strip() == "The file is attached."
    assert page.locator("#evidence tbody tr").count() == 1
    assert "Files attached: 1." in page.locator("#policy-hint").inner_text()

    page.focus("#polite-1")
    page.keyboard.press("Space")  # polite: yes
    page.keyboard.press("Tab")
    page.keyboard.type("answered at once")  # its note
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # no_buck: yes
    page.keyboard.press("ArrowDown")  # … no
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # policy: the first radio takes the focus and yes, then no
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the submit button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "This test is submitted." in page.locator("main").inner_text()

    response = session.exec(select(Response)).one()
    assert response.answers["polite"] == "yes" and response.answers["no_buck"] == "no"
    assert response.answers["polite_note"] == "answered at once"
    assert response.answers["policy"] == "no"
    stored = session.exec(select(Evidence)).one()
    assert response.paradata["shadow"]["evidence"][0]["sha256"] == stored.sha256
    assert (stored.width, stored.height, stored.item) == (390, 844, "policy")


def test_without_javascript_a_file_is_attached_and_removed_and_the_checklist_sent(
    open_context: Any, session: Session, test: ShadowTest
) -> None:
    page = open_context(java_script_enabled=False).new_page()
    page.goto("/settings/language/en")
    page.goto("/staff/login")
    sign_in_as(page, "tester.li", PASSWORD)
    checklist_of(page, test)
    page.set_input_files("#file", files=[screenshot()])
    click_and_wait(page, "#evidence form[enctype] button[type=submit]")
    click_and_wait(page, "#evidence tbody form button")
    assert page.locator("[data-notice]").inner_text().strip() == "The file is taken off this test."
    for code, value in (("polite", "yes"), ("no_buck", "yes"), ("policy", "yes")):
        page.check(f"input[name={code}][value={value}]")
    click_and_wait(page, "form[data-once] button[type=submit]")
    assert page.locator("#missing-evidence").is_visible()  # warned, answers kept
    assert page.is_checked("input[name=policy][value=yes]")
    click_and_wait(page, "form[data-once] button[type=submit]")
    assert "This test is submitted." in page.locator("main").inner_text()
    assert session.exec(select(Response)).one().answers["policy"] == "yes"
