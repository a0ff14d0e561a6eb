"""Private by default: owner-only files whatever the umask, no-store on every page that
shows someone's data, the CSP and HSTS, and the one proxy hop trusted for addresses."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from fieldwork import config, create_app, db
from fieldwork.web import CACHEABLE
from tests.conftest import hidden_fields, walk_to_check
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import add_response, fast_password_hashing, sign_in, staff
from tests.web.test_batches import download_all, freeze
from tests.web.test_drafts_and_segments import ip_hashes

SETTINGS = ("TESTING", "SECRET_KEY", "IP_HASH_KEY", "DATABASE_URL")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual default umask, under which files come out readable by everyone."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def app_on(tmp_path: Path, **given: Any) -> Flask:
    """An app of its own, on a SQLite file and folders under `tmp_path` not yet made."""
    data = tmp_path / "data"
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "IP_HASH_KEY": "y",
            "DATABASE_URL": f"sqlite:///{data / 'db' / 'fieldwork.db'}",
            "EXPORTS_DIR": str(data / "exports"),
            "PAPER_FONTS_DIR": str(data / "fonts"),
            "EVIDENCE_DIR": str(data / "evidence"),
            **given,
        }
    )


# ------------------------------------------------------------------------------- files


@pytest.mark.usefixtures("umask_022")
def test_a_new_sqlite_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    app = app_on(tmp_path)
    database = tmp_path / "data" / "db" / "fieldwork.db"
    try:
        with app.app_context(), db.engine().connect() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            connection.commit()
            files = [Path(f"{database}{end}") for end in ("", "-wal", "-shm")]
            assert all(f.exists() for f in files)  # WAL mode keeps all three while open
            assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(database.parent) == 0o700  # the folder made for it
    finally:
        app.extensions["fieldwork.engine"].dispose()


@pytest.mark.usefixtures("umask_022")
def test_migrating_first_still_makes_the_database_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "fresh" / "fieldwork.db"
    db.upgrade(f"sqlite:///{database}")
    assert mode(database) == 0o600 and mode(database.parent) == 0o700


def test_a_world_readable_database_is_tightened_at_start_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "data" / "db" / "fieldwork.db"
    database.parent.mkdir(parents=True)
    sqlite3.connect(database).close()
    database.chmod(0o644)  # as versions before this one created it
    with caplog.at_level(logging.WARNING, logger="fieldwork.private"):
        app = app_on(tmp_path)
    app.extensions["fieldwork.engine"].dispose()
    assert mode(database) == 0o600
    assert f"{database} was readable by others (mode 644): now 600" in caplog.text


def test_folders_left_readable_by_an_older_version_are_tightened_at_start(tmp_path: Path) -> None:
    exports = tmp_path / "data" / "exports"
    (exports / "batch-1-abc").mkdir(parents=True, mode=0o755)
    exports.chmod(0o755)
    app_on(tmp_path).extensions["fieldwork.engine"].dispose()
    assert mode(exports) == 0o700  # its old batch files are out of others' reach with it


@pytest.mark.usefixtures("umask_022")
def test_instance_secrets_and_their_folder_are_owner_only(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    key = config.instance_secret(instance, "secret_key")
    assert len(key) == 64
    assert mode(instance) == 0o700 and mode(instance / "secret_key") == 0o600


@pytest.mark.usefixtures("umask_022")
def test_batch_files_and_their_folders_are_owner_only(
    app: Flask, client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_password_hashing(monkeypatch)
    exports = tmp_path / "new" / "exports"
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(exports))
    staff(app, "reviewer.chen")
    sign_in(client, "reviewer.chen")
    add_response(app, status="approved")
    downloaded = download_all(client, freeze(client, f"questionnaire={SURVEY.id}"))
    written = sorted(exports.rglob("*"))
    assert {p.name for p in written if p.is_file()} == set(downloaded)
    assert {p.name: mode(p) for p in written} == {
        p.name: 0o700 if p.is_dir() else 0o600 for p in written
    }
    assert mode(exports) == mode(exports.parent) == 0o700


@pytest.mark.usefixtures("umask_022")
def test_the_paper_font_cache_and_evidence_folders_are_owner_only(tmp_path: Path) -> None:
    from fieldwork.paper import fonts
    from fieldwork.shadow import evidence

    fonts._write_whole(tmp_path / "cache" / "fonts" / "a.otf", b"font")
    assert mode(tmp_path / "cache") == mode(tmp_path / "cache" / "fonts") == 0o700
    assert mode(tmp_path / "cache" / "fonts" / "a.otf") == 0o600

    class Row:
        stored_name = "r4nd0m"

    class Session:  # the row's insert is not what is tested here
        def add(self, row: object) -> None: ...
        def commit(self) -> None: ...
        def refresh(self, row: object) -> None: ...

    folder = tmp_path / "store" / "evidence"
    evidence._store(Session(), Row(), b"png", folder)  # type: ignore[arg-type]
    assert mode(tmp_path / "store") == mode(folder) == 0o700
    assert [mode(p) for p in folder.iterdir()] == [0o600]


# ----------------------------------------------------------------------------- headers


def test_every_page_and_answer_but_the_apps_own_code_is_no_store(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every GET route, as an admin (found pages and, for made-up numbers, not found
    ones): a page kept by a shared computer's browser or a cache between would show the
    next person someone's answers or staff data."""
    fast_password_hashing(monkeypatch)
    staff(app, "admin.wang", "admin")
    sign_in(client, "admin.wang")
    found = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in CACHEABLE:
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        sent = client.get(url)
        assert sent.status_code < 500, url
        assert sent.headers.get("Cache-Control") == "no-store", (url, sent.status_code)
        if sent.status_code == 200:
            found.add(rule.endpoint)
    assert found >= {  # real pages among them, not only refusals
        "staff.overview",
        "review.queue",
        "batches.index",
        "paper.index",
        "paper.keyer_statistics_file",  # a download
        "entry.index",
        "reconcile.index",
        "shadow_plans.index",
        "shadow_plans.plan",
    }


