"""The codebook: one row per data column, saying what it holds in every language.

Columns: the variable, its question, option and section; the question type
and how the column is stored; per language of the questionnaire the question
text (`text_<lang>`), the value labels as "value = label" lines
(`values_<lang>`) and the unit (`unit_<lang>`); the allowed range; one column
per missing code holding that code where the variable can have it (empty
where it cannot); then the question's tags (`dimension`, `5a`, any others).
Closing rows of type "missing_code" give each code's meaning in every
language. The same table is written as CSV and XLSX, neutralised like data.

A batch of shadow tests has two tables, so its codebook opens with a `file` column
("data" or "events"), describes the tests' measures (type "measure", tagged with the
indicator's dimension and threshold) after the metadata and the columns of events.csv
(type "event") after the questions. Any other batch's codebook is as it always was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fieldwork.exports import events_file, measures
from fieldwork.exports.columns import Column, exporter
from fieldwork.exports.csv_file import write_csv
from fieldwork.exports.layout import Layout
from fieldwork.exports.measures import Described
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
DATA = "data"
"""The data files (CSV, Parquet, XLSX) in a codebook's `file` column."""


def header(layout: Layout) -> list[str]:
    languages = layout.questionnaire.languages
    return [
        *(["file"] if layout.events else []),
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
    if layout.measures is not None:
        used |= set(measures.TAGS)
    return [*TAGS, *sorted(used - set(TAGS))]


def rows(layout: Layout) -> Iterator[list[Any]]:
    """The codebook's rows, typed: text as defined (not yet neutralised), codes as ints."""
    shown = layout.events  # only a batch with two tables says which is whose
    for file, row in _rows(layout):
        yield [file, *row] if shown else row


def _rows(layout: Layout) -> Iterator[tuple[str, list[Any]]]:
    """(the file the variable is in, its row) for every row, in codebook order."""
    languages = layout.questionnaire.languages
    tags = tag_names(layout)
    listed = layout.missing_listed()
    for column in layout.metadata:
        yield (
            DATA,
            [
                column.name,
                "",
                "",
                "",
                METADATA,
                column.kind.value,
                *(phrase(column.name, lang) for lang in languages),
                *([""] * (2 * len(languages) + 1 + len(listed) + len(tags))),
            ],
        )
    if layout.measures is not None:
        for described in layout.measures.described(languages):
            yield DATA, _described_row(layout, described, measures.MEASURE, tags)
    for question in layout.questions:
        for column in exporter(question).columns(question):
            yield DATA, _question_row(layout, question, column, tags)
    if layout.events:
        measured = layout.measures
        definitions = [] if measured is None else list(measured.definitions.values())
        for described in events_file.described(definitions, languages):
            yield events_file.FILE, _described_row(layout, described, events_file.EVENT, tags)
    for code in listed:
        yield (
            "",
            [
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
            ],
        )


def _described_row(layout: Layout, described: Described, kind: str, tags: list[str]) -> list[Any]:
    """The row of a column that is not a question's: a measure, or one of events.csv."""
    languages = layout.questionnaire.languages
    return [
        described.column.name,
        "",
        "",
        "",
        kind,
        described.column.kind.value,
        *(described.text.get(lang, "") for lang in languages),
        *(
            "\n".join(f"{value} = {label}" for value, label in described.values.get(lang, ()))
            for lang in languages
        ),
        *(described.unit.get(lang, "") for lang in languages),
        described.range,
        *(int(code) if code in described.missing else "" for code in layout.missing_listed()),
        *(described.tags.get(tag, "") for tag in tags),
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
