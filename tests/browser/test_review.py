"""A reviewer's day in a real browser: sign in, filter, decide, freeze a batch, download it.

The decisions and the batch are made with the keyboard (Tab, arrow keys, typing,
Enter); the downloaded zip is opened and its files read back. Then every staff
page is audited in Simplified Chinese and English, standard and large text with
high contrast: axe-core WCAG 2.2 AA with target-size, no sideways scrolling at
320 px, and the measured large-text rules. The responses answer the suite's two-page
survey.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow.parquet as pq
import pytest
from flask import Flask
from playwright.sync_api import Page

from fieldwork import db
from fieldwork.accounts.models import StaffUser
from fieldwork.review import service as review
from tests.browser.conftest import (
    DESKTOP,
    FOCUS_JS,
    PHONE,
    TWO_PAGES,
    Checks,
    click_and_wait,
    sign_in_as,
    staff_sign_in_page,
)
from tests.review.factories import (
    DAY,
    FORMULA,
    PASSWORD,
    SPEEDER,
    STRAIGHT,
    TRICKY,
    add_response,
    fast_password_hashing,
    freeze_all,
    response_row,
    staff,
)

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _isolated(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashing, and batch files in this test's own folder."""
    fast_password_hashing(monkeypatch)
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(tmp_path / "instance"))


@pytest.fixture
def queue(app: Flask) -> Iterator[dict[str, int]]:
    survey = TWO_PAGES
    yield {
        "chen": staff(app, "chen"),
        "tricky": add_response(
            app, flags=[STRAIGHT], segment="elderly", answers=TRICKY, survey=survey
        ),
        "fast": add_response(app, flags=[SPEEDER], segment="elderly", survey=survey),
        "approved": add_response(
            app, status="approved", segment="parents", mode="paper", submitted_at=DAY, survey=survey
        ),
        "old": add_response(app, submitted_at=DAY - dt.timedelta(days=60), survey=survey),
    }


