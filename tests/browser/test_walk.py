"""The survey completed with a mouse in each language, standard and large + high contrast.

One walk per language and display mode visits every page type once (start,
each question page, an error state, save and resume, check answers,
confirmation, staff sign-in) and audits each as it goes: axe-core WCAG 2.2 AA
with target-size, no sideways scrolling at 320 px, `<html lang>` and the
display settings on every page, and in large mode the measured rules for text
size, line height and control height. Problems are gathered and reported
together at the end of the walk.

The walks answer the suite's two-page survey, which has every question type; two walk
the shipped questionnaire on purpose (marked `shipped`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from fieldwork.questionnaire.types import TYPES
from tests.browser.conftest import (
    DESKTOP,
    LANGS,
    PHONE,
    SHIPPED,
    TWO_PAGES,
    Checks,
    answer_with_mouse,
    choose_display,
    click_and_wait,
    page_codes,
    question_types,
    questionnaire_text,
    stored_response,
)
from tests.questionnaires import Survey

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Walk:
    """A survey to walk and the codes of the questions the walk looks at."""

    survey: Survey
    save_at: str  # the page (its first question) where the walk saves and resumes
    date: str  # answered 3 September 2026
    duration: str  # answered 1 hour 15 minutes
    long_text: str  # answered in two lines
    asked: str  # a question whose text check answers shows


OWN = Walk(TWO_PAGES, save_at="AGE", date="WHEN", duration="WAITED", long_text="STORY", asked="R1")
SHIPPED_WALK = Walk(SHIPPED, save_at="Q4", date="Q1", duration="Q3", long_text="O2", asked="Q2")


@pytest.mark.layout
@pytest.mark.parametrize("mode", ["standard", "large"])
@pytest.mark.parametrize("lang", LANGS)
def test_complete_survey_with_mouse(app: Flask, open_context: Any, lang: str, mode: str) -> None:
    walk(app, open_context, OWN, lang, mode)


@pytest.mark.shipped
@pytest.mark.parametrize(("lang", "mode"), [("zh-Hans", "standard"), ("en", "large")])
def test_complete_shipped_survey_with_mouse(
    app: Flask, open_context: Any, lang: str, mode: str
) -> None:
    """The shipped questionnaire, every page of it, on purpose."""
    walk(app, open_context, SHIPPED_WALK, lang, mode)


def walk(app: Flask, open_context: Any, walking: Walk, lang: str, mode: str) -> None:
    survey = walking.survey
    large = mode == "large"
    # The browser asks for a different language than the one chosen, so the header
    # switch is what makes the page change language. Large text is walked on a phone.
    context = open_context(
        locale="zh-CN" if lang == "en" else "en-GB", viewport=PHONE if large else DESKTOP
    )
    page = context.new_page()
    checks = Checks(page, lang=lang)
    types = question_types(survey)

    page.goto("/")
    assert page.get_attribute("html", "lang") != lang
    click_and_wait(page, f'header a[hreflang="{lang}"]')
    assert page.get_attribute("html", "lang") == lang
    assert page.get_attribute(f'header a[hreflang="{lang}"]', "aria-current") == "true"
    if large:
        choose_display(page, "size=large")
        choose_display(page, "contrast=on")
        checks.size, checks.contrast = "large", True
    checks.audit("home page")

    click_and_wait(page, f'main a[href="{survey.start}"]')
    checks.audit("start page")
    checks.tab_through("start page")
    checks.post_empty("start page, error", "main button[type=submit]")  # consent not ticked
    checks.audit("start page, error")
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")

    checks.post_empty("question page, error", 'button[value="continue"]')  # nothing answered
    checks.audit("question page, error")
    checks.tab_through("question page, error")

    seen_types: set[str] = set()
    saved = False
    for _ in range(40):
        if page.url.endswith("/check"):
            break
        codes = page_codes(page)
        assert codes, f"no questions on {page.url}"
        if large:
            assert len(codes) == 1, (
                f"large text shows one question per page, {page.url} has {codes}"
            )
        page_types = [types[code] for code in codes]
        # Large text asks one question per page: axe sees each question type once there,
        # and every page still gets the layout checks.
        new_kind = not large or not set(page_types) <= seen_types
        seen_types.update(page_types)
        checks.audit(
            f"question page {'/'.join(codes)} ({', '.join(dict.fromkeys(page_types))})",
            axe=new_kind,
        )
        for code in codes:
            answer_with_mouse(page, code, survey)
        if not saved and walking.save_at in codes:
            saved = True
            save_and_resume(page, checks, survey)
        else:
            click_and_wait(page, 'button[value="continue"]')
    else:
        pytest.fail(f"the survey never reached check answers; stuck at {page.url}")
    assert saved, "the walk never used “Save and continue later”"
    if large:
        assert seen_types == set(TYPES), f"question types never shown: {set(TYPES) - seen_types}"

    checks.audit("check answers")
    shown = page.inner_text("main")
    long_answer = survey.complete[walking.long_text][walking.long_text]
    assert long_answer == "客服一直让我找商家。\n最后解决了。"
    assert questionnaire_text(walking.asked, lang, survey) in shown
    assert long_answer in shown  # long answers keep their lines
    click_and_wait(page, 'main form button[type="submit"]')

    assert "/done/" in page.url
    checks.audit("confirmation")
    reference = page.inner_text(".reference").strip()
    stored = stored_response(app, reference)
    assert stored is not None, f"no stored response with reference {reference}"
    assert stored.locale == lang
    assert stored.paradata["text_size"] == ("large" if large else "standard")
    assert stored.paradata["contrast"] == ("high" if large else "standard")
    assert stored.answers[walking.duration] == 75
    assert stored.answers[walking.date] == "2026-09-03"
    assert stored.answers[walking.long_text] == long_answer

    click_and_wait(page, 'footer a[href^="/staff/login"]')
    checks.audit("staff sign-in")
    checks.post_empty("staff sign-in, error", 'main button[type="submit"]')
    checks.audit("staff sign-in, error")

    checks.report()


def save_and_resume(page: Page, checks: Checks, survey: Survey) -> None:
    """Save, note the resume code, and come back through the resume page."""
    click_and_wait(page, 'button[value="save"]')
    assert page.url.endswith("/saved")
    checks.audit("saved page")
    code = page.inner_text("#resume-code").strip()
    assert len(code.replace(" ", "")) == 12, code

    click_and_wait(page, 'footer a[href="/resume"]')
    checks.audit("resume page")
    checks.post_empty("resume page, error", 'main button[type="submit"]')
    checks.audit("resume page, error")
    page.click("#code", click_count=3)
    page.keyboard.type(code)
    click_and_wait(page, 'main button[type="submit"]')
    assert survey.url("q/") in page.url, page.url
