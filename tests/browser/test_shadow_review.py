"""A shadow test's review page in a real browser: audited in every language, in standard
and large text, and read without JavaScript, its evidence image loaded through the
reviewers' own route."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from fieldwork.definitions.service import Versions
from fieldwork.shadow import plans
from tests.browser.conftest import sign_in_as, staff_sign_in_page
from tests.review.factories import PASSWORD, fast_password_hashing, staff
from tests.shadow.plans import shadows
from tests.shadow.submitted import ANSWERS, CONTACT, attach, log, png, submit

pytestmark = pytest.mark.browser


@pytest.fixture
def shadow_response(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, int]]:
    """A submitted test of a tester, with a screenshot behind one answer and a critical
    item failed; and a reviewer to open it."""
    fast_password_hashing(monkeypatch)
    monkeypatch.setitem(app.config, "EVIDENCE_DIR", str(tmp_path / "evidence"))
    staff(app, "zhao", "reviewer")
    tester = staff(app, "li", "tester")
    covert = shadows().shadows["covert"]
    with Session(app.extensions["fieldwork.engine"]) as session:
        checklist = Versions().by_hash(session, covert.content_hash)
        assert checklist is not None
        chosen = plans.Plan(
            platform="taobao",
            channel="in_app_chat",
            scenario="complaint",
            slot="weekday_evening",
            planned_on=dt.date(2026, 11, 3),
            segment="elderly",
            tester_id=tester,
        )
        test = plans.plan(session, covert, chosen, None)
        log(session, covert, test, *CONTACT)
        shot = attach(app, session, test, "policy", png())
        response = submit(session, test, checklist, {**ANSWERS, "no_buck": "no"})
        yield {"response": response.id or 0, "evidence": shot.id or 0}


@pytest.mark.layout
@pytest.mark.parametrize("mode", ["standard", "large"])
@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_the_shadow_review_page_passes_the_audit(
    open_context: Any, shadow_response: dict[str, int], lang: str, mode: str
) -> None:
    page, checks = staff_sign_in_page(open_context, lang, mode)
    sign_in_as(page, "zhao", PASSWORD)
    page.goto(f"/staff/review/{shadow_response['response']}")
    checks.audit("shadow response")
    image = page.locator("img.evidence-thumb")
    loaded = image.evaluate("img => img.complete && img.naturalWidth")
    if loaded != 24:
        checks.problems.append(f"[{lang}, {mode}] the evidence thumbnail did not load: {loaded}")
    assert checks.problems == []


def test_the_page_reads_whole_without_javascript(
    open_context: Any, shadow_response: dict[str, int]
) -> None:
    page = open_context(java_script_enabled=False).new_page()
    page.goto("/settings/language/en")
    page.goto("/staff/login")
    sign_in_as(page, "zhao", PASSWORD)
    page.goto(f"/staff/review/{shadow_response['response']}")
    section = page.locator("section[aria-labelledby=shadow-heading]")
    shown = section.inner_text()
    for words in ("Taobao", "Bot replied", "+0:10:00", "Not met", "Capped at 50", "Policy stated"):
        assert words in shown, words
    assert page.locator("img.evidence-thumb").evaluate("img => img.naturalWidth") == 24
    # The file itself: the stored type, and nothing a browser may keep.
    sent = page.request.get(f"/staff/shadow/evidence/{shadow_response['evidence']}")
    assert sent.headers["content-type"] == "image/png"
    assert sent.headers["cache-control"] == "no-store"
