"""Saving and resuming drafts, navigation, invitation links and segment tagging."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from fieldwork import create_app, db
from fieldwork.responses.models import Draft, Response
from tests.conftest import QID, SHIPPED, csrf_of, hidden_fields, page_codes, started, walk_to_check
from tests.questionnaires.two_pages import SURVEY

COMPLETE = SURVEY.complete


def submit(
    client: FlaskClient, start_url: str | None = None, answers: dict | None = None
) -> Response:  # type: ignore[type-arg]
    form = dict(hidden_fields(walk_to_check(client, start_url, answers, survey=SURVEY)))
    assert client.post(SURVEY.url("submit"), data=form).status_code == 303
    app = client.application
    with app.app_context():
        return (
            db.session()
            .execute(select(Response).where(Response.submission_id == form["submission_id"]))
            .scalar_one()
        )


def test_save_and_resume_on_another_device(client: FlaskClient, app: Flask) -> None:
    url = started(client, SURVEY)
    page = client.get(url)
    form = {"csrf_token": csrf_of(page.text), "action": "save"}
    for code in page_codes(page.text):
        form.update(COMPLETE[code])
    saved = client.post(url, data=form)
    shown = client.get(saved.headers["Location"])
    code = re.search(r'id="resume-code">([\d ]+)<', shown.text)
    assert code, shown.text
    other = app.test_client()
    token = csrf_of(other.get("/resume").text)
    resumed = other.post(
        "/resume", data={"csrf_token": token, "code": code.group(1).replace(" ", "-")}
    )
    assert resumed.status_code == 303
    next_page = other.get(resumed.headers["Location"])
    assert next_page.status_code == 200
    assert set(page_codes(next_page.text)).isdisjoint(page_codes(page.text))  # carries on after


def test_answers_are_kept_after_a_validation_error(client: FlaskClient) -> None:
    url = started(client, SURVEY)
    page = client.get(url)
    assert page_codes(page.text) == ["AGE", "KIDS", "CHANNELS"]
    form = {"csrf_token": csrf_of(page.text), "action": "continue"}
    form.update(COMPLETE["AGE"])  # answer only the first question of the page
    again = client.post(url, data=form)
    assert again.status_code == 422
    assert 'value="age_35_59" checked' in again.text
    assert "autofocus" in again.text


def test_change_link_returns_to_check_answers(client: FlaskClient) -> None:
    check = walk_to_check(client, survey=SURVEY)
    change = re.search(r'href="([^"]*/q/AGE\?change=1)"', check)
    assert change
    page = client.get(change.group(1).replace("&amp;", "&"))
    form = {"csrf_token": csrf_of(page.text), "action": "continue"}
    for code in page_codes(page.text):
        form.update(COMPLETE[code])
    form["KIDS"] = "yes"
    moved = client.post(change.group(1), data=form)
    assert moved.headers["Location"].endswith("/check")


def test_hidden_questions_are_not_required_and_their_answers_dropped(client: FlaskClient) -> None:
    row = submit(client, answers=SURVEY.answers(CHANNELS={"CHANNELS": "none"}))
    assert row.answers["CHANNELS"] == ["none"] and "WAITED" not in row.answers


def test_segment_derived_from_answers(client: FlaskClient) -> None:
    row = submit(client, answers=SURVEY.answers(AGE={"AGE": "age_60_plus"}))
    assert (row.segment, row.segment_source) == ("elderly", "answers")
    assert "segment-conflict" not in {flag["code"] for flag in row.flags}


@pytest.mark.shipped
@pytest.mark.parametrize(
    ("answered", "segment"),
    [
        ({"S1": {"S1": "age_70_plus"}, "S2": {"S2": "yes"}}, "elderly"),
        ({"S1": {"S1": "age_45_59"}, "S2": {"S2": "yes"}}, "parents"),
        ({"S1": {"S1": "age_18_24"}}, "young"),
        ({}, "general"),
    ],
)
def test_shipped_questionnaire_derives_each_segment_from_its_answers(
    client: FlaskClient, answered: dict[str, Any], segment: str
) -> None:
    """The shipped file's own segment rules, on purpose, in their priority order."""
    form = MultiDict(
        hidden_fields(walk_to_check(client, answers=SHIPPED.answers(**answered), survey=SHIPPED))
    )
    assert client.post(f"/s/{QID}/submit", data=form).status_code == 303
    with client.application.app_context():
        row = db.session().execute(select(Response)).scalar_one()
    assert (row.questionnaire_id, row.segment, row.segment_source) == (QID, segment, "answers")


def test_elderly_link_presets_large_text_and_segment(client: FlaskClient) -> None:
    link = SURVEY.url("?segment=elderly&campaign=2026Q4&wave=2")
    page = client.get(link)
    assert 'class="size-large' in page.text
    row = submit(client, link, answers=SURVEY.answers(AGE={"AGE": "age_60_plus"}))
    assert (row.segment, row.segment_source, row.campaign, row.wave) == (
        "elderly",
        "link",
        "2026Q4",
        "2",
    )
    assert "segment-conflict" not in {flag["code"] for flag in row.flags}
    assert row.paradata["text_size"] == "large"


