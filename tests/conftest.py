"""Shared fixtures: one migrated database and one app per run, emptied between tests.

The database is SQLite in a temporary folder, or the PostgreSQL named by
FIELDWORK_TEST_DATABASE_URL (the CI runs the suite once each way). The app stores the
shipped questionnaires and the suite's own (tests/questionnaires/): most tests use the
latter, so rewording the shipped file breaks only the tests that check that file.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlmodel import Session
from werkzeug.serving import make_server

from fieldwork import create_app, db
from fieldwork.config import ROOT
from fieldwork.definitions import service as definitions
from fieldwork.definitions.reading import read_folder
from tests import questionnaires
from tests.questionnaires import Survey
from tests.questionnaires.two_pages import SURVEY as TWO_PAGES
from tests.shadow.plans import shadows

QID = "after_sales_consumer"  # the shipped questionnaire, for the tests marked `shipped`
# In dependency order. The audit log is append-only and never emptied; ids are never reused.
EMPTIED = (
    "draft",
    "batch_item",
    "batch",
    "export_job",
    "attempt_count",
    "paper_entry",
    "paper_sheet",
    "print_run",
    "shadow_evidence",
    "shadow_event",
    "shadow_test",
    "response",
    "staff_session",
    "staff_user",
)

# One complete set of answers to the shipped questionnaire, as form fields. For the tests
# that walk the shipped file on purpose; others answer a questionnaire of tests/questionnaires.
SHIPPED = Survey(
    QID,
    {
        "S1": {"S1": "age_35_44"},
        "S2": {"S2": "no"},
        "S3": {"S3": ["taobao_tmall", "jd"]},
        "S4": {"S4": "clothing"},
        "S5": {"S5": "in_app_chat"},
        "S6": {"S6": "jd"},
        "Q1": {"Q1-day": "3", "Q1-month": "9", "Q1-year": "2026"},
        "Q2": {"Q2": "bot_then_human"},
        "Q3": {"Q3-hours": "1", "Q3-minutes": "15"},
        "Q4": {"Q4": "yes_after_several"},
        "Q5": {"Q5": "3"},
        "Q6": {"Q6": ["sent_to_seller"]},
        "Q7": {"Q7": "4"},
        "Q8": {"Q8": "3"},
        "Q9": {"Q9": "_dont_know"},
        "Q10": {"Q10": "5"},
        "Q11": {"Q11": "4"},
        "Q12": {"Q12": "2"},
        "Q13": {"Q13": "3"},
        "Q14": {"Q14": "4"},
        "Q15": {"Q15": "7"},
        "O1": {"O1": "退货更快一点"},
        "O2": {"O2": "客服一直让我找商家。\n最后解决了。"},
    },
)


def test_database_url(tmp: Path) -> str:
    return os.environ.get("FIELDWORK_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'test.db'}"


def reset_schema(url: str) -> None:
    """Start from an empty database so migrations are tested from scratch."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("fieldwork")
    url = test_database_url(tmp)
    reset_schema(url)
    db.upgrade(url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "IP_HASH_KEY": "test-ip-key",
            "DATABASE_URL": url,
            "EXPORTS_DIR": str(tmp / "exports"),
            "EVIDENCE_DIR": str(tmp / "evidence"),
        }
    )
    with app.app_context():
        for catalog in (read_folder(ROOT / "questionnaires"), questionnaires.read(), shadows()):
            assert not catalog.problems, catalog.problems
            definitions.store(db.session(), catalog.stored())
    yield app
    db_engine = app.extensions["fieldwork.engine"]
    db_engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" in request.fixturenames:
        app: Flask = request.getfixturevalue("app")
        with app.extensions["fieldwork.engine"].begin() as connection:
            for table in EMPTIED:
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (fixed names)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A database session of the test's own, beside the app's (which is per request)."""
    with Session(app.extensions["fieldwork.engine"]) as own:
        yield own


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP by a threaded server; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def page_codes(html: str) -> list[str]:
    """Question codes asked on a page, in order."""
    return list(dict.fromkeys(re.findall(r'id="([A-Z][A-Za-z0-9_]*)-group"', html)))


def started(client: FlaskClient, survey: Survey, start_url: str | None = None) -> str:
    """Open the start page (or an invitation link to it) and consent; returns the first
    question page's URL."""
    page = client.get(start_url or survey.start)
    assert page.status_code == 200
    response = client.post(
        survey.url("start"), data={"csrf_token": csrf_of(page.text), "consent": "yes"}
    )
    assert response.status_code == 303, response.text[:2000]
    return response.headers["Location"]


def walk_to_check(
    client: FlaskClient,
    start_url: str | None = None,
    answers: Any = None,
    *,
    survey: Survey = TWO_PAGES,
) -> str:
    """Start the survey (the two-page one unless told) and answer every page, by default
    with its complete answers; returns the check page's HTML."""
    answers = answers or survey.complete
    location = started(client, survey, start_url)
    for _ in range(40):
        if location.endswith("/check"):
            break
        page = client.get(location)
        assert page.status_code == 200, location
        form: dict[str, Any] = {"csrf_token": csrf_of(page.text), "action": "continue"}
        for code in page_codes(page.text):
            form.update(answers.get(code, {}))
        response = client.post(location, data=form)
        assert response.status_code == 303, (location, response.text[:2000])
        location = response.headers["Location"]
    check = client.get(location)
    assert check.status_code == 200
    return check.text


def hidden_fields(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Work handed to worker processes, one entry per job; workers allowed from any size
    and whatever threads the suite left running."""
    from fieldwork import parallel

    handed: list[bool] = []
    in_workers = parallel.in_workers

    def counted(*args: Any) -> Any:
        handed.append(True)
        return in_workers(*args)

    monkeypatch.setattr(parallel, "in_workers", counted)
    monkeypatch.setattr(parallel, "WORKERS", 2)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    return handed


def ends_within(seconds: float, job: Callable[[], None]) -> bool:
    """Run `job` in a thread of its own; whether it ended in time. A job that hangs then
    fails its test instead of stopping the suite."""
    runner = threading.Thread(target=job, daemon=True)
    runner.start()
    runner.join(seconds)
    return not runner.is_alive()
