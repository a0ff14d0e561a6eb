"""Wrong, hostile and huge input gets a clear 4xx page in the user's language and stores nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fieldwork import db
from fieldwork.responses.models import Draft, Response
from tests.conftest import csrf_of, hidden_fields, walk_to_check
from tests.conftest import started as start
from tests.questionnaires.one_date import SURVEY as ONE_DATE
from tests.questionnaires.two_pages import SURVEY


def responses(app: Flask) -> int:
    with app.app_context():
        return int(db.session().execute(select(func.count()).select_from(Response)).scalar_one())


def started(client: FlaskClient) -> tuple[str, str]:
    """Start the survey; returns the first page's URL and its CSRF token."""
    url = start(client, SURVEY)
    return url, csrf_of(client.get(url).text)


def is_english_page(text: str) -> bool:
    return '<html lang="en"' in text and "<h1" in text


def test_tampered_choice_value_is_an_error_on_the_page(app: Flask, client: FlaskClient) -> None:
    url, token = started(client)
    page = client.post(url, data={"csrf_token": token, "AGE": "age_200_plus", "action": "continue"})
    assert page.status_code == 422
    assert 'class="error-summary"' in page.text and 'href="#AGE-1"' in page.text
    with app.app_context():
        assert db.session().execute(select(Draft)).first() is None  # nothing stored


def test_tampered_hidden_answers_on_submit_are_refused(app: Flask, client: FlaskClient) -> None:
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    form["SCORE"] = "11"
    page = client.post(SURVEY.url("submit"), data=form)
    assert page.status_code == 422
    assert responses(app) == 0


@pytest.mark.parametrize(("text", "status"), [("x" * 1_000_000, 422), ("长" * 1_000_000, 413)])
def test_megabyte_text_answer_is_refused(
    app: Flask, client: FlaskClient, text: str, status: int
) -> None:
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    form["IMPROVE"] = text
    page = client.post(SURVEY.url("submit"), data=form, headers={"Accept-Language": "en"})
    assert page.status_code == status
    assert "characters or fewer" in page.text if status == 422 else "too large" in page.text
    assert responses(app) == 0


def test_body_over_the_limit_gets_a_413_page(client: FlaskClient) -> None:
    url, token = started(client)
    page = client.post(url, data={"csrf_token": token, "IMPROVE": "x" * 3_000_000})
    assert page.status_code == 413
    assert "<h1" in page.text


def test_invalid_utf8_is_refused(app: Flask, client: FlaskClient) -> None:
    url, token = started(client)
    body = f"csrf_token={token}&AGE=%FF%FEage&action=continue".encode()
    page = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400
    assert "UTF-8" in page.text


def test_invalid_utf8_in_a_multipart_body_is_refused_not_stored_mangled(
    app: Flask, client: FlaskClient
) -> None:
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    parts = [
        f'--B\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + (b"ab\xff\xfecd" if name == "IMPROVE" else value.encode())
        + b"\r\n"
        for name, value in form.items()
    ]
    page = client.post(
        SURVEY.url("submit"),
        data=b"".join(parts) + b"--B--\r\n",
        content_type="multipart/form-data; boundary=B",
        headers={"Accept-Language": "en"},
    )
    assert page.status_code == 400
    assert is_english_page(page.text) and "UTF-8" in page.text
    assert responses(app) == 0


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_missing_or_forged_csrf_token_stores_nothing(
    app: Flask, client: FlaskClient, token: str | None
) -> None:
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    if token is None:
        del form["csrf_token"]
    else:
        form["csrf_token"] = token
    page = client.post(SURVEY.url("submit"), data=form, headers={"Accept-Language": "en"})
    assert page.status_code == 400
    assert "nothing was saved" in page.text
    assert responses(app) == 0


def test_an_error_page_links_back_to_the_page_of_this_site_it_came_from(
    client: FlaskClient,
) -> None:
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)))
    del form["csrf_token"]
    came_from = f"http://localhost{SURVEY.url('check?x=1')}"
    page = client.post(SURVEY.url("submit"), data=form, headers={"Referer": came_from})
    assert f'class="back-link" href="{SURVEY.url("check?x=1")}"' in page.text
    for elsewhere in ("https://evil.example/s/", "javascript:alert(1)", "//evil.example/x"):
        page = client.post(SURVEY.url("submit"), data=form, headers={"Referer": elsewhere})
        assert page.status_code == 400 and "back-link" not in page.text
    assert "back-link" not in client.get("/s/nope/").text  # no page to go back to