def test_conflict_between_link_and_answers_is_flagged_not_overwritten(client: FlaskClient) -> None:
    row = submit(
        client, SURVEY.url("?segment=elderly"), answers=SURVEY.answers(AGE={"AGE": "age_18_34"})
    )
    assert row.segment == "elderly" and row.segment_source == "link"
    conflict = {"code": "segment-conflict", "severity": "review", "link": "elderly"}
    assert [conflict | {"answers": "young"}] == [
        flag for flag in row.flags if flag["code"] == "segment-conflict"
    ]


def test_a_parents_link_answered_by_someone_of_65_is_flagged_as_elderly(
    client: FlaskClient,
) -> None:
    answers = SURVEY.answers(AGE={"AGE": "age_60_plus"}, KIDS={"KIDS": "yes"})
    row = submit(client, SURVEY.url("?segment=parents"), answers=answers)
    assert row.segment == "parents" and row.segment_source == "link"
    assert [
        (flag["link"], flag["answers"]) for flag in row.flags if flag["code"] == "segment-conflict"
    ] == [("parents", "elderly")]


def test_large_text_shows_one_question_per_page(client: FlaskClient) -> None:
    client.get("/settings/display?size=large")
    url = started(client, SURVEY)
    assert page_codes(client.get(url).text) == ["AGE"]


def html_classes(html: str) -> set[str]:
    found = re.search(r'<html[^>]* class="([^"]*)"', html)
    assert found, html[:300]
    return set(found.group(1).split())


def test_a_chosen_display_beats_the_link_when_it_is_followed_again(client: FlaskClient) -> None:
    link = SURVEY.url("?segment=elderly&contrast=off")
    assert html_classes(client.get(link).text) == {"size-large"}
    client.get("/settings/display?size=x-large")
    client.get("/settings/display?contrast=on")
    assert html_classes(client.get(link).text) == {"size-x-large", "contrast-high"}
    assert html_classes(client.get(SURVEY.url("?size=standard")).text) == {
        "size-x-large",
        "contrast-high",
    }


def saved_resume_code(client: FlaskClient, url: str) -> str:
    """Save the page at `url` for later, answered; the resume code shown."""
    page = client.get(url)
    form = {"csrf_token": csrf_of(page.text), "action": "save"}
    for code in page_codes(page.text):
        form.update(COMPLETE[code])
    shown = client.get(client.post(url, data=form).headers["Location"])
    code = re.search(r'id="resume-code">([\d ]+)<', shown.text)
    assert code, shown.text
    return code.group(1)


def resumed(app: Flask, code: str) -> str:
    """Resume with a code in a browser of its own; the page it leads to."""
    other = app.test_client()
    token = csrf_of(other.get("/resume").text)
    answer = other.post("/resume", data={"csrf_token": token, "code": code})
    assert answer.status_code == 303
    return other.get(answer.headers["Location"]).text


def test_the_display_chosen_during_a_draft_comes_back_with_it(
    client: FlaskClient, app: Flask
) -> None:
    url = started(client, SURVEY)
    client.get("/settings/display?size=x-large")
    client.get("/settings/display?contrast=on")
    page = resumed(app, saved_resume_code(client, url))
    assert html_classes(page) == {"size-x-large", "contrast-high"}
    assert len(page_codes(page)) == 1


def test_a_draft_that_kept_only_its_text_size_resumes_in_it(
    client: FlaskClient, app: Flask
) -> None:
    url = started(client, SURVEY)
    code = saved_resume_code(client, url)
    with app.app_context():
        draft = db.session().execute(select(Draft)).scalar_one()
        draft.preset = {**draft.preset, "display": "large"}  # as stored before contrast was
        db.session().commit()
    assert html_classes(resumed(app, code)) == {"size-large"}


def test_paradata_never_holds_raw_ip_or_user_agent(client: FlaskClient) -> None:
    client.environ_base.update(
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Mozilla/5.0 Firefox/130.0"}
    )
    row = submit(client)
    dumped = str(row.paradata)
    assert "203.0.113.9" not in dumped and "Mozilla" not in dumped
    assert row.paradata["browser"] == "Firefox"
    assert row.ip_hash is not None and len(row.ip_hash) == 64


def ip_hashes(app: Flask, forwarded_for: list[str]) -> set[str | None]:
    """The IP hashes stored for respondents whose posts all reach the app from one proxy."""
    hashes = set()
    for address in forwarded_for:
        client = app.test_client()
        client.environ_base.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": address})
        hashes.add(submit(client).ip_hash)
    return hashes


def test_behind_a_reverse_proxy_each_respondent_has_their_own_address_hash(app: Flask) -> None:
    settings = ("TESTING", "SECRET_KEY", "IP_HASH_KEY", "DATABASE_URL")
    proxied = create_app({**{k: app.config[k] for k in settings}, "PROXIES": "1"})
    try:
        assert len(ip_hashes(proxied, ["203.0.113.9", "198.51.100.7"])) == 2
    finally:
        proxied.extensions["fieldwork.engine"].dispose()


def test_a_forwarded_for_header_is_ignored_without_a_declared_proxy(app: Flask) -> None:
    """Else anyone could dodge the duplicate checks by sending the header themselves."""
    assert len(ip_hashes(app, ["203.0.113.9", "198.51.100.7"])) == 1
