"""Less noise for respondents, as a person sees and hears the pages.

No question code on any respondent page, in what is shown or what a screen reader
reads (the review page keeps them for staff); check answers under the questionnaire's
section headings; a page count that never grows as the person answers on and agrees
with the start page; the consent before a short, plain list of what is kept. The walks
answer the suite's own questionnaires; one test reads the shipped start page on purpose.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from playwright.sync_api import Page

from tests.browser.conftest import (
    LANGS,
    PHONE,
    TWO_PAGES,
    answer_with_mouse,
    click_and_wait,
    page_codes,
    questionnaire_of,
)
from tests.conftest import QID
from tests.questionnaires import Survey
from tests.questionnaires.branching import SURVEY as BRANCHING
from tests.review.factories import PASSWORD, add_response, fast_password_hashing, staff

pytestmark = [pytest.mark.browser, pytest.mark.layout]

# What a respondent should not have to read on the start page: how the app works inside.
JARGON = ("浏览器类型", "瀏覽器類型", "网络地址", "網路位址", "密钥", "金鑰", "IP", "hash")


def shown_and_heard(page: Page) -> str:
    """What a person reads and what a screen reader says: the page's title, its visible
    text, and the accessibility tree with every role and name (but not the links' addresses,
    which are neither shown nor read out)."""
    tree = page.locator("body").aria_snapshot().splitlines()
    heard = [line for line in tree if "/url:" not in line]
    return "\n".join([page.title(), page.inner_text("body"), *heard])


def jargon_in(text: str) -> list[str]:
    return [w for w in JARGON if re.search(rf"(?<![A-Za-z]){w}(?![A-Za-z])", text)]


def codes_in(text: str, survey: Survey) -> list[str]:
    return [
        q.code
        for q in questionnaire_of(survey).questions
        if re.search(rf"(?<![A-Za-z0-9_]){q.code}(?![A-Za-z0-9_])", text)
    ]


def start(page: Page, survey: Survey, lang: str = "en") -> None:
    page.goto(f"/settings/language/{lang}?next={quote(survey.start)}")
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")


def answer_through(page: Page, survey: Survey, answers: dict[str, Any] | None = None) -> None:
    """Answer page after page until check answers; `answers` overrides the complete ones."""
    walking = Survey(survey.id, answers or survey.complete)
    for _ in range(40):
        if page.url.endswith("/check"):
            return
        for code in page_codes(page):
            answer_with_mouse(page, code, walking)
        click_and_wait(page, 'button[value="continue"]')
    pytest.fail(f"never reached check answers; stuck at {page.url}")


# ---------------------------------------------------------------- question codes


@pytest.mark.parametrize("size", ["standard", "large"])
def test_no_respondent_page_shows_or_reads_out_a_question_code(
    open_context: Any, size: str
) -> None:
    page = open_context(viewport=PHONE).new_page()
    page.goto(f"/settings/display?size={size}&next={quote(TWO_PAGES.start)}")
    seen: dict[str, list[str]] = {"start page": codes_in(shown_and_heard(page), TWO_PAGES)}
    start(page, TWO_PAGES)
    for _ in range(40):
        if page.url.endswith("/check"):
            break
        codes = page_codes(page)
        seen[f"page {'/'.join(codes)}"] = codes_in(shown_and_heard(page), TWO_PAGES)
        for code in codes:
            answer_with_mouse(page, code, TWO_PAGES)
        click_and_wait(page, 'button[value="continue"]')
    seen["check answers"] = codes_in(shown_and_heard(page), TWO_PAGES)
    click_and_wait(page, 'main form button[type="submit"]')
    seen["confirmation"] = codes_in(shown_and_heard(page), TWO_PAGES)
    assert len(seen) >= 5 and "check answers" in seen
    assert {where: found for where, found in seen.items() if found} == {}


def test_the_review_page_still_shows_question_codes(
    app: Flask, open_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff read codes: they name the export columns and the boxes on paper."""
    fast_password_hashing(monkeypatch)
    staff(app, "chen")
    response = add_response(app, survey=TWO_PAGES)
    page = open_context().new_page()
    page.goto("/settings/language/en?next=/staff/login")
    page.fill("#username", "chen")
    page.fill("#password", PASSWORD)
    click_and_wait(page, 'main button[type="submit"]')
    page.goto(f"/staff/review/{response}")
    assert {"AGE", "R1", "STORY"} <= set(codes_in(page.inner_text("main"), TWO_PAGES))


# ---------------------------------------------------------------- check answers


