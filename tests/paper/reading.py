"""Reading a printed sheet back as a person would see it: its text with poppler's
`pdftotext`, and where and how large each run of text is set, from the PDF itself."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdf

from fieldwork.definitions.reading import read_folder
from fieldwork.questionnaire.model import Questionnaire

FOLDER = Path(__file__).resolve().parent / "questionnaires"
MM = 72 / 25.4
"""PDF points in a millimetre."""


def questionnaire(name: str) -> Questionnaire:
    """One of the paper tests' own questionnaires, checked as `flask fieldwork check` does."""
    catalog = read_folder(FOLDER)
    assert [str(problem) for problem in catalog.problems] == []
    return catalog.questionnaires[name]


def text(pdf: bytes) -> str:
    """The text pdftotext reads, line by line as printed (`-layout`): what stands side by
    side on the page, a box's code, label and jump, stands on one line."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def lines(pdf: bytes) -> list[str]:
    """The printed lines, each with its runs of spaces made one."""
    return [" ".join(line.split()) for line in text(pdf).splitlines() if line.strip()]


def pages(pdf: bytes) -> list[str]:
    """The text of each page, in order."""
    return text(pdf).split("\f")[:-1]


def squashed(value: str) -> str:
    """Text without white space: a line wrapped in the PDF reads as the text it came from."""
    return "".join(value.split())


@dataclass(frozen=True)
class Run:
    """A run of text as the PDF sets it: on which page, at what size and where (in points
    from the top left corner of the page)."""

    page: int
    text: str
    size: float
    x: float
    y: float


def runs(pdf: bytes) -> list[Run]:
    """Every run of text of the PDF, with its size read from the text and page matrices."""
    found: list[Run] = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages, start=1):
        page.extract_text(visitor_text=_Visitor(number, float(page.mediabox.height), found))
    return found


@dataclass(frozen=True)
class _Visitor:
    """pypdf's text visitor for one page: each run's size is the font size times the
    scale of the text and page matrices; y is turned to count from the top."""

    page: int
    height: float
    found: list[Run]

    def __call__(
        self, value: str, cm: list[float], tm: list[float], _font: object, size: float
    ) -> None:
        if value.strip():
            x = cm[0] * tm[4] + cm[4]
            y = self.height - (cm[3] * tm[5] + cm[5])
            self.found.append(Run(self.page, value.strip(), size * abs(tm[3] * cm[3]), x, y))
