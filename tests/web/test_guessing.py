"""Guessing staff passwords and resume codes is held back, with a sentence in the user's
language; people who get it right are not slowed down, and no stranger can keep the owner
of an account, or an office behind one address, from signing in."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import get_locale, ngettext
from sqlmodel import Session, select

from fieldwork import clock, db
from fieldwork.accounts import service as accounts
from fieldwork.attempts import service as attempts
from fieldwork.attempts.models import AttemptCount
from fieldwork.responses import codes
from fieldwork.web.throttling import address_key
from tests.conftest import csrf_of, page_codes, started
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import FAST_HASHER, fast_password_hashing

PASSWORD = "correct horse battery"
WAIT = re.compile(r"Wait (\d+) seconds?,")


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests try dozens of passwords, and unknown usernames (checked against a
    dummy hash)."""
    fast_password_hashing(monkeypatch)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", FAST_HASHER.hash("not a password"))


def staff(app: Flask, username: str = "li.na") -> None:
    with app.app_context():
        accounts.create_user(db.session(), username, PASSWORD, "admin")


def client_at(app: Flask, address: str, language: str = "en") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def sign_in(client: FlaskClient, username: str, password: str) -> tuple[int, str]:
    token = csrf_of(client.get("/staff/login").text)
    form = {"csrf_token": token, "username": username, "password": password}
    page = client.post("/staff/login", data=form)
    return page.status_code, page.text


def sign_out(client: FlaskClient) -> None:
    client.post("/staff/logout", data={"csrf_token": csrf_of(client.get("/staff/").text)})


def known_device(app: Flask, address: str, username: str = "li.na") -> FlaskClient:
    """A browser that has signed in to the account once, and signed out."""
    device = client_at(app, address)
    assert sign_in(device, username, PASSWORD)[0] == 303
    sign_out(device)
    assert device.get("/staff/").status_code == 303
    return device


def waited(text: str) -> int:
    """The seconds a refusal asks to wait."""
    found = WAIT.search(text)
    assert found, text
    return int(found.group(1))


@contextmanager
def stopped_clock() -> Iterator[list[dt.datetime]]:
    """The clock stands still at the first moment of the list until a test moves it."""
    moment = [clock.now()]
    with clock.set_to(lambda: moment[0]):
        yield moment


def test_one_network_is_locked_out_of_one_account_after_ten_wrong_passwords(app: Flask) -> None:
    staff(app)
    guesser = client_at(app, "203.0.113.5")
    with stopped_clock():
        for _ in range(attempts.LOGIN_PAIR.free):
            assert sign_in(guesser, "li.na", "wrong password")[0] == 422
        status, text = sign_in(guesser, "li.na", PASSWORD)
        assert status == 429
        assert "too many wrong sign-ins" in text and "Wait 15 minutes" in text
        assert guesser.get("/staff/").status_code == 303  # not signed in
        token = csrf_of(guesser.get("/staff/login").text)
        form = {"csrf_token": token, "username": "li.na", "password": PASSWORD}
        assert guesser.post("/staff/login", data=form).headers["Retry-After"] == "900"


def test_a_stranger_guessing_from_many_networks_cannot_keep_the_owner_out(app: Flask) -> None:
    staff(app)
    staff(app, "wang.fang")
    owner = known_device(app, "198.51.100.7")
    with stopped_clock():
        # The stranger guesses from the owner's own office network too.
        for network in ("198.51.100.7", *(f"203.0.113.{n}" for n in range(1, 6))):
            stranger = client_at(app, network)
            stranger.set_cookie("fieldwork_known", "li.na", path="/staff/login")  # not signed
            statuses = [sign_in(stranger, "li.na", "wrong password")[0] for _ in range(12)]
            assert set(statuses) <= {422, 429}
        assert statuses == [429] * 12  # the account is slowed for unknown devices
        assert sign_in(owner, "li.na", PASSWORD)[0] == 303
        assert owner.get("/staff/").status_code == 200
        # On a new device the owner is slowed by seconds, never locked out.
        status, text = sign_in(client_at(app, "192.0.2.44"), "li.na", PASSWORD)
        assert status == 429 and waited(text) <= 60
        assert sign_in(client_at(app, "192.0.2.45"), "wang.fang", PASSWORD)[0] == 303


