"""Guessing staff passwords and resume codes is refused after a few failures, per account
and per network, with a sentence in the user's language; people who get it right are not
slowed down."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fieldwork import clock, db
from fieldwork.accounts import service as accounts
from fieldwork.attempts import service as attempts
from fieldwork.responses import codes
from fieldwork.web.throttling import address_key
from tests.conftest import csrf_of, page_codes, started
from tests.questionnaires.two_pages import SURVEY

PASSWORD = "correct horse battery"


def staff(app: Flask, username: str = "li.na") -> None:
    with app.app_context():
        accounts.create_user(db.session(), username, PASSWORD, "admin")


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def sign_in(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    token = csrf_of(client.get("/staff/login").text)
    form = {"csrf_token": token, "username": username, "password": password}
    page = client.post("/staff/login", data=form)
    return page.status_code, page.text


def test_the_right_password_is_refused_after_ten_wrong_ones(app: Flask) -> None:
    staff(app)
    guesser = client_at(app, "203.0.113.5")
    for _ in range(attempts.LOGIN_ACCOUNT.most):
        assert sign_in(guesser, "li.na", "wrong password")[0] == 422
    status, text = sign_in(guesser, "li.na", PASSWORD)
    assert status == 429
    assert "too many wrong sign-ins" in text and "Wait 15 minutes" in text
    assert guesser.get("/staff/").status_code == 303  # not signed in


def test_the_account_count_holds_from_other_networks_and_spares_other_accounts(
    app: Flask,
) -> None:
    staff(app)
    staff(app, "wang.fang")
    guesser = client_at(app, "203.0.113.5")
    for _ in range(attempts.LOGIN_ACCOUNT.most):
        sign_in(guesser, "li.na", "wrong password")
    elsewhere = client_at(app, "198.51.100.7")
    assert sign_in(elsewhere, "li.na", PASSWORD)[0] == 429
    assert sign_in(elsewhere, "wang.fang", PASSWORD)[0] == 303


def test_guessing_across_many_usernames_is_refused_per_network(app: Flask) -> None:
    staff(app)
    guesser = client_at(app, "203.0.113.5")
    for number in range(attempts.LOGIN_ADDRESS.most):
        assert sign_in(guesser, f"user{number}", "wrong password")[0] == 422
    assert sign_in(guesser, "li.na", PASSWORD)[0] == 429
    assert sign_in(client_at(app, "198.51.100.7"), "li.na", PASSWORD)[0] == 303


def test_failures_older_than_the_window_no_longer_count(app: Flask) -> None:
    staff(app)
    guesser = client_at(app, "203.0.113.5")
    for _ in range(attempts.LOGIN_ACCOUNT.most):
        sign_in(guesser, "li.na", "wrong password")
    later = clock.now() + attempts.LOGIN_ACCOUNT.window + dt.timedelta(seconds=1)
    with clock.set_to(later):
        assert sign_in(guesser, "li.na", PASSWORD)[0] == 303


def test_signing_in_clears_the_accounts_count(app: Flask) -> None:
    staff(app)
    person = client_at(app, "203.0.113.5")
    for _ in range(2):
        for _ in range(attempts.LOGIN_ACCOUNT.most - 1):
            sign_in(person, "li.na", "mistyped password")
        assert sign_in(person, "li.na", PASSWORD)[0] == 303
        person.post("/staff/logout", data={"csrf_token": csrf_of(person.get("/staff/").text)})


def saved_code(app: Flask) -> str:
    """Start the survey, answer the first page and save: the resume code shown."""
    client = app.test_client()
    url = started(client, SURVEY)
    page = client.get(url)
    form = {"csrf_token": csrf_of(page.text), "action": "save"}
    for code in page_codes(page.text):
        form.update(SURVEY.complete[code])
    shown = client.get(client.post(url, data=form).headers["Location"])
    found = re.search(r'id="resume-code">([\d ]+)<', shown.text)
    assert found, shown.text
    return found.group(1)


def try_code(client: FlaskClient, code: str) -> tuple[int, str]:
    token = csrf_of(client.get("/resume").text)
    page = client.post("/resume", data={"csrf_token": token, "code": code})
    return page.status_code, page.text


def test_a_live_resume_code_is_refused_after_ten_unknown_ones(app: Flask) -> None:
    live = saved_code(app)
    guesser = client_at(app, "203.0.113.5")
    for _ in range(attempts.RESUME_ADDRESS.most):
        assert try_code(guesser, codes.new_resume_code())[0] == 404
    status, text = try_code(guesser, live)
    assert status == 429
    assert "Too many codes" in text and "Wait 60 minutes" in text
    assert SURVEY.start not in guesser.get("/resume").text  # no draft was restored
    assert try_code(client_at(app, "198.51.100.7"), live)[0] == 303


def test_mistyped_resume_codes_do_not_count(app: Flask) -> None:
    """The check digit catches a mistyped digit before the database is asked."""
    live = saved_code(app)
    person = client_at(app, "203.0.113.5")
    for _ in range(attempts.RESUME_ADDRESS.most + 2):
        assert try_code(person, live[:-1] + str((int(live[-1]) + 1) % 10))[0] == 422
    assert try_code(person, live)[0] == 303


def test_a_mistyped_code_is_told_to_check_its_digits_even_past_the_limit(app: Flask) -> None:
    """It is never looked up, so it tells a guesser nothing: no reason to refuse it."""
    guesser = client_at(app, "203.0.113.5")
    for _ in range(attempts.RESUME_ADDRESS.most):
        try_code(guesser, codes.new_resume_code())
    live = saved_code(app)
    status, text = try_code(guesser, live[:-1] + str((int(live[-1]) + 1) % 10))
    assert status == 422 and "Check the digits" in text
    assert try_code(guesser, live)[0] == 429


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", True),  # one /64
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),
        ("203.0.113.5", "::ffff:203.0.113.5", True),
        ("203.0.113.5", "203.0.113.6", False),
    ],
)
def test_an_ipv6_network_counts_as_one_address(
    app: Flask, first: str, second: str, same: bool
) -> None:
    keys = []
    for address in (first, second):
        with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
            keys.append(address_key())
    assert (keys[0] == keys[1]) is same
