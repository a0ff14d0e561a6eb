"""The browser's own Back button: a page it restores from the back/forward cache works."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    TWO_PAGES,
    answer_with_mouse,
    answers_for,
    click_and_wait,
    page_codes,
)

pytestmark = pytest.mark.browser


def test_a_page_restored_by_the_back_button_can_be_sent_again(open_context: Any) -> None:
    page = open_context().new_page()
    page.goto(TWO_PAGES.start)
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")
    first = page.url
    for code in page_codes(page):
        answer_with_mouse(page, code)
    answered = dict(answers_for("AGE", TWO_PAGES))["AGE"]
    click_and_wait(page, 'button[value="continue"]')
    assert page.url != first

    page.go_back(wait_until="commit")  # a restored page fires no load event
    page.wait_for_url(first, wait_until="commit")
    # Answer pages are no-store, so a browser may fetch the page again instead of restoring
    # it (Chromium does); one that restores it runs the pageshow handler. Either way the
    # answer given is shown, and Continue sends.
    page.wait_for_load_state("domcontentloaded")
    assert all(page.is_checked(f'input[name="AGE"][value="{v}"]') for v in answered)
    page.click('label[for="AGE-3"]')  # a second thought: 60 or older, not 35–59
    click_and_wait(page, 'button[value="continue"]')
    assert page.url != first, "Continue did nothing on the page Back restored"
