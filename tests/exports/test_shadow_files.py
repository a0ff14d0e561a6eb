"""The file side of shadow-test batches, from plain records: measures that could not be
taken, events made a chunk at a time, versions with other indicators; and batches
without shadow tests writing exactly the bytes they wrote before shadow tests existed."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fieldwork.exports.batch import CHUNK, Export, prepare
from fieldwork.exports.layout import Layout
from fieldwork.exports.records import Excluded, ExportError, ExportRecord
from fieldwork.questionnaire.loader import Catalog
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.questionnaire.shadow import build as build_shadow
from tests.exports.conftest import batch_records
from tests.shadow.plans import START, shadows

AT = START.astimezone(dt.UTC)
CHAT = {
    "tester": "S01",
    "test": "41",
    "platform": "taobao",
    "channel": "in_app_chat",
    "scenario": "complaint",
    "slot": "weekday_evening",
}
ANSWERS = {"polite": "yes", "no_buck": "yes", "policy": "not_applicable"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return shadows()


@pytest.fixture
def definition(catalog: Catalog) -> ShadowDefinition:
    return catalog.shadows["covert"]


def event(sequence: int, code: str, seconds: float, **extra: Any) -> dict[str, Any]:
    """One event as `files.shadow_test` keeps it of a response's frozen test."""
    moment = (START + dt.timedelta(seconds=seconds)).isoformat()
    found = {"sequence": sequence, "code": code, "at": moment, "received": moment}
    return {**found, "entered": "tap", "note": None, **extra}


def shadow_record(
    definition: ShadowDefinition, id: int = 1, *timeline: dict[str, Any], **fields: Any
) -> ExportRecord:
    checklist = definition.questionnaire
    values: dict[str, Any] = {
        "id": id,
        "questionnaire_id": checklist.id,
        "version": checklist.version,
        "version_hash": checklist.content_hash,
        "mode": "shadow",
        "segment": "elderly",
        "segment_source": "staff",
        "locale": "zh-Hans",
        "text_size": None,
        "contrast": None,
        "started_at": None,
        "submitted_at": AT + dt.timedelta(hours=1),
        "answers": ANSWERS,
        "provenance": {**CHAT, "test": str(40 + id)},
        "shadow": {"planned_on": "2026-11-03", "spans_days": False, "events": list(timeline)},
    }
    values.update(fields)
    return ExportRecord(**values)


def layout_of(*definitions: ShadowDefinition) -> Layout:
    newest = definitions[0].questionnaire
    also = [d.questionnaire for d in definitions[1:]]
    return Layout(newest, also=also, modes=["shadow"], shadows=definitions)


def read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"), newline="")))


def test_a_contact_nobody_answered_fails_its_reply_time_with_its_own_code(
    export: Callable[..., Export], definition: ShadowDefinition
) -> None:
    raw = json.loads(json.dumps(definition.definition))
    for item in raw["checklist"]["items"]:
        item["not_applicable"] = True
    lenient = build_shadow(raw, definition.content_hash)
    silent = shadow_record(lenient, 1, event(1, "contacted", 0), event(2, "contact_ended", 600))
    empty = shadow_record(lenient, 2, answers=dict.fromkeys(ANSWERS, "not_applicable"))
    done = export([silent, empty], layout=layout_of(lenient))
    first, second = read(done.directory / "data.csv")
    # No reply at all is not a zero, nor a pass: -91, and failed.
    assert (first["first_reply_value"], first["first_reply_pass"]) == ("-91", "0")
    assert first["contact_seconds"] == "600.0"
    # No event at all: no contact length; every item not applicable: no score, not capped.
    assert (second["contact_seconds"], second["first_reply_value"]) == ("-91", "-91")
    assert (second["checklist_score"], second["checklist_capped"]) == ("-97", "0")
    assert read(done.directory / "events.csv")[-1]["code"] == "contact_ended"


def test_events_made_in_chunks_beforehand_give_the_same_file(
    export: Callable[..., Export], definition: ShadowDefinition
) -> None:
    """What worker processes hand over (`prepare`) writes the bytes records added one by
    one write, across more than one chunk of the writer's own."""
    records = [
        shadow_record(
            definition,
            n,
            event(2, "bot_replied", 20 + n % 7, note=f"=cmd|{n}"),
            event(1, "contacted", 0),
        )
        for n in range(1, CHUNK + 300)
    ]
    layout = layout_of(definition)
    one_by_one = export(records, layout=layout)
    chunks = [prepare(layout, records[i : i + 400]) for i in range(0, len(records), 400)]
    chunked = export(chunks, layout=layout)
    for name in ("events.csv", "data.csv", "codebook.csv"):
        assert (one_by_one.directory / name).read_bytes() == (chunked.directory / name).read_bytes()
    rows = read(one_by_one.directory / "events.csv")
    assert len(rows) == 2 * len(records) == one_by_one.manifest["counts"]["events"]
    assert [r["code"] for r in rows[:2]] == ["contacted", "bot_replied"]
    assert rows[1]["note"] == "'=cmd|1"


