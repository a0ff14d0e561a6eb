"""The codebook: one row per data column, saying what it holds in every language.

Columns: the variable, its question, option and section; the question type
and how the column is stored; per language of the questionnaire the question
text (`text_<lang>`), the value labels as "value = label" lines
(`values_<lang>`) and the unit (`unit_<lang>`); the allowed range; one column
per missing code holding that code where the variable can have it (empty
where it cannot); then the question's tags (`dimension`, `5a`, any others).
Four closing rows of type "missing_code" give each code's meaning in every
language. The same table is written as CSV and XLSX, neutralised like data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fieldwork.exports.columns import Column, exporter
from fieldwork.exports.csv_file import write_csv
from fieldwork.exports.layout import Layout
from fieldwork.exports.phrases import phrase
from fieldwork.exports.safety import neutralise
from fieldwork.exports.xlsx_file import write_xlsx
from fieldwork.questionnaire.model import Question

CSV_NAME = "codebook.csv"
XLSX_NAME = "codebook.xlsx"
SHEET = "codebook"
TAGS = ("dimension", "5a")
"""Tags every codebook has a column for; other tags used by a questionnaire follow."""

METADATA = "metadata"
MISSING_CODE = "missing_code"


def header(layout: Layout) -> list[str]:
    languages = layout.questionnaire.languages
    return [
        "variable",
        "question",
        "option",
        "section",
        "type",
        "storage",
        *(f"text_{lang}" for lang in languages),
        *(f"values_{lang}" for lang in languages),
        *(f"unit_{lang}" for lang in languages),
        "range",
        *(code.name.lower() for code in layout.missing_listed()),
        *tag_names(layout),
    ]


def tag_names(layout: Layout) -> list[str]:
    used = {key for q in layout.questions for key in q.tags}
    return [*TAGS, *sorted(used - set(TAGS))]


def rows(layout: Layout) -> Iterator[list[Any]]:
    """The codebook's rows, typed: text as defined (not yet neutralised), codes as ints."""
    languages = layout.questionnaire.languages
    tags = tag_names(layout)
    listed = layout.missing_listed()
    for column in layout.metadata:
        yield [
            column.name,
            "",
            "",
            "",
            METADATA,
            column.kind.value,
            *(phrase(column.name, lang) for lang in languages),
            *([""] * (2 * len(languages) + 1 + len(listed) + len(tags))),
        ]
    for question in layout.questions:
        for column in exporter(question).columns(question):
            yield _question_row(layout, question, column, tags)
    for code in listed:
        yield [
            "",
            "",
            "",
            "",
            MISSING_CODE,
            "",
            *(phrase(code.name, lang) for lang in languages),
            *([""] * (2 * len(languages) + 1)),
            *(int(code) if other is code else "" for other in listed),
            *([""] * len(tags)),
        ]


def _question_row(layout: Layout, question: Question, column: Column, tags: list[str]) -> list[Any]:
    builder = exporter(question)
    languages = layout.questionnaire.languages
    possible = layout.missing_codes(question)
    return [
        column.name,
        question.code,
        column.option or "",
        question.section,
        question.type,
        column.kind.value,
        *(question.text.get(lang, "") for lang in languages),
        *(
            "\n".join(
                f"{value} = {label}"
                for value, label in builder.value_labels(question, column, lang)
            )
            for lang in languages
        ),
        *(builder.unit(question, lang) for lang in languages),
        builder.value_range(question),
        *(int(code) if code in possible else "" for code in layout.missing_listed()),
        *(question.tags.get(tag, "") for tag in tags),
    ]


def safe_rows(layout: Layout) -> Iterator[list[Any]]:
    """Rows as the CSV and XLSX codebooks hold them."""
    for row in rows(layout):
        yield [neutralise(cell) if isinstance(cell, str) else cell for cell in row]


def write_codebook(directory: Path, layout: Layout, *, bom: bool, moment: dt.datetime) -> list[str]:
    """Write codebook.csv and codebook.xlsx into `directory`; returns their names."""
    names = header(layout)
    write_csv(directory / CSV_NAME, names, safe_rows(layout), bom=bom)
    write_xlsx(directory / XLSX_NAME, SHEET, names, safe_rows(layout), moment=moment)
    return [CSV_NAME, XLSX_NAME]
