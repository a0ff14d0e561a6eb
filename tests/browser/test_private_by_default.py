"""No-store in a real browser: after a reviewer signs out on a shared computer, the Back
button brings back no page with answers, only the sign-in page."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.browser.conftest import TWO_PAGES, click_and_wait, sign_in_as
from tests.review.factories import (
    PASSWORD,
    TRICKY,
    add_response,
    fast_password_hashing,
    staff,
)

pytestmark = pytest.mark.browser

STORY = "等了很久"  # in the response's answers, shown on its review page


def test_back_after_signing_out_shows_no_answers(
    app: Flask, open_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_password_hashing(monkeypatch)
    staff(app, "chen")
    response = add_response(app, answers=TRICKY, survey=TWO_PAGES)
    page = open_context().new_page()
    page.goto("/settings/language/en")
    page.goto("/staff/login")
    sign_in_as(page, "chen", PASSWORD)
    page.goto(f"/staff/review/{response}")
    assert STORY in page.content()
    page.goto("/staff/")
    click_and_wait(page, "form[action$='/logout'] button[type=submit]")
    assert page.url.endswith("/staff/login")

    for _ in range(2):  # back to the overview, then to the response
        page.go_back(wait_until="commit")  # a page restored from a cache fires no load
        page.wait_for_function("() => document.readyState !== 'loading'")
        assert "/staff/login" in page.url, page.url  # fetched again, and signed out
        assert STORY not in page.content()
