"""Batch pages and commands: preview, freeze, immutability, and the files read back.

The responses answer the suite's two-page survey (tests/questionnaires/two_pages.yaml).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow.parquet as pq
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import col

from fieldwork import catalog, db, parallel, quality
from fieldwork.audit.models import AuditEntry
from fieldwork.exports import batch as writer
from fieldwork.exports import files
from fieldwork.exports import service as exports
from fieldwork.exports.models import Batch, BatchItem
from fieldwork.exports.safety import neutralise
from fieldwork.questionnaire.loader import build
from fieldwork.responses import filters
from fieldwork.responses.models import Response
from fieldwork.review import screening
from tests.conftest import csrf_of, ends_within
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import (
    DAY,
    FORMULA,
    MINUS,
    SPEEDER,
    STRAIGHT,
    TRICKY,
    add_response,
    fast_password_hashing,
    response_row,
    sign_in,
    staff,
)

ZIPPED = {
    "data.csv",
    "data.parquet",
    "data.xlsx",
    "codebook.csv",
    "codebook.xlsx",
    "cleaning_log.csv",
    "manifest.json",
}
IP_HASH = "c0ffee" * 10 + "beef"
USERNAME = "reviewer.chen"


@pytest.fixture(autouse=True)
def _fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)


@pytest.fixture(autouse=True)
def exports_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Batch files go to this test's own folder, never the project's instance folder."""
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(tmp_path / "instance"))
    return tmp_path / "instance"


@pytest.fixture
def reviewer(app: Flask, client: FlaskClient) -> int:
    user = staff(app, USERNAME)
    sign_in(client, USERNAME)
    client.get("/settings/language/en")
    return user


@pytest.fixture
def rows(app: Flask, reviewer: int) -> dict[str, int]:
    """Approved responses in three segment × mode cells, and three that a batch excludes."""
    return {
        "tricky": add_response(
            app,
            status="approved",
            segment="elderly",
            answers=TRICKY,
            ip_hash=IP_HASH,
            reviewed_by=reviewer,
        ),
        "elderly-paper": add_response(
            app,
            status="approved",
            segment="elderly",
            mode="paper",
            entered_by=reviewer,
            answers={"IMPROVE": MINUS},
        ),
        "parents": add_response(app, status="approved", segment="parents", ip_hash=IP_HASH),
        "parents-2": add_response(
            app, status="approved", segment="parents", submitted_at=DAY + dt.timedelta(days=20)
        ),
        "rejected": add_response(app, status="rejected", flags=[SPEEDER], ip_hash=IP_HASH),
        "pending": add_response(app, flags=[STRAIGHT, SPEEDER]),
        "held": add_response(app, status="on_hold", segment="parents"),
    }


def freeze(client: FlaskClient, query: str, name: str = "Wave 1 第一批") -> int:
    preview = client.get(f"/staff/batches/preview?{query}")
    assert preview.status_code == 200, preview.text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', preview.text))
    moved = client.post("/staff/batches/", data={**form, "name": name})
    assert moved.status_code == 303, moved.text
    return int(moved.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def download_all(client: FlaskClient, batch_id: int, bom: bool = False) -> dict[str, bytes]:
    """Every file the batch page links to, by name."""
    page = client.get(f"/staff/batches/{batch_id}").text
    names = re.findall(rf'href="/staff/batches/{batch_id}/([^"?]+)"', page)
    assert "batch.zip" in names and set(names) >= ZIPPED
    got = {}
    for name in names:
        response = client.get(f"/staff/batches/{batch_id}/{name}" + ("?bom=1" if bom else ""))
        assert response.status_code == 200, name
        assert "attachment" in response.headers["Content-Disposition"]
        got[name] = response.data
    return got


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def batch_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session().execute(select(func.count()).select_from(Batch)).scalar_one())


# ---------------------------------------------------------------- preview and freeze


def test_preview_counts_by_status_and_segment_mode(
    client: FlaskClient, rows: dict[str, int]
) -> None:
    page = client.get(f"/staff/batches/preview?questionnaire={SURVEY.id}")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert "4 approved responses would be included. 3 other responses match" in text
    for status, count in (("Approved", 4), ("On hold", 1), ("Pending", 1), ("Rejected", 1)):
        assert f" {status} {count} " in text
    for segment, mode, count in (
        ("Elderly", "Online", 1),
        ("Elderly", "Paper", 1),
        ("Parents", "Online", 2),
    ):
        assert f" {segment} {mode} {count} " in text


