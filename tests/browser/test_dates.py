"""A date is asked as the person's language writes it, and an error says which box is wrong.

Chinese asks year → month → day with 年 / 月 / 日 after each box; English (Babel's `en`)
month → day → year with the names above. The three boxes share one row on a 320 px
phone in every text size, and an error marks only the box it names. Measured on screen
(box positions), on the suite's one-date survey (tests/questionnaires/one_date.yaml).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import NARROW, PHONE, Checks, click_and_wait
from tests.questionnaires.one_date import SURVEY as ONE_DATE

pytestmark = [pytest.mark.browser, pytest.mark.layout]

ORDER = {
    "zh-Hans": ["year", "month", "day"],
    "zh-Hant": ["year", "month", "day"],
    "en": ["month", "day", "year"],
}
NAMES = {
    "zh-Hans": {"year": "年", "month": "月", "day": "日"},
    "zh-Hant": {"year": "年", "month": "月", "day": "日"},
    "en": {"year": "Year", "month": "Month", "day": "Day"},
}
SIZES = ("standard", "large", "x-large")

# Each box of the date, left to right on screen: its part, its name's text and where the
# box and its name are.
_BOXES_JS = """
() => [...document.querySelectorAll('#CONTACT-group input[type=text]')].map(input => {
  const label = input.labels[0];
  const box = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
  return {
    part: input.id.replace('CONTACT-', ''),
    name: label ? label.textContent.trim() : null,
    input: box(input.getBoundingClientRect()),
    label: label ? box(label.getBoundingClientRect()) : null,
    invalid: input.getAttribute('aria-invalid'),
    border: getComputedStyle(input).borderTopColor + ' ' + getComputedStyle(input).borderTopWidth,
    fits: input.scrollWidth <= input.clientWidth,
  };
}).sort((a, b) => a.input.left - b.input.left)
"""


def date_page(open_context: Any, lang: str, size: str = "standard", **options: Any) -> Page:
    """The survey's date question, in a language and text size from the invitation link."""
    page = open_context(**{"viewport": PHONE, **options}).new_page()
    page.goto(ONE_DATE.url(f"?lang={lang}&size={size}"))
    page.click('label[for="consent"]')
    click_and_wait(page, "main button[type=submit]")
    assert page.locator("#CONTACT-group").is_visible()
    return page


