"""Spreadsheet safety: text a spreadsheet would run as a formula is neutralised.

Excel and LibreOffice treat a cell that starts with `=`, `+`, `-` or `@` as a
formula (and tab or carriage return as a way to smuggle one in), so an open
answer "=HYPERLINK(…)" or even "-5" would be evaluated when a scorer opens
the file. CSV and XLSX therefore prefix such text with a single quote, the
convention spreadsheets show as "this is text". Parquet is typed data read by
programs, not a spreadsheet: it keeps the text exactly as answered.

Missing codes (-96 … -99) are numbers in numeric columns and are written by
the export itself in text columns, so they are never prefixed; an answer that
merely looks like one ("-99" typed into an open question) is, which keeps the
two apart in CSV and XLSX.
"""

from __future__ import annotations

FORMULA_STARTS = frozenset("=+-@\t\r")
QUOTE = "'"


def neutralise(text: str) -> str:
    """The text, prefixed with a quote if a spreadsheet would read it as a formula."""
    return QUOTE + text if text[:1] in FORMULA_STARTS else text


def is_neutralised(original: str, written: str) -> bool:
    """Whether `written` is `original` as the spreadsheet files hold it."""
    return written == neutralise(original)
