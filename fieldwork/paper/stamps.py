"""Numbered sheets: one PDF holding a sheet per stamp, the body laid out once.

Each sheet of a print run carries its stamp on every page, in the top margin band the
layout leaves empty (34 mm of A4): the sheet id as large text, the same id as a QR code
24 mm square at the top right with white around it, and the line saying what the sheet
was issued for, in the sheet's language.

Laying a questionnaire out is what costs (about half a second a sheet); its pages are
the same on every sheet. So the body is made into a PDF once, the stamps into another
(one page per sheet, nothing but the stamp), and each sheet is the body's pages with its
stamp page drawn over them (`pikepdf`): the pages share the body's fonts and drawing, so
a run of 500 sheets costs little more than one and stays small. The body keeps its tags,
language and title; each sheet's pages get their own copy of the body's structure
(`tags.py`), so a screen reader finds every sheet's text, and the stamp is marked as a
page header artifact.
"""

from __future__ import annotations

import html as markup
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Object, Pdf

from fieldwork.paper import fonts, tags
from fieldwork.paper.pdf import BodyCache, Renderer

CHUNK = 100
"""Stamps laid out in one WeasyPrint document: its memory grows with its pages."""
STAMP = Name("/FwStamp")
ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Header>> BDC"

_bodies = BodyCache()


@dataclass(frozen=True)
class Stamp:
    """What one sheet prints on each page: its id and what it was issued for."""

    sheet_id: str
    issued_for: str


def stamp_sheets(
    html: str,
    *,
    language: str,
    title: str,
    stamps: Sequence[Stamp],
    cache: Path | None = None,
    chunk: int = CHUNK,
) -> bytes:
    """One PDF of `len(stamps)` sheets, in order: the document `html` laid out once, each
    sheet's pages stamped with its `Stamp`; the stamps laid out `chunk` at a time."""
    if not stamps:
        raise ValueError("a print run needs at least one sheet")
    if chunk < 1:
        raise ValueError("stamps are laid out at least one at a time")
    renderer = Renderer(language, cache)
    body = _bodies.pdf(renderer, html, title)
    groups = (stamps[start : start + chunk] for start in range(0, len(stamps), chunk))
    stamped = (
        renderer.pdf(stamp_html(group, language=language), title, tagged=False) for group in groups
    )
    return overlay(body, stamped)


def stamp_html(stamps: Sequence[Stamp], *, language: str) -> str:
    """A document of one A4 page per stamp, blank but for the stamp in the top band."""
    family = fonts.family(language)
    pages = "\n".join(_stamp_page(stamp) for stamp in stamps)
    return (
        f'<!DOCTYPE html><html lang="{markup.escape(language)}"><head><meta charset="utf-8">'
        f"<title>{markup.escape(stamps[0].sheet_id)}</title><style>{_STYLE % family}</style>"
        f"</head><body>{pages}</body></html>"
    )


_STYLE = """
@page { size: A4; margin: 0; }
html { font-family: "%s"; }
body { margin: 0; }
section { position: relative; height: 34mm; break-after: page; }
section:last-child { break-after: auto; }
.id { position: absolute; left: 16mm; top: 6mm; margin: 0; font-family: "Fieldwork Mono";
      font-size: 24pt; line-height: 1; letter-spacing: 0.06em; }
.for { position: absolute; left: 16mm; right: 50mm; top: 18mm; margin: 0; font-size: 10pt;
       line-height: 1.3; max-height: 2.6em; overflow: hidden; }
.qr { position: absolute; right: 16mm; top: 5mm; width: 24mm; height: 24mm; }
"""


def _stamp_page(stamp: Stamp) -> str:
    return (
        f'<section><p class="id">{markup.escape(stamp.sheet_id)}</p>'
        f'<p class="for">{markup.escape(stamp.issued_for)}</p>'
        f'<img class="qr" alt="" src="{qr_uri(stamp.sheet_id)}"></section>'
    )


def qr_uri(sheet_id: str) -> str:
    """The QR code of `sheet_id` as an SVG `data:` URI, drawn without a border: the stamp
    leaves the white around it."""
    import segno

    code = segno.make_qr(sheet_id, error="m")
    uri: str = code.svg_data_uri(border=0, scale=10)
    return uri


def overlay(body: bytes, stamped: Iterable[bytes]) -> bytes:
    """Every page of the `stamped` PDFs, in order, drawn over a copy of all of `body`'s
    pages, one copy each."""
    body = tags.slim(body)
    out = pikepdf.open(BytesIO(body))
    sheets = _Sheets(out, tags.next_keys(body))
    sources = []  # open until saved: the stamps' drawing is copied from them then
    for document in stamped:
        sources.append(pikepdf.open(BytesIO(document)))
        for stamp_page in sources[-1].pages:
            sheets.add(out.copy_foreign(stamp_page.as_form_xobject()))
    result = BytesIO()
    out.save(result, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return tags.append_sheets(result.getvalue(), len(sheets.body))


class _Sheets:
    """Adds sheets to `pdf`, which holds the body once: the first sheet is the body's own
    pages, each further one copies of them sharing their drawing and fonts, numbered for
    the parent tree entries `tags.append_sheets` writes for them."""

    def __init__(self, pdf: Pdf, next_key: int) -> None:
        self.pdf = pdf
        self.body = [page.obj for page in pdf.pages]
        self.before = pdf.make_stream(b"q\n")
        self.after = pdf.make_stream(b"\nQ q " + ARTIFACT + b" /FwStamp Do EMC Q\n")
        self.next_key = next_key
        self.added = False

    def add(self, form: Object) -> None:
        first, self.added = not self.added, True
        for body_page in self.body:
            page = body_page if first else self._copy(body_page)
            _draw(page, body_page, form, (self.before, self.after))

    def _copy(self, body_page: Object) -> Object:
        own = ("/Annots", "/StructParents")  # an annotation is on one page; a key is a page's
        copy = Dictionary({key: value for key, value in body_page.items() if key not in own})
        if Name.StructParents in body_page:
            copy.StructParents = self.next_key
            self.next_key += 1
        self.pdf.pages.append(pikepdf.Page(self.pdf.make_indirect(copy)))
        return self.pdf.pages[-1].obj


def _draw(page: Object, body_page: Object, form: Object, around: tuple[Object, Object]) -> None:
    """Give `page` the body page's drawing and resources, then `form` over them, marked as
    a page header so it stays out of the tagged reading order."""
    resources = (
        Dictionary(dict(body_page.Resources.items()))
        if Name.Resources in body_page
        else Dictionary()
    )
    xobjects = (
        Dictionary(dict(resources.XObject.items())) if Name.XObject in resources else Dictionary()
    )
    xobjects[STAMP] = form
    resources[Name.XObject] = xobjects
    contents = body_page.get(Name.Contents)
    drawn = list(contents) if isinstance(contents, Array) else [contents]
    page[Name.Resources] = resources
    page[Name.Contents] = Array([around[0], *drawn, around[1]])