def test_an_unknown_device_waits_seconds_that_double_up_to_a_minute(app: Flask) -> None:
    staff(app)
    with stopped_clock() as moment:
        for number in range(attempts.LOGIN_ACCOUNT.free):
            assert sign_in(client_at(app, f"203.0.113.{number}"), "li.na", "wrong")[0] == 422
        waits = []
        for number in range(8):
            network = f"198.51.100.{number}"
            status, text = sign_in(client_at(app, network), "li.na", "wrong")
            assert status == 429
            waits.append(waited(text))
            moment[0] += dt.timedelta(seconds=waits[-1] - 1)
            assert sign_in(client_at(app, network), "li.na", "wrong")[0] == 429  # not yet
            moment[0] += dt.timedelta(seconds=1)
            assert sign_in(client_at(app, network), "li.na", "wrong")[0] == 422
        assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
        moment[0] += dt.timedelta(seconds=60)
        assert sign_in(client_at(app, "192.0.2.1"), "li.na", PASSWORD)[0] == 303


def test_an_office_behind_one_address_is_slowed_never_locked_out(app: Flask) -> None:
    """Someone in the office (or anyone sharing its address) tries many usernames."""
    office = "203.0.113.9"
    for name in ("li.na", "wang.fang"):
        staff(app, name)
    devices = {name: known_device(app, office, name) for name in ("li.na", "wang.fang")}
    staff(app, "zhao.lei")
    with stopped_clock() as moment:
        for number in range(attempts.LOGIN_ADDRESS.free + 5):
            sign_in(client_at(app, office), f"user{number}", "wrong password")
        for name, device in devices.items():
            assert sign_in(device, name, PASSWORD)[0] == 303
        newcomer = client_at(app, office)
        status, text = sign_in(newcomer, "zhao.lei", PASSWORD)
        assert status == 429 and waited(text) <= 60
        moment[0] += dt.timedelta(seconds=waited(text))
        assert sign_in(newcomer, "zhao.lei", PASSWORD)[0] == 303


@pytest.mark.parametrize(
    ("language", "locale", "quarter_hour"),
    [("zh-CN", "zh_Hans", "请等 15 分钟后再试"), ("zh-TW", "zh_Hant", "請等 15 分鐘後再試")],
)
def test_the_wait_is_told_in_the_users_language(
    app: Flask, language: str, locale: str, quarter_hour: str
) -> None:
    staff(app)
    with stopped_clock():
        for number in range(attempts.LOGIN_ACCOUNT.free):
            sign_in(client_at(app, f"203.0.113.{number}"), "li.na", "wrong")
        status, text = sign_in(client_at(app, "198.51.100.7", language), "li.na", PASSWORD)
    assert status == 429
    with app.test_request_context(headers={"Accept-Language": language}):
        assert str(get_locale()) == locale
        seconds = ngettext(
            "There have been too many wrong sign-ins. Wait %(num)d second, then try again.",
            "There have been too many wrong sign-ins. Wait %(num)d seconds, then try again.",
            1,
        )
    assert seconds in text
    guesser = client_at(app, "198.51.100.8", language)
    with clock.set_to(clock.now() + dt.timedelta(minutes=20)):
        for _ in range(attempts.LOGIN_PAIR.free):
            assert sign_in(guesser, "li.na", "wrong")[0] == 422
        assert quarter_hour in sign_in(guesser, "li.na", PASSWORD)[1]


def test_failures_older_than_the_window_no_longer_count(app: Flask) -> None:
    staff(app)
    guesser = client_at(app, "203.0.113.5")
    with stopped_clock() as moment:
        for _ in range(attempts.LOGIN_PAIR.free):
            sign_in(guesser, "li.na", "wrong password")
            moment[0] += dt.timedelta(seconds=61)
        assert sign_in(guesser, "li.na", PASSWORD)[0] == 429
        moment[0] += attempts.LOGIN_PAIR.window
        assert sign_in(guesser, "li.na", PASSWORD)[0] == 303