def test_a_respondents_pages_and_the_check_page_are_no_store(client: FlaskClient) -> None:
    pages = []
    original = client.open

    def recording(*args: Any, **kwargs: Any) -> Any:
        sent = original(*args, **kwargs)
        pages.append((sent.request.path, sent.headers.get("Cache-Control")))
        return sent

    client.open = recording  # type: ignore[method-assign]
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    done = client.post(SURVEY.url("submit"), data=form, follow_redirects=True)
    assert done.status_code == 200
    assert any(path.endswith("/check") for path, _ in pages)
    assert any("/done/" in path for path, _ in pages)
    assert [p for p in pages if p[1] != "no-store"] == []


def test_a_batch_download_is_no_store(
    app: Flask, client: FlaskClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_password_hashing(monkeypatch)
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(tmp_path / "exports"))
    staff(app, "reviewer.chen")
    sign_in(client, "reviewer.chen")
    add_response(app, status="approved")
    batch = freeze(client, f"questionnaire={SURVEY.id}")
    sent = client.get(f"/staff/batches/{batch}/batch.zip")
    assert sent.status_code == 200 and sent.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(client: FlaskClient) -> None:
    sent = client.get("/static/css/fieldwork.css")
    assert sent.status_code == 200 and "no-store" not in sent.headers.get("Cache-Control", "")


def test_the_csp_limits_forms_base_and_framing(client: FlaskClient) -> None:
    policy = client.get(SURVEY.start).headers["Content-Security-Policy"]
    directives = {d.strip() for d in policy.split(";")}
    assert {
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    } == directives


HSTS = "max-age=31536000; includeSubDomains"


def test_hsts_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get(SURVEY.start).headers
    secure = client.get(SURVEY.start, base_url="https://survey.example")
    assert secure.headers["Strict-Transport-Security"] == HSTS


def test_a_forwarded_proto_counts_only_from_a_declared_proxy(app: Flask) -> None:
    https = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" not in app.test_client().get("/", headers=https).headers
    proxied = create_app({**{k: app.config[k] for k in SETTINGS}, "PROXIES": "1"})
    try:
        client = proxied.test_client()
        assert client.get("/", headers=https).headers["Strict-Transport-Security"] == HSTS
        plain = client.get("/", headers={"X-Forwarded-Proto": "http"})
        assert "Strict-Transport-Security" not in plain.headers
    finally:
        proxied.extensions["fieldwork.engine"].dispose()


# ------------------------------------------------------------------------------- proxy


def test_with_one_proxy_the_address_is_the_one_the_proxy_set(app: Flask) -> None:
    """The proxy appends (or overwrites with) the address it saw last; whatever a client
    put before it is its own claim, and must not move the address used for duplicates
    and sign-in limits."""
    proxied = create_app({**{k: app.config[k] for k in SETTINGS}, "PROXIES": "1"})
    try:
        (real,) = ip_hashes(proxied, ["203.0.113.9"])
        assert ip_hashes(proxied, ["6.6.6.6, 203.0.113.9", "1.1.1.1, 6.6.6.6, 203.0.113.9"]) == {
            real
        }
        assert ip_hashes(proxied, ["6.6.6.6"]) != {real}
    finally:
        proxied.extensions["fieldwork.engine"].dispose()
