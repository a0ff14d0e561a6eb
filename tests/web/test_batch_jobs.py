"""Large batches: files written in the background, a progress page, one build at a time.

`EXPORT_INLINE_LIMIT` is set below the test batches' size, so they take the path a batch
of hundreds of thousands of responses takes.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from fieldwork import db
from fieldwork.exports import files, jobs
from fieldwork.exports.models import Batch, ExportJob
from fieldwork.quality import as_utc
from tests.conftest import csrf_of
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import add_response, fast_password_hashing, sign_in, staff
from tests.web.test_batches import ZIPPED, download_all, freeze

LIMIT = 2
"""Batches of more responses than this are written in the background (the tests' have 4)."""


@pytest.fixture(autouse=True)
def exports_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Background builds of batches over LIMIT into this test's own folder, all finished and
    forgotten by the end of the test."""
    fast_password_hashing(monkeypatch)
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(tmp_path / "exports"))
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", LIMIT)
    yield tmp_path / "exports"
    finish_builds(app)


def finish_builds(app: Flask) -> None:
    """Wait for every background build to end, then forget their jobs."""
    for thread in threading.enumerate():
        if thread.name.startswith("export "):
            thread.join(timeout=30)
    with app.extensions["fieldwork.engine"].begin() as connection:
        connection.execute(delete(ExportJob))


@pytest.fixture
def reviewer(app: Flask, client: FlaskClient) -> int:
    user = staff(app, "reviewer.lin")
    sign_in(client, "reviewer.lin")
    client.get("/settings/language/en")
    return user


@pytest.fixture
def approved(app: Flask, reviewer: int) -> None:
    """Four approved responses to the two-page test survey in two segments, and one the
    cleaning log lists."""
    for segment in ("elderly", "elderly", "parents", "parents"):
        add_response(app, status="approved", segment=segment, survey=SURVEY)
    add_response(app, status="rejected", survey=SURVEY)


@pytest.fixture
def batch_id(
    app: Flask, client: FlaskClient, approved: None, monkeypatch: pytest.MonkeyPatch
) -> int:
    """A large batch whose files nobody has started to write (frozen under a higher limit)."""
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", 1000)
    frozen = freeze(client, f"questionnaire={SURVEY.id}")
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", LIMIT)
    return frozen


def page_of(batch_id: int, bom: bool = False) -> str:
    return f"/staff/batches/{batch_id}/progress" + ("?bom=1" if bom else "")


def wait_for(client: FlaskClient, batch_id: int, state: str, bom: bool = False) -> dict[str, Any]:
    """The status the page's script polls, once the build has reached `state`."""
    url = f"/staff/batches/{batch_id}/progress.json" + ("?bom=1" if bom else "")
    deadline = time.monotonic() + 30
    while True:
        found: dict[str, Any] = client.get(url).get_json()
        if found["state"] == state:
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.05)


def job_of(app: Flask, batch_id: int, bom: bool = False) -> ExportJob | None:
    with app.app_context():
        session = db.session()
        batch = session.get(Batch, batch_id)
        assert batch is not None
        folder = files.folder(app.config["EXPORTS_DIR"], batch, bom).name
        return session.execute(
            select(ExportJob).where(ExportJob.folder == folder)
        ).scalar_one_or_none()


def another_workers_job(
    app: Flask, batch_id: int, *, done: int, silent_for: dt.timedelta = dt.timedelta(0)
) -> None:
    """A build held by another process, as its last heartbeat left it."""
    with app.app_context():
        session = db.session()
        batch = session.get(Batch, batch_id)
        assert batch is not None
        beat = dt.datetime.now(dt.UTC) - silent_for
        session.add(
            ExportJob(
                folder=files.folder(app.config["EXPORTS_DIR"], batch, False).name,
                state=jobs.RUNNING,
                token="another-worker",
                done=done,
                total=batch.size,
                started_at=beat,
                heartbeat_at=beat,
            )
        )
        session.commit()


class Gate:
    """Stands in for `files.write`: counts the builds and holds them until opened."""

    def __init__(self) -> None:
        self.real = files.write
        self.calls = 0
        self.opened = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Path:
        self.calls += 1
        self.opened.wait(timeout=30)
        return self.real(*args, **kwargs)


