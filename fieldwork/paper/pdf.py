"""A sheet's HTML made into a PDF with WeasyPrint: tagged, self-contained, shipped fonts only.

What a PDF holds must not depend on the machine that printed it, nor reach outside the
app: the restricted fetcher (`restricted_fetcher`) hands WeasyPrint the shipped and cached font
files and `data:` URIs and refuses everything else (a web address, a file elsewhere on
disk), and WeasyPrint's font configuration starts empty, so no system font can stand in
for a missing glyph, as Noto Sans CJK JP otherwise would among Chinese text. A character
the shipped fonts lack is refused before any layout (`MissingGlyphs`).

WeasyPrint is imported here, where a PDF is made, and nowhere else: the app starts on a
machine without Pango, and only printing needs it.
"""

from __future__ import annotations

import hashlib
import html as markup
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from fieldwork.paper import fonts

if TYPE_CHECKING:
    from weasyprint import Document

VARIANT = "pdf/ua-1"
"""Tagged PDF with the document's language and title, WeasyPrint's accessible variant."""
EMPTY_FONTCONFIG = Path(__file__).resolve().parent / "no-system-fonts.conf"


class MissingGlyphs(ValueError):
    """The document uses characters the shipped fonts cannot draw."""

    def __init__(self, language: str, characters: str) -> None:
        super().__init__(f"no {language} print font has {characters!r}")
        self.language = language
        self.characters = characters


class RefusedResources(ValueError):
    """The document asked for something outside the app (a web address, a file)."""

    def __init__(self, urls: list[str]) -> None:
        super().__init__(f"refused to fetch {', '.join(urls)}")
        self.urls = urls


def write_pdf(html: str, *, language: str, title: str, cache: Path | None = None) -> bytes:
    """The tagged PDF of the HTML document `html`, its text in `language`, titled `title`,
    set in the shipped fonts (subsets cached in `cache`, the instance folder by default)."""
    return Renderer(language, cache).pdf(html, title)


class Renderer:
    """Renders documents of one language with the shipped fonts, cached in one folder."""

    def __init__(self, language: str, cache: Path | None = None) -> None:
        self.language = language
        self.cache = cache or fonts.DEFAULT_CACHE
        fonts.family(language)  # a language without a print font fails here, not mid-render

    def pdf(self, html: str, title: str, *, tagged: bool = True) -> bytes:
        document, fetcher = self.document(html, title)
        variant: dict[str, Any] = {"pdf_variant": VARIANT} if tagged else {}
        pdf: bytes = document.write_pdf(**variant)
        fetcher.raise_refused()
        return pdf

    def document(self, html: str, title: str) -> tuple[Document, Any]:
        """The laid-out document, with the fetcher that served it."""
        from weasyprint import CSS, HTML

        text = markup.unescape(html)
        if lacking := fonts.missing(text, self.language):
            raise MissingGlyphs(self.language, lacking)
        fetcher = restricted_fetcher((fonts.SHIPPED, self.cache))
        font_config = shipped_fonts_only()
        family = fonts.family(self.language)
        faces = fonts.faces_for(text + title, self.language, cache=self.cache)
        # A user stylesheet: the document's own styles, naming the same families, win.
        sheet = CSS(
            string=f'{faces}\n:root {{ font-family: "{family}"; }}',
            font_config=font_config,
            url_fetcher=fetcher,
        )
        source = HTML(string=html, url_fetcher=fetcher)
        document = source.render(stylesheets=[sheet], font_config=font_config)
        fetcher.raise_refused()
        document.metadata.title = title
        document.metadata.lang = self.language
        return document, fetcher


_fontconfig_env = threading.Lock()


def shipped_fonts_only() -> Any:
    """A WeasyPrint font configuration that knows no system font, only those the document
    declares with @font-face: fontconfig is started from a configuration naming no font
    folder. Its environment variable is set only while it starts, under a lock."""
    from weasyprint.text.fonts import FontConfiguration

    with _fontconfig_env:
        before = os.environ.get("FONTCONFIG_FILE")
        os.environ["FONTCONFIG_FILE"] = str(EMPTY_FONTCONFIG)
        try:
            return FontConfiguration()
        finally:
            if before is None:
                del os.environ["FONTCONFIG_FILE"]
            else:
                os.environ["FONTCONFIG_FILE"] = before


def allowed(url: str, roots: tuple[Path, ...]) -> bool:
    """Whether the restricted fetcher serves `url`: a `data:` URI, or a local file under
    one of `roots` (resolved, so `..` and links cannot step out)."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return any(path.is_relative_to(root.resolve()) for root in roots)


def restricted_fetcher(roots: tuple[Path, ...]) -> Any:
    """WeasyPrint's fetcher, serving only what `allowed` allows.

    A refused address is remembered and the render then fails (`raise_refused`): a sheet
    that silently lost an image or a font would look right and print wrong.
    """
    return _restricted_class()(roots)


@lru_cache(maxsize=1)
def _restricted_class() -> type:
    """Made on first use, so that importing this module loads no WeasyPrint."""
    from weasyprint.urls import URLFetcher

    class ShippedOnly(URLFetcher):  # type: ignore[misc]
        def __init__(self, roots: tuple[Path, ...]) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self.roots = roots
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not allowed(url, self.roots):
                self.refused.append(url)
                raise ValueError(f"not fetched from outside the app: {url}")
            return super().fetch(url, headers)

        def raise_refused(self) -> None:
            if self.refused:
                raise RefusedResources(list(dict.fromkeys(self.refused)))

    return ShippedOnly


class BodyCache:
    """The last few bodies laid out and written, by what they are made of: printing the
    same sheet design again (the next run of a questionnaire version) skips the layout."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._pdfs: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def pdf(self, renderer: Renderer, html: str, title: str) -> bytes:
        key = hashlib.sha256(
            "\0".join((renderer.language, str(renderer.cache), title, html)).encode()
        ).hexdigest()
        with self._lock:
            if key in self._pdfs:
                self._pdfs.move_to_end(key)
                return self._pdfs[key]
        pdf = renderer.pdf(html, title)
        with self._lock:
            self._pdfs[key] = pdf
            while len(self._pdfs) > self.size:
                self._pdfs.popitem(last=False)
        return pdf