def boxes(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(_BOXES_JS)
    return found


def answer(page: Page, **parts: str) -> None:
    """Type into the boxes by part, then continue."""
    for part, value in parts.items():
        page.fill(f"#CONTACT-{part}", value)
    click_and_wait(page, 'button[value="continue"]')


def error_text(page: Page) -> str:
    return page.inner_text("#CONTACT-error")


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_the_boxes_follow_the_languages_order(open_context: Any, lang: str) -> None:
    page = date_page(open_context, lang, size="large")
    assert [box["part"] for box in boxes(page)] == ORDER[lang]
    # Keyboard order is the order on screen.
    page.focus(f"#CONTACT-{ORDER[lang][0]}")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == f"CONTACT-{ORDER[lang][1]}"


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_names_each_box_after_it(open_context: Any, lang: str) -> None:
    """年 / 月 / 日 after the boxes, on their row, each the box's label for screen readers."""
    page = date_page(open_context, lang)
    for box in boxes(page):
        label, field = box["label"], box["input"]
        assert box["name"] == NAMES[lang][box["part"]], box
        assert label["left"] >= field["right"] - 1, box
        assert label["top"] < field["bottom"] and label["bottom"] > field["top"], box
    for part, name in NAMES[lang].items():
        assert page.get_by_label(name, exact=True).get_attribute("id") == f"CONTACT-{part}"


def test_english_names_each_box_above_it(open_context: Any) -> None:
    page = date_page(open_context, "en")
    for box in boxes(page):
        assert box["name"] == NAMES["en"][box["part"]], box
        assert box["label"]["bottom"] <= box["input"]["top"] + 1, box
    for part, name in NAMES["en"].items():
        assert page.get_by_label(name, exact=True).get_attribute("id") == f"CONTACT-{part}"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_the_three_boxes_share_one_row_at_320_px(open_context: Any, lang: str, size: str) -> None:
    """Blank, filled, and marked by an error (the error's border takes room): the year box
    never wraps, every name stays by its box, and a 4-digit year shows whole."""
    page = date_page(open_context, lang, size=size, viewport={"width": NARROW, "height": 800})
    states = {"blank": boxes(page)}
    for part, value in {"year": "2026", "month": "12", "day": "28"}.items():
        page.fill(f"#CONTACT-{part}", value)
    states["filled"] = boxes(page)
    answer(page, year="2031")
    states["error"] = boxes(page)
    for state, found in states.items():
        tops = {round(box["input"]["top"]) for box in found}
        assert len(tops) == 1, f"{state}: the boxes are on {len(tops)} rows: {found}"
        right = max(max(box["input"]["right"], box["label"]["right"]) for box in found)
        assert right <= NARROW, f"{state}: the row reaches {right:.0f} px: {found}"
        assert [box["part"] for box in found] == ORDER[lang]
        if state != "blank":
            assert all(box["fits"] for box in found), f"{state}: digits cut off: {found}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW


@pytest.mark.parametrize(
    ("lang", "typed", "wrong", "message"),
    [
        ("zh-Hans", {"year": "2026", "month": "13", "day": "5"}, ["month"], "“月”请填 1 到 12"),
        ("en", {"year": "2026", "month": "13", "day": "5"}, ["month"], "a month from 1 to 12"),
        ("zh-Hans", {"year": "26", "month": "11", "day": "5"}, ["year"], "“年”请填 4 位数字"),
        ("en", {"year": "2147483648", "month": "11", "day": "5"}, ["year"], "the year as 4 digits"),
        ("zh-Hans", {"year": "2027", "month": "2", "day": "29"}, ["day"], "这个月只有 28 天"),
        ("en", {"year": "2026", "month": "4", "day": "31"}, ["day"], "That month has 30 days"),
        ("en", {"year": "2026", "month": "11", "day": ""}, ["day"], "Enter a day from 1 to 31"),
        # Typed as Chinese writes it, into the English boxes: month 2026 and year 5.
        ("en", {"month": "2026", "day": "11", "year": "5"}, ["month", "year"], "a real date"),
        # A whole-date problem marks the whole date.
        ("zh-Hans", {"year": "2031", "month": "1", "day": "1"}, ORDER["zh-Hans"], "2030-12-31"),
        ("en", {}, ORDER["en"], "Answer this question"),
    ],
)
def test_an_error_names_the_wrong_part_and_marks_only_its_box(
    open_context: Any, lang: str, typed: dict[str, str], wrong: list[str], message: str
) -> None:
    page = date_page(open_context, lang)
    answer(page, **typed)
    assert message in error_text(page)
    found = boxes(page)
    marked = [box["part"] for box in found if box["invalid"] == "true"]
    assert marked == [part for part in ORDER[lang] if part in wrong], found
    borders = {box["part"]: box["border"] for box in found}
    for part in wrong:
        assert all(borders[part] != borders[other] for other in ORDER[lang] if other not in wrong)
    # The summary says the same and leads to the first box on screen.
    summary = page.locator(".error-summary a")
    assert message in summary.inner_text()
    assert summary.get_attribute("href") == f"#CONTACT-{ORDER[lang][0]}"
    # What was typed is kept, in its box.
    for part, value in typed.items():
        assert page.input_value(f"#CONTACT-{part}") == value


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_a_date_typed_in_the_languages_order_is_kept(open_context: Any, lang: str) -> None:
    """Typed box after box, as the eye reads them: 5 November 2026 either way."""
    page = date_page(open_context, lang)
    values = {"year": "2026", "month": "11", "day": "5"}
    page.click(f"#CONTACT-{ORDER[lang][0]}")
    for part in ORDER[lang]:
        page.keyboard.type(values[part])
        page.keyboard.press("Tab")
    click_and_wait(page, 'button[value="continue"]')
    assert page.url.endswith("/check"), page.url
    shown = {"zh-Hans": "2026年11月5日", "en": "November 5, 2026"}[lang]
    assert shown in page.inner_text("main")


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_date_pages_pass_axe_in_every_display(open_context: Any, lang: str) -> None:
    """Blank and with a part marked wrong, in standard, large + high contrast and x-large."""
    for size, contrast in (("standard", False), ("large", True), ("x-large", False)):
        query = f"?lang={lang}&size={size}" + ("&contrast=on" if contrast else "")
        page = open_context(viewport=PHONE).new_page()
        checks = Checks(page, lang=lang, size=size, contrast=contrast)
        page.goto(ONE_DATE.url(query))
        page.click('label[for="consent"]')
        click_and_wait(page, "main button[type=submit]")
        checks.audit("date question")
        answer(page, year="2026", month="13", day="5")
        checks.error_summary("date question, month wrong")
        checks.audit("date question, month wrong")
        checks.report()