def test_stale_token_from_another_session_is_refused(app: Flask, client: FlaskClient) -> None:
    other = app.test_client()
    stale = csrf_of(other.get(SURVEY.start).text)
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)), csrf_token=stale)
    assert client.post(SURVEY.url("submit"), data=form).status_code == 400
    assert responses(app) == 0


def test_unknown_questionnaire_is_a_404_in_the_users_language(client: FlaskClient) -> None:
    page = client.get("/s/no_such_survey/", headers={"Accept-Language": "en-GB"})
    assert page.status_code == 404
    assert is_english_page(page.text)
    zh = client.get("/s/no_such_survey/", headers={"Accept-Language": "zh-TW"})
    assert zh.status_code == 404 and '<html lang="zh-Hant"' in zh.text


@pytest.mark.parametrize("bad", ["", "not-a-uuid", "1234", "'; DROP TABLE response; --"])
def test_malformed_submission_id_is_a_400(app: Flask, client: FlaskClient, bad: str) -> None:
    form = dict(hidden_fields(walk_to_check(client, survey=SURVEY)), submission_id=bad)
    assert client.post(SURVEY.url("submit"), data=form).status_code == 400
    assert responses(app) == 0


@pytest.mark.parametrize("code", ["", "12", "abcd efgh ijkl", "1234 5678 9012", "9" * 200])
def test_malformed_or_unknown_resume_code_is_refused(client: FlaskClient, code: str) -> None:
    token = csrf_of(client.get("/resume").text)
    page = client.post("/resume", data={"csrf_token": token, "code": code})
    assert page.status_code in (404, 422)
    assert 'class="error-summary"' in page.text


@pytest.mark.parametrize(
    "query", ["segment=ghosts", "lang=fr", "size=huge", "campaign=%3Cscript%3E", "contrast=maybe"]
)
def test_bad_invitation_link_is_a_400(client: FlaskClient, query: str) -> None:
    page = client.get(SURVEY.url(f"?{query}"))
    assert page.status_code == 400
    assert "<script>" not in page.text


def test_unknown_page_key_goes_to_check_not_500(client: FlaskClient) -> None:
    started(client)
    assert client.get(SURVEY.url("q/ZZZ")).status_code == 303


def test_pages_without_a_draft_explain_what_to_do(client: FlaskClient) -> None:
    page = client.get(SURVEY.url("q/AGE"))
    assert page.status_code == 409
    assert "/resume" in page.text


def test_get_on_a_post_only_route_is_a_405_page(client: FlaskClient) -> None:
    page = client.get(SURVEY.url("submit"))
    assert page.status_code == 405 and "<h1" in page.text


def test_redirect_after_settings_stays_on_site(client: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        moved = client.get(f"/settings/language/en?next={target}")
        assert moved.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "/staff/login", {"username": "li\x00na", "password": "whatever it is"}),
        ("get", "/staff/batches/preview?questionnaire=x&campaign=a%00b", None),
        ("get", f"/s/{SURVEY.id}%00/", None),
        ("post", "/resume", {"code": "1234 5678 9012\x00"}),
    ],
)
def test_a_nul_character_anywhere_is_a_400_in_the_users_language(
    client: FlaskClient, method: str, url: str, data: dict[str, str] | None
) -> None:
    """PostgreSQL cannot compare a NUL: these were 500s there (a username, a batch filter,
    a questionnaire id); every database now gets the same clear refusal."""
    token = csrf_of(client.get("/resume").text)
    send = getattr(client, method)
    page = send(
        url,
        data={"csrf_token": token, **data} if data else None,
        headers={"Accept-Language": "en"},
    )
    assert page.status_code == 400
    assert is_english_page(page.text) and "cannot be stored" in page.text


@pytest.mark.parametrize("year", ["2147483648", "9" * 500])
def test_a_huge_year_names_the_year_on_the_page_and_on_submit(
    app: Flask, client: FlaskClient, year: str
) -> None:
    """Such a year once reached `datetime.date` and overflowed it: a server error."""
    english = {"Accept-Language": "en"}
    url = start(client, ONE_DATE)
    answer = {"CONTACT-year": year, "CONTACT-month": "11", "CONTACT-day": "5"}
    page = client.post(
        url,
        data={"csrf_token": csrf_of(client.get(url).text), "action": "continue", **answer},
        headers=english,
    )
    assert page.status_code == 422
    assert "Enter the year as 4 digits" in page.text

    form = dict(hidden_fields(walk_to_check(client, survey=ONE_DATE)))
    form.update(answer)
    page = client.post(ONE_DATE.url("submit"), data=form, headers=english)
    assert page.status_code == 422
    assert "Enter the year as 4 digits" in page.text
    assert responses(app) == 0
