"""The survey completed with the keyboard alone, in large text.

No mouse: the only input is Tab, Shift+Tab, Space, Enter, the arrow keys and
typed text. Large text is chosen with the header's link, reached by Tab. Every
stop on the way must show where the focus is.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from tests.browser.conftest import (
    DESKTOP,
    FOCUS_JS,
    TWO_PAGES,
    Checks,
    answers_for,
    page_codes,
    stored_response,
)

pytestmark = pytest.mark.browser


class Keyboard:
    """Moves through a page with Tab and Shift+Tab, checking every focus stop is visible."""

    def __init__(self, page: Page):
        self.page = page
        self.stops = 0
        self.invisible: list[str] = []

    def focused(self, selector: str) -> bool:
        found: dict[str, Any] = self.page.evaluate(FOCUS_JS, selector)
        if not found["visible"]:
            self.invisible.append(f"{self.page.url}: {found['what']}")
        return bool(found["matches"])

    def tab_to(self, selector: str, *, back: bool = False, limit: int = 80) -> None:
        """Tab (or Shift+Tab) until the focus is on `selector`; stays put if it already is."""
        if self.page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        key = "Shift+Tab" if back else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            self.stops += 1
            if self.focused(selector):
                return
        pytest.fail(f"{key} never reached {selector} on {self.page.url}")

    def press_and_load(self, key: str) -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def active(self, script: str) -> Any:
        return self.page.evaluate(
            f"() => {{ const el = document.activeElement; return {script}; }}"
        )


def answer_with_keyboard(keys: Keyboard, code: str) -> None:
    page = keys.page
    for name, values in answers_for(code):
        kind = page.get_attribute(f'[name="{name}"]', "type")
        if kind == "radio":
            # Tab enters the group once; the arrow keys move and choose within it.
            keys.tab_to(f'input[name="{name}"]')
            group = page.eval_on_selector_all(
                f'input[name="{name}"]', "els => els.map(e => e.value)"
            )
            here = group.index(keys.active("el.value"))
            there = group.index(values[0])
            if here == there:
                page.keyboard.press("Space")
            for _ in range(abs(there - here)):
                page.keyboard.press("ArrowDown" if there > here else "ArrowUp")
            assert keys.active("el.checked && el.value") == values[0], (
                f"{name}: arrows did not choose"
            )
        elif kind == "checkbox":
            for value in values:
                keys.tab_to(f'input[name="{name}"][value="{value}"]')
                page.keyboard.press("Space")
                assert keys.active("el.checked"), f"{name}={value}: Space did not tick it"
        else:
            keys.tab_to(f'[name="{name}"]')
            page.keyboard.type(values[0])


def test_complete_survey_with_keyboard_in_large_text(app: Flask, open_context: Any) -> None:
    context = open_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    keys = Keyboard(page)
    page.goto(TWO_PAGES.start)  # typed into the address bar
    assert page.get_attribute("html", "class") == "size-standard"

    keys.tab_to('header a[href*="size=large"]')
    keys.press_and_load("Enter")
    assert "size-large" in (page.get_attribute("html", "class") or "").split()

    # The first Tab stop is the skip link, and it moves the focus to the main content.
    page.keyboard.press("Tab")
    assert keys.active("el.classList.contains('skip-link')"), (
        "the first Tab stop is not the skip link"
    )
    page.keyboard.press("Enter")
    assert keys.active("el.id") == "main", "the skip link did not move the focus to the content"

    keys.tab_to("#consent")
    page.keyboard.press("Space")
    assert keys.active("el.checked")
    keys.tab_to("button.button-start")
    keys.press_and_load("Enter")

    # An empty answer: the error summary takes the focus, its link leads to the field.
    keys.tab_to('button[value="continue"]')
    keys.press_and_load("Enter")
    assert keys.active("el.classList.contains('error-summary')"), "error summary did not take focus"
    keys.tab_to(".error-summary a")
    target = keys.active("el.getAttribute('href').slice(1)")
    page.keyboard.press("Enter")
    assert keys.active("el.id") == target, (
        "the error summary link did not move the focus to the field"
    )

    pages = 0
    checks = Checks(page, lang="zh-Hans", size="large")
    while TWO_PAGES.url("q/") in page.url:
        codes = page_codes(page)
        assert len(codes) == 1, f"large text shows one question per page; {page.url} has {codes}"
        checks.here(f"question page {codes[0]}")
        checks.large_rules(f"question page {codes[0]}, desktop width")
        answer_with_keyboard(keys, codes[0])
        keys.tab_to('button[value="continue"]')
        keys.press_and_load("Enter")
        pages += 1
        assert pages < 40, f"stuck at {page.url}"
    assert page.url.endswith("/check"), page.url

    # Send is near the end of the page: come at it from the bottom with Shift+Tab.
    keys.tab_to('main form button[type="submit"]', back=True)
    keys.press_and_load("Enter")
    assert "/done/" in page.url, page.url
    reference = page.inner_text(".reference").strip()
    stored = stored_response(app, reference)
    assert stored is not None and stored.paradata["text_size"] == "large"
    assert stored.answers["CHANNELS"] == ["phone", "chat"] and stored.answers["R3"] == "_dont_know"
    assert stored.answers["STORY"] == "客服一直让我找商家。\n最后解决了。"

    # In large text language and display are folded under one name: Enter unfolds them.
    keys.tab_to(".display-settings > summary", back=True)
    page.keyboard.press("Enter")
    keys.tab_to('header a[href*="contrast=on"]')
    keys.press_and_load("Enter")
    assert "contrast-high" in (page.get_attribute("html", "class") or "").split()
    keys.tab_to(".display-settings > summary")
    page.keyboard.press("Enter")
    keys.tab_to('header a[hreflang="en"]')
    keys.press_and_load("Enter")
    assert page.get_attribute("html", "lang") == "en"
    assert not keys.invisible, "focus not visible on:\n" + "\n".join(keys.invisible)
    checks.report()
    assert keys.stops > 100  # the walk really went by keyboard