# ---------------------------------------------------------------- which path


def test_a_small_batch_is_still_written_inside_the_request(
    app: Flask, client: FlaskClient, batch_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", 4)
    got = client.get(f"/staff/batches/{batch_id}/batch.zip")
    assert got.status_code == 200 and "attachment" in got.headers["Content-Disposition"]
    assert job_of(app, batch_id) is None


def test_freezing_a_large_batch_starts_writing_its_files(
    app: Flask, client: FlaskClient, approved: None
) -> None:
    batch_id = freeze(client, f"questionnaire={SURVEY.id}")
    assert job_of(app, batch_id) is not None  # before anyone asked for a file
    assert job_of(app, batch_id, bom=True) is None  # the variant for Excel, only on demand
    wait_for(client, batch_id, jobs.READY)
    got = client.get(f"/staff/batches/{batch_id}/data.csv")
    assert got.status_code == 200 and got.data.startswith(b"response_id,")


# ---------------------------------------------------------------- start and progress


def test_download_starts_one_build_and_leads_to_its_progress(
    app: Flask, client: FlaskClient, batch_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate()
    monkeypatch.setattr(files, "write", gate)
    moved = client.get(f"/staff/batches/{batch_id}/data.csv")
    assert moved.status_code == 303
    assert moved.headers["Location"] == page_of(batch_id)

    page = client.get(page_of(batch_id))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Getting ready to write the files." in page.text
    assert '<progress class="progress" id="build-progress" max="100" value="0">' in page.text
    assert f'href="{page_of(batch_id)}">Check again</a>' in page.text
    assert 'http-equiv="refresh"' not in page.text

    # A second click, a second user, a second worker process: still one build.
    assert client.get(f"/staff/batches/{batch_id}/batch.zip").status_code == 303
    other = app.test_client()
    staff(app, "reviewer.two")
    sign_in(other, "reviewer.two")
    assert other.get(f"/staff/batches/{batch_id}/data.csv").status_code == 303
    with app.app_context():
        batch = db.session().get(Batch, batch_id)
        assert batch is not None
        worker = db.make_engine(app.config["DATABASE_URL"])
        assert not jobs.start(worker, batch, app.config["EXPORTS_DIR"], bom=False)
        worker.dispose()
    deadline = time.monotonic() + 10
    while gate.calls == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gate.calls == 1

    gate.opened.set()
    assert wait_for(client, batch_id, jobs.READY) == {
        "state": "ready",
        "percent": 100,
        "message": "The files are ready to download.",
    }
    assert gate.calls == 1
    done = client.get(page_of(batch_id)).text
    assert f'href="/staff/batches/{batch_id}/batch.zip"' in done
    assert "Check again" not in done and "<progress" not in done
    got = client.get(f"/staff/batches/{batch_id}/data.csv")
    assert got.status_code == 200 and "attachment" in got.headers["Content-Disposition"]


def test_simultaneous_starts_from_many_processes_make_one_build(
    app: Flask, batch_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate()
    monkeypatch.setattr(files, "write", gate)
    with app.app_context():
        batch = db.session().get(Batch, batch_id)
    assert batch is not None
    workers = [db.make_engine(app.config["DATABASE_URL"]) for _ in range(6)]
    ready = threading.Barrier(len(workers))
    started: list[bool] = []

    def click(worker: Any) -> None:
        ready.wait()
        started.append(jobs.start(worker, batch, app.config["EXPORTS_DIR"], bom=False))

    clicks = [threading.Thread(target=click, args=(worker,)) for worker in workers]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    gate.opened.set()
    assert sorted(started) == [False] * (len(workers) - 1) + [True]
    finish_builds(app)
    for worker in workers:
        worker.dispose()
    assert gate.calls == 1


def test_progress_shows_the_stage_and_how_far_another_worker_got(
    app: Flask, client: FlaskClient, batch_id: int
) -> None:
    another_workers_job(app, batch_id, done=2)
    page = client.get(page_of(batch_id)).text
    assert "Writing the responses into the files." in page
    assert "2 of 4 responses written" in page
    assert 'max="100" value="45"' in page  # the responses are 90 % of the work
    assert client.get(f"/staff/batches/{batch_id}/progress.json").get_json() == {
        "state": "running",
        "percent": 45,
        "message": "Writing the responses into the files.",
        "count": "2 of 4 responses written",
    }
    show = client.get(f"/staff/batches/{batch_id}").text
    assert "The files are being written." in show and f'href="{page_of(batch_id)}"' in show
    assert client.get(f"/staff/batches/{batch_id}/data.csv").status_code == 303
    job = job_of(app, batch_id)
    assert job is not None and job.token == "another-worker"  # left to the worker holding it

    with app.extensions["fieldwork.engine"].begin() as connection:
        connection.execute(ExportJob.__table__.update().values(done=4))  # type: ignore[attr-defined]
    status = client.get(f"/staff/batches/{batch_id}/progress.json").get_json()
    assert status["message"] == "Packing the files into one zip file." and status["percent"] == 90


def test_a_live_build_beats_its_heart_with_its_count(
    app: Flask, client: FlaskClient, batch_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even while it reports no progress (packing the zip), a live build is never taken
    for dead: its heartbeat comes from a thread of its own."""
    real, opened = files.write, threading.Event()

    def slow(*args: Any, progress: Any, **kwargs: Any) -> Path:
        progress(3)
        opened.wait(timeout=30)
        return real(*args, progress=lambda _n: None, **kwargs)

    monkeypatch.setattr(files, "write", slow)
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.02)
    assert client.get(f"/staff/batches/{batch_id}/data.csv").status_code == 303
    deadline = time.monotonic() + 10
    while wait_for(client, batch_id, jobs.RUNNING)["count"] != "3 of 4 responses written":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    claimed = job_of(app, batch_id)
    assert claimed is not None
    long_ago = dt.datetime.now(dt.UTC) - jobs.STALE * 2
    with app.extensions["fieldwork.engine"].begin() as connection:
        table = ExportJob.__table__  # type: ignore[attr-defined]
        connection.execute(table.update().values(heartbeat_at=long_ago))
    time.sleep(0.2)  # ten beats
    assert wait_for(client, batch_id, jobs.RUNNING)["percent"] == 67
    job = job_of(app, batch_id)
    assert job is not None and job.token == claimed.token  # nobody took it over
    assert as_utc(job.heartbeat_at) > long_ago + jobs.STALE
    opened.set()
    wait_for(client, batch_id, jobs.READY)


def test_a_build_whose_process_died_is_taken_over(
    app: Flask, client: FlaskClient, batch_id: int
) -> None:
    another_workers_job(app, batch_id, done=1, silent_for=jobs.STALE + dt.timedelta(seconds=5))
    assert client.get(f"/staff/batches/{batch_id}/batch.zip").status_code == 303
    wait_for(client, batch_id, jobs.READY)
    job = job_of(app, batch_id)
    assert job is not None and job.token != "another-worker" and job.state == "done"
    assert client.get(f"/staff/batches/{batch_id}/batch.zip").status_code == 200


def test_a_build_deletes_what_killed_builds_left_behind(
    app: Flask, client: FlaskClient, batch_id: int
) -> None:
    with app.app_context():
        batch = db.session().get(Batch, batch_id)
        assert batch is not None
        target = files.folder(app.config["EXPORTS_DIR"], batch, False)
    target.parent.mkdir(parents=True)
    killed, live = target.parent / f".{target.name}-killed", target.parent / f".{target.name}-live"
    for work in (killed, live):
        work.mkdir()
        (work / "data.csv").write_text("response_id,\n")
    hours_ago = time.time() - 2 * jobs.LEFT_BEHIND.total_seconds()
    for path in (killed / "data.csv", killed):
        os.utime(path, (hours_ago, hours_ago))
    assert client.get(f"/staff/batches/{batch_id}/batch.zip").status_code == 303
    wait_for(client, batch_id, jobs.READY)
    assert not killed.exists()
    assert live.exists()  # perhaps `flask fieldwork export write`, still at work


# ---------------------------------------------------------------- failure and retry


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "the server has no disk space left"),
        (RuntimeError("a bug"), "because of an error on the server"),
    ],
)
def test_a_failed_build_says_why_and_can_be_tried_again(
    app: Flask,
    client: FlaskClient,
    batch_id: int,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    words: str,
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Path:
        raise error

    real = files.write
    monkeypatch.setattr(files, "write", broken)
    assert client.get(f"/staff/batches/{batch_id}/batch.zip").status_code == 303
    assert words in wait_for(client, batch_id, jobs.FAILED)["message"]
    page = client.get(page_of(batch_id)).text
    assert "<title>Error: Files of batch" in page and words in page
    assert f'<form method="post" action="{page_of(batch_id)}">' in page
    show = client.get(f"/staff/batches/{batch_id}").text
    assert "The files could not be written." in show

    # Looking again does not start it again: a failure waits for a person to retry.
    monkeypatch.setattr(files, "write", real)
    assert client.get(f"/staff/batches/{batch_id}/batch.zip").status_code == 303
    time.sleep(0.2)
    assert client.get(f"/staff/batches/{batch_id}/progress.json").get_json()["state"] == "failed"

    assert client.post(page_of(batch_id)).status_code == 400  # no CSRF token
    moved = client.post(page_of(batch_id), data={"csrf_token": csrf_of(page)})
    assert moved.status_code == 303 and moved.headers["Location"] == page_of(batch_id)
    wait_for(client, batch_id, jobs.READY)
    assert client.get(f"/staff/batches/{batch_id}/batch.zip").status_code == 200


def test_the_failure_is_worded_in_the_users_language(
    app: Flask, client: FlaskClient, batch_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "write", broken)
    wait_for(client, batch_id, jobs.FAILED)
    client.get("/settings/language/zh-Hans")
    page = client.get(page_of(batch_id)).text
    assert '<html lang="zh-Hans"' in page and "磁盘空间" in page and "重试" in page


# ---------------------------------------------------------------- nothing lost


@pytest.mark.parametrize("bom", [False, True])
def test_background_files_are_the_bytes_the_cli_writes(
    app: Flask,
    client: FlaskClient,
    batch_id: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bom: bool,
) -> None:
    moved = client.get(f"/staff/batches/{batch_id}/data.csv" + ("?bom=1" if bom else ""))
    assert moved.status_code == 303 and moved.headers["Location"] == page_of(batch_id, bom)
    wait_for(client, batch_id, jobs.READY, bom=bom)
    web = download_all(client, batch_id, bom=bom)
    assert set(web) == ZIPPED | {"batch.zip"}

    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(tmp_path / "cli"))  # written afresh
    out = tmp_path / "out"
    command = ["fieldwork", "export", "write", str(batch_id), str(out), *(["--bom"] if bom else [])]
    written = app.test_cli_runner().invoke(args=command)
    assert written.exit_code == 0, written.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == web


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "path",
    [
        "/staff/batches/99999/progress",
        "/staff/batches/99999/progress.json",
        "/staff/batches/99999999999999999999999/progress",
        "/staff/batches/99999999999999999999999/progress.json",
        "/staff/batches/abc/progress",
    ],
)
def test_progress_of_an_unknown_batch_is_not_found(
    client: FlaskClient, reviewer: int, path: str
) -> None:
    page = client.get(path)
    assert page.status_code == 404 and "<h1" in page.text


def test_retry_of_an_unknown_batch_is_not_found(client: FlaskClient, reviewer: int) -> None:
    token = csrf_of(client.get("/staff/login").text)
    moved = client.post("/staff/batches/99999/progress", data={"csrf_token": token})
    assert moved.status_code == 404


def test_unknown_file_of_a_large_batch_starts_nothing(
    app: Flask, client: FlaskClient, batch_id: int
) -> None:
    for name in ("secrets.txt", "data.CSV", "progress.html"):
        assert client.get(f"/staff/batches/{batch_id}/{name}").status_code == 404
    assert job_of(app, batch_id) is None


def test_other_roles_get_403(app: Flask, batch_id: int) -> None:
    outsider = app.test_client()
    staff(app, "field.wu", "fieldworker")
    sign_in(outsider, "field.wu")
    token = csrf_of(outsider.get("/staff/login").text)
    assert outsider.get(page_of(batch_id)).status_code == 403
    assert outsider.get(f"/staff/batches/{batch_id}/progress.json").status_code == 403
    assert outsider.post(page_of(batch_id), data={"csrf_token": token}).status_code == 403
    assert job_of(app, batch_id) is None