def test_preview_applies_the_filters(client: FlaskClient, rows: dict[str, int]) -> None:
    query = f"questionnaire={SURVEY.id}&segment=parents&mode=online&to=2026-11-10"
    text = re.sub(r"<[^>]+>", " ", client.get(f"/staff/batches/preview?{query}").text)
    assert "1 approved response would be included. 1 other response matches" in re.sub(
        r"\s+", " ", text
    )


def test_filter_days_are_the_days_staff_see_and_a_batch_records_the_zone(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    # 20:30 UTC on 3 November is 04:30 on 4 November in Shanghai, as the pages show it.
    late = add_response(app, status="approved", submitted_at=DAY.replace(hour=20, minute=30))
    client.get("/settings/language/en")
    assert "each day as it is in China Time" in client.get("/staff/batches/").text
    batch_id = freeze(client, f"questionnaire={SURVEY.id}&from=2026-11-04&to=2026-11-04")
    with app.app_context():
        batch = db.session().get(Batch, batch_id)
        assert batch is not None and batch.size == 1
        assert batch.filters["time_zone"] == "Asia/Shanghai"
        items = db.session().execute(select(BatchItem.response_id)).scalars()
        assert list(items) == [late]
    page = client.get(f"/staff/batches/{batch_id}").text
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Days counted in China Time" in shown
    before = client.get(f"/staff/batches/preview?questionnaire={SURVEY.id}&to=2026-11-03").text
    assert "No approved response matches these filters" in before


def test_a_batch_frozen_before_zones_were_recorded_keeps_utc_days() -> None:
    old = filters.Filter.from_json(
        {"questionnaire_id": SURVEY.id, "submitted_from": "2026-11-04", "submitted_to": None}
    )
    assert old.time_zone == "UTC"
    assert filters.midnight(dt.date(2026, 11, 4), old.time_zone) == dt.datetime(
        2026, 11, 4, tzinfo=dt.UTC
    )
    assert filters.midnight(dt.date(2026, 11, 4), "Asia/Shanghai") == dt.datetime(
        2026, 11, 3, 16, tzinfo=dt.UTC
    )


def test_freeze_needs_a_name(app: Flask, client: FlaskClient, rows: dict[str, int]) -> None:
    preview = client.get(f"/staff/batches/preview?questionnaire={SURVEY.id}").text
    form = {"csrf_token": csrf_of(preview), "questionnaire": SURVEY.id}
    for name in ("", "   ", "x" * 121):
        refused = client.post("/staff/batches/", data={**form, "name": name})
        assert refused.status_code == 400
        assert "Give the batch a name of up to 120 characters." in refused.text
        assert 'class="error-summary"' in refused.text and 'aria-invalid="true"' in refused.text
    assert batch_count(app) == 0


def test_nothing_to_freeze_is_a_clear_error(
    app: Flask, client: FlaskClient, rows: dict[str, int]
) -> None:
    query = f"questionnaire={SURVEY.id}&segment=young"
    preview = client.get(f"/staff/batches/preview?{query}")
    assert preview.status_code == 200
    assert "nothing to freeze" in preview.text
    assert 'name="name"' not in preview.text  # no freeze form
    token = csrf_of(client.get("/staff/login").text)
    form = {"csrf_token": token, "questionnaire": SURVEY.id, "segment": "young"}
    refused = client.post("/staff/batches/", data={**form, "name": "empty"})
    assert refused.status_code == 400 and "nothing to freeze" in refused.text
    assert batch_count(app) == 0


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 400),
        ("questionnaire=no_such_thing", 400),
        (f"questionnaire={SURVEY.id}&from=2026-02-30", 400),
        (f"questionnaire={SURVEY.id}&to=last+week", 400),
        (f"questionnaire={SURVEY.id}&segment=martians", 400),
        (f"questionnaire={SURVEY.id}&mode=fax", 400),
        (f"questionnaire={SURVEY.id}&to=9999-12-31", 400),
        (f"questionnaire={SURVEY.id}&from=0001-01-01", 400),
        (f"questionnaire={SURVEY.id}&from=2026-12-01&to=2026-11-01", 400),
        (f"questionnaire={SURVEY.id}&version=not-a-version", 400),
    ],
)
def test_bad_preview_filters_get_a_clear_4xx_page(
    client: FlaskClient, reviewer: int, query: str, status: int
) -> None:
    page = client.get(f"/staff/batches/preview?{query}")
    assert page.status_code == status
    assert "<h1" in page.text


