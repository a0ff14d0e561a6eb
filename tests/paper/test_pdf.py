"""A sheet's PDF read back: shipped fonts only, each language in its own face, every
character drawn, text in order, tagged with language and title, nothing fetched."""

from __future__ import annotations

import unicodedata
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from fieldwork.paper import pdf
from fieldwork.paper.fonts import SHIPPED
from tests.paper.printed import embedded_fonts, pdffonts, pdftotext, plain_sheet
from tests.questionnaires import read

BRANCHING = read().questionnaires["branching"]
FACE = {"zh-Hans": "Noto Sans CJK SC", "zh-Hant": "Noto Sans CJK TC", "en": "Noto Sans CJK SC"}


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fonts")


@pytest.fixture(scope="module")
def printed(cache: Path) -> dict[str, bytes]:
    """The suite's sheet of the branching survey in each of its languages."""
    return {
        language: pdf.write_pdf(
            plain_sheet(BRANCHING, language),
            language=language,
            title=BRANCHING.title[language],
            cache=cache,
        )
        for language in BRANCHING.languages
    }


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "en"])
def test_only_the_shipped_face_of_the_language_is_embedded(
    printed: dict[str, bytes], language: str
) -> None:
    fonts = pdffonts(printed[language])
    assert fonts and all(embedded for _, embedded in fonts)
    family = "Fieldwork-TC" if language == "zh-Hant" else "Fieldwork-SC"
    assert {name for name, _ in fonts} <= {family, f"{family}-Bold", "Fieldwork-Mono"}
    programs = embedded_fonts(printed[language])
    named = {font["name"].getDebugName(1) for font in programs.values()}
    assert named == {FACE[language]}
    assert not any("JP" in name or "KR" in name for name in named)


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "en"])
def test_every_character_of_the_sheet_is_in_the_embedded_fonts(
    printed: dict[str, bytes], language: str
) -> None:
    drawn = set()
    for font in embedded_fonts(printed[language]).values():
        drawn |= {chr(code) for code, glyph in font.getBestCmap().items() if glyph != ".notdef"}
    text = pdftotext(printed[language])
    wanted = {c for c in text if not c.isspace() and unicodedata.category(c) != "Cc"}
    assert wanted and wanted <= drawn
    assert BRANCHING.question("USED").text[language].replace(" ", "") in text.replace(" ", "")


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "en"])
def test_the_text_comes_out_in_the_sheets_order_and_language(
    printed: dict[str, bytes], language: str
) -> None:
    text = pdftotext(printed[language]).replace(" ", "")
    positions = [text.find(q.text[language].replace(" ", "")) for q in BRANCHING.questions]
    assert -1 not in positions and positions == sorted(positions)
    other = "zh-Hant" if language == "zh-Hans" else "zh-Hans"
    assert BRANCHING.question("HOW").text[other] not in text


def test_the_pdf_is_tagged_with_language_and_title(printed: dict[str, bytes]) -> None:
    reader = PdfReader(BytesIO(printed["zh-Hant"]))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-Hant"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata is not None and reader.metadata.title == BRANCHING.title["zh-Hant"]
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


def test_a_generic_family_in_the_layout_still_gets_a_shipped_face(cache: Path) -> None:
    html = plain_sheet(BRANCHING, "en").replace(
        "</style>", "h3 { font-family: serif; } li { font-family: monospace; }</style>"
    )
    printed = pdf.write_pdf(html, language="en", title="t", cache=cache)
    assert {name.split("-")[0] for name, _ in pdffonts(printed)} == {"Fieldwork"}


def test_a_character_the_fonts_lack_is_refused_before_layout(cache: Path) -> None:
    html = plain_sheet(BRANCHING, "zh-Hans").replace("</h1>", " 𠀀</h1>")  # CJK Ext. B
    with pytest.raises(pdf.MissingGlyphs) as refused:
        pdf.write_pdf(html, language="zh-Hans", title="t", cache=cache)
    assert refused.value.characters == "𠀀"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/logo.png",
        "https://example.org/style.css",
        "file:///etc/passwd",
        f"file://{SHIPPED}/../../config.py",
        "ftp://127.0.0.1/x",
    ],
)
def test_the_fetcher_refuses_anything_outside_the_app(url: str, tmp_path: Path) -> None:
    assert not pdf.allowed(url, (SHIPPED, tmp_path))


def test_the_fetcher_serves_shipped_fonts_the_cache_and_data(tmp_path: Path) -> None:
    roots = (SHIPPED, tmp_path)
    assert pdf.allowed((SHIPPED / "OFL.txt").as_uri(), roots)
    assert pdf.allowed((tmp_path / "a.otf").as_uri(), roots)
    assert pdf.allowed("data:image/svg+xml;base64,PHN2Zy8+", roots)


@pytest.mark.parametrize(
    "element",
    [
        '<img src="http://127.0.0.1:9/logo.png" alt="">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
    ],
)
def test_a_document_reaching_outside_is_not_printed(element: str, cache: Path) -> None:
    html = plain_sheet(BRANCHING, "en").replace("<h1>", f"{element}<h1>")
    with pytest.raises(pdf.RefusedResources) as refused:
        pdf.write_pdf(html, language="en", title="t", cache=cache)
    assert refused.value.urls[0] in element


def test_a_language_without_a_print_font_is_an_error(cache: Path) -> None:
    with pytest.raises(ValueError, match="no print font"):
        pdf.write_pdf("<p>x</p>", language="ja", title="t", cache=cache)


def test_the_app_starts_without_loading_weasyprint() -> None:
    """Pango is needed only to print: importing the paper modules and reading definitions
    loads no WeasyPrint, so the app runs where Pango is missing."""
    import subprocess
    import sys

    code = (
        "import sys, fieldwork, fieldwork.paper.stamps, fieldwork.paper.fonts,"
        " fieldwork.definitions.reading; from fieldwork import create_app; create_app();"
        " sys.exit('weasyprint' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
