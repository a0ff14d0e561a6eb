"""Language and display settings: set from a link or the header, remembered across pages."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Playwright

from tests.browser.conftest import (
    PHONE,
    TWO_PAGES,
    Checks,
    answer_with_mouse,
    choose_display,
    choose_language,
    click_and_wait,
    launch_chromium,
    page_codes,
)

pytestmark = pytest.mark.browser


def test_invitation_link_presets_large_text_and_choices_are_remembered(open_context: Any) -> None:
    context = open_context(locale="en-GB")
    page = context.new_page()
    checks = Checks(page, lang="en", size="large")
    page.goto(TWO_PAGES.url("?segment=elderly"))
    checks.here("start page from an elderly invitation link")

    click_and_wait(page, 'footer a[href="/resume"]')
    checks.here("resume page")
    choose_language(page, "zh-Hant")
    checks.lang = "zh-Hant"
    checks.here("resume page in zh-Hant")
    choose_display(page, "contrast=on")
    checks.contrast = True
    checks.here("resume page, high contrast")

    # Another tab of the same browser keeps everything; the settings live in the session.
    checks.page = other = context.new_page()
    other.goto("/staff/login")
    checks.here("staff sign-in, new tab")
    other.goto(TWO_PAGES.start)
    checks.here("start page, new tab")

    # An explicit choice wins over the invitation's preset, and is remembered too.
    choose_display(other, "size=standard")
    choose_display(other, "contrast=off")
    click_and_wait(other, 'footer a[href="/resume"]')
    checks.size, checks.contrast = "standard", False
    checks.here("resume page after choosing standard text")
    assert other.get_attribute('header a[href*="size=standard"]', "aria-current") == "true"
    checks.report()


def test_extra_large_text(open_context: Any) -> None:
    """Extra large text from an invitation link that also sets the language: audited like large."""
    page = open_context(locale="en-GB", viewport=PHONE).new_page()
    checks = Checks(page, lang="zh-Hant", size="x-large")
    page.goto(TWO_PAGES.url("?size=x-large&lang=zh-Hant"))
    checks.audit("start page")
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")
    for _ in range(3):
        codes = page_codes(page)
        assert len(codes) == 1, codes
        checks.audit(f"question page {codes[0]}")
        answer_with_mouse(page, codes[0])
        click_and_wait(page, 'button[value="continue"]')
    click_and_wait(page, 'footer a[href="/resume"]')
    checks.post_empty("resume page, error", 'main button[type="submit"]')
    checks.audit("resume page, error")
    checks.report()


def test_missing_chromium_is_reported(playwright: Playwright | str) -> None:
    """The reason `open_context` fails every browser test with when Chromium is missing."""
    assert not isinstance(playwright, str), playwright
    reason = launch_chromium(playwright, executable="/nonexistent/chromium")
    assert isinstance(reason, str) and "Chromium could not be started" in reason


@pytest.mark.parametrize("size", ["large", "x-large"])
@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_large_text_on_a_phone_starts_with_the_question(
    open_context: Any, lang: str, size: str
) -> None:
    """In large text language and display fold under one control beside the site's name, so
    that on a phone the first screen shows the question, not the header (languages shown and
    display folded, the header took 233 px of 844 in large Chinese, 329 in extra large).
    Unfolded, they are all there, and a choice made in them is kept. No JavaScript needed."""
    page = open_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(TWO_PAGES.url(f"?size={size}&lang={lang}"))
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")
    header = page.locator(".site-header").bounding_box()
    heading = page.locator("main h1").bounding_box()
    assert header is not None and heading is not None
    assert header["height"] <= PHONE["height"] / 6, f"the header is {header['height']:.0f} px"
    assert heading["y"] + heading["height"] <= PHONE["height"], "the question is below the fold"
    for setting in ('a[hreflang="zh-Hant"]', 'a[href*="contrast=on"]'):
        assert not page.locator(f"header {setting}").is_visible(), f"{setting} is not folded"
    assert page.locator("header summary").count() == 1, "one control holds the settings"

    choose_language(page, "zh-Hant")
    assert page.get_attribute("html", "lang") == "zh-Hant"
    choose_display(page, "contrast=on")
    classes = (page.get_attribute("html", "class") or "").split()
    assert classes == [f"size-{size}", "contrast-high"], classes
    assert page.locator("main h1").is_visible()


def display_of(page: Page) -> set[str]:
    return set((page.get_attribute("html", "class") or "").split())


def test_extra_large_chosen_on_an_elderly_invitation_stays(open_context: Any) -> None:
    """The elderly link presets large text; extra large chosen on its landing page (which
    brings the person back to the link) holds on the next pages and when the link is
    followed again: a choice beats the link's preset for the rest of the session."""
    page = open_context(viewport=PHONE).new_page()
    link = TWO_PAGES.url("?segment=elderly&campaign=2026Q4")
    page.goto(link)
    assert display_of(page) == {"size-large"}
    choose_display(page, "size=x-large")
    assert display_of(page) == {"size-x-large"}, "the choice was undone on the landing page"
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")
    for _ in range(2):
        assert display_of(page) == {"size-x-large"}
        assert len(page_codes(page)) == 1
        answer_with_mouse(page, page_codes(page)[0])
        click_and_wait(page, 'button[value="continue"]')
    page.goto(link)
    assert display_of(page) == {"size-x-large"}, "following the link again undid the choice"


def test_a_resumed_draft_comes_back_in_its_display(open_context: Any) -> None:
    """Pages answered in extra large text and high contrast, saved, and resumed with the
    code in a fresh browser: the same display, one question per page."""
    page = open_context(viewport=PHONE).new_page()
    page.goto(TWO_PAGES.start)
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")
    assert len(page_codes(page)) > 1  # standard text: several questions a page
    choose_display(page, "size=x-large")
    choose_display(page, "contrast=on")
    for _ in range(2):
        answer_with_mouse(page, page_codes(page)[0])
        click_and_wait(page, 'button[value="continue"]')
    click_and_wait(page, 'button[value="save"]')
    code = page.inner_text("#resume-code")

    elsewhere = open_context(viewport=PHONE).new_page()
    elsewhere.goto("/resume")
    elsewhere.fill("#code", code)
    click_and_wait(elsewhere, 'main button[type="submit"]')
    assert "/q/" in elsewhere.url
    assert display_of(elsewhere) == {"size-x-large", "contrast-high"}
    assert len(page_codes(elsewhere)) == 1
