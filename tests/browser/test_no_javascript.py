"""Everything works without JavaScript: the script only enhances."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.browser.conftest import (
    TWO_PAGES,
    Checks,
    answer_with_mouse,
    click_and_wait,
    page_codes,
    stored_response,
)

pytestmark = pytest.mark.browser


def test_complete_survey_without_javascript(app: Flask, open_context: Any) -> None:
    # No language chosen: a browser asking for zh-CN gets Simplified Chinese.
    context = open_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    checks = Checks(page, lang="zh-Hans")
    page.goto(TWO_PAGES.start)
    assert page.evaluate("() => typeof window.axe") == "undefined"
    checks.here("start page")

    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")
    # Nothing answered: the summary is focused by `autofocus`, not by the script.
    checks.post_empty("question page, error", 'button[value="continue"]')
    checks.here("question page, error")

    for _ in range(40):
        if page.url.endswith("/check"):
            break
        codes = page_codes(page)
        checks.here(f"question page {'/'.join(codes)}")
        for code in codes:
            answer_with_mouse(page, code)
        click_and_wait(page, 'button[value="continue"]')
    assert page.url.endswith("/check"), page.url
    checks.here("check answers")
    click_and_wait(page, 'main form button[type="submit"]')

    assert "/done/" in page.url, page.url
    checks.here("confirmation")
    stored = stored_response(app, page.inner_text(".reference").strip())
    assert stored is not None and stored.locale == "zh-Hans"
    assert stored.answers["CHANNELS"] == ["phone", "chat"]
    checks.report()
