"""Batches frozen before a migration export the same files after it, and after every later one.

`frozen_before_0009/` holds a database at revision 0008, as rows, and the files
that the code of that time (commit 3a0c74c) exported for its batches; see
`make_frozen_fixture.py`, which made them. Here the rows go into a new database
at that revision, every migration since runs, and today's code exports the
batches again through `files.files_of`, as `flask fieldwork export write` does:
`same_export` says how the files may differ (only where a library's version
recorded in the manifest changed, and then not in what they hold). Batch 1 holds
online responses only (filtered by mode, segment and days in Asia/Shanghai), batch 2
every mode and the excluded responses of every status; batch 2 is stored with and
without a byte order mark.

The test runs on SQLite, and on PostgreSQL too when FIELDWORK_TEST_DATABASE_URL
names a server: in a database of its own, created there and dropped after, so the
suite's database is never touched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from openpyxl import load_workbook
from sqlalchemy import DateTime, MetaData, create_engine, make_url, select, text
from sqlmodel import Session

from fieldwork import db
from fieldwork.definitions.service import Versions
from fieldwork.exports import files
from fieldwork.exports.models import Batch
from fieldwork.quality import RULES
from fieldwork.responses.models import Response
from fieldwork.review import screening
from tests.exports.same_export import differences

FIXTURE = Path(__file__).resolve().parent / "frozen_before_0009"


def fixture() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURE / "database.json").read_text("utf-8"))
    return document


FOLDERS = [entry["folder"] for entry in fixture()["exports"]]


SERVER = os.environ.get("FIELDWORK_TEST_DATABASE_URL", "")
# PostgreSQL only where the suite runs on it: a run on SQLite has no server to ask for.
DATABASES = ["sqlite", *(["postgresql"] if SERVER.startswith("postgresql") else [])]


@pytest.fixture(scope="module", params=DATABASES)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('frozen') / 'frozen.db'}"
        return
    yield from own_database(SERVER)


def own_database(server: str) -> Iterator[str]:
    """A new database on the server of `server`, dropped afterwards: never the suite's own,
    which other tests share."""
    url = make_url(server)
    name = f"fw_frozen_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def load(url: str, document: dict[str, Any]) -> None:
    """The fixture's rows into a new database at the fixture's revision."""
    command.upgrade(db.alembic_config(url), document["revision"])
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    unknown = set(document["tables"]) - set(metadata.tables)
    assert not unknown, f"tables of the fixture missing at {document['revision']}: {unknown}"
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            rows = document["tables"].get(table.name)
            if not rows:
                continue
            times = [c.name for c in table.columns if isinstance(c.type, DateTime)]
            connection.execute(table.insert(), [typed(row, times) for row in rows])
            if engine.dialect.name == "postgresql" and "id" in table.c:
                # Rows came with their ids: the next insert must not reuse one.
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :last)"),
                    {"last": max(row["id"] for row in rows)},
                )
    engine.dispose()


def typed(row: dict[str, Any], times: list[str]) -> dict[str, Any]:
    return {
        key: dt.datetime.fromisoformat(value) if key in times and value else value
        for key, value in row.items()
    }


@pytest.fixture(scope="module")
def exported(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """{stored folder name: the folder today's code wrote for the same batch and BOM}, after
    every migration."""
    document = fixture()
    load(database_url, document)
    command.upgrade(db.alembic_config(database_url), "head")
    exports_dir = tmp_path_factory.mktemp("exports")
    engine = db.make_engine(database_url)
    written = {}
    try:
        with Session(engine) as session:
            for entry in document["exports"]:
                batch = session.get(Batch, entry["batch"])
                assert batch is not None, f"batch {entry['batch']} is gone"
                paths = files.files_of(session, batch, exports_dir, bom=entry["bom"])
                written[entry["folder"]] = paths[files.ZIP_NAME].parent
    finally:
        engine.dispose()
    return written


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_batch_frozen_before_exports_the_same_files(
    exported: dict[str, Path], folder: str
) -> None:
    found = differences(FIXTURE / folder, exported[folder])
    made_by = fixture()["commit"][:12]
    assert not found, f"{folder} as exported now differs from {made_by}'s:\n" + "\n".join(found)


# The comparison itself: it must see a change, and only where the rules above say.


@pytest.fixture
def stored_copy(tmp_path: Path) -> Path:
    """A copy of a stored export to alter; the stored one stands for today's export."""
    return Path(shutil.copytree(FIXTURE / "batch-2", tmp_path / "batch-2"))


def test_one_csv_byte_changed_is_reported_with_its_cell(stored_copy: Path) -> None:
    data = (stored_copy / "data.csv").read_bytes()
    at = data.index(b"'=1+1")  # the formula guard's quote
    (stored_copy / "data.csv").write_bytes(data[: at + 2] + b"2" + data[at + 3 :])
    assert differences(stored_copy, FIXTURE / "batch-2") == [
        "data.csv: the bytes differ",
        'data.csv: line 4, column O1 (response 3): stored "\'=2+1", now "\'=1+1"',
    ]


def test_a_parquet_file_written_by_the_same_pyarrow_must_keep_its_bytes(
    stored_copy: Path,
) -> None:
    data = bytearray((stored_copy / "data.parquet").read_bytes())
    data[-12] ^= 1  # in the footer's metadata
    (stored_copy / "data.parquet").write_bytes(bytes(data))
    found = differences(stored_copy, FIXTURE / "batch-2")
    assert found[0].startswith("data.parquet: the bytes differ, though pyarrow ")
    assert all(line.startswith("data.parquet: ") for line in found)


def _recorded(folder: Path, library: str, version: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_bytes())
    manifest["software"][library] = version
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def test_other_library_versions_change_no_verdict_while_values_stay(stored_copy: Path) -> None:
    for library in ("pyarrow", "openpyxl"):
        _recorded(stored_copy, library, "0.0.1")
    assert differences(stored_copy, FIXTURE / "batch-2") == []


def test_a_changed_cell_of_another_xlsx_library_version_is_reported(stored_copy: Path) -> None:
    _recorded(stored_copy, "openpyxl", "0.0.1")
    workbook = load_workbook(stored_copy / "data.xlsx")
    workbook["data"]["A2"] = 999
    workbook.save(stored_copy / "data.xlsx")
    assert differences(stored_copy, FIXTURE / "batch-2") == [
        "data.xlsx: data!A2: stored 999, now 1"
    ]


def test_a_manifest_field_and_a_missing_file_are_named(stored_copy: Path) -> None:
    manifest = json.loads((stored_copy / "manifest.json").read_bytes())
    manifest["batch"]["name"] = "renamed"
    (stored_copy / "manifest.json").write_bytes(json.dumps(manifest).encode())
    (stored_copy / "cleaning_log.csv").unlink()
    found = differences(stored_copy, FIXTURE / "batch-2")
    assert found[0] == "cleaning_log.csv: written now, not stored"
    assert "manifest.json: batch.name: stored 'renamed', now '全部答卷" in "\n".join(found)


# What stored responses were judged to be stays, once upgraded.


REJUDGED = frozenset(
    {"speeder", "impossible-paradata", "not-walked", "straight-lining", "answer-pattern"}
    | {"open-mash", "open-same-text", "open-empty"}
)
"""Rules whose judgement changed since the fixture was frozen (rules LOGIC_VERSION 2): what
they find may differ; every other rule must find what it found before."""


def test_the_quality_run_after_the_upgrade_changes_only_what_changed_rules_find(
    exported: dict[str, Path], database_url: str
) -> None:
    """Rules now know their modes, and some judge differently. An online response keeps
    every flag of the other rules; a paper or shadow response gains the note naming the
    rules its mode has no data for, and loses only flags of those rules. Every response
    then carries the current rules version."""
    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            before = _judged(session)
            versions = Versions()
            current = versions.current(session, "after_sales_consumer")
            assert current is not None
            stored = {
                v.content_hash: versions.by_hash(session, v.content_hash)
                for v in versions.of(session, current.id)
            }
            screening.run(
                session, current, {h: q for h, q in stored.items() if q}, screening.Policy()
            )
            after = _judged(session)
    finally:
        engine.dispose()

    def kept(flags: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [f for f in flags if f["code"] not in REJUDGED]

    online = [i for i, (mode, *_) in before.items() if mode == "online"]
    assert online
    assert {i: kept(after[i][1]) for i in online} == {i: kept(before[i][1]) for i in online}
    assert {after[i][3] for i in before} == {screening.rules_version(current)}
    for i in set(before) - set(online):
        mode, codes, _status, _version = after[i]
        skipped = {f["code"] for f in kept(before[i][1])} - {f["code"] for f in codes}
        assert "rules-not-applied" in {f["code"] for f in codes}, (i, mode)
        assert all(mode not in RULES[code].modes for code in skipped), (i, skipped)


def _judged(session: Session) -> dict[int, tuple[str, list[dict[str, Any]], str, str | None]]:
    rows = session.execute(
        select(Response.id, Response.mode, Response.flags, Response.status, Response.rules_version)
    )
    return {row.id: (row.mode, row.flags, row.status, row.rules_version) for row in rows}
