"""A large batch's files in a real browser: the progress page with and without JavaScript,
and its audit in every language.

The build is held at its start (`Gate`) so the page is seen while it runs; the batches are
larger than `EXPORT_INLINE_LIMIT`, as one of hundreds of thousands of responses would be.
"""

from __future__ import annotations

import errno
import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from fieldwork import db
from fieldwork.exports import files, jobs
from fieldwork.exports.models import Batch
from tests.browser.conftest import PHONE, TWO_PAGES, Checks, click_and_wait
from tests.review.factories import PASSWORD, add_response, fast_password_hashing, freeze_all, staff
from tests.web.test_batch_jobs import LIMIT, Gate, finish_builds
from tests.web.test_batches import ZIPPED

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _isolated(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Cheap password hashing; batches over LIMIT built in the background, into this test's
    own folder, and every build over by the end of the test."""
    fast_password_hashing(monkeypatch)
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(tmp_path / "instance"))
    monkeypatch.setitem(app.config, "EXPORT_INLINE_LIMIT", LIMIT)
    yield
    finish_builds(app)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    held = Gate()
    monkeypatch.setattr(files, "write", held)
    yield held
    held.opened.set()


@pytest.fixture
def batch_id(app: Flask) -> int:
    """A batch of four approved responses to the two-page test survey, frozen by the
    service (so no build started)."""
    user = staff(app, "chen")
    for segment in ("elderly", "elderly", "parents", "parents"):
        add_response(app, status="approved", segment=segment, survey=TWO_PAGES)
    return freeze_all(app, user, "2026 第四季度 wave 1", TWO_PAGES)


def sign_in(page: Page, lang: str = "en") -> None:
    page.goto(f"/settings/language/{lang}")
    page.goto("/staff/login")
    page.fill("#username", "chen")
    page.fill("#password", PASSWORD)
    click_and_wait(page, "main button[type=submit]")


def wait_until(app: Flask, batch_id: int, state: str, bom: bool = False) -> None:
    """Until the build reaches `state`, as the server sees it (without the page asking)."""
    with app.app_context():
        batch = db.session().get(Batch, batch_id)
        assert batch is not None
        deadline = time.monotonic() + 30
        while jobs.status(db.engine(), batch, app.config["EXPORTS_DIR"], bom=bom).state != state:
            assert time.monotonic() < deadline, f"the build never became {state}"
            time.sleep(0.05)


def zip_names(path: str | Path) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(Path(path).read_bytes())) as archive:
        return set(archive.namelist())


def test_reviewer_downloads_a_large_batch_through_the_progress_page(
    open_context: Any, batch_id: int, gate: Gate
) -> None:
    page = open_context(accept_downloads=True).new_page()
    sign_in(page)
    page.goto(f"/staff/batches/{batch_id}")
    click_and_wait(page, "main a[href$='/batch.zip']")
    assert page.url.endswith(f"/staff/batches/{batch_id}/progress")
    assert page.inner_text("#build-message") == "Getting ready to write the files."
    assert page.get_attribute("#build-message", "role") == "status"
    page.evaluate("() => { window.stayed = true; }")  # gone if the page reloads

    gate.opened.set()
    page.wait_for_selector("#build-detail a[href$='/batch.zip']", timeout=20_000)
    assert page.evaluate("() => window.stayed") is True  # updated in place
    assert page.inner_text("#build-message") == "The files are ready to download."
    assert page.locator("progress").count() == 0 and page.locator("text=Check again").count() == 0
    with page.expect_download() as info:
        page.click("#build-detail a[href$='/batch.zip']")
    assert zip_names(info.value.path()) == ZIPPED
    assert gate.calls == 1


def test_without_javascript_check_again_leads_to_the_files(
    app: Flask, open_context: Any, batch_id: int, gate: Gate
) -> None:
    page = open_context(accept_downloads=True, java_script_enabled=False).new_page()
    sign_in(page)
    page.goto(f"/staff/batches/{batch_id}")
    click_and_wait(page, "main a[href$='/batch.zip']")
    assert page.locator("meta[http-equiv='refresh']").count() == 0
    assert page.get_attribute("progress", "value") == "0"

    gate.opened.set()
    wait_until(app, batch_id, jobs.READY)
    click_and_wait(page, "text=Check again")
    assert page.inner_text("#build-message") == "The files are ready to download."
    with page.expect_download() as info:
        page.click("#build-detail a[href$='/batch.zip']")
    assert zip_names(info.value.path()) == ZIPPED


@pytest.mark.layout
@pytest.mark.parametrize(
    ("lang", "mode"),
    [("zh-Hans", "standard"), ("zh-Hant", "standard"), ("en", "standard"), ("zh-Hans", "large")],
)
def test_progress_page_passes_the_audit(
    app: Flask,
    open_context: Any,
    batch_id: int,
    gate: Gate,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    mode: str,
) -> None:
    large = mode == "large"
    page = open_context(**({"viewport": PHONE} if large else {})).new_page()
    checks = Checks(page, lang=lang)
    sign_in(page, lang)
    if large:
        page.goto("/settings/display?size=large&next=/")
        page.goto("/settings/display?contrast=on&next=/")
        checks.size, checks.contrast = "large", True

    page.goto(f"/staff/batches/{batch_id}/progress")
    checks.audit("progress, running")
    gate.opened.set()
    wait_until(app, batch_id, jobs.READY)
    page.goto(f"/staff/batches/{batch_id}/progress")
    checks.audit("progress, ready")
    title = page.title()

    def broken(*_args: Any, **_kwargs: Any) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "write", broken)
    page.goto(f"/staff/batches/{batch_id}/progress?bom=1")
    wait_until(app, batch_id, jobs.FAILED, bom=True)
    page.goto(f"/staff/batches/{batch_id}/progress?bom=1")
    assert page.title() != title and page.title().endswith(title)  # "Error: " in words
    checks.audit("progress, failed")
    checks.report()
