"""Storage a stranger can fill is bounded: starting stores nothing, a draft is stored by its
first answer, and new drafts per network are limited; a respondent notices none of it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlmodel import Session

from fieldwork import clock
from fieldwork.attempts.models import AttemptCount
from fieldwork.responses.models import Draft, Response
from fieldwork.responses.service import NEW_DRAFTS
from tests.conftest import csrf_of, hidden_fields, page_codes
from tests.questionnaires.two_pages import SURVEY

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def count(session: Session, table: type) -> int:
    session.rollback()  # a fresh read of what the requests committed
    return session.execute(select(func.count()).select_from(table)).scalar_one()


def stored_bytes(session: Session) -> int:
    """What the draft and attempt-count tables take: the whole file on SQLite."""
    session.rollback()
    if session.get_bind().dialect.name == "sqlite":
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        return pages * session.execute(text("PRAGMA page_size")).scalar_one()
    sizes = "SELECT pg_total_relation_size('draft') + pg_total_relation_size('attempt_count')"
    return session.execute(text(sizes)).scalar_one()


def start(client: FlaskClient, token: str) -> str:
    """Consent on the start page; the first page's address."""
    moved = client.post(SURVEY.url("start"), data={"csrf_token": token, "consent": "yes"})
    assert moved.status_code == 303, moved.text[:500]
    return moved.headers["Location"]


def first_page(client: FlaskClient, location: str, action: str = "continue") -> Any:
    """Answer the first page (AGE, KIDS, CHANNELS) completely."""
    page = client.get(location)
    form: dict[str, Any] = {"csrf_token": csrf_of(page.text), "action": action}
    for code in page_codes(page.text):
        form.update(SURVEY.complete[code])
    return client.post(location, data=form)


def from_address(app: Flask, address: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client, csrf_of(client.get(SURVEY.start).text)


def test_a_flood_of_starts_stores_nothing(app: Flask, session: Session) -> None:
    client, token = from_address(app, "198.51.100.7")
    start(client, token)
    before = stored_bytes(session)
    for _ in range(2000):
        start(client, token)
    assert count(session, Draft) == 0
    assert count(session, AttemptCount) == 0
    assert stored_bytes(session) - before <= 16 * 1024


def test_the_first_answer_stores_the_draft_with_its_start_time(
    app: Flask, session: Session
) -> None:
    client, token = from_address(app, "198.51.100.8")
    with clock.set_to(T0):
        location = start(client, token)
    assert count(session, Draft) == 0
    with clock.set_to(T0 + dt.timedelta(minutes=1)):
        page = client.get(location)  # read for four minutes
    with clock.set_to(T0 + dt.timedelta(minutes=5)):
        form = {"csrf_token": csrf_of(page.text), "action": "continue"}
        for code in page_codes(page.text):
            form.update(SURVEY.complete[code])
        assert client.post(location, data=form).status_code == 303
    draft = session.execute(select(Draft)).scalar_one()
    assert as_utc(draft.started_at) == T0
    assert as_utc(draft.updated_at) == T0 + dt.timedelta(minutes=5)
    assert draft.page_seconds == {location.rsplit("/", 1)[1]: 240.0}


def as_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_a_replayed_start_never_stores_a_second_draft(app: Flask, session: Session) -> None:
    client, token = from_address(app, "198.51.100.9")
    location = start(client, token)
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert first_page(client, location).status_code == 303
    client.set_cookie("session", cookie.value)  # the cookie from before the first answer
    assert first_page(client, location).status_code == 303
    assert count(session, Draft) == 1


def test_a_shared_network_starts_hundreds_and_a_flood_past_that_is_told_to_wait(
    app: Flask, session: Session
) -> None:
    client, token = from_address(app, "203.0.113.40")
    for _ in range(NEW_DRAFTS.free):
        assert first_page(client, start(client, token)).status_code == 303
    assert count(session, Draft) == NEW_DRAFTS.free == 300

    assert client.get("/settings/language/zh-Hant").status_code == 303
    location = start(client, token)
    refused = first_page(client, location)
    assert refused.status_code == 429
    assert '<html lang="zh-Hant"' in refused.text
    assert "請等待 60 分鐘" in refused.text and 'class="error-summary"' in refused.text
    assert 'value="age_35_59" checked' in refused.text  # what was typed is still there
    assert first_page(client, location, action="save").status_code == 429
    assert count(session, Draft) == NEW_DRAFTS.free

    other, other_token = from_address(app, "203.0.113.41")
    assert first_page(other, start(other, other_token)).status_code == 303
    with clock.set_to(clock.now() + NEW_DRAFTS.window + dt.timedelta(minutes=1)):
        assert first_page(client, location).status_code == 303  # the same start goes on
    assert count(session, Draft) == NEW_DRAFTS.free + 2


def test_a_respondent_starts_leaves_with_a_code_comes_back_and_submits(
    app: Flask, session: Session
) -> None:
    client, token = from_address(app, "192.0.2.10")
    link = SURVEY.url("?campaign=2026Q4&wave=3")
    token = csrf_of(client.get(link).text)
    with clock.set_to(T0):
        location = start(client, token)
    with clock.set_to(T0 + dt.timedelta(minutes=3)):
        second = first_page(client, location).headers["Location"]
        page = client.get(second)
    with clock.set_to(T0 + dt.timedelta(minutes=5)):
        form = {"csrf_token": csrf_of(page.text), "action": "save", **SURVEY.complete["CALLS"]}
        saved = client.post(second, data=form)
        code = re.search(r'id="resume-code">([\d ]+)<', client.get(saved.headers["Location"]).text)
    assert code

    later = T0 + dt.timedelta(days=2)
    other, _ = from_address(app, "192.0.2.99")
    with clock.set_to(later):
        resume_token = csrf_of(other.get("/resume").text)
        resumed = other.post("/resume", data={"csrf_token": resume_token, "code": code.group(1)})
        assert resumed.headers["Location"].endswith(second)
        page = other.get(second)
        assert 'value="2"' in page.text  # CALLS, as saved
        form = {"csrf_token": csrf_of(page.text), "action": "continue"}
        for question in page_codes(page.text):
            form.update(SURVEY.complete[question])
        assert other.post(second, data=form).headers["Location"].endswith("/check")
        check = other.get(SURVEY.url("check"))
        sent = other.post(SURVEY.url("submit"), data=dict(hidden_fields(check.text)))
    assert sent.status_code == 303
    response = session.execute(select(Response)).scalar_one()
    assert as_utc(response.started_at) == T0  # the start, not the first answer
    assert response.duration_seconds == (later - T0).total_seconds()
    assert (response.campaign, response.wave) == ("2026Q4", "3")
    assert session.execute(select(Draft.response_id)).scalar_one() == response.id
