"""A response is stored exactly once, whatever the client does twice.

The races are real: threads post at the same moment to the app served over
HTTP, on the suite's database (a SQLite file in WAL mode, or PostgreSQL).
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from fieldwork import db
from fieldwork.responses.models import Response
from tests.conftest import csrf_of, hidden_fields, walk_to_check
from tests.questionnaires.two_pages import SURVEY


def count(app: Flask, submission_id: str | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(Response)
        if submission_id:
            query = query.where(Response.submission_id == submission_id)
        return int(db.session().execute(query).scalar_one())


def test_database_is_sqlite_wal_or_postgres(app: Flask) -> None:
    with app.app_context():
        engine = db.engine()
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            assert mode == "wal"
        else:
            assert engine.dialect.name == "postgresql"


def test_double_click_and_refresh_store_one(app: Flask, client: FlaskClient) -> None:
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    first = client.post(SURVEY.url("submit"), data=form)
    again = client.post(SURVEY.url("submit"), data=form)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert count(app) == 1
    # Nothing but the headers: a body would cost the server a second write per submission.
    assert first.data == b"" and first.headers["Content-Length"] == "0"


def test_same_id_with_other_answers_is_refused(app: Flask, client: FlaskClient) -> None:
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    assert client.post(SURVEY.url("submit"), data=form).status_code == 303
    form["SCORE"] = "1" if form["SCORE"] != "1" else "2"
    refused = client.post(SURVEY.url("submit"), data=form)
    assert refused.status_code == 409
    assert "<h1" in refused.text
    assert count(app) == 1
    with app.app_context():
        row = db.session().execute(select(Response)).scalar_one()
        assert row.answers["SCORE"] != int(form["SCORE"])


def _concurrent_posts(
    base: str, form: dict[str, str], cookies: requests.cookies.RequestsCookieJar, n: int
) -> list[requests.Response]:
    barrier = threading.Barrier(n)

    def post(_: int) -> requests.Response:
        with requests.Session() as http:
            http.cookies.update(cookies)
            barrier.wait()
            return http.post(
                base + SURVEY.url("submit"), data=form, allow_redirects=False, timeout=60
            )

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(post, range(n)))


def _fresh_form(base: str) -> tuple[dict[str, str], requests.cookies.RequestsCookieJar]:
    """A complete submission form with a new client-made UUID, and the session that may post it."""
    with requests.Session() as http:
        start = http.get(base + SURVEY.start, timeout=30)
        token = csrf_of(start.text)
        form = dict(SURVEY.fields())
        form.update({"csrf_token": token, "submission_id": str(uuid.uuid4())})
        return form, http.cookies


def test_concurrent_identical_posts_store_one(app: Flask, live_server: str) -> None:
    form, cookies = _fresh_form(live_server)
    results = _concurrent_posts(live_server, form, cookies, n=12)
    assert {r.status_code for r in results} == {303}
    assert len({r.headers["Location"] for r in results}) == 1
    assert count(app, form["submission_id"]) == 1
    assert count(app) == 1


def test_concurrent_conflicting_posts_store_one_and_refuse_the_rest(
    app: Flask, live_server: str
) -> None:
    form, cookies = _fresh_form(live_server)
    other = dict(form, SCORE="1")
    barrier = threading.Barrier(8)

    def post(i: int) -> int:
        with requests.Session() as http:
            http.cookies.update(cookies)
            barrier.wait()
            data = form if i % 2 else other
            return http.post(
                live_server + SURVEY.url("submit"), data=data, allow_redirects=False, timeout=60
            ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(8)))
    assert sorted(set(statuses)) == [303, 409]
    assert statuses.count(303) == 4 and statuses.count(409) == 4
    assert count(app) == 1


def test_a_form_posted_whole_without_walking_its_pages_is_kept_for_a_reviewer(
    app: Flask, client: FlaskClient
) -> None:
    """A script that fetches a token and posts every answer straight to submit loses
    nothing, but it cannot pass for a respondent: no page was timed, no page saw its answers."""
    walked = MultiDict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    assert client.post(SURVEY.url("submit"), data=walked).status_code == 303
    script = app.test_client()
    script.environ_base["REMOTE_ADDR"] = "198.51.100.7"  # not the walker's address
    posted = walked.copy()
    posted["csrf_token"] = csrf_of(script.get(SURVEY.start).text)
    posted["submission_id"] = str(uuid.uuid4())
    assert script.post(SURVEY.url("submit"), data=posted).status_code == 303
    with app.app_context():
        rows = db.session().execute(select(Response).order_by(Response.id)).scalars().all()
        flagged = [[f["code"] for f in r.flags] for r in rows]
    assert "not-walked" not in flagged[0]
    assert (rows[1].status, flagged[1]) == ("pending", ["not-walked"])