def test_a_wrong_day_comes_back_on_the_batch_form_with_the_choices_kept(
    client: FlaskClient, rows: dict[str, int]
) -> None:
    query = f"questionnaire={SURVEY.id}&campaign=Q4&from=2026-11-31&to=2026-12-31&segment=parents"
    page = client.get(f"/staff/batches/preview?{query}")
    assert page.status_code == 400
    assert 'class="error-summary"' in page.text and 'href="#b-from"' in page.text
    assert 'id="b-from" name="from" value="2026-11-31"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert 'name="campaign" value="Q4"' in page.text
    assert 'value="2026-12-31"' in page.text
    assert 'name="segment" value="parents" checked' in page.text
    assert 'name="segment" value="elderly" checked' not in page.text


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("to=9999-12-31", "请输入 2000-01-01 至 2099-12-31 之间的日期。"),
        ("from=2026-12-01&to=2026-11-01", "“提交日期（起）”晚于“提交日期（止）”，请将两者对调。"),
        ("version=" + "f" * 64, "请只勾选所选问卷的版本；不勾选即为全部版本。"),
    ],
)
def test_filters_no_batch_can_have_are_explained_in_the_users_language(
    client: FlaskClient, reviewer: int, query: str, words: str
) -> None:
    client.get("/settings/language/zh-Hans")
    page = client.get(f"/staff/batches/preview?questionnaire={SURVEY.id}&{query}")
    assert page.status_code == 400
    assert words in page.text


def test_the_page_offers_each_version_and_a_batch_keeps_the_one_chosen(
    app: Flask, client: FlaskClient, rows: dict[str, int]
) -> None:
    with app.app_context():
        version = catalog.versions().current(db.session(), SURVEY.id)
        assert version is not None
    page = client.get("/staff/batches/").text
    assert f'name="version" value="{version.content_hash}"' in page
    assert f"version {version.version} ({version.content_hash[:12]})" in page
    batch_id = freeze(client, f"questionnaire={SURVEY.id}&version={version.content_hash}")
    with app.app_context():
        batch = db.session().get(Batch, batch_id)
        assert batch is not None
        assert (batch.filters["versions"], batch.size) == ([version.content_hash], 4)


@pytest.mark.parametrize(
    "path",
    [
        "/staff/batches/abc",
        "/staff/batches/99999",
        "/staff/batches/99999999999999999999999",
        "/staff/batches/99999/batch.zip",
        "/staff/batches/99999999999999999999999/data.csv",
    ],
)
def test_unknown_batches_are_not_found(client: FlaskClient, reviewer: int, path: str) -> None:
    assert client.get(path).status_code == 404


def test_unknown_file_of_a_batch_is_not_found(client: FlaskClient, rows: dict[str, int]) -> None:
    batch_id = freeze(client, f"questionnaire={SURVEY.id}")
    for name in ("secrets.txt", "..%2Fmanifest.json", "data.CSV"):
        assert client.get(f"/staff/batches/{batch_id}/{name}").status_code == 404


def test_freeze_without_csrf_token_is_refused(
    app: Flask, client: FlaskClient, rows: dict[str, int]
) -> None:
    refused = client.post("/staff/batches/", data={"questionnaire": SURVEY.id, "name": "no token"})
    assert refused.status_code == 400
    assert batch_count(app) == 0


