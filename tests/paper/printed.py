"""Reading printed PDFs back as a person's tools would: poppler for fonts, text and page
images, zxing-cpp for QR codes, pypdf and fontTools for tags and embedded fonts; and a
plain sheet of the suite's own, in the contract's page geometry, to print."""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from fieldwork.paper.fonts import FAMILY
from fieldwork.questionnaire.model import Question, Questionnaire

GEOMETRY = "@page { size: A4; margin: 34mm 16mm 22mm 16mm; }"
RESOLUTION = 150  # dots per inch of the page images a QR code is read from


def plain_sheet(questionnaire: Questionnaire, language: str, *, ruled_mm: int = 120) -> str:
    """A blank sheet of the suite's own layout: the questionnaire's text in order, a long
    ruled answer area so it runs over two pages, "page X of Y" in the bottom margin, and
    nothing in the top margin, which is the stamp's."""
    questions = "".join(
        f"<section><h2>{_e(section.title[language])}</h2>"
        + "".join(_question(q, language) for q in section.questions)
        + "</section>"
        for section in questionnaire.sections
    )
    style = (
        f"{GEOMETRY} @page {{ @bottom-center {{ content: counter(page) ' / ' counter(pages); }} }}"
        f' html {{ font-family: "{FAMILY[language]}"; font-size: 16pt; line-height: 1.45; }}'
        f" .ruled {{ height: {ruled_mm}mm; border-bottom: 1pt solid; }}"
        " .q { break-inside: avoid; } h1 { font-weight: 700; }"
    )
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{_e(questionnaire.title[language])}</title><style>{style}</style></head>"
        f"<body><h1>{_e(questionnaire.title[language])}</h1>{questions}"
        f'<div class="ruled"></div></body></html>'
    )


def _question(question: Question, language: str) -> str:
    choices = "".join(f"<li>{c.code} {_e(c.label[language])}</li>" for c in question.choices)
    heading = f"<h3>{question.code} {_e(question.text[language])}</h3>"
    return f'<div class="q">{heading}<ul>{choices}</ul></div>'


def _e(text: str) -> str:
    return html.escape(text)


def pdffonts(pdf: bytes) -> list[tuple[str, bool]]:
    """Each font of the PDF: its name (without the subset tag) and whether it is embedded."""
    lines = _poppler("pdffonts", pdf).splitlines()[2:]
    fonts = []
    for line in lines:
        name, emb = line.split()[0], re.findall(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s", line)
        fonts.append((name.split("+", 1)[-1], emb[0][0] == "yes"))
    return fonts


def pdftotext(pdf: bytes, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _poppler("pdftotext", pdf, *pages, "-layout", end="-")


def qr_codes(pdf: bytes, page: int) -> list[tuple[str, int]]:
    """The QR codes on a page, read from its image: (text, lowest edge in mm from the top)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        prefix = Path(folder) / "page"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(RESOLUTION),
                "-f",
                str(page),
                "-l",
                str(page),
                "-gray",
                "-png",
                "-singlefile",
                str(source),
                str(prefix),
            ],
            check=True,
        )
        image = Image.open(f"{prefix}.png")
        image.load()
    import zxingcpp

    found = []
    for code in zxingcpp.read_barcodes(image):
        corners = code.position
        bottom = max(
            corners.top_left.y, corners.top_right.y, corners.bottom_left.y, corners.bottom_right.y
        )
        found.append((code.text, round(bottom / RESOLUTION * 25.4)))
    return found


def embedded_fonts(pdf: bytes) -> dict[str, TTFont]:
    """The font programs embedded in the PDF, by font name, read with fontTools."""
    fonts: dict[str, TTFont] = {}
    for page in PdfReader(BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            fonts[str(font["/BaseFont"])] = TTFont(BytesIO(program.get_object().get_data()))
    return fonts


def _poppler(tool: str, pdf: bytes, *args: str, end: str | None = None) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        command = [tool, *args, handle.name, *([end] if end else [])]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout
