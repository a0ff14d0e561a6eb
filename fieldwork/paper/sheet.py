"""The printed sheet: one blank paper questionnaire as an HTML document, for WeasyPrint.

Made from the same definition as the web form, in one of the questionnaire's languages
and one of two print sizes. Every word is in the sheet's language: the questionnaire's
own text, and the UI strings from that language's catalog (`ui_catalogs`), never the
language of whoever prints it. The document carries no stamp and no @font-face: the PDF
side adds the fonts and draws each sheet's id in the top margin, which the layout leaves
empty (see docs/architecture.md, Paper).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from fieldwork import ui_catalogs
from fieldwork.paper import words
from fieldwork.paper.forms import Context, Printed, printed
from fieldwork.paper.words import Listed
from fieldwork.quality.flags import N_
from fieldwork.questionnaire.model import Question, Questionnaire, Section

SIZES = ("standard", "large")
FONT_FAMILY = {"zh-Hans": "Fieldwork SC", "zh-Hant": "Fieldwork TC", "en": "Fieldwork SC"}
"""The CSS font family of each language's text; the PDF side declares its @font-face."""

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGE = N_("Page %(page)s of %(pages)s")


@dataclass(frozen=True)
class Measures:
    """The type and box sizes of a print size. Large print is read by people with weak
    sight: body 16 pt, question text 18 pt, boxes over 8 mm, lines 1.45 apart."""

    body_pt: float
    question_pt: float
    title_pt: float
    box_mm: float
    line_height: float
    ruled_mm: float  # the distance between the ruled lines of a long text
    gutter_mm: float  # the column the question codes hang in


MEASURES = {
    "standard": Measures(12, 13, 18, 6, 1.35, 9, 15),
    "large": Measures(16, 18, 24, 8.5, 1.45, 12, 20),
}


@dataclass(frozen=True)
class PrintedQuestion:
    code: str
    text: str
    hint: str
    condition: str | Listed | None  # printed above it: when to answer it
    form: Printed


@dataclass(frozen=True)
class PrintedSection:
    title: str
    questions: tuple[PrintedQuestion, ...]


def sheet_html(questionnaire: Questionnaire, *, language: str, size: str) -> str:
    """The whole HTML document of one blank sheet of `questionnaire` in `language` (one of
    its languages), in print `size` (one of `SIZES`)."""
    if language not in questionnaire.languages:
        raise ValueError(f"{questionnaire.id} is not written in {language!r}")
    if size not in SIZES:
        raise ValueError(f"{size!r} is not a print size {SIZES}")
    context = Context(questionnaire, language, ui_catalogs.gettext(language))
    template = _environment(language).get_template("paper/printed/sheet.html")
    return template.render(
        language=language,
        size=size,
        measures=MEASURES[size],
        font_family=FONT_FAMILY[language],
        page_label=page_label(context.gettext(PAGE)),
        title=context.text(questionnaire.title),
        description=context.text(questionnaire.description).split("\n\n"),
        sections=[_section(section, context) for section in questionnaire.sections],
    )


def page_label(translated: str) -> Markup:
    """ "Page X of Y" as the value of a CSS `content`: the translation's words as quoted
    strings around the page counters, in the order the language puts them."""
    marked = translated.replace("%(page)s", "\0page\0").replace("%(pages)s", "\0pages\0")
    pieces = []
    for piece in marked.split("\0"):
        if piece in ("page", "pages"):
            pieces.append(f"counter({piece})")
        elif piece:
            pieces.append(_css_string(piece))
    return Markup(" ".join(pieces))  # noqa: S704 (every piece quoted by _css_string)


def _css_string(text: str) -> str:
    """A CSS string holding `text`, which can neither end it nor close the <style>."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;()/-" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def _section(section: Section, context: Context) -> PrintedSection:
    return PrintedSection(
        title=context.text(section.title),
        questions=tuple(_question(q, context) for q in section.questions),
    )


def _question(question: Question, context: Context) -> PrintedQuestion:
    condition = None
    if question.show_if is not None:
        condition = words.conditions(
            context.questionnaire, question.show_if, context.language, context.gettext
        )
    return PrintedQuestion(
        code=question.code,
        text=context.text(question.text),
        hint=context.text(question.hint),
        condition=condition,
        form=printed(question, context),
    )


@lru_cache(maxsize=len(FONT_FAMILY))
def _environment(language: str) -> Environment:
    """A Jinja environment speaking `language`: the sheet's templates are rendered outside
    any request, so Flask's environment, translating into the reader's language, is not it."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        ui_catalogs.translations(language), newstyle=True
    )
    environment.globals["Listed"] = Listed
    return environment
