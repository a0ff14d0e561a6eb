"""How an export written now differs from one stored earlier, told file by file and cell by cell.

The CSV files depend only on Fieldwork: their bytes must not change. The bytes of
data.parquet depend on pyarrow, those of an XLSX file on the XLSX library, and the
zip on all of them: those are compared byte for byte when the manifest of each
export names the same library versions, and else by what they hold, read back.
manifest.json is compared as data, without its `software` block and without the
sizes and checksums of files whose library changed.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

MANIFEST = "manifest.json"
ZIP = "batch.zip"
PARQUET_LIBRARY = "pyarrow"
NOT_LIBRARIES = ("fieldwork", PARQUET_LIBRARY)  # the rest of `software` writes XLSX
SHOWN = 12
"""Differences listed per file; the rest are counted."""
BOM = b"\xef\xbb\xbf"


def differences(stored: Path, now: Path) -> list[str]:
    """Every difference of the export folder `now` from `stored`, one line each."""
    names, fresh = _names(stored), _names(now)
    found = [f"{name}: stored, not written now" for name in names if name not in fresh]
    found += [f"{name}: written now, not stored" for name in fresh if name not in names]
    software = _software(stored), _software(now)
    changed = {name for name in names if _library_changed(name, *software)}
    for name in (name for name in names if name in fresh):
        found += _file(name, stored / name, now / name, changed, software[1])
    return found


def _names(folder: Path) -> list[str]:
    """The files of an export folder, the zip last: its members are compared on their own."""
    return sorted((path.name for path in folder.iterdir()), key=lambda name: (name == ZIP, name))


def _software(folder: Path) -> dict[str, str]:
    try:
        software: dict[str, str] = json.loads((folder / MANIFEST).read_bytes())["software"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return software


def libraries(name: str, *software: Mapping[str, str]) -> set[str]:
    """The libraries, named in either manifest's `software`, that a file's bytes depend on."""
    if name.endswith(".parquet"):
        return {PARQUET_LIBRARY}
    if name.endswith(".xlsx"):
        return set().union(*software) - set(NOT_LIBRARIES)
    return set()


def _library_changed(name: str, stored: Mapping[str, str], now: Mapping[str, str]) -> bool:
    if name in (MANIFEST, ZIP):  # the manifest records the versions; the zip holds it
        return stored != now
    return any(stored.get(library) != now.get(library) for library in libraries(name, stored, now))


def _file(
    name: str, stored: Path, now: Path, changed: set[str], software: Mapping[str, str]
) -> list[str]:
    """How one file differs: what it holds, and its bytes unless a library it depends on
    changed version."""
    if stored.read_bytes() == now.read_bytes():
        return []
    found = _values(name, stored, now, changed, software)
    if name not in changed:
        used = sorted(f"{library} {software[library]}" for library in libraries(name, software))
        if used:
            verdict = f"the bytes differ, though {', '.join(used)} wrote both"
        elif name.endswith(".zip"):
            verdict = "the bytes differ"
        else:
            verdict = "the bytes differ" + ("" if found else _where_bytes_differ(stored, now))
        found.insert(0, verdict + ("" if found else "; what it holds is the same"))
    shown = [f"{name}: {line}" for line in found[:SHOWN]]
    if len(found) > SHOWN:
        shown.append(f"{name}: … and {len(found) - SHOWN} more differences")
    return shown


def _values(
    name: str, stored: Path, now: Path, changed: set[str], software: Mapping[str, str]
) -> list[str]:
    """The differences of what two versions of a file hold, without the file's name."""
    read = {
        ".csv": _csv,
        ".parquet": _parquet,
        ".xlsx": _xlsx,
        ".json": lambda a, b: _manifest(a, b, changed),
        ".zip": lambda a, b: _zip(a, b, changed, software),
    }.get(stored.suffix)
    try:
        return list(read(stored, now)) if read else []
    except Exception as error:  # a file that cannot be read back is a difference to report
        return [f"cannot be read back: {type(error).__name__}: {error}"]


def _where_bytes_differ(stored: Path, now: Path) -> str:
    old, new = stored.read_bytes(), now.read_bytes()
    at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    if at is None:
        return f" (sizes {len(old)} stored, {len(new)} now; one starts the other)"
    line = old.count(b"\n", 0, at) + 1
    return (
        f" from byte {at} (line {line}):"
        f" stored {old[max(0, at - 20) : at + 20]!r}, now {new[max(0, at - 20) : at + 20]!r}"
    )


def _cells(path: Path) -> tuple[bool, list[list[str]]]:
    data = path.read_bytes()
    text = data.removeprefix(BOM).decode("utf-8")
    return data.startswith(BOM), list(csv.reader(io.StringIO(text, newline="")))


