"""The shadow-test planning pages in a real browser: an admin plans one test and assigns
it with the keyboard alone and no JavaScript, and the tester finds it among their
assignments; every planning page, and the plan form sent back with mistakes, passes the
audit in the three languages, in standard and in large text with high contrast."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlmodel import Session, select

from fieldwork.shadow.models import ShadowTest
from tests.browser.conftest import click_and_wait, sign_in_as, staff_sign_in_page
from tests.browser.test_review import Keyboard
from tests.review.factories import PASSWORD, fast_password_hashing, staff

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)
    staff(app, "wang", "admin")
    staff(app, "tester.li", "tester")


def sign_in(page: Page, keys: Keyboard, username: str) -> None:
    page.goto("/staff/login")
    keys.type_into("#username", username)
    keys.type_into("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def tick(page: Page, keys: Keyboard, name: str, value: str) -> None:
    keys.tab_to(f"input[name={name}][value={value}]")
    page.keyboard.press("Space")


def test_an_admin_plans_and_assigns_one_test_with_the_keyboard_and_no_javascript(
    open_context: Any, session: Session
) -> None:
    page = open_context(java_script_enabled=False).new_page()
    keys = Keyboard(page)
    sign_in(page, keys, "wang")
    page.goto("/settings/language/en")
    page.goto("/staff/shadow/plan?definition=covert")
    tick(page, keys, "platforms", "jd")
    tick(page, keys, "channels", "phone_hotline")
    tick(page, keys, "scenarios", "complaint")
    tick(page, keys, "slots", "weekend_evening")
    keys.type_into("#p-planned_on", "2026-11-08")
    keys.choose("#p-segment", "elderly")
    keys.choose("#p-tester", "tester.li")
    keys.submit("form[method=post] button[type=submit]")
    assert "1 test planned." in page.inner_text("main .notice")
    [test] = session.exec(select(ShadowTest)).all()
    assert (test.platform, test.channel, test.slot) == ("jd", "phone_hotline", "weekend_evening")
    assert test.planned_on is not None and test.planned_on.isoformat() == "2026-11-08"
    assert "JD.com · Phone hotline: no test planned for Weekday morning" in page.inner_text("main")
    assert keys.invisible == [], keys.invisible

    page.context.clear_cookies()
    sign_in(page, keys, "tester.li")
    page.goto("/settings/language/en")
    page.goto("/staff/shadow/")
    assert "JD.com · Phone hotline" in page.inner_text("main table")
    assert page.get_attribute("main table a", "href") == f"/staff/shadow/tests/{test.id}/log"


@pytest.mark.layout
@pytest.mark.parametrize("mode", ["standard", "large"])
@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_the_planning_pages_pass_the_audit(open_context: Any, lang: str, mode: str) -> None:
    page, checks = staff_sign_in_page(open_context, lang, mode)
    sign_in_as(page, "wang", PASSWORD)
    page.goto("/staff/shadow/plan?definition=covert")
    checks.audit("plan, empty")
    page.check("input[name=platforms][value=taobao]")
    page.check("input[name=channels][value=phone_hotline]")
    page.check("input[name=scenarios][value=complaint]")
    page.fill("#p-count", "1000000")
    click_and_wait(page, "form[method=post] button[type=submit]")
    checks.error_summary("plan, a grid to fix")
    checks.audit("plan, a grid to fix")
    page.fill("#p-count", "1")
    page.check("input[name=slots][value=weekday_night]")
    page.select_option("#p-tester", "tester.li")
    click_and_wait(page, "form[method=post] button[type=submit]")
    checks.audit("plan, with a test and its coverage")
    page.click("main table a[href*='/plan/tests/']")
    page.wait_for_load_state()
    checks.audit("one planned test")
    click_and_wait(page, "form[action$='/void'] button[type=submit]")
    checks.error_summary("void without a reason")
    checks.audit("void without a reason")
    page.goto("/staff/shadow/")
    checks.audit("shadow tests home")
    page.goto("/staff/shadow/rates?definition=covert")
    checks.audit("rates")
    checks.tab_through("rates")
    checks.report()
