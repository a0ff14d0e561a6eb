"""The paper staff pages in a real browser: an admin issues a run, finds a sheet by its
id and voids it with the keyboard alone and no JavaScript; every paper page, and its
pages with mistakes to fix, passes the audit in the three languages, in standard and
in large text with high contrast. Runs print the suite's two-page survey.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlmodel import Session, select

from fieldwork.accounts.models import StaffUser
from fieldwork.definitions.service import Versions
from fieldwork.paper import ids
from fieldwork.paper import service as paper
from fieldwork.paper.models import VOID, PaperSheet
from tests.browser.conftest import TWO_PAGES, Checks, click_and_wait, sign_in_as, staff_sign_in_page
from tests.browser.test_review import Keyboard
from tests.review.factories import PASSWORD, fast_password_hashing, staff

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)
    staff(app, "wang", "admin")
    staff(app, "worker.li", "fieldworker")


@pytest.fixture
def sheets(session: Session) -> list[PaperSheet]:
    """A run of three sheets, the last one void."""
    questionnaire = Versions().current(session, TWO_PAGES.id)
    admin = session.exec(select(StaffUser).where(StaffUser.username == "wang")).one()
    order = paper.Order(
        language="zh-Hant", size="large", count=3, issued_to="worker.li", segment="elderly"
    )
    run = paper.issue(session, questionnaire, order, admin)
    found = paper.sheets(session, run.id or 0)
    paper.void(session, found[2].id, "印錯了 / misprinted", admin)
    return found


def sign_in(page: Page, keys: Keyboard) -> None:
    page.goto("/staff/login")
    keys.type_into("#username", "wang")
    keys.type_into("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_an_admin_issues_finds_and_voids_with_the_keyboard_and_no_javascript(
    open_context: Any, session: Session
) -> None:
    page = open_context(java_script_enabled=False).new_page()
    keys = Keyboard(page)
    checks = Checks(page, lang="en")
    sign_in(page, keys)
    page.goto("/staff/paper/")
    keys.choose("#r-questionnaire", TWO_PAGES.id)
    keys.choose("#r-language", "zh-Hans")
    keys.choose("#r-size", "large")
    keys.type_into("#r-count", "3")
    keys.type_into("#r-campaign", "2026Q4")
    keys.choose("#r-segment", "elderly")
    keys.choose("#r-issued_to", "worker.li")
    keys.submit("main form[method=post] button[type=submit]")
    assert "/staff/paper/runs/" in page.url, page.url
    listed = page.locator("a.sheet-id").all_inner_texts()
    assert len(listed) == 3 and all(ids.parse(shown) for shown in listed)

    page.goto("/staff/paper/")
    keys.type_into("#go-id", listed[1].lower().replace("-", " "))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/staff/paper/sheets/{ids.parse(listed[1])}"), page.url
    keys.type_into("#v-reason", "Left in the rain")
    keys.submit("form[action$='/void'] button[type=submit]")
    checks.error_summary("void, not confirmed")  # the box was not ticked: nothing changed
    keys.tab_to("#v-confirm")
    page.keyboard.press("Space")
    keys.submit("form[action$='/void'] button[type=submit]")
    assert page.inner_text("main dl strong") == "Void"
    assert "Left in the rain" in page.inner_text("main table")
    assert paper.find(session, listed[1]).state == VOID
    assert keys.invisible == [], keys.invisible
    checks.report()


@pytest.mark.layout
@pytest.mark.parametrize("mode", ["standard", "large"])
@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_the_paper_pages_pass_the_audit(
    open_context: Any, sheets: list[PaperSheet], tmp_path: Path, lang: str, mode: str
) -> None:
    page, checks = staff_sign_in_page(open_context, lang, mode)
    sign_in_as(page, "wang", PASSWORD)

    page.goto("/staff/paper/")
    checks.audit("paper sheets")
    page.fill("#r-count", "5000")
    click_and_wait(page, "main form[method=post] button[type=submit]")
    checks.error_summary("paper sheets, an order to fix")
    checks.audit("paper sheets, an order to fix")
    page.goto("/staff/paper/sheet?id=ABCD-0FGH")
    checks.audit("paper sheets, an id that is no id")
    page.goto(f"/staff/paper/runs/{sheets[0].run_id}")
    checks.audit("print run")
    page.goto(f"/staff/paper/sheets/{sheets[0].id}")
    checks.audit("sheet")
    click_and_wait(page, "form[action$='/void'] button[type=submit]")
    checks.error_summary("sheet, a void not confirmed")
    checks.audit("sheet, a void not confirmed")
    page.goto(f"/staff/paper/sheets/{sheets[2].id}")
    checks.audit("void sheet")
    checks.report()