def test_signing_in_clears_the_accounts_counts(app: Flask) -> None:
    staff(app)
    for _ in range(2):
        person = client_at(app, "203.0.113.5")  # a new browser each time: never known
        for _ in range(attempts.LOGIN_PAIR.free - 1):
            assert sign_in(person, "li.na", "mistyped password")[0] == 422
        assert sign_in(person, "li.na", PASSWORD)[0] == 303


def test_a_steady_rate_below_the_limit_is_never_refused(app: Flask) -> None:
    """A window opens with its first guess: a network that mistypes a code now and then
    all day never adds up to the hour's limit."""
    person = client_at(app, "203.0.113.5")
    with stopped_clock() as moment:
        for _ in range(3 * attempts.RESUME_ADDRESS.free):
            assert try_code(person, codes.new_resume_code())[0] == 404
            moment[0] += attempts.RESUME_ADDRESS.window / (attempts.RESUME_ADDRESS.free - 1)


def test_counts_no_limit_reads_any_more_are_dropped(app: Flask, session: Session) -> None:
    staff(app)
    sign_in(client_at(app, "203.0.113.5"), "li.na", "wrong password")
    later = clock.now() + max(limit.window for limit in attempts.LIMITS) + dt.timedelta(seconds=1)
    with clock.set_to(later):
        sign_in(client_at(app, "198.51.100.7"), "nobody", "wrong password")
    kept = session.exec(select(AttemptCount)).all()
    assert sorted(row.kind for row in kept) == ["login-account", "login-address", "login-pair"]
    assert {row.last_at for row in kept} == {later}


def test_the_known_device_cookie_is_kept_from_scripts_and_other_sites(app: Flask) -> None:
    staff(app)
    browser = app.test_client()
    token = csrf_of(browser.get("https://localhost/staff/login").text)
    form = {"csrf_token": token, "username": "li.na", "password": PASSWORD}
    page = browser.post(
        "https://localhost/staff/login",
        data=form,
        headers={"Referer": "https://localhost/staff/login"},
    )
    assert page.status_code == 303
    cookie = next(c for c in page.headers.getlist("Set-Cookie") if c.startswith("fieldwork_known="))
    for part in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/staff/login"):
        assert part in cookie.split("; ")


def test_concurrent_guesses_are_tried_no_more_often_than_the_limit(
    app: Flask, live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """24 wrong passwords at once, from one network (the loopback) to one account, on a
    server that runs each request in a thread of its own: the database, not the process,
    decides, so exactly as many are tried as the pair limit allows."""
    staff(app)
    tried = []
    authenticate = accounts.authenticate

    def counted(*args: Any) -> Any:
        tried.append(True)  # list.append is atomic under the GIL
        return authenticate(*args)

    monkeypatch.setattr(accounts, "authenticate", counted)
    with requests.Session() as http:
        token = csrf_of(http.get(live_server + "/staff/login", timeout=30).text)
        cookies = http.cookies
    form = {"csrf_token": token, "username": "li.na", "password": "wrong password"}
    barrier = threading.Barrier(24)

    def guess(_: int) -> int:
        with requests.Session() as http:
            http.cookies.update(cookies)
            barrier.wait()
            return http.post(
                live_server + "/staff/login", data=form, allow_redirects=False, timeout=60
            ).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(guess, range(24)))
    assert len(tried) == attempts.LOGIN_PAIR.free
    assert statuses.count(422) == attempts.LOGIN_PAIR.free
    assert statuses.count(429) == 24 - attempts.LOGIN_PAIR.free


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
    for _ in range(attempts.RESUME_ADDRESS.free):
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
    for _ in range(attempts.RESUME_ADDRESS.free + 2):
        assert try_code(person, live[:-1] + str((int(live[-1]) + 1) % 10))[0] == 422
    assert try_code(person, live)[0] == 303


def test_a_mistyped_code_is_told_to_check_its_digits_even_past_the_limit(app: Flask) -> None:
    """It is never looked up, so it tells a guesser nothing: no reason to refuse it."""
    guesser = client_at(app, "203.0.113.5")
    for _ in range(attempts.RESUME_ADDRESS.free):
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