class Keyboard:
    """Tab to an element, checking each stop on the way shows the focus."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.invisible: list[str] = []

    def tab_to(self, selector: str, limit: int = 120) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            found: dict[str, Any] = self.page.evaluate(FOCUS_JS, selector)
            if not found["visible"]:
                self.invisible.append(f"{self.page.url}: {found['what']}")
            if found["matches"]:
                return
        pytest.fail(f"Tab never reached {selector} on {self.page.url}")

    def type_into(self, selector: str, text: str, replace: bool = False) -> None:
        self.tab_to(selector)
        if replace:
            self.page.keyboard.press("Control+a")
        self.page.keyboard.type(text)

    def choose(self, selector: str, value: str) -> None:
        """Pick an option of a focused <select> with the arrow keys, as a keyboard user does."""
        self.tab_to(selector)
        options: list[str] = self.page.eval_on_selector(
            selector, "s => [...s.options].map(o => o.value)"
        )
        position = self.page.eval_on_selector(selector, "s => s.selectedIndex")
        target = options.index(value)
        key = "ArrowDown" if target > position else "ArrowUp"
        for _ in range(abs(target - position)):
            self.page.keyboard.press(key)
        assert self.page.eval_on_selector(selector, "s => s.value") == value

    def submit(self, selector: str) -> None:
        self.tab_to(selector)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")


def sign_in(page: Page, keys: Keyboard) -> None:
    page.goto("/staff/login")
    keys.type_into("#username", "chen")
    keys.type_into("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


SAVE_AND_STAY = "main form button[type=submit]:not([name=then])"
SAVE_AND_NEXT = "main form button[type=submit][name=then]"


def decide(
    keys: Keyboard, status: str, reason: str, comment: str, button: str = SAVE_AND_STAY
) -> None:
    keys.choose("#status", status)
    keys.choose("#reason", reason)
    keys.type_into("#comment", comment)
    keys.submit(button)


def test_reviewer_decides_freezes_and_downloads(
    app: Flask, open_context: Any, queue: dict[str, int]
) -> None:
    context = open_context(accept_downloads=True)
    page = context.new_page()
    keys = Keyboard(page)
    checks = Checks(page, lang="en")
    page.goto("/settings/language/en")
    sign_in(page, keys)
    keys.submit('nav a[href="/staff/review/"]')  # from the overview

    # Filter: pending, elderly, from a day that does not exist: the slip is shown on the
    # queue next to its field, the other filters kept.
    keys.choose("#f-status", "pending")
    keys.choose("#f-segment", "elderly")
    keys.type_into("#f-from", "2026-11-31")
    keys.submit("form.filters button[type=submit]")
    checks.error_summary("queue, a day that does not exist")
    assert page.eval_on_selector(".error-summary a", "a => a.getAttribute('href')") == "#f-from"
    assert page.get_attribute("#f-from", "aria-invalid") == "true"
    assert page.eval_on_selector("#f-segment", "s => s.value") == "elderly"
    keys.type_into("#f-from", "2026-11-01", replace=True)
    keys.submit("form.filters button[type=submit]")
    listed = page.eval_on_selector_all("input[name=pick]", "boxes => boxes.map(b => b.id)")
    assert sorted(listed) == sorted(f"pick-{queue[k]}" for k in ("tricky", "fast"))
    assert "Same rating in a row" in page.inner_text("main table")  # the flag in words

    keys.submit(f'a[href^="/staff/review/{queue["tricky"]}?"]')
    assert "Same rating in a row" in page.inner_text("main .flag-list")
    decide(keys, "approved", "checked-flag-false-alarm", "评分确实一样，核对过了")
    # The focus is on the outcome; from there the way back leads to the queue as it was.
    assert page.evaluate("() => document.activeElement.matches('main .notice')")
    assert "Decision saved" in page.inner_text("main .notice")
    history = page.inner_text("main table")
    assert "Checked: the flag is a false alarm: 评分确实一样，核对过了" in history
    assert "Pending\tApproved" in history
    keys.submit("main .notice a")
    assert [page.eval_on_selector(f"#f-{k}", "f => f.value") for k in ("status", "segment")] == [
        "pending",
        "elderly",
    ]
    assert page.eval_on_selector("#f-from", "f => f.value") == "2026-11-01"

    # Rejected, with no reason chosen: fixed on the form, the comment kept.
    keys.submit(f'a[href^="/staff/review/{queue["fast"]}?"]')
    keys.choose("#status", "rejected")
    keys.type_into("#comment", "31 秒")
    keys.submit(SAVE_AND_STAY)
    checks.error_summary("response, a reason that does not fit")
    assert page.eval_on_selector(".error-summary a", "a => a.getAttribute('href')") == "#reason"
    assert page.eval_on_selector("#status", "s => s.value") == "rejected"
    assert page.eval_on_selector("#comment", "c => c.value") == "31 秒"
    keys.choose("#reason", "speeder")
    keys.submit(SAVE_AND_STAY)
    assert response_row(app, queue["fast"]).status == "rejected"
    assert response_row(app, queue["tricky"]).status == "approved"

    # A batch of November's responses, previewed, then frozen; a day that does not exist
    # comes back on the form, fixed there.
    page.goto("/staff/batches/")
    keys.choose("#b-questionnaire", TWO_PAGES.id)
    keys.type_into("#b-from", "2026-11-31")
    keys.submit("main form button[type=submit]")
    checks.error_summary("batches, a day that does not exist")
    assert page.eval_on_selector(".error-summary a", "a => a.getAttribute('href')") == "#b-from"
    keys.type_into("#b-from", "2026-11-01", replace=True)
    keys.submit("main form button[type=submit]")
    checks.report()
    text = page.inner_text("main")
    assert "2 approved responses would be included. 1 other response matches" in text
    keys.type_into("#name", "十一月 wave 1")
    keys.submit("main form button[type=submit]")
    assert "十一月 wave 1" in page.inner_text("h1")

    with page.expect_download() as info:
        page.click("main a[href$='/batch.zip']")
    data = Path(info.value.path()).read_bytes()
    assert not keys.invisible, keys.invisible

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    rows = list(csv.DictReader(io.StringIO(files["data.csv"].decode("utf-8"), newline="")))
    assert sorted(int(r["response_id"]) for r in rows) == sorted(
        [queue["tricky"], queue["approved"]]
    )
    tricky = next(r for r in rows if int(r["response_id"]) == queue["tricky"])
    assert tricky["IMPROVE"] == "'" + FORMULA and tricky["STORY"] == TRICKY["STORY"]
    table = pq.read_table(io.BytesIO(files["data.parquet"])).to_pylist()
    assert next(r for r in table if r["response_id"] == queue["tricky"])["IMPROVE"] == FORMULA
    sheet = openpyxl.load_workbook(io.BytesIO(files["data.xlsx"])).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for line in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in line)
        if line[0].value == queue["tricky"]:
            assert line[header.index("STORY")].value == TRICKY["STORY"]
    log = list(csv.DictReader(io.StringIO(files["cleaning_log.csv"].decode(), newline="")))
    assert [(int(r["response_id"]), r["status"], r["flag_codes"]) for r in log] == [
        (queue["fast"], "rejected", "speeder")
    ]
    manifest = json.loads(files["manifest.json"])
    assert manifest["counts"]["by_segment_mode"] == {
        "elderly": {"online": 1},
        "parents": {"paper": 1},
    }


@pytest.fixture
def frozen(app: Flask, queue: dict[str, int]) -> int:
    """A batch frozen beforehand, for its page."""
    return freeze_all(app, queue["chen"], "2026 第四季度 消费者问卷 wave 1", TWO_PAGES)


@pytest.mark.layout
@pytest.mark.parametrize("mode", ["standard", "large"])
@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_staff_pages_pass_the_audit(
    open_context: Any, queue: dict[str, int], frozen: int, lang: str, mode: str
) -> None:
    page, checks = staff_sign_in_page(open_context, lang, mode)
    checks.audit("staff sign-in")
    sign_in_as(page, "chen", PASSWORD)
    checks.audit("overview")

    page.goto("/staff/review/?status=pending")
    checks.audit("review queue")
    click_and_wait(page, "form[action$='/bulk'] button[type=submit]")
    checks.error_summary("review queue, a bulk decision not chosen")
    checks.audit("review queue, a bulk decision not chosen")
    page.goto("/staff/review/?status=pending&to=2026-02-30")
    checks.audit("review queue, a day that does not exist")
    page.goto(f"/staff/review/{queue['tricky']}")
    checks.audit("response")
    page.select_option("#status", "on_hold")
    click_and_wait(page, "main form button[type=submit]")
    checks.audit("response, a reason that does not fit")
    page.goto("/staff/batches/")
    checks.audit("batches")
    page.goto(f"/staff/batches/preview?questionnaire={TWO_PAGES.id}&segment=elderly&to=2026-02-30")
    checks.audit("batches, a day that does not exist")
    page.goto(f"/staff/batches/preview?questionnaire={TWO_PAGES.id}")
    checks.audit("batch preview")
    page.fill("#name", "")
    click_and_wait(page, "main form button[type=submit]")
    checks.audit("batch preview, no name")
    page.goto(f"/staff/batches/{frozen}")
    checks.audit("batch")
    if lang != "en":  # codes as stored are English jargon on a Chinese page
        for path in ("/staff/", "/staff/review/", f"/staff/review/{queue['tricky']}"):
            page.goto(path)
            shown = page.inner_text("main")
            for code in ("straight-lining", "speeder", "reviewer", "(answers)", "large, high"):
                if code in shown:
                    checks.problems.append(f"{path} [{lang}] shows the code {code!r}")
    if mode == "large":  # wide enough for tables, narrow for large text: tables scroll
        page.set_viewport_size({"width": 700, "height": 900})
        for path in ("/staff/review/", f"/staff/review/{queue['tricky']}", "/staff/batches/"):
            page.goto(path)
            wide = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
            if wide[0] > wide[1]:
                checks.problems.append(f"{path} scrolls sideways at 700 px: {wide}")
    checks.report()


# ---------------------------------------------------------------- the review desk


def test_reviewer_works_through_the_queue_with_save_and_next_by_keyboard(
    app: Flask, open_context: Any, queue: dict[str, int]
) -> None:
    """Pending first, the evidence before the decision, then decide and go on: by keyboard."""
    page = open_context().new_page()
    keys = Keyboard(page)
    checks = Checks(page, lang="en")
    page.goto("/settings/language/en")
    sign_in(page, keys)
    keys.submit('nav a[href="/staff/review/"]')

    # The queue opens on what waits: pending responses, newest first, a count per status.
    listed = page.eval_on_selector_all("input[name=pick]", "boxes => boxes.map(b => b.id)")
    assert listed == [f"pick-{queue[k]}" for k in ("fast", "tricky", "old")]
    tabs = page.inner_text("main .status-tabs")
    assert tabs.split("\n") == [
        "Pending (3)",
        "On hold (0)",
        "Approved (1)",
        "Rejected (0)",
        "All statuses (4)",
    ]
    assert "Times and days are in China Time (Asia/Shanghai)." in page.inner_text("main")
    checks.audit("review queue, pending")
    keys.submit("main .status-tabs a[href*='status=all']")  # one click to every status
    assert len(page.eval_on_selector_all("input[name=pick]", "boxes => boxes")) == 4
    keys.submit("main .status-tabs a[href*='status=pending']")

    keys.submit(f'a[href^="/staff/review/{queue["fast"]}?"]')
    order = page.eval_on_selector_all(
        "main h2, main form[method=post]", "els => els.map(e => e.id || e.textContent.trim())"
    )
    assert order.index("Flags") < order.index("Answers") < order.index("decide")
    keys.tab_to("main a[href='#decide']")  # the evidence can be skipped on the way
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "decide"
    decide(keys, "rejected", "speeder", "31 秒", SAVE_AND_NEXT)

    # The next response of the same queue, with what was saved said at the top.
    assert f"/staff/review/{queue['tricky']}?" in page.url and "status=pending" in page.url
    assert page.evaluate("() => document.activeElement.matches('main .notice')")
    notice = page.inner_text("main .notice")
    assert f"Decision saved for response {queue['fast']}: Rejected." in notice
    assert "Reason: Answered too fast. Comment: 31 秒" in notice
    assert "This is the next response in the queue." in notice
    checks.audit("response after save and next")
    decide(keys, "approved", "checked-flag-false-alarm", "核对过了", SAVE_AND_NEXT)
    assert f"/staff/review/{queue['old']}?" in page.url
    decide(keys, "on_hold", "ask-supervisor", "问一下", SAVE_AND_NEXT)

    # The end of the queue: back to it, and told so.
    assert page.url.split("?")[0].endswith("/staff/review/")
    notice = page.inner_text("main .notice")
    assert f"Decision saved for response {queue['old']}: On hold." in notice
    assert "That was the last response in this queue." in notice
    assert page.eval_on_selector_all("input[name=pick]", "boxes => boxes") == []
    checks.audit("review queue, the end of it")
    checks.report()
    assert [response_row(app, queue[k]).status for k in ("fast", "tricky", "old")] == [
        "rejected",
        "approved",
        "on_hold",
    ]
    assert not keys.invisible, keys.invisible


# A cell's text wraps into more lines than half its characters (a character or two per
# line), or the cell is narrower than two characters: the column was squeezed.
SQUEEZED_JS = """
() => {
  const hidden = el => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const box = e.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1) return true;
    }
    return false;
  };
  const problems = [];
  for (const cell of document.querySelectorAll('main table th, main table td')) {
    if (hidden(cell)) continue;
    const style = getComputedStyle(cell);
    const size = parseFloat(style.fontSize);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let text = '';
    const tops = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const words = node.textContent.replace(/\\s+/g, '');
      if (!words || node.parentElement.closest('.visually-hidden')) continue;
      text += words;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const box of range.getClientRects()) if (box.width > 0) tops.push(box.top);
    }
    if (!text) continue;
    tops.sort((a, b) => a - b);
    let lines = 0, last = -Infinity;
    for (const top of tops) if (top - last > size / 2) { lines += 1; last = top; }
    const chars = [...text].length;
    const width = cell.getBoundingClientRect().width
      - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (chars >= 2 && lines > chars / 2) {
      problems.push(`${JSON.stringify(text.slice(0, 30))}: ${chars} characters on ${lines} lines`);
    } else if (width < 2 * size) {
      problems.push(`${JSON.stringify(text.slice(0, 30))}: ${Math.round(width)} px wide`);
    }
  }
  return problems;
}
"""

MANY_FLAGS = [
    SPEEDER,
    STRAIGHT,
    {"code": "duplicate-ip", "severity": "review", "count": 3},
    {"code": "open-mash", "severity": "review", "questions": ["IMPROVE"]},
    {"code": "segment-conflict", "severity": "review", "link": "elderly", "answers": "young"},
]


@pytest.mark.layout
@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_no_table_column_is_squeezed_to_a_character_per_line(
    app: Flask, open_context: Any, queue: dict[str, int], frozen: int, lang: str
) -> None:
    """Queue, response, overview and batches, on a desktop and a phone: the long column
    (every flag a response has, a comment) leaves the others room for their words."""
    crowded = add_response(app, flags=MANY_FLAGS, segment="elderly", mode="shadow")
    comment = "核对了订单号、聊天记录和客服的回复时间，确实是同一个人填了两次问卷" * 2
    with app.app_context():
        session = db.session()
        user = session.get(StaffUser, queue["chen"])
        assert user is not None
        review.decide(session, review.Decision(crowded, 1, "on_hold", "other", comment), user)
    page = open_context().new_page()
    page.goto(f"/settings/language/{lang}")
    page.goto("/staff/login")
    page.fill("#username", "chen")
    page.fill("#password", PASSWORD)
    click_and_wait(page, "main button[type=submit]")
    problems = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in (
            "/staff/",
            "/staff/review/",
            "/staff/review/?status=all",
            f"/staff/review/{crowded}",
            "/staff/batches/",
            f"/staff/batches/preview?questionnaire={TWO_PAGES.id}",
        ):
            page.goto(path)
            found = page.evaluate(SQUEEZED_JS)
            problems += [f"{path} at {viewport['width']} px: {p}" for p in found]
    assert not problems, "\n".join(problems)
