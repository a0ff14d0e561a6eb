"""On a phone in large and extra-large text, the question comes first.

An elderly respondent opens the invitation link on a 390 × 844 phone. On every
question page of the shipped questionnaire, walked one question per page in each
language, the first screen (no scrolling) shows the question and its first answer,
and in large text the Continue button too when the question has at most five
choices. Every page a respondent sees keeps the large-text rules, tap targets of
60 px included. Measured from element boxes, and every failing page is reported at
once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import (
    LANGS,
    PHONE,
    SHIPPED,
    Checks,
    answer_with_mouse,
    click_and_wait,
    page_codes,
    questionnaire_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.layout]

SAVE_AT = "Q4"  # the question page where the walk saves and resumes
MOST_CHOICES_WITH_BUTTON = 5  # large text: up to this many choices, Continue is on screen too

# Boxes on the first screen of a question page, in CSS pixels from the top of the viewport.
# The question is the page's heading; its first answer is the first control with its label.
_FIRST_SCREEN_JS = """
() => {
  const box = els => {
    const rects = els.filter(Boolean).map(el => el.getBoundingClientRect())
      .filter(r => r.width > 0 && r.height > 0);
    if (!rects.length) return null;
    return {top: Math.min(...rects.map(r => r.top)), bottom: Math.max(...rects.map(r => r.bottom))};
  };
  const group = document.querySelector("form [id$='-group']");
  const first = group.querySelector('input:not([type=hidden]), textarea, select');
  return {
    scrolled: window.scrollY,
    screen: window.innerHeight,
    header: document.querySelector('header').getBoundingClientRect().height,
    question: box([document.querySelector('main h1')]),
    answer: box([first, ...(first && first.labels ? first.labels : [])]),
    button: box([document.querySelector("button[value='continue']")]),
    choices: group.querySelectorAll('input[type=radio], input[type=checkbox]').length,
  };
}
"""


@dataclass
class FirstScreens:
    """What each question page showed on its first screen, and what it failed to show."""

    lang: str
    size: str
    pages: int = 0
    failing: dict[str, list[str]] = field(default_factory=dict)
    headers: set[int] = field(default_factory=set)

    def measure(self, page: Page, code: str) -> None:
        found: dict[str, Any] = page.evaluate(_FIRST_SCREEN_JS)
        self.pages += 1
        self.headers.add(round(found["header"]))
        screen = found["screen"]
        wanted = {"the question": found["question"], "its first answer": found["answer"]}
        if self.size == "large" and found["choices"] <= MOST_CHOICES_WITH_BUTTON:
            wanted["the Continue button"] = found["button"]
        label = f"question page {code} [{self.lang}, {self.size}]"
        for what, where in wanted.items():
            if where is None:
                problem = f"{what} is not shown"
            elif where["top"] < 0 or where["bottom"] > screen or found["scrolled"]:
                problem = f"{what} ends at {where['bottom']:.0f} px of {screen}"
            else:
                continue
            self.failing.setdefault(label, []).append(problem)

    def summary(self) -> str:
        passed = self.pages - len(self.failing)
        return (
            f"[{self.lang}, {self.size}] {passed} of {self.pages} question pages show what they "
            f"must on the first screen; header {sorted(self.headers)} px high"
        )

    def problems(self) -> list[str]:
        if not self.failing:
            return []
        return [self.summary()] + [
            f"{label}: {'; '.join(why)}" for label, why in self.failing.items()
        ]


@pytest.mark.shipped
@pytest.mark.parametrize("size", ["large", "x-large"])
@pytest.mark.parametrize("lang", LANGS)
def test_question_comes_first_on_a_phone(open_context: Any, lang: str, size: str) -> None:
    page = open_context(viewport=PHONE).new_page()
    checks = Checks(page, lang=lang, size=size)
    screens = FirstScreens(lang, size)
    extra = "&size=x-large" if size == "x-large" else ""
    page.goto(SHIPPED.url(f"?segment=elderly&lang={lang}{extra}"))
    checks.here("start page")
    checks.large_rules("start page")
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")

    asked: list[str] = []
    saved = False
    for _ in range(40):
        if page.url.endswith("/check"):
            break
        codes = page_codes(page)
        assert len(codes) == 1, f"large text shows one question per page, {page.url} has {codes}"
        code = codes[0]
        if code not in asked:  # the page the walk resumes on is measured once
            asked.append(code)
            screens.measure(page, code)
            checks.large_rules(f"question page {code} [{lang}, {size}]")
        answer_with_mouse(page, code, SHIPPED)
        if code == SAVE_AT and not saved:
            saved = True
            save_and_resume(page, checks)
        else:
            click_and_wait(page, 'button[value="continue"]')
    else:
        pytest.fail(f"the survey never reached check answers; stuck at {page.url}")
    every = [q.code for q in questionnaire_of(SHIPPED).questions]
    assert asked == every, f"the walk did not ask every question: {set(every) - set(asked)}"

    checks.large_rules("check answers")
    click_and_wait(page, 'main form button[type="submit"]')
    assert "/done/" in page.url, page.url
    checks.large_rules("confirmation")

    print("\n" + screens.summary())  # the figures, for `pytest -s`
    checks.problems[:0] = screens.problems()
    checks.report()


def save_and_resume(page: Page, checks: Checks) -> None:
    """Save, go to the resume page from the footer, and come back with the code."""
    click_and_wait(page, 'button[value="save"]')
    checks.large_rules("saved page")
    code = page.inner_text("#resume-code").strip()
    click_and_wait(page, 'footer a[href="/resume"]')
    checks.large_rules("resume page")
    page.fill("#code", code)
    click_and_wait(page, 'main button[type="submit"]')
