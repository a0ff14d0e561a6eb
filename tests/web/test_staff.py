"""Staff accounts: argon2id hashes, sign-in and sign-out for good, CSRF, the overview."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fieldwork import db
from fieldwork.accounts import service as accounts
from fieldwork.accounts.models import StaffUser
from tests.conftest import csrf_of, hidden_fields, walk_to_check
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import DAY, add_response

PASSWORD = "correct horse battery"


def make_user(app: Flask, role: str = "reviewer") -> None:
    with app.app_context():
        accounts.create_user(db.session(), "li.na", PASSWORD, role)


def sign_in(client: FlaskClient, password: str = PASSWORD) -> int:
    token = csrf_of(client.get("/staff/login").text)
    form = {"csrf_token": token, "username": "li.na", "password": password}
    return client.post("/staff/login", data=form).status_code


def test_password_is_stored_as_argon2id(app: Flask) -> None:
    make_user(app)
    with app.app_context():
        user = db.session().execute(select(StaffUser)).scalar_one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_overview_needs_sign_in(client: FlaskClient) -> None:
    moved = client.get("/staff/")
    assert moved.status_code == 303 and "/staff/login" in moved.headers["Location"]


def test_wrong_password_is_refused_in_the_users_language(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    client.get("/settings/language/en")
    assert sign_in(client, "wrong password") == 422
    assert client.get("/staff/").status_code == 303


def test_overview_counts_responses_by_segment_and_mode(app: Flask, client: FlaskClient) -> None:
    respondent = app.test_client()
    form = dict(hidden_fields(walk_to_check(respondent, survey=SURVEY)))
    assert respondent.post(SURVEY.url("submit"), data=form).status_code == 303
    make_user(app)
    assert sign_in(client) == 303
    client.get("/settings/language/en")
    page = client.get("/staff/")
    assert page.status_code == 200
    assert SURVEY.id in page.text and "General" in page.text and "Online" in page.text
    assert "1 response in total" in page.text


def test_overview_counts_the_days_the_queue_shows_and_names_their_zone(
    app: Flask, client: FlaskClient
) -> None:
    # 20:30 UTC on 3 November is 04:30 on 4 November in Shanghai, as the queue shows it.
    add_response(app, submitted_at=DAY)  # 17:30 on 3 November in Shanghai
    add_response(app, submitted_at=DAY.replace(hour=20, minute=30))
    add_response(app, submitted_at=DAY.replace(hour=23, minute=59))
    make_user(app)
    assert sign_in(client) == 303
    client.get("/settings/language/en")
    page = client.get("/staff/").text
    days = re.findall(r'<td data-label="Day submitted"[^>]*>([^<]+)</td>.*?>(\d+)</td></tr>', page)
    assert days == [("Nov 4, 2026", "2"), ("Nov 3, 2026", "1")]
    assert "Times and days are in China Time (Asia/Shanghai)." in page
    assert "UTC" not in page


def test_logout_ends_the_session_for_good(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    assert sign_in(client) == 303
    copied = client.get_cookie("session")
    assert copied is not None
    token = csrf_of(client.get("/staff/").text)
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/staff/").status_code == 303
    replay = app.test_client()
    replay.set_cookie("session", copied.value)
    assert replay.get("/staff/").status_code == 303


def test_logout_needs_csrf(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    sign_in(client)
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200


def test_login_redirect_stays_on_site(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    token = csrf_of(client.get("/staff/login").text)
    form = {"csrf_token": token, "username": "li.na", "password": PASSWORD}
    moved = client.post("/staff/login?next=https://evil.example/", data=form)
    assert moved.headers["Location"] == "/"


def test_sign_in_brings_back_to_the_page_asked_for_with_its_filters(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app)
    asked = "/staff/review/?status=pending&segment=elderly"
    moved = client.get(asked)
    assert moved.status_code == 303
    login = moved.headers["Location"]
    token = csrf_of(client.get(login).text)
    form = {"csrf_token": token, "username": "li.na", "password": PASSWORD}
    assert client.post(login, data=form).headers["Location"] == asked


def test_the_cookie_is_secure_when_served_over_https(app: Flask) -> None:
    """Else a staff login's cookie also travels over a plain-http request to the host."""
    secure = app.test_client().get("/staff/login", base_url="https://survey.example.org")
    assert "; Secure" in secure.headers["Set-Cookie"]
    assert "; HttpOnly" in secure.headers["Set-Cookie"]
    plain = app.test_client().get("/staff/login")
    assert "; Secure" not in plain.headers["Set-Cookie"]  # local http still works


def test_a_form_token_from_before_sign_in_is_refused_after_it(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app)
    before = csrf_of(client.get("/staff/login").text)
    assert sign_in(client) == 303
    refused = client.post("/staff/logout", data={"csrf_token": before})
    assert refused.status_code == 400
    assert client.get("/staff/").status_code == 200  # still signed in
    during = csrf_of(client.get("/staff/").text)
    assert during != before
    assert client.post("/staff/logout", data={"csrf_token": during}).status_code == 303
    assert csrf_of(client.get("/staff/login").text) != during