@pytest.mark.parametrize("lang", LANGS)
def test_check_answers_are_grouped_under_their_sections(open_context: Any, lang: str) -> None:
    page = open_context().new_page()
    start(page, TWO_PAGES, lang)
    answer_through(page, TWO_PAGES)
    questionnaire = questionnaire_of(TWO_PAGES)
    headings = page.locator("main h2").all_inner_texts()
    titles = [s.title[lang] for s in questionnaire.sections]
    assert headings[: len(titles)] == titles  # each section named, in questionnaire order
    for section in questionnaire.sections:
        # The list right after a section's heading holds that section's questions, in order.
        heading = page.locator("main h2", has_text=section.title[lang])
        listed = heading.locator("xpath=following-sibling::dl[1]/div/dt").all_inner_texts()
        asked = [q.text[lang] for q in section.questions]
        assert listed == asked, section.code
    # "Change" links still say which question they change, to a screen reader too.
    for question in questionnaire.questions:
        link = page.get_by_role("link", name=re.compile(re.escape(question.text[lang]) + "$"))
        assert link.count() == 1, question.code


# ---------------------------------------------------------------- the page count


def caption_numbers(page: Page) -> tuple[int, int]:
    found = re.search(r"(\d+)\D+(\d+)\D*$", page.inner_text(".caption").strip())
    assert found, page.inner_text(".caption")
    return int(found.group(1)), int(found.group(2))


def promised(page: Page) -> tuple[int, int]:
    """The start page's (minutes, pages)."""
    found = re.search(r"(\d+) minutes, on up to (\d+) pages", page.inner_text("main"))
    assert found, page.inner_text("main")
    return int(found.group(1)), int(found.group(2))


SHORT = BRANCHING.answers(USED={"USED": "no"}, SOLVED={"SOLVED": "yes"})


@pytest.mark.parametrize(
    ("size", "path", "pages"),
    [
        ("standard", "long", 7),
        ("standard", "short", 4),
        ("large", "long", 8),
        ("large", "short", 5),
    ],
)
def test_the_page_count_never_grows_and_agrees_with_the_start_page(
    open_context: Any, size: str, path: str, pages: int
) -> None:
    page = open_context().new_page()
    then = quote(f"/settings/language/en?next={quote(BRANCHING.start)}")
    page.goto(f"/settings/display?size={size}&next={then}")
    minutes, most = promised(page)
    assert minutes == 5  # worked out from the questions (tests/questionnaire/test_timing.py)
    assert most == (7 if size == "standard" else 9)  # every question of the file
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")
    walking = Survey(BRANCHING.id, BRANCHING.complete if path == "long" else SHORT)
    captions = []
    for _ in range(20):
        if page.url.endswith("/check"):
            break
        captions.append(caption_numbers(page))
        for code in page_codes(page):
            answer_with_mouse(page, code, walking)
        click_and_wait(page, 'button[value="continue"]')
    numbers, counts = [x for x, _ in captions], [y for _, y in captions]
    assert numbers == list(range(1, pages + 1))  # one page more each time, as many as shown
    assert counts[0] == most  # the first page says what the start page said
    assert counts == sorted(counts, reverse=True), counts  # and it never grows
    assert counts[-1] == pages  # the last page knows it is the last


# ---------------------------------------------------------------- the start page


@pytest.mark.parametrize("lang", LANGS)
def test_consent_comes_first_and_what_is_kept_is_said_plainly(open_context: Any, lang: str) -> None:
    page = open_context(viewport=PHONE).new_page()
    page.goto(f"/settings/language/{lang}?next={quote(TWO_PAGES.start)}")
    order = page.evaluate(
        """() => [...document.querySelectorAll('main #consent, main button[type=submit], main h2')]
                 .map(el => el.id || el.tagName.toLowerCase())"""
    )
    assert order == ["consent", "button", "h2"]  # tick and start, then what is kept
    kept = page.locator("main h2 ~ ul").inner_text()
    assert len(kept.splitlines()) == 5
    assert jargon_in(page.inner_text("main")) == []
    # The box's hint, said with it to a screen reader, tells what is kept in a line.
    assert page.get_attribute("#consent", "aria-describedby") == "consent-hint"
    assert page.inner_text("#consent-hint").strip()


@pytest.mark.shipped
@pytest.mark.parametrize("lang", LANGS)
def test_the_shipped_start_page_is_plain_and_asks_for_consent_first(
    open_context: Any, lang: str
) -> None:
    page = open_context(viewport=PHONE).new_page()
    page.goto(f"/settings/language/{lang}?next={quote(f'/s/{QID}/')}")
    assert jargon_in(page.inner_text("main")) == []
    # Before the box: the description's first paragraph and the time, nothing more.
    before = page.evaluate(
        """() => [...document.querySelectorAll('main p, main li, main h2')].filter(
                 el => el.compareDocumentPosition(document.querySelector('#consent'))
                       & Node.DOCUMENT_POSITION_FOLLOWING).length"""
    )
    assert before == 2
    box = page.locator("#consent").bounding_box()
    kept = page.locator("main h2").first.bounding_box()
    assert box and kept and box["y"] < kept["y"]
