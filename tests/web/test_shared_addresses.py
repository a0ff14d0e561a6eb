"""Respondents sharing an address, through the pages: judged with their answers, and an
assisted session (an invitation link marked `assisted=1`) expected to share one."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fieldwork import db
from fieldwork.responses.models import Response
from tests.conftest import hidden_fields, walk_to_check
from tests.questionnaires.two_pages import SURVEY

TABLET = "203.0.113.20"  # a community worker's tablet, or a family's home network
OTHER_ANSWERS = SURVEY.answers(
    AGE={"AGE": "age_60_plus"}, R1={"R1": "1"}, R2={"R2": "5"}, CALLS={"CALLS": "6"}
)


def submitted(app: Flask, start_url: str | None = None, answers: dict | None = None) -> Response:  # type: ignore[type-arg]
    """One respondent on the shared address, walking the pages and submitting."""
    client: FlaskClient = app.test_client()
    client.environ_base["REMOTE_ADDR"] = TABLET
    form = dict(hidden_fields(walk_to_check(client, start_url, answers, survey=SURVEY)))
    assert client.post(SURVEY.url("submit"), data=form).status_code == 303
    with app.app_context():
        return (
            db.session()
            .execute(select(Response).where(Response.submission_id == form["submission_id"]))
            .scalar_one()
        )


def sharing(row: Response) -> list[tuple[str, str]]:
    """The flags about the address and the answers shared with others, with severities."""
    codes = ("duplicate-ip", "duplicate-answers", "click-farm")
    return [(f["code"], f["severity"]) for f in row.flags if f["code"] in codes]


def test_one_address_with_other_answers_is_only_a_note(app: Flask) -> None:
    submitted(app)
    assert sharing(submitted(app, answers=OTHER_ANSWERS)) == [("duplicate-ip", "note")]


def test_the_same_answers_twice_from_one_address_are_a_duplicate(app: Flask) -> None:
    submitted(app)
    assert sharing(submitted(app)) == [("duplicate-answers", "reject")]


def test_an_assisted_link_is_recorded_and_its_shared_address_expected(app: Flask) -> None:
    link = f"{SURVEY.start}?assisted=1"
    first = submitted(app, link)
    second = submitted(app, link, OTHER_ANSWERS)
    assert first.paradata["assisted"] is True and second.paradata["assisted"] is True
    assert sharing(second) == []


def test_an_assisted_session_giving_the_same_answers_is_still_a_duplicate(app: Flask) -> None:
    link = f"{SURVEY.start}?assisted=1"
    submitted(app, link)
    assert sharing(submitted(app, link)) == [("duplicate-answers", "reject")]


def test_an_assisted_link_with_another_value_is_refused(client: FlaskClient) -> None:
    assert client.get(f"{SURVEY.start}?assisted=yes").status_code == 400