@pytest.mark.parametrize("role", ["fieldworker", "tester"])
def test_other_roles_get_403(app: Flask, client: FlaskClient, role: str) -> None:
    add_response(app, status="approved")
    staff(app, "wu", role)
    sign_in(client, "wu")
    token = csrf_of(client.get("/staff/login").text)
    assert client.get("/staff/batches/").status_code == 403
    assert client.get(f"/staff/batches/preview?questionnaire={SURVEY.id}").status_code == 403
    form = {"csrf_token": token, "questionnaire": SURVEY.id, "name": "mine"}
    assert client.post("/staff/batches/", data=form).status_code == 403
    assert batch_count(app) == 0


# ---------------------------------------------------------------- frozen files


def test_frozen_batch_does_not_change_and_its_files_are_byte_identical(
    app: Flask,
    client: FlaskClient,
    rows: dict[str, int],
    exports_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch_id = freeze(client, f"questionnaire={SURVEY.id}")
    # A decision after freezing, before the files were ever written…
    page = client.get(f"/staff/review/{rows['parents']}").text
    form = {"csrf_token": csrf_of(page), "row_version": "1", "status": "rejected"}
    decided = client.post(f"/staff/review/{rows['parents']}", data={**form, "reason": "duplicate"})
    assert decided.status_code == 303
    assert response_row(app, rows["parents"]).status == "rejected"
    first = download_all(client, batch_id)
    # …and one after: neither changes the batch.
    page = client.get(f"/staff/review/{rows['pending']}").text
    form = {"csrf_token": csrf_of(page), "row_version": "1", "status": "approved"}
    decided = client.post(f"/staff/review/{rows['pending']}", data={**form, "reason": "valid"})
    assert decided.status_code == 303
    assert download_all(client, batch_id) == first
    # Written again from scratch, in a fresh folder: still the same bytes.
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(tmp_path / "elsewhere"))
    assert download_all(client, batch_id) == first
    ids = {int(r["response_id"]) for r in csv_rows(first["data.csv"])}
    assert ids == {rows[k] for k in ("tricky", "elderly-paper", "parents", "parents-2")}
    logged = {int(r["response_id"]) for r in csv_rows(first["cleaning_log.csv"])}
    assert logged == {rows[k] for k in ("rejected", "pending", "held")}
    show = client.get(f"/staff/batches/{batch_id}").text
    assert re.search(r"Responses</dt>\s*<dd[^>]*>4<", show)


def test_zip_holds_every_file_with_the_database_values(
    app: Flask, client: FlaskClient, rows: dict[str, int]
) -> None:
    batch_id = freeze(client, f"questionnaire={SURVEY.id}")
    files = download_all(client, batch_id)
    zipped = unzip(files["batch.zip"])
    assert set(zipped) == ZIPPED
    for name in ZIPPED:
        assert zipped[name] == files[name], name
    stored = response_row(app, rows["tricky"])
    answers = stored.answers
    assert answers["IMPROVE"] == FORMULA and answers["STORY"] == TRICKY["STORY"]
    minus = response_row(app, rows["elderly-paper"]).answers["IMPROVE"]
    assert minus == MINUS

    by_id = {int(r["response_id"]): r for r in csv_rows(zipped["data.csv"])}
    row = by_id[rows["tricky"]]
    assert row["IMPROVE"] == "'" + FORMULA == neutralise(answers["IMPROVE"])
    assert row["STORY"] == answers["STORY"]  # Chinese, emoji, quotes, comma and the line break
    assert by_id[rows["elderly-paper"]]["IMPROVE"] == "'" + minus  # "-5 …" would be a formula too
    assert row["segment"] == "elderly" and row["mode"] == "online"
    assert row["submitted_at"] == "2026-11-03T09:30:00Z"
    assert row["AGE"] == answers["AGE"]

    table = pq.read_table(io.BytesIO(zipped["data.parquet"])).to_pylist()
    parquet_row = next(r for r in table if r["response_id"] == rows["tricky"])
    assert parquet_row["IMPROVE"] == answers["IMPROVE"]  # typed data: the text as answered
    assert parquet_row["STORY"] == answers["STORY"]
    assert next(r for r in table if r["response_id"] == rows["elderly-paper"])["IMPROVE"] == minus
    assert parquet_row["submitted_at"] == dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC)
    assert len(table) == 4

    book = openpyxl.load_workbook(io.BytesIO(zipped["data.xlsx"]))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    cells = list(sheet.iter_rows(min_row=2))
    assert all(cell.data_type != "f" for line in cells for cell in line)
    found = next(line for line in cells if line[0].value == rows["tricky"])
    values = dict(zip(header, (cell.value for cell in found), strict=True))
    assert values["IMPROVE"] == "'" + FORMULA
    assert values["STORY"] == answers["STORY"]
    codebook = openpyxl.load_workbook(io.BytesIO(zipped["codebook.xlsx"]))
    assert all(c.data_type != "f" for s in codebook.worksheets for r in s.iter_rows() for c in r)

    manifest = json.loads(zipped["manifest.json"])
    assert manifest["counts"]["responses"] == 4 and manifest["counts"]["excluded"] == 3
    assert manifest["counts"]["by_segment_mode"] == {
        "elderly": {"online": 1, "paper": 1},
        "parents": {"online": 2},
    }
    assert {"variable", "type"} <= set(csv_rows(zipped["codebook.csv"])[0])


