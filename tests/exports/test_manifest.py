"""manifest.json and cleaning_log.csv: counts, metadata and checksums a scorer can verify."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import pytest

from fieldwork.exports.batch import FILE_NAMES, Export
from fieldwork.exports.records import Excluded, ExportError, ExportRecord

from .conftest import BATCH, RULES, batch_records

MakeRecord = Callable[..., ExportRecord]

EXCLUDED = [
    Excluded(10, "rejected", ("speeder", "duplicate-ip")),
    Excluded(12, "pending", ()),
    Excluded(15, "on_hold", ("straight-lining",)),
]


def manifest_of(result: Export) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((result.directory / "manifest.json").read_bytes())
    return loaded


def test_counts_by_segment_and_mode(export: Callable[..., Export], record: MakeRecord) -> None:
    counts = manifest_of(export(batch_records(record), EXCLUDED))["counts"]
    assert counts == {
        "responses": 7,
        "excluded": 3,
        "by_segment_mode": {"elderly": {"online": 1}, "general": {"online": 5, "paper": 1}},
        "excluded_by_status": {"rejected": 1, "pending": 1, "on_hold": 1},
    }


def test_batch_metadata_rules_and_software(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    manifest = manifest_of(export(batch_records(record)))
    assert manifest["batch"] == BATCH
    assert manifest["rules_version"] == RULES
    assert manifest["frozen_at"] == "2026-09-30T08:00:00Z"
    assert manifest["software"]["fieldwork"] == metadata.version("fieldwork")  # type: ignore[index]
    assert manifest["questionnaire"]["id"] == "mini"  # type: ignore[index]


def test_checksums_and_sizes_match_the_files(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    result = export(batch_records(record), EXCLUDED)
    files = manifest_of(result)["files"]
    assert isinstance(files, dict)
    assert set(files) == set(FILE_NAMES) - {"manifest.json"}
    for name, entry in files.items():
        data = (result.directory / name).read_bytes()
        assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_manifest_is_canonical_json(export: Callable[..., Export], record: MakeRecord) -> None:
    result = export(batch_records(record))
    text = (result.directory / "manifest.json").read_text("utf-8")
    assert text == json.dumps(result.manifest, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def test_cleaning_log_lists_every_excluded_response(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    directory = export(batch_records(record), EXCLUDED).directory
    with (directory / "cleaning_log.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows == [
        ["response_id", "status", "flag_codes"],
        ["10", "rejected", "speeder;duplicate-ip"],
        ["12", "pending", ""],
        ["15", "on_hold", "straight-lining"],
    ]


def test_a_one_shot_iterator_is_enough(export: Callable[..., Export], record: MakeRecord) -> None:
    def once() -> Iterator[ExportRecord]:
        yield from batch_records(record)

    result = export(once(), iter(EXCLUDED))
    assert result.manifest["counts"]["responses"] == 7
    assert len(list(csv.reader((result.directory / "data.csv").open(encoding="utf-8")))) > 7


def test_records_out_of_order_stop_the_export_and_leave_no_files(
    export: Callable[..., Export], record: MakeRecord, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match="ids must ascend"):
        export([record(2), record(1)])
    leftovers = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == []


def test_no_private_paradata_reaches_any_file(
    export: Callable[..., Export], record: MakeRecord
) -> None:
    # Records carry none, but a batch name or filter could: nothing else may add any.
    result = export(batch_records(record))
    text = b"".join(
        (result.directory / name).read_bytes()
        for name in result.files
        if name.endswith((".csv", ".json"))
    ).decode("utf-8")
    for word in ("ip_hash", "fingerprint", "browser", "page_seconds", "entered_by"):
        assert word not in text


def test_metadata_the_manifest_cannot_hold_leaves_no_files(
    export: Callable[..., Export], record: MakeRecord, tmp_path: Path
) -> None:
    with pytest.raises(TypeError, match="cannot go into a manifest"):
        export([record()], batch={"creator": object()})
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []
