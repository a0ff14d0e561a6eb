"""The server errors hostile input once caused (issue 14), each now a clear answer that
changes nothing; and an error handler that cannot fail, whose 500 says only what is true."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork import db
from fieldwork.audit.models import AuditEntry
from fieldwork.responses.models import Response
from fieldwork.review import service as review_service
from fieldwork.shadow.models import ShadowEvent, ShadowTest
from fieldwork.web import errors, pages
from fieldwork.web import survey as survey_pages
from tests.conftest import csrf_of, hidden_fields, walk_to_check
from tests.conftest import started as start
from tests.questionnaires.one_date import SURVEY as ONE_DATE
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import (
    add_response,
    fast_password_hashing,
    response_row,
    sign_in,
    staff,
)
from tests.shadow import conftest as shadow_fixtures

covert = shadow_fixtures.covert
people = shadow_fixtures.people
planned = shadow_fixtures.planned
"""The shadow tests' fixtures: a tester and a test planned for them."""

ENGLISH = {"Accept-Language": "en"}
SECURITY_HEADERS = ("X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options")


def has_security_headers(page: Any) -> bool:
    return all(page.headers.get(name) for name in SECURITY_HEADERS)


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session().execute(select(func.count()).select_from(model)).scalar_one())


# A date's year, on the question page and on submit


@pytest.mark.parametrize(
    ("year", "words"),
    [
        ("2147483648", "Enter the year as 4 digits"),
        ("-2026", "Enter the year as 4 digits"),
        ("1" + "0" * 100, "Enter the year as 4 digits"),
        ("1e100", "Enter the year as 4 digits"),
        ("٢٠٢٦", "Enter the year as 4 digits"),  # Arabic-Indic digits: int() reads them
        ("0000", "Enter the year as 4 digits"),
    ],
)
def test_a_hostile_year_is_named_on_the_page_and_on_submit(
    app: Flask, client: FlaskClient, year: str, words: str
) -> None:
    url = start(client, ONE_DATE)
    answer = {"CONTACT-year": year, "CONTACT-month": "11", "CONTACT-day": "5"}
    form = {"csrf_token": csrf_of(client.get(url).text), "action": "continue", **answer}
    page = client.post(url, data=form, headers=ENGLISH)
    assert page.status_code == 422 and words in page.text

    form = dict(hidden_fields(walk_to_check(client, survey=ONE_DATE)))
    form.update(answer)
    page = client.post(ONE_DATE.url("submit"), data=form, headers=ENGLISH)
    assert page.status_code == 422 and words in page.text
    assert count(app, Response) == 0


def test_a_year_in_full_width_digits_is_the_year_a_chinese_keyboard_meant(
    app: Flask, client: FlaskClient
) -> None:
    url = start(client, ONE_DATE)
    form = {
        "csrf_token": csrf_of(client.get(url).text),
        "action": "continue",
        "CONTACT-year": "２０２６",
        "CONTACT-month": "１１",
        "CONTACT-day": "５",
    }
    assert client.post(url, data=form).status_code == 303


def test_a_hostile_year_is_refused_in_the_respondents_language(client: FlaskClient) -> None:
    url = start(client, ONE_DATE)
    form = {
        "csrf_token": csrf_of(client.get(url).text),
        "action": "continue",
        "CONTACT-year": "2147483648",
        "CONTACT-month": "11",
        "CONTACT-day": "5",
    }
    page = client.post(url, data=form, headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 422
    assert '<html lang="zh-Hans"' in page.text and "Enter the year" not in page.text


def test_a_nul_in_a_year_is_refused_before_anything_reads_it(client: FlaskClient) -> None:
    url = start(client, ONE_DATE)
    form = {"csrf_token": csrf_of(client.get(url).text), "CONTACT-year": "20\x0026"}
    page = client.post(url, data=form, headers=ENGLISH)
    assert page.status_code == 400 and "cannot be stored" in page.text


# Headers that once broke the error handler, or the request before the app


@pytest.mark.parametrize("referer", ["http://[x", "http://[::1/x", "https://[", "http://a]b/"])
def test_a_malformed_referer_gets_the_apps_own_error_page(
    client: FlaskClient, referer: str
) -> None:
    page = client.get("/s/nope/", headers={"Referer": referer, **ENGLISH})
    assert page.status_code == 404
    assert "Page not found" in page.text and '<html lang="en"' in page.text
    assert has_security_headers(page)


@pytest.mark.parametrize(
    "host",
    ["a" * 64 + ".example", "a..b", "x" * 300, "."],
)
def test_a_host_no_name_can_be_gets_a_400_page_with_the_headers(
    client: FlaskClient, host: str
) -> None:
    page = client.get("/", headers={"Host": host})
    assert page.status_code == 400
    assert "<h1>" in page.text and has_security_headers(page)


@pytest.mark.parametrize(
    "host", ["", "ä" * 70 + ".example", "bücher.example", "例子.测试", "localhost:99999"]
)
def test_a_strange_but_readable_host_still_gets_its_page(client: FlaskClient, host: str) -> None:
    page = client.get("/", headers={"Host": host})
    assert page.status_code in (200, 400)
    assert has_security_headers(page)


# Where a settings link or a sign-in sends the browser back to


@pytest.mark.parametrize(
    "target", ["http://[x", "https://[::1/x", "/\\evil.example/", "/\t/evil.example/", "/a\nb"]
)
def test_a_malformed_or_off_site_next_goes_home(client: FlaskClient, target: str) -> None:
    """A target the URL parser raised on ("http://[x") was a 500, not the redirect."""
    moved = client.get("/settings/language/en", query_string={"next": target})
    assert moved.status_code == 303 and moved.headers["Location"] == "/"


def test_a_local_next_is_kept(client: FlaskClient) -> None:
    moved = client.get("/settings/display", query_string={"size": "large", "next": "/s/中/?a=1"})
    assert moved.status_code == 303 and moved.headers["Location"].endswith("/s/%E4%B8%AD/?a=1")


# The bulk review form's numbers


@pytest.fixture
def reviewer(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)
    staff(app, "chen")
    sign_in(client, "chen")


@pytest.mark.parametrize(
    "seen",
    [
        f"{2**63}:1",
        f"1:{2**63}",
        f"{-(2**63) - 1}:1",
        "1e400:1",
        "nan:nan",
        "²:1",  # str.isdigit() holds, int() refuses it
        f"{2**31}:{2**31}",
        "1:" + "9" * 5000,
    ],
)
def test_an_out_of_range_seen_in_the_bulk_form_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, reviewer: None, seen: str
) -> None:
    response_id = add_response(app)
    queue = client.get("/staff/review/", headers=ENGLISH).text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', queue))
    form = {**hidden, "seen": seen, "scope": "filter", "status": "approved", "reason": "valid"}
    before = count(app, AuditEntry)
    page = client.post("/staff/review/bulk", data=form, headers=ENGLISH)
    assert page.status_code == 400 and "damaged" in page.text
    assert count(app, AuditEntry) == before
    with app.app_context():
        assert db.session().get(Response, response_id).status == "pending"  # type: ignore[union-attr]


def test_a_decision_sent_with_an_edited_queue_filter_is_refused_and_saves_nothing(
    app: Flask, client: FlaskClient, people: None
) -> None:
    """The decision was saved, then the filter to go back to refused: a 400 that had
    changed the response."""
    response_id = add_response(app)
    sign_in(client, "reviewer.zhao")
    token = csrf_of(client.get(f"/staff/review/{response_id}").text)
    audited = count(app, AuditEntry)
    form = {"csrf_token": token, "status": "approved", "reason": "valid", "row_version": "1"}
    page = client.post(f"/staff/review/{response_id}?from=-1e16", data=form, headers=ENGLISH)
    assert page.status_code == 400 and "Back to the queue" in page.text
    assert response_row(app, response_id).status == "pending"
    assert count(app, AuditEntry) == audited


def test_a_bulk_decision_with_an_edited_queue_filter_is_refused_and_saves_nothing(
    app: Flask, client: FlaskClient, people: None
) -> None:
    response_id = add_response(app)
    sign_in(client, "reviewer.zhao")
    token = csrf_of(client.get("/staff/review/").text)
    audited = count(app, AuditEntry)
    form = {
        "csrf_token": token,
        "pick": f"{response_id}:1",
        "status": "approved",
        "reason": "valid",
        "filter-from": "-1e16",
    }
    page = client.post("/staff/review/bulk", data=form, headers=ENGLISH)
    assert page.status_code == 400 and "Back to the queue" in page.text
    assert response_row(app, response_id).status == "pending"
    assert count(app, AuditEntry) == audited


@pytest.mark.parametrize("picked", ["²:1", f"{2**63}:1", "٣:1"])
def test_a_strange_ticked_id_in_the_bulk_form_is_refused(
    app: Flask, client: FlaskClient, reviewer: None, picked: str
) -> None:
    add_response(app)
    queue = client.get("/staff/review/").text
    form = {"csrf_token": csrf_of(queue), "pick": picked, "status": "approved", "reason": "valid"}
    page = client.post("/staff/review/bulk", data=form, headers=ENGLISH)
    assert page.status_code == 400 and "damaged" in page.text


@pytest.mark.parametrize("saved", ["²", "٣", str(2**63)])
def test_a_strange_saved_number_in_the_queue_address_is_ignored(
    client: FlaskClient, reviewer: None, saved: str
) -> None:
    assert client.get(f"/staff/review/?saved={saved}").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/staff/review/{2**63}",
        f"/staff/entry/{2**63}/finish",
        f"/staff/shadow/tests/{2**63}/log",
        f"/staff/shadow/tests/{2**63}/checklist",
        f"/staff/batches/{2**63}",
    ],
)
def test_an_id_no_column_holds_in_a_path_is_not_found(
    client: FlaskClient, reviewer: None, path: str
) -> None:
    page = client.get(path, headers=ENGLISH)
    assert page.status_code == 404 and "Page not found" in page.text


# An error handler that cannot fail, and a 500 page that says what is true


def test_an_error_page_that_cannot_be_rendered_falls_back_to_the_fixed_page(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> str:
        raise RuntimeError("the template broke")

    monkeypatch.setattr(errors, "render_template", broken)
    page = client.get("/s/nope/")
    assert page.status_code == 404
    assert "<h1>Page not found</h1>" in page.text and has_security_headers(page)


def test_an_error_that_escapes_every_handler_gets_the_fixed_page_not_the_servers(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> tuple[str, int]:
        raise RuntimeError("the error handler broke")

    monkeypatch.setattr(errors, "render_error", broken)
    page = client.get("/s/nope/")
    assert page.status_code == 500
    assert "<h1>Server error</h1>" in page.text and has_security_headers(page)
    assert page.headers["Cache-Control"] == "no-store"


def failing(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("the database went away")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Your answers may not have been sent"),
        ("zh-CN", "您的回答可能没有发送成功"),
        ("zh-TW", "您的回答可能沒有送出"),
    ],
)
def test_a_failed_submit_does_not_claim_the_answers_are_saved(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    words: str,
) -> None:
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    monkeypatch.setattr(survey_pages.entry, "submit", failing)
    page = client.post(SURVEY.url("submit"), data=form, headers={"Accept-Language": language})
    assert page.status_code == 500
    assert words in page.text
    assert "saved" not in page.text.split("<main", 1)[-1] or language != "en"
    assert count(app, Response) == 0


def test_a_failed_page_says_earlier_pages_were_saved_and_this_ones_may_not_be(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = start(client, SURVEY)
    token = csrf_of(client.get(url).text)
    monkeypatch.setattr(pages, "find", failing)
    page = client.post(url, data={"csrf_token": token, "action": "continue"}, headers=ENGLISH)
    assert page.status_code == 500
    assert "the answers on this page may not have been" in page.text


def test_a_failed_page_view_claims_nothing_about_answers(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = start(client, SURVEY)
    monkeypatch.setattr(pages, "find", failing)
    page = client.get(url, headers=ENGLISH)
    assert page.status_code == 500
    assert "Try again later." in page.text and "saved" not in page.text


# The shadow logger's device times


@pytest.fixture
def logging_test(
    client: FlaskClient, session: Session, planned: Callable[..., ShadowTest]
) -> tuple[int, str]:
    test = planned()
    session.commit()
    assert test.id is not None
    sign_in(client, "tester.li")
    return test.id, csrf_of(client.get(f"/staff/shadow/tests/{test.id}/log").text)


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "0001-01-01T05:00:00+05:01"])
def test_a_device_time_before_the_first_utc_moment_is_refused_not_a_500(
    app: Flask, client: FlaskClient, logging_test: tuple[int, str], at: str
) -> None:
    """Stored as UTC it was year 0: an OverflowError."""
    test_id, token = logging_test
    sent = {"id": str(uuid.uuid4()), "sequence": 1, "code": "contacted", "at": at}
    page = client.post(
        f"/staff/shadow/tests/{test_id}/events",
        data=json.dumps({"events": [sent]}),
        content_type="application/json",
        headers={"X-CSRFToken": token, **ENGLISH},
    )
    assert page.status_code == 200
    assert page.json["refused"][0]["id"] == sent["id"] and page.json["stored"] == []
    assert count(app, ShadowEvent) == 0


def test_a_typed_time_before_the_first_utc_moment_is_refused_on_the_form(
    app: Flask, client: FlaskClient, logging_test: tuple[int, str]
) -> None:
    test_id, token = logging_test
    form = {"csrf_token": token, "event": "contacted", "year": "0001", "month": "1", "day": "1"}
    form |= {"hour": "0", "minute": "0"}
    page = client.post(f"/staff/shadow/tests/{test_id}/log/typed", data=form, headers=ENGLISH)
    assert page.status_code == 422 and 'class="error-summary"' in page.text
    assert count(app, ShadowEvent) == 0


def test_a_failed_staff_change_says_it_may_not_have_been_saved(
    app: Flask, client: FlaskClient, reviewer: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_response(app)
    queue = client.get("/staff/review/").text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', queue))
    monkeypatch.setattr(review_service, "decide_many", failing)
    form = {**hidden, "scope": "filter", "status": "approved", "reason": "valid"}
    page = client.post("/staff/review/bulk", data=form, headers=ENGLISH)
    assert page.status_code == 500
    assert "What you just sent may not have been saved" in page.text