def _readable(name: str, data: bytes) -> bytes:
    """A file's bytes with compressed containers opened, so a search sees every string."""
    if name.endswith(".xlsx"):
        return b"".join(unzip(data).values())
    if name.endswith(".parquet"):
        table = pq.read_table(io.BytesIO(data))
        text = json.dumps(table.to_pylist(), default=str, ensure_ascii=False)
        return text.encode() + repr(table.schema.metadata).encode()
    return data


def test_no_ip_hash_or_staff_identity_leaves_the_system(
    client: FlaskClient, rows: dict[str, int]
) -> None:
    batch_id = freeze(client, f"questionnaire={SURVEY.id}")
    files = download_all(client, batch_id)
    secrets = [IP_HASH, USERNAME, "Chrome 130 on Android"]
    for name, data in unzip(files["batch.zip"]).items():
        readable = _readable(name, data)
        for secret in secrets:
            assert secret.encode() not in readable, (name, secret)
        assert secret.encode() not in files["batch.zip"]
    manifest = json.loads(files["manifest.json"])
    assert manifest["batch"]["created_by"].startswith("staff-")  # a pseudonym


def test_cleaning_log_lists_the_excluded_with_status_and_flags(
    client: FlaskClient, rows: dict[str, int]
) -> None:
    batch_id = freeze(client, f"questionnaire={SURVEY.id}")
    log = csv_rows(client.get(f"/staff/batches/{batch_id}/cleaning_log.csv").data)
    # The batch holds a paper response, so the log also says where each response came from.
    online = {"mode": "online", "sheet_id": ""}
    assert log == [
        {
            "response_id": str(rows["rejected"]),
            "status": "rejected",
            "flag_codes": "speeder",
            **online,
        },
        {
            "response_id": str(rows["pending"]),
            "status": "pending",
            "flag_codes": "straight-lining;speeder",
            **online,
        },
        {"response_id": str(rows["held"]), "status": "on_hold", "flag_codes": "", **online},
    ]


def test_bom_variant_starts_with_the_utf8_bom(client: FlaskClient, rows: dict[str, int]) -> None:
    batch_id = freeze(client, f"questionnaire={SURVEY.id}")
    plain = download_all(client, batch_id)
    with_bom = download_all(client, batch_id, bom=True)
    assert not plain["data.csv"].startswith(b"\xef\xbb\xbf")
    assert with_bom["data.csv"].startswith(b"\xef\xbb\xbf")
    assert with_bom["data.csv"][3:] == plain["data.csv"]
    for name in ("codebook.csv", "cleaning_log.csv"):
        assert unzip(with_bom["batch.zip"])[name].startswith(b"\xef\xbb\xbf"), name
    assert csv_rows(with_bom["data.csv"]) == csv_rows(plain["data.csv"])


# ---------------------------------------------------------------- the commands


