"""A print run's PDF, from the command line and from its page: every sheet the run issued,
in number order, each page stamped with that sheet's id (text and QR code) and what it
was issued for, in the sheet's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlmodel import Session

from fieldwork import db
from fieldwork.paper import ids
from fieldwork.paper import service as paper
from tests.paper.printed import pdftotext, qr_codes
from tests.review.factories import fast_password_hashing, sign_in, staff


@pytest.fixture(autouse=True)
def _people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)
    for name, role in (("worker.li", "fieldworker"), ("reviewer.chen", "reviewer")):
        staff(app, name, role)
    staff(app, "tester.zhao", "tester")


@pytest.fixture
def printed(app: Flask, tmp_path: Path) -> tuple[int, bytes]:
    """A run of two large-print sheets in Traditional Chinese, printed by the command."""
    runner = app.test_cli_runner()
    issued = runner.invoke(
        args=["fieldwork", "paper", "issue", "two_pages", "--language", "zh-Hant", "--size",
              "large", "--count", "2", "--to", "worker.li", "--campaign", "2026Q4", "--wave",
              "2", "--segment", "elderly"]
    )  # fmt: skip
    assert issued.exit_code == 0, issued.output
    run_id = int(re.match(r"run (\d+):", issued.output).group(1))  # type: ignore[union-attr]
    out = tmp_path / "run.pdf"
    result = runner.invoke(args=["fieldwork", "paper", "print", str(run_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    return run_id, out.read_bytes()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session()


def sheet_ids(session: Session, run_id: int) -> list[str]:
    return [ids.shown(sheet.id) for sheet in paper.sheets(session, run_id)]


def test_every_page_of_every_sheet_names_its_sheet_in_the_sheets_language(
    printed: tuple[int, bytes], session: Session
) -> None:
    run_id, pdf = printed
    expected = sheet_ids(session, run_id)
    pages = len(PdfReader(BytesIO(pdf)).pages)
    per_sheet = pages // len(expected)
    assert per_sheet * len(expected) == pages and per_sheet >= 1
    for page in range(1, pages + 1):
        text = pdftotext(pdf, page)
        owner = expected[(page - 1) // per_sheet]
        assert owner in text, page
        assert "調查活動 2026Q4 · 第 2 輪 · 長者 · 繁體中文" in text, page
    first, last = qr_codes(pdf, 1), qr_codes(pdf, pages)
    assert [code for code, _ in first] == [expected[0]]
    assert [code for code, _ in last] == [expected[-1]]


def test_the_run_page_offers_the_same_pdf_to_staff(
    client: FlaskClient, printed: tuple[int, bytes]
) -> None:
    run_id, pdf = printed
    sign_in(client, "reviewer.chen")
    page = client.get(f"/staff/paper/runs/{run_id}")
    assert f'href="/staff/paper/runs/{run_id}/sheets.pdf"' in page.get_data(as_text=True)
    got = client.get(f"/staff/paper/runs/{run_id}/sheets.pdf")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert got.headers["Content-Disposition"] == (
        f"attachment; filename=print-run-{run_id}-two_pages-zh-Hant.pdf"
    )
    assert pdftotext(got.data, 1) == pdftotext(pdf, 1)


def test_a_run_pdf_is_for_staff_who_look_runs_up_and_only_for_runs_that_exist(
    app: Flask, client: FlaskClient
) -> None:
    assert client.get("/staff/paper/runs/1/sheets.pdf").status_code in (302, 303, 401)
    sign_in(client, "tester.zhao")
    assert client.get("/staff/paper/runs/1/sheets.pdf").status_code == 403
    sign_in(client, "reviewer.chen")
    for missing in (1, 2**40):
        assert client.get(f"/staff/paper/runs/{missing}/sheets.pdf").status_code == 404


def test_printing_a_run_that_does_not_exist_says_so(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "none.pdf"
    result = app.test_cli_runner().invoke(
        args=["fieldwork", "paper", "print", "999999", "--out", str(out)]
    )
    assert result.exit_code != 0
    assert "there is no print run 999999" in result.output
    assert not out.exists()
