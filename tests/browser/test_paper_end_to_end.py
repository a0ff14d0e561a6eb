"""A paper sheet's whole life in a real browser, on the real pages (issue 12 point 8).

An admin issues a print run with every sheet keyed twice and downloads its PDF from the
run page; the sheet id is read back from the QR code printed on the PDF (pdftoppm +
zxing-cpp), as a scanner reads it. Two fieldworkers key that sheet blind, by keyboard
alone: the paper has one illegible answer, which both key as "?", and the second keyer
mis-keys the number of contacts. A reviewer who keyed neither entry reconciles the sheet,
choosing the value on the paper; freezes a batch on the batch pages, whose data.csv holds
the response with the final values; and finds the mis-keyed field on the keyer statistics
page, against the keyer who mis-keyed it.

The sheet prints the suite's two-page survey in Traditional Chinese, keyed as
`test_entry.KEYS` says.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page
from pypdf import PdfReader
from sqlmodel import Session, select

from fieldwork.paper import ids
from fieldwork.paper.models import RECONCILED, PaperSheet
from fieldwork.responses.models import Response
from tests.browser.conftest import TWO_PAGES, click_and_wait, sign_in_as
from tests.browser.test_entry import KEYS, key_sheet
from tests.paper.printed import qr_codes
from tests.review.factories import PASSWORD, fast_password_hashing, staff

pytestmark = pytest.mark.browser

SHEETS = 2
PAPER_CALLS, MISKEYED_CALLS = "2", "3"
"""What the paper says for CALLS, and what the second keyer types instead."""
SECOND_KEYS = [
    (field, MISKEYED_CALLS if field == "f-CALLS" else typed, moves_on)
    for field, typed, moves_on in KEYS
]


@pytest.fixture(autouse=True)
def _people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)
    staff(app, "wang", "admin")
    staff(app, "worker.li", "fieldworker")
    staff(app, "worker.chen", "fieldworker")
    staff(app, "zhao", "reviewer")


def signed_in(open_context: Any, username: str) -> Page:
    """A page of a browser of the person's own (own cookies), signed in."""
    context: BrowserContext = open_context(accept_downloads=True)
    page = context.new_page()
    page.goto("/staff/login")
    sign_in_as(page, username, PASSWORD)
    return page


def issue_run(page: Page) -> list[str]:
    """Issue a run on the paper page, every sheet keyed twice; the run page's sheet ids."""
    click_and_wait(page, "nav a[href$='/staff/paper/']")
    page.select_option("#r-questionnaire", TWO_PAGES.id)
    page.select_option("#r-language", "zh-Hant")
    page.select_option("#r-size", "large")
    page.fill("#r-count", str(SHEETS))
    page.fill("#r-campaign", "2026Q4")
    page.select_option("#r-segment", "elderly")
    page.select_option("#r-issued_to", "worker.li")
    page.select_option("#r-verification", "all")
    click_and_wait(page, "main form[method=post] button[type=submit]")
    assert "/staff/paper/runs/" in page.url, page.url
    return page.locator("a.sheet-id").all_inner_texts()


def downloaded_pdf(page: Page) -> bytes:
    with page.expect_download() as started:
        page.click("a[href$='/sheets.pdf']")
    download = started.value
    assert download.suggested_filename.endswith(".pdf")
    return download.path().read_bytes()


def table_rows(page: Page) -> list[dict[str, str]]:
    """The rows of the page's table, each cell by its column's label."""
    rows: list[dict[str, str]] = page.eval_on_selector_all(
        "main table tbody tr",
        "rows => rows.map(r => Object.fromEntries([...r.cells].map("
        "c => [c.dataset.label, c.innerText.trim()])))",
    )
    return rows


def test_a_printed_sheet_is_keyed_twice_reconciled_and_lands_in_a_batch(
    open_context: Any, session: Session
) -> None:
    admin = signed_in(open_context, "wang")
    listed = issue_run(admin)
    pdf = downloaded_pdf(admin)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert len(listed) == SHEETS and pages % SHEETS == 0
    # The first page of the second sheet, as a scanner reads it.
    [(scanned, _bottom)] = qr_codes(pdf, pages // SHEETS + 1)
    assert scanned == listed[1]

    first = signed_in(open_context, "worker.li")
    key_sheet(first, scanned)
    assert "state=keyed_once" in first.url, first.url
    second = signed_in(open_context, "worker.chen")
    key_sheet(second, scanned, SECOND_KEYS)
    assert "state=keyed_twice" in second.url, second.url
    sheet_id = ids.parse(scanned)
    assert session.exec(select(Response)).all() == []  # nothing stored until reconciled

    reviewer = signed_in(open_context, "zhao")
    click_and_wait(reviewer, "nav a[href$='/staff/paper/reconcile/']")
    click_and_wait(reviewer, f"main a[href$='/reconcile/{sheet_id}']")
    differing = reviewer.locator("main fieldset legend .question-code").all_inner_texts()
    assert differing == ["CALLS"]  # the illegible R2 was keyed alike
    values = reviewer.locator("label[for^='pick-CALLS-'] strong").all_inner_texts()
    assert sorted(values[:2]) == [PAPER_CALLS, MISKEYED_CALLS], values
    reviewer.check(f"#pick-CALLS-{values.index(PAPER_CALLS) + 1}")
    click_and_wait(reviewer, "main form button[type=submit]")
    assert "done=" in reviewer.url and scanned in reviewer.inner_text("main")

    response = session.exec(select(Response)).one()
    assert (response.mode, response.sheet_id, response.status) == ("paper", sheet_id, "approved")
    sheet = session.get(PaperSheet, sheet_id)
    assert sheet is not None and sheet.state == RECONCILED
    freeze_batch(reviewer, "2026Q4 paper")
    [row] = data_csv(reviewer)
    assert (row["mode"], row["sheet_id"], row["double_entered"]) == ("paper", sheet_id, "yes")
    assert (row["CALLS"], row["R2"], row["STORY"]) == (PAPER_CALLS, "-94", "-95")
    assert (row["WHEN"], row["WAITED"], row["SCORE"]) == ("2026-09-03", "75", "10")
    assert (row["segment"], row["segment_source"]) == ("elderly", "sheet")

    click_and_wait(reviewer, "nav a[href$='/staff/paper/keyers']")
    stats = {row["Keyer"]: row for row in table_rows(reviewer)}
    assert (stats["worker.chen"]["Errors"], stats["worker.chen"]["Most mis-keyed"]) == (
        "1",
        "CALLS (1)",
    )
    assert (stats["worker.li"]["Errors"], stats["worker.li"]["Most mis-keyed"]) == ("0", "–")


def freeze_batch(page: Page, name: str) -> None:
    """Freeze a batch of the survey's approved responses on the batch pages: choose the
    questionnaire, preview, name it, freeze; ends on the batch's page."""
    click_and_wait(page, "nav a[href$='/staff/batches/']")
    page.select_option("#b-questionnaire", TWO_PAGES.id)
    click_and_wait(page, "main form button[type=submit]")
    page.fill("#name", name)
    click_and_wait(page, "main form button[type=submit]")
    assert name in page.inner_text("main h1"), page.url


def data_csv(page: Page) -> list[dict[str, str]]:
    """The rows of data.csv, downloaded from the batch's page."""
    with page.expect_download() as started:
        page.click("main a[href$='/data.csv']")
    text = started.value.path().read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))