def test_cli_export_matches_the_web_download(
    app: Flask,
    client: FlaskClient,
    rows: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner = app.test_cli_runner()
    chosen = ["--questionnaire", SURVEY.id, "--segment", "elderly", "--segment", "parents"]
    preview = runner.invoke(args=["fieldwork", "export", "preview", *chosen])
    assert preview.exit_code == 0, preview.output
    assert "considered 5, included (approved) 4" in preview.output
    assert "parents × online: 2" in preview.output

    nameless = ["--name", " ", "--by", USERNAME]
    refused = runner.invoke(args=["fieldwork", "export", "freeze", *chosen, *nameless])
    assert refused.exit_code != 0 and "give the batch a name" in refused.output
    empty = ["--questionnaire", SURVEY.id, "--segment", "young", "--name", "x", "--by", USERNAME]
    refused = runner.invoke(args=["fieldwork", "export", "freeze", *empty])
    assert refused.exit_code != 0 and "no approved response" in refused.output
    frozen = runner.invoke(
        args=["fieldwork", "export", "freeze", *chosen, "--name", "CLI 批次", "--by", USERNAME]
    )
    assert frozen.exit_code == 0, frozen.output
    found = re.search(r"froze batch (\d+): 4 responses, 1 excluded", frozen.output)
    assert found, frozen.output
    batch_id = int(found.group(1))

    listed = runner.invoke(args=["fieldwork", "export", "list"])
    assert (
        listed.exit_code == 0 and f"{batch_id}\t" in listed.output and "CLI 批次" in listed.output
    )

    written = runner.invoke(
        args=["fieldwork", "export", "write", str(batch_id), str(tmp_path / "out")]
    )
    assert written.exit_code == 0, written.output
    on_disk = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert set(on_disk) == ZIPPED | {"batch.zip"}
    # The web page writes its own copy in another folder: the same bytes.
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(tmp_path / "web"))
    assert download_all(client, batch_id) == on_disk


@pytest.mark.parametrize(
    ("chosen", "words"),
    [
        (["--to", "9999-12-31"], "--to: Enter a date from 2000-01-01 to 2099-12-31."),
        (["--from", "2026-12-01", "--to", "2026-11-01"], "--from: The “Submitted from” date is"),
        (["--version", "not-a-version"], "--version: Tick only versions of the questionnaire"),
        (["--segment", "martians"], "--segment: There is no segment “martians”"),
        (["--mode", "fax"], "--mode: There is no mode “fax”: choose one from the list. (online,"),
    ],
)
def test_cli_filters_that_name_nothing_are_refused(
    app: Flask, rows: dict[str, int], chosen: list[str], words: str
) -> None:
    for command in (["preview"], ["freeze", "--name", "x", "--by", USERNAME]):
        refused = app.test_cli_runner().invoke(
            args=["fieldwork", "export", *command, "--questionnaire", SURVEY.id, *chosen]
        )
        assert refused.exit_code != 0 and words in refused.output, refused.output
    assert batch_count(app) == 0


def test_cli_takes_a_version_as_load_prints_it(app: Flask, rows: dict[str, int]) -> None:
    with app.app_context():
        version = catalog.versions().current(db.session(), SURVEY.id)
        assert version is not None
    chosen = ["--questionnaire", SURVEY.id, "--version", version.content_hash[:12]]
    preview = app.test_cli_runner().invoke(args=["fieldwork", "export", "preview", *chosen])
    assert preview.exit_code == 0 and "included (approved) 4" in preview.output, preview.output