def test_an_indicator_only_an_older_version_has_keeps_its_columns(
    export: Callable[..., Export], definition: ShadowDefinition
) -> None:
    raw = json.loads(json.dumps(definition.definition))
    newer = {**raw, "version": "2", "indicators": raw["indicators"][1:]}
    current = build_shadow(newer, "f" * 64)
    old = shadow_record(definition, 1, event(1, "contacted", 0), event(2, "bot_replied", 9))
    new = shadow_record(current, 2, event(1, "contacted", 0), event(2, "bot_replied", 9))
    done = export([old, new], layout=layout_of(current, definition))
    first, second = read(done.directory / "data.csv")
    assert (first["first_reply_value"], first["first_reply_pass"]) == ("9.0", "1")
    assert (second["first_reply_value"], second["first_reply_pass"]) == ("-92", "-92")
    codebook = {row["variable"]: row for row in read(done.directory / "codebook.csv")}
    assert codebook["first_reply_pass"]["not_measured"] == "-92"


def test_a_frozen_test_that_cannot_be_read_stops_the_export_and_names_the_response(
    export: Callable[..., Export], definition: ShadowDefinition
) -> None:
    broken = shadow_record(definition, 7, {"sequence": 1, "code": "contacted", "at": "soon"})
    with pytest.raises(ExportError, match="response 7"):
        export([broken], layout=layout_of(definition))


def test_shadow_responses_without_a_shadow_definition_get_an_events_file_and_no_measures(
    export: Callable[..., Export],
    record: Callable[..., ExportRecord],
    mini: Questionnaire,
) -> None:
    """Responses logged as shadow tests before tests had definitions answered a survey:
    their batch has no measures to show, and an events file with none in it."""
    layout = Layout(mini, modes=["online", "shadow"])
    done = export([record(1), record(2, mode="shadow", provenance=CHAT)], layout=layout)
    assert "checklist_score" not in read(done.directory / "data.csv")[0]
    assert (done.directory / "events.csv").read_bytes() == (
        b"response_id,test,sequence,code,device_at,received_at,offset_seconds,entered,note\r\n"
    )
    assert done.manifest["counts"]["events"] == 0


# Batches without shadow tests: the bytes of the code before them. The digests were taken
# from this suite's hard-case batch exported by commit d76b85f, before any of this existed;
# the manifest without its `software` block, which names library versions.
BEFORE = {
    "online": {
        "data.csv": "9087e4d0f92d4fcd487763f65251e93cc513c7f6d31ed49be27f50ac5404eab5",
        "codebook.csv": "e6ba48db5b7ac03a033dc8d7885b5857740bece85386bc0d2fdc95d8bd58cc19",
        "cleaning_log.csv": "af01f50f7def2e6d61aa6dbdfec5c8a026f0944c8b26476c002d70e6a1625bf6",
        "manifest.json": "e4d02c0f2e9076b5e70072a0373554c11b2775958f522d60b322bb7652c2f27c",
    },
    "paper": {
        "data.csv": "5667a374d000e84cb80b4c63a6124bab4028bbdf1b1146f3ef8d68323cb3d112",
        "codebook.csv": "1bae51013f7eab51c0aaae7c0ff20d2b9f8fc4aef499d07a615aa27508c52e4e",
        "cleaning_log.csv": "d8eaad23f913751333725c7f8a8d29997fe1ecfc0ed6eaaead2c893277432fdb",
        "manifest.json": "a7cd9509782df6f3c9ea51ba97ced86f2a544050dd962d4f915761a6e671f488",
    },
}
SHEET = "K7QM-3XWD-R"


def digests(done: Export) -> dict[str, str]:
    found = {}
    for name in BEFORE["online"]:
        data = (done.directory / name).read_bytes()
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest.pop("software")
            data = json.dumps(manifest, sort_keys=True).encode()
        found[name] = hashlib.sha256(data).hexdigest()
    return found


def test_an_online_batch_writes_the_bytes_it_wrote_before_shadow_tests(
    export: Callable[..., Export], record: Callable[..., ExportRecord]
) -> None:
    done = export(batch_records(record), [Excluded(8, "rejected", ("speeder",))])
    assert "events.csv" not in done.files
    assert digests(done) == BEFORE["online"]


def test_a_batch_with_paper_responses_writes_the_bytes_it_wrote_before_shadow_tests(
    export: Callable[..., Export], record: Callable[..., ExportRecord], mini: Questionnaire
) -> None:
    paper = {"sheet_id": SHEET, "entry_pass": "2", "keyer": "S01"}
    records = [
        r._replace(provenance=paper) if r.mode == "paper" else r for r in batch_records(record)
    ]
    done = export(
        records,
        [Excluded(8, "rejected", ("speeder",), "paper", SHEET)],
        layout=Layout(mini, modes=["online", "paper"]),
        log_modes=True,
    )
    assert "events.csv" not in done.files
    assert digests(done) == BEFORE["paper"]
