"""Errors that help, as a person sees them: a short summary whose heading says what to do and
whose links carry only their message, and, on a phone in large text, the question in view
with it after a page comes back with a problem."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    TWO_PAGES,
    answer_with_mouse,
    click_and_wait,
    page_codes,
    questionnaire_text,
)
from tests.questionnaires import Survey
from tests.questionnaires.units import SURVEY as UNITS

pytestmark = [pytest.mark.browser, pytest.mark.layout]

HEADING = {"zh-Hans": "请检查以下内容", "en": "Check the following"}

# Where the summary and the question of a page with a problem are, in the first screen.
_PLACES_JS = """
() => {
  const box = el => {
    const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, line: parseFloat(getComputedStyle(el).lineHeight)};
  };
  return {
    screen: document.documentElement.clientHeight,
    summary: box(document.querySelector('.error-summary')),
    question: box(document.querySelector('main h1')),
  };
}
"""

# The summary as read: its heading, and each link's text with the message shown at the
# question it leads to (without the hidden "Error:") and that question's text.
_SUMMARY_JS = """
() => {
  const summary = document.querySelector('.error-summary');
  return {
    heading: summary.querySelector('h2').innerText.trim(),
    links: [...summary.querySelectorAll('a')].map(a => {
      const target = document.getElementById(a.getAttribute('href').slice(1));
      const group = target && target.closest('.form-group');
      const shown = group && group.querySelector('.error-message');
      const asked = group && group.querySelector('legend, label');
      return {
        text: a.innerText.trim(),
        shown: shown ? shown.innerText.replace(/^\\s*\\S+[:：]\\s*/, '').trim() : null,
        question: asked ? asked.innerText.trim() : null,
        control: !!target && target.matches('input, textarea, select, button'),
      };
    }),
  };
}
"""


def start(page: Page, survey: Survey, query: str) -> None:
    page.goto(survey.url(f"?{query}"))
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")


def problems_in_view(page: Page, label: str, *, whole: bool) -> list[str]:
    """The summary whole in the first screen and the question starting in it below the
    summary; if `whole`, the question whole too unless the summary sits at the top edge."""
    # Without the script, `autofocus` focuses (and scrolls) at a rendering update that can
    # come just after the load event.
    page.wait_for_function("() => document.activeElement.matches('.error-summary')")
    places = page.evaluate(_PLACES_JS)
    screen, summary, question = places["screen"], places["summary"], places["question"]
    found = []
    if summary["top"] < -0.5 or summary["bottom"] > screen + 0.5:
        found.append(f"{label}: the summary is at {summary['top']:.0f}–{summary['bottom']:.0f}")
    if question["top"] < summary["bottom"] or question["top"] + question["line"] > screen + 0.5:
        found.append(f"{label}: the question starts at {question['top']:.0f} of {screen}")
    elif whole and question["bottom"] > screen + 0.5 and summary["top"] > 0.5:
        found.append(
            f"{label}: the question ends at {question['bottom']:.0f} of {screen}, and the "
            f"summary could move up {summary['top']:.0f} px"
        )
    return found


@pytest.mark.parametrize("script", [True, False], ids=["script", "no script"])
@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_on_a_phone_the_question_is_in_view_with_the_summary(
    open_context: Any, lang: str, script: bool
) -> None:
    """Large and extra large text on a 390 × 844 phone, a short and a long question: before,
    in extra large text the question started below the first screen (899 px, 994 px in
    English). With the script the page scrolls just enough to show the whole question, or,
    for one too long for the screen with the summary, puts the summary at the top; without
    it, the focused summary keeps room below it for the question's first lines."""
    found = []
    for size in ("large", "x-large"):
        context = open_context(viewport=PHONE, java_script_enabled=script)
        page = context.new_page()
        start(page, TWO_PAGES, f"size={size}&lang={lang}")
        click_and_wait(page, 'button[value="continue"]')  # AGE not answered
        found += problems_in_view(page, f"{size}, a short question", whole=script)

        page = context.new_page()
        start(page, UNITS, f"size={size}&lang={lang}")
        page.fill("#CALL-hours", "2")  # over its limit of 1 hour 30 minutes
        click_and_wait(page, 'button[value="continue"]')
        found += problems_in_view(page, f"{size}, a long question", whole=script)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_summary_links_carry_only_the_message_shown_at_their_question(
    open_context: Any, lang: str
) -> None:
    """A page of three questions, none answered: three short links, each the very words shown
    at its question, none repeating the question; each leads to its question's first control."""
    page = open_context(viewport=DESKTOP).new_page()
    start(page, TWO_PAGES, f"lang={lang}")
    click_and_wait(page, 'button[value="continue"]')
    summary = page.evaluate(_SUMMARY_JS)
    assert summary["heading"] == HEADING[lang]
    assert len(summary["links"]) == 3
    for link, code in zip(summary["links"], ("AGE", "KIDS", "CHANNELS"), strict=True):
        assert link["control"], link
        assert link["text"] == link["shown"], link
        assert questionnaire_text(code, lang) in link["question"], link
        assert questionnaire_text(code, lang) not in link["text"], link
        assert code not in link["text"], link


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_every_summary_heading_says_what_to_do(open_context: Any, lang: str) -> None:
    """The start, question, check-answers, resume and staff sign-in pages: one heading,
    "Check the following", where it said "There is a problem" like a system failure."""
    page = open_context(viewport=DESKTOP).new_page()
    headings = {}

    page.goto(TWO_PAGES.url(f"?lang={lang}"))
    click_and_wait(page, "main button[type=submit]")  # consent not ticked
    headings["start"] = page.inner_text(".error-summary h2")
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")
    click_and_wait(page, 'button[value="continue"]')
    headings["question"] = page.inner_text(".error-summary h2")

    # Check answers, when the answers sent no longer hold (a score of 11 of 10).
    for _ in range(10):
        if page.url.endswith("/check"):
            break
        for code in page_codes(page):
            answer_with_mouse(page, code)
        click_and_wait(page, 'button[value="continue"]')
    page.eval_on_selector('input[type=hidden][name="SCORE"]', "el => el.value = '11'")
    click_and_wait(page, 'main form button[type="submit"]')
    headings["check answers"] = page.inner_text(".error-summary h2")

    page.goto("/resume")
    click_and_wait(page, 'main button[type="submit"]')
    headings["resume"] = page.inner_text(".error-summary h2")
    page.goto("/staff/login")
    click_and_wait(page, 'main button[type="submit"]')
    headings["staff sign-in"] = page.inner_text(".error-summary h2")

    assert headings == dict.fromkeys(headings, HEADING[lang])