def test_quality_run_is_idempotent_and_audits_a_threshold_change(
    app: Flask, client: FlaskClient, rows: dict[str, int]
) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["fieldwork", "quality", "run", "--questionnaire", SURVEY.id])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["fieldwork", "quality", "run", "--questionnaire", SURVEY.id])
    assert again.exit_code == 0, again.output
    assert "flags changed on 0, status changed on 0" in again.output

    with app.app_context():
        session = db.session()
        current = catalog.versions().current(session, SURVEY.id)
        assert current is not None
        definition = json.loads(json.dumps(current.definition))
        definition["quality"] = {"speeder": {"min_seconds": 600}}  # the responses took 553 s
        stricter = build(definition)
        before = quality.rules_version(screening.settings(current))
        summary = screening.run(
            session,
            stricter,
            {current.content_hash: stricter},
            screening.Policy.from_config(app.config),
        )
        # Every online response took 553 s; no timing rule judges a paper response.
        assert summary.flags_changed == len([name for name in rows if name != "elderly-paper"])
        assert summary.rules_versions != (before,)
        # In id order: the audit log outlives each test, and PostgreSQL returns rows
        # in no particular order without one.
        thresholds = (
            session.execute(
                select(AuditEntry)
                .where(col(AuditEntry.action) == "thresholds")
                .order_by(col(AuditEntry.id))
            )
            .scalars()
            .all()
        )
        assert [(e.old, e.new) for e in thresholds][-1] == ([before], list(summary.rules_versions))
        stored = session.execute(select(Response)).scalars().all()
        codes = [(r.mode, {f["code"] for f in r.flags}) for r in stored]
        assert all("speeder" in found for mode, found in codes if mode == "online")
        on_paper = [
            found & {"speeder", "rules-not-applied"} for mode, found in codes if mode == "paper"
        ]
        assert on_paper == [{"rules-not-applied"}]
        # People's decisions stand; only automatic ones follow the new flags.
        assert response_row(app, rows["tricky"]).status == "approved"
    history = client.get(f"/staff/review/{rows['tricky']}").text.split("History", 1)[1]
    # The change in words: the audited action and the flag, not their codes.
    assert re.search(r">Flags</td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>Answered too fast", history)


def test_export_reads_every_row_in_chunks(
    app: Flask, client: FlaskClient, rows: dict[str, int]
) -> None:
    """Chunks smaller than the batch: every included and excluded response once, in order."""
    batch_id = freeze(client, f"questionnaire={SURVEY.id}")
    with app.app_context():
        session = db.session()
        included = [r.id for r in exports.included_responses(session, batch_id, chunk=2)]
        excluded = [r.response_id for r in exports.excluded_items(session, batch_id, chunk=2)]
    approved = ("tricky", "elderly-paper", "parents", "parents-2")
    assert included == sorted(rows[name] for name in approved)
    assert excluded == sorted(rows[name] for name in ("rejected", "pending", "held"))


def test_worker_processes_write_the_same_bytes(
    app: Flask,
    client: FlaskClient,
    rows: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    forks: list[bool],
) -> None:
    """A large batch's responses are read and made into cells by worker processes, a range
    of ids each: forced here on a small batch, in ranges of two, the files are the bytes
    one process writes."""
    batch_id = freeze(client, f"questionnaire={SURVEY.id}")
    monkeypatch.setattr(writer, "CHUNK", 2)
    written = {}
    for from_rows in (10**9, 0):
        monkeypatch.setattr(parallel, "FROM_ROWS", from_rows)
        with app.app_context():
            batch = db.session().get(Batch, batch_id)
            assert batch is not None
            target = files.write(db.session(), batch, tmp_path / f"from-{from_rows}")
        written[from_rows] = {p.name: p.read_bytes() for p in sorted(target.iterdir())}
    assert forks == [True]
    one, workers = written.values()
    assert one == workers
    assert len(csv_rows(one["data.csv"])) == 4


def test_a_failure_reading_the_ranges_ends_the_export_with_it(
    app: Flask,
    client: FlaskClient,
    rows: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    forks: list[bool],
) -> None:
    """The ranges are read while the workers run: an error there ends the export, which
    then leaves nothing behind, rather than leave it waiting for ranges that never come."""
    batch_id = freeze(client, f"questionnaire={SURVEY.id}")
    monkeypatch.setattr(writer, "CHUNK", 2)
    monkeypatch.setattr(parallel, "FROM_ROWS", 0)
    read = files._ranges

    def failing(engine: Any, batch_id: int) -> Iterator[tuple[int, int | None]]:
        yield next(read(engine, batch_id))
        raise OperationalError("SELECT response_id FROM batch_item", {}, OSError("disk I/O"))

    monkeypatch.setattr(files, "_ranges", failing)
    raised: list[BaseException] = []

    def export() -> None:
        with app.app_context():
            batch = db.session().get(Batch, batch_id)
            assert batch is not None
            try:
                files.write(db.session(), batch, tmp_path / "batch")
            except OperationalError as error:
                raised.append(error)

    assert ends_within(60, export), "the export hung"
    assert forks == [True]
    assert len(raised) == 1 and "disk I/O" in str(raised[0])
    assert list(tmp_path.iterdir()) == []
