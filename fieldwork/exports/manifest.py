"""manifest.json: what a batch holds, how its files are written, and their checksums.

Deterministic: keys sorted, no clock time other than the batch's own, so
exporting a frozen batch again gives the same bytes. Library versions are
recorded because Parquet and zip bytes depend on them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from fieldwork.exports.archive import CHUNK
from fieldwork.exports.csv_file import LINE_TERMINATOR
from fieldwork.exports.layout import Layout, utc_text
from fieldwork.exports.phrases import phrase

NAME = "manifest.json"
FORMAT = "fieldwork-batch/1"
LIBRARIES = ("fieldwork", "pyarrow", "xlsxwriter")


@dataclass(frozen=True)
class FileEntry:
    name: str
    size: int
    sha256: str


def describe(path: Path) -> FileEntry:
    """Size and SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(path.name, size, digest.hexdigest())


def software() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} cannot go into a manifest")


def dumps(data: Mapping[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, UTF-8, newline at the end."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2, default=_json_default)
    return (text + "\n").encode("utf-8")


def conventions(layout: Layout, *, bom: bool) -> dict[str, Any]:
    """How the files are written, for whoever reads them without this code."""
    languages = layout.questionnaire.languages
    found = {
        "csv": {
            "encoding": "UTF-8 with byte order mark" if bom else "UTF-8",
            "line_terminator": LINE_TERMINATOR.encode("unicode_escape").decode(),
            "quoting": "RFC 4180: only fields with a comma, quote or line break are quoted",
        },
        "times": "UTC; CSV and XLSX: ISO 8601 to the second with Z; Parquet: timestamp[us, UTC]",
        "missing_codes": {
            str(int(code)): {lang: phrase(code.name, lang) for lang in languages}
            for code in layout.missing_listed()
        },
        "multiple_choice": "one column per choice, <question>_<value>: 1 chosen, 0 not chosen",
        "single_choice": "the choice's stable value, not its position or label",
        "formula_safety": (
            "In CSV and XLSX, text starting with = + - @ tab or carriage return is prefixed "
            "with ' so no spreadsheet runs it; Parquet keeps text as answered"
        ),
    }
    if layout.measures is not None:
        found["measures"] = MEASURES
    if layout.events:
        found["events"] = EVENTS
    return found


MEASURES = (
    "one row per shadow test; per indicator of the definition <indicator>_value, for an "
    "indicator of kind followed <indicator>_of (times its event happened), and "
    "<indicator>_pass (1 met, 0 not met), read from the test's frozen timeline as the "
    "review pages read it; checklist_score out of 100 and checklist_capped (1/0)"
)
EVENTS = (
    "events.csv: one row per logged event of every test, in the order they happened "
    "(device time, then the order logged), sequence from 1 per test; offset_seconds "
    "from the test's first event by device time; response_id joins the data files"
)
"""What a batch of shadow tests adds to the conventions."""


def build(
    *,
    layout: Layout,
    batch: Mapping[str, Any],
    rules_version: str,
    frozen_at: dt.datetime,
    bom: bool,
    counts: Mapping[str, Any],
    files: list[FileEntry],
) -> dict[str, Any]:
    questionnaire = layout.questionnaire
    return {
        "format": FORMAT,
        "batch": dict(batch),
        "rules_version": rules_version,
        "frozen_at": utc_text(frozen_at),
        "questionnaire": {
            "id": questionnaire.id,
            "version": questionnaire.version,
            "content_hash": questionnaire.content_hash,
            "languages": list(questionnaire.languages),
            "versions": sorted(
                ({"version": q.version, "content_hash": h} for h, q in layout.versions.items()),
                key=lambda v: (v["version"], v["content_hash"]),
            ),
        },
        "columns": len(layout.columns),
        "counts": dict(counts),
        "files": {f.name: {"bytes": f.size, "sha256": f.sha256} for f in files},
        "software": software(),
        "conventions": conventions(layout, bom=bom),
    }
