"""A print run read back: every page of every sheet carries its own id, as text and as a
QR code in the top margin, and the run stays one tagged PDF with the body's text."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from fieldwork.paper import stamps
from fieldwork.paper.stamps import Stamp
from fieldwork.paper.tags import number_tree
from tests.paper.printed import pdffonts, pdftotext, plain_sheet, qr_codes
from tests.questionnaires import read

BRANCHING = read().questionnaires["branching"]
RUN = [
    Stamp("K7M-4PQ2", "分支测试问卷 · 2026 春季 · 第 2 轮 · 老年人 · 简体中文"),
    Stamp("X3D-9RTW", "分支测试问卷 · 2026 春季 · 第 2 轮 · 家长 · 简体中文"),
    Stamp("H8N-2CVA", "分支测试问卷 · 2026 春季 · 第 2 轮 · 老年人 · 简体中文"),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Three sheets, their stamps laid out two at a time as a long run's are a hundred."""
    return stamps.stamp_sheets(
        plain_sheet(BRANCHING, "zh-Hans"),
        language="zh-Hans",
        title=BRANCHING.title["zh-Hans"],
        stamps=RUN,
        cache=tmp_path_factory.mktemp("fonts"),
        chunk=2,
    )


@pytest.fixture(scope="module")
def body_pages(run: bytes) -> int:
    pages = len(PdfReader(BytesIO(run)).pages) // len(RUN)
    assert pages >= 2  # the suite's sheet runs over two pages, so "every page" means something
    return pages


def test_the_run_holds_every_sheet_in_order(run: bytes, body_pages: int) -> None:
    assert len(PdfReader(BytesIO(run)).pages) == body_pages * len(RUN)
    first_pages = [pdftotext(run, n * body_pages + 1) for n in range(len(RUN))]
    assert [stamp.sheet_id in page for stamp, page in zip(RUN, first_pages, strict=True)] == [
        True
    ] * len(RUN)


def test_every_page_shows_its_sheets_id_and_what_it_was_issued_for(
    run: bytes, body_pages: int
) -> None:
    for index in range(body_pages * len(RUN)):
        stamp = RUN[index // body_pages]
        text = pdftotext(run, index + 1)
        head = text.strip().splitlines()[:3]
        assert stamp.sheet_id in head[0]
        assert stamp.issued_for.replace(" ", "") in "".join(head).replace(" ", "")
        others = {s.sheet_id for s in RUN} - {stamp.sheet_id}
        assert not any(other in text for other in others)


def test_every_pages_qr_code_reads_as_its_sheet_id_within_the_top_margin(
    run: bytes, body_pages: int
) -> None:
    for index in range(body_pages * len(RUN)):
        [(text, bottom_mm)] = qr_codes(run, index + 1)
        assert text == RUN[index // body_pages].sheet_id
        assert bottom_mm <= 34 - 4  # above the body, with white below it


def test_each_sheet_carries_the_whole_body_text(run: bytes, body_pages: int) -> None:
    texts = [
        "".join(pdftotext(run, n * body_pages + p + 1) for p in range(body_pages))
        for n in range(len(RUN))
    ]
    for text in texts:
        flat = text.replace(" ", "")
        positions = [flat.find(q.text["zh-Hans"].replace(" ", "")) for q in BRANCHING.questions]
        assert -1 not in positions and positions == sorted(positions)


def test_the_run_keeps_language_title_and_shipped_fonts(run: bytes) -> None:
    reader = PdfReader(BytesIO(run))
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hans"
    assert reader.metadata is not None and reader.metadata.title == BRANCHING.title["zh-Hans"]
    names = {name for name, _ in pdffonts(run)}
    assert names <= {"Fieldwork-SC", "Fieldwork-SC-Bold", "Fieldwork-Mono"}


def test_every_sheets_text_is_tagged_on_its_own_pages(run: bytes) -> None:
    """Each marked-content id drawn on a page belongs to a structure element naming that
    page, through the page's own parent tree entry: a screen reader reads every sheet."""
    pdf = pikepdf.open(BytesIO(run))
    entries = dict(number_tree(pdf.Root.StructTreeRoot.ParentTree))
    keys = [int(page.obj.StructParents) for page in pdf.pages]
    assert len(set(keys)) == len(keys)
    for page in pdf.pages:
        drawn = b"".join(stream.read_bytes() for stream in page.obj.Contents)
        marks = [int(m) for m in re.findall(rb"/MCID (\d+)", drawn)]
        assert marks
        entry = entries[int(page.obj.StructParents)]
        for mark in marks:
            assert _marks_page(entry[mark], mark, page.obj)


def _marks_page(element: pikepdf.Object, mark: int, page: pikepdf.Object) -> bool:
    kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
    for kid in kids:
        if isinstance(kid, int) and int(kid) == mark:
            return bool(element.Pg.objgen == page.objgen)
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/MCID") == mark:
            return bool(kid.Pg.objgen == page.objgen)
    return False


def test_a_run_without_sheets_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one sheet"):
        stamps.stamp_sheets("<p>x</p>", language="en", title="t", stamps=[], cache=tmp_path)