def _csv(stored: Path, now: Path) -> Iterator[str]:
    (bom, old), (new_bom, new) = _cells(stored), _cells(now)
    if bom != new_bom:
        yield f"byte order mark: stored {bom}, now {new_bom}"
    yield from _table(old, new, lambda row, column: f"line {row + 1}, column {column}")


def _table(old: list[list[Any]], new: list[list[Any]], where: Any) -> Iterator[str]:
    """Cell by cell, a header row first; `where(row index, column name)` locates a cell."""
    if len(old) != len(new):
        yield f"{len(old)} rows stored, {len(new)} now"
    header = old[0] if old else []
    if old and new and old[0] != new[0]:
        yield f"header: stored {old[0]!r}, now {new[0]!r}"
    for index, (was, is_) in enumerate(zip(old, new, strict=False)):
        if index == 0 or was == is_:
            continue
        key = f" (response {was[0]})" if was else ""
        for column in range(max(len(was), len(is_))):
            a = was[column] if column < len(was) else "<none>"
            b = is_[column] if column < len(is_) else "<none>"
            if a != b:
                name = header[column] if column < len(header) else str(column + 1)
                yield f"{where(index, name)}{key}: stored {a!r}, now {b!r}"


def _manifest(stored: Path, now: Path, changed: set[str]) -> Iterator[str]:
    old, new = (json.loads(path.read_bytes()) for path in (stored, now))
    for document in (old, new):
        document.pop("software", None)
        for name in changed:  # sizes and checksums of another library's bytes
            entry = document.get("files", {}).get(name)
            if isinstance(entry, dict):
                entry.pop("bytes", None)
                entry.pop("sha256", None)
    yield from _json("", old, new)


def _json(path: str, old: Any, new: Any) -> Iterator[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            where = f"{path}.{key}" if path else key
            if key not in new:
                yield f"{where}: stored {old[key]!r}, not written now"
            elif key not in old:
                yield f"{where}: not stored, now {new[key]!r}"
            else:
                yield from _json(where, old[key], new[key])
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _json(f"{path}[{index}]", a, b)
    elif old != new or type(old) is not type(new):
        yield f"{path}: stored {old!r}, now {new!r}"


def _parquet(stored: Path, now: Path) -> Iterator[str]:
    old, new = pq.read_table(stored), pq.read_table(now)
    if old.schema.metadata != new.schema.metadata:
        yield f"metadata: stored {old.schema.metadata!r}, now {new.schema.metadata!r}"
    if old.schema.names != new.schema.names:
        yield f"columns: stored {old.schema.names}, now {new.schema.names}"
    for field in old.schema:
        if field.name not in new.schema.names:
            continue
        other = new.schema.field(field.name)
        if field.type != other.type or field.nullable != other.nullable:
            yield f"column {field.name}: stored type {field}, now {other}"
    rows = [old.column_names, *map(list, zip(*old.to_pydict().values(), strict=True))]
    fresh = [new.column_names, *map(list, zip(*new.to_pydict().values(), strict=True))]
    yield from _table(rows, fresh, lambda row, column: f"row {row}, column {column}")


def _xlsx(stored: Path, now: Path) -> Iterator[str]:
    old, new = _sheets(stored), _sheets(now)
    if list(old) != list(new):
        yield f"sheets: stored {list(old)}, now {list(new)}"
    for title in old.keys() & new.keys():
        a, b = old[title], new[title]
        if len(a) != len(b):
            yield f"sheet {title}: {len(a)} rows stored, {len(b)} now"
        for row, (was, is_) in enumerate(zip(a, b, strict=False), start=1):
            for column in range(max(len(was), len(is_))):
                x = was[column] if column < len(was) else None
                y = is_[column] if column < len(is_) else None
                if x != y or type(x) is not type(y):
                    cell = f"{title}!{get_column_letter(column + 1)}{row}"
                    yield f"{cell}: stored {x!r}, now {y!r}"


def _sheets(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}
    finally:
        workbook.close()


def _zip(stored: Path, now: Path, changed: set[str], software: Mapping[str, str]) -> Iterator[str]:
    """Entries, their order and times; of a member that differs, its first difference (the
    file of the same name beside the zip tells the rest)."""
    with zipfile.ZipFile(stored) as old, zipfile.ZipFile(now) as new:
        entries = [(i.filename, i.date_time) for i in old.infolist()]
        fresh = [(i.filename, i.date_time) for i in new.infolist()]
        if entries != fresh:
            yield f"entries (name, time): stored {entries}, now {fresh}"
        with tempfile.TemporaryDirectory() as folder:
            for side, archive in (("stored", old), ("now", new)):
                archive.extractall(Path(folder) / side)
            for name in sorted({n for n, _ in entries} & {n for n, _ in fresh}):
                paths = Path(folder) / "stored" / name, Path(folder) / "now" / name
                found = _file(name, *paths, changed, software)
                if found:
                    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
                    yield f"member {found[0]}{more}"
