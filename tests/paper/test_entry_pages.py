"""The entry pages with the test client, as a browser without JavaScript uses them: a
fieldworker types a sheet id and keys the sheet one section per page; refusals are worded
in the keyer's language; bad or hostile input gets a 4xx with a message and stores nothing.

Sheets print the suite's two-page survey (tests/questionnaires/two_pages.yaml) in
Traditional Chinese, so its date boxes are keyed year, month, day.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork.accounts.models import StaffUser
from fieldwork.definitions.service import Versions
from fieldwork.paper import entry as keyed
from fieldwork.paper import ids
from fieldwork.paper import service as paper
from fieldwork.paper.models import RECONCILED, PaperEntry, PaperSheet
from fieldwork.responses.models import Response
from fieldwork.web.messages import MESSAGES
from tests.conftest import csrf_of
from tests.review.factories import sign_in

pytestmark = pytest.mark.usefixtures("people")

ABOUT = {"AGE": "3", "KIDS": "2", "CHANNELS": "1 2"}
CASE = {
    "WHEN-year": "2026",
    "WHEN-month": "9",
    "WHEN-day": "3",
    "WAITED-hours": "1",
    "WAITED-minutes": "15",
    "CALLS": "2",
    "R1": "4",
    "R2": "?",
    "R3": "8",
    "SCORE": "10",
    "IMPROVE": "faster",
    "STORY": "",
}


def browser(app: Flask, username: str, language: str = "en") -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    sign_in(client, username)
    return client


@pytest.fixture
def keyer(app: Flask) -> FlaskClient:
    return browser(app, "worker.li")


def issued(session: Session, verification: str = "none") -> PaperSheet:
    questionnaire = Versions().current(session, "two_pages")
    admin = session.exec(select(StaffUser).where(StaffUser.username == "admin.wang")).one()[0]
    order = paper.Order(
        language="zh-Hant", size="large", count=1, issued_to="worker.li", segment="elderly"
    )
    run = paper.issue(session, questionnaire, order, admin)
    run.verification = verification
    session.add(run)
    session.commit()
    return paper.sheets(session, run.id or 0)[0]


def post(client: FlaskClient, url: str, data: dict[str, Any], page: str) -> Any:
    token = csrf_of(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **data})


def start(client: FlaskClient, typed: str) -> Any:
    return post(client, "/staff/entry/", {"sheet": typed}, "/staff/entry/")


def key_section(client: FlaskClient, location: str, fields: dict[str, str]) -> Any:
    return post(client, location, fields, location)


def count(session: Session, table: Any) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_fieldworker_keys_a_sheet_without_javascript_and_it_becomes_a_response(
    keyer: FlaskClient, session: Session
) -> None:
    sheet = issued(session)
    moved = start(keyer, ids.shown(sheet.id).lower())
    assert moved.status_code == 303
    first = moved.headers["Location"]
    page = keyer.get(first)
    assert page.status_code == 200
    assert '<h1 class="heading-l" lang="zh-Hant">關於您</h1>' in page.text
    assert "<strong>3</strong> 60 歲及以上" in page.text  # the printed codes as a reminder
    assert re.search(r'id="f-AGE"[^>]*autofocus', page.text)
    moved = key_section(keyer, first, ABOUT)
    assert moved.status_code == 303
    second = moved.headers["Location"]
    case = keyer.get(second).text
    names = re.findall(r'name="(WHEN-[a-z]+)"', case)
    assert names == ["WHEN-year", "WHEN-month", "WHEN-day"]  # the sheet's order, not English
    done = key_section(keyer, second, CASE)
    assert done.status_code == 303 and "state=reconciled" in done.headers["Location"]
    notice = keyer.get(done.headers["Location"]).text
    assert f"Sheet {ids.shown(sheet.id)} is typed in and stored as a response." in notice
    response = session.exec(select(Response)).one()[0]
    assert (response.mode, response.sheet_id, response.locale) == ("paper", sheet.id, "zh-Hant")
    assert response.answers["WHEN"] == "2026-09-03" and response.answers["R3"] == "_dont_know"
    entry = session.exec(select(PaperEntry)).one()[0]
    # No script: keystrokes are worked out, each section's and the Enter that sends it:
    # 1 + 1 + 3 + 1, then 4+1+1, 1+2, 1, 1, 1, 1, 2, 6, 0 + 1.
    assert entry.keystrokes == 6 + 22
    assert entry.finished_at is not None
    session.refresh(sheet)
    assert sheet.state == RECONCILED


@pytest.mark.parametrize(
    ("typed", "words", "status"),
    [
        ("K7QM", "A sheet id has 9 characters", 400),
        ("K7QM-3XWD-0", "“0” is not used in sheet ids", 400),
        ("K7QM-3XWD-3", "a character is mistyped", 400),
        ("x" * 1_000_000, "A sheet id has 9 characters", 400),
    ],
)
def test_a_wrong_sheet_id_is_refused_in_words(
    keyer: FlaskClient, session: Session, typed: str, words: str, status: int
) -> None:
    refused = start(keyer, typed)
    assert refused.status_code == status
    assert words in refused.text and "Error: " in refused.text
    assert count(session, PaperEntry) == 0


def test_an_unknown_a_void_and_a_finished_sheet_are_refused(
    keyer: FlaskClient, session: Session
) -> None:
    unknown = ids.draw()
    assert f"No sheet has the id {ids.shown(unknown)}" in start(keyer, unknown).text
    sheet = issued(session)
    admin = session.exec(select(StaffUser).where(StaffUser.username == "admin.wang")).one()[0]
    paper.void(session, sheet.id, "lost", admin)
    assert "is void: it cannot be typed in" in start(keyer, sheet.id).text
    assert count(session, PaperEntry) == 0


def test_refusals_are_in_the_keyers_language(app: Flask, session: Session) -> None:
    client = browser(app, "worker.li", "zh-Hans")
    refused = start(client, "K7QM")
    assert refused.status_code == 400 and "9" in refused.text
    assert "A sheet id has 9 characters" not in refused.text


def test_the_same_keyer_cannot_key_the_second_entry(app: Flask, session: Session) -> None:
    sheet = issued(session, "all")
    keyer = browser(app, "worker.li")
    first = start(keyer, sheet.id).headers["Location"]
    second = key_section(keyer, first, ABOUT).headers["Location"]
    done = key_section(keyer, second, CASE)
    assert "state=keyed_once" in done.headers["Location"]
    refused = start(keyer, sheet.id)
    assert refused.status_code == 409
    assert f"You typed in sheet {ids.shown(sheet.id)} already" in refused.text
    other = browser(app, "worker.chen")
    blind = other.get(start(other, sheet.id).headers["Location"]).text
    assert 'value="3"' not in blind  # nothing of the first entry shows


def test_someone_elses_entry_is_a_404_and_a_reviewer_gets_a_403(
    app: Flask, keyer: FlaskClient, session: Session
) -> None:
    sheet = issued(session)
    first = start(keyer, sheet.id).headers["Location"]
    assert browser(app, "worker.chen").get(first).status_code == 404
    assert browser(app, "reviewer.zhao").get("/staff/entry/").status_code == 403


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"AGE": "7"}, "No box on the sheet has the code “7”"),
        ({"CHANNELS": "1 3"}, "cannot be chosen with other answers"),
        ({"AGE": "3 1"}, "Type one code: where several boxes are ticked, type *"),
    ],
)
def test_wrong_codes_come_back_with_a_message_and_store_nothing(
    keyer: FlaskClient, session: Session, fields: dict[str, str], words: str
) -> None:
    first = start(keyer, issued(session).id).headers["Location"]
    back = key_section(keyer, first, {**ABOUT, **fields})
    assert back.status_code == 422
    assert words in back.text and 'class="error-summary"' in back.text
    entry = session.exec(select(PaperEntry)).one()[0]
    assert (entry.typed, entry.sections) == ({}, [])


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"CALLS": "51"}, "Enter a number of 50 or less"),
        ({"IMPROVE": "x" * 1_000_000}, "Shorten your answer to 300 characters or fewer"),
        ({"WHEN-month": "13"}, "Enter a month from 1 to 12"),
    ],
)
def test_out_of_range_and_huge_answers_are_refused(
    keyer: FlaskClient, session: Session, fields: dict[str, str], words: str
) -> None:
    first = start(keyer, issued(session).id).headers["Location"]
    second = key_section(keyer, first, ABOUT).headers["Location"]
    back = key_section(keyer, second, {**CASE, **fields})
    assert back.status_code == 422 and words in back.text
    assert len(back.text) < 200_000  # the huge text is not sent back whole
    assert count(session, Response) == 0
    entry = session.exec(select(PaperEntry)).one()[0]
    assert entry.sections == ["about"]


def test_a_question_routed_past_is_greyed_and_refused_without_javascript(
    keyer: FlaskClient, session: Session
) -> None:
    first = start(keyer, issued(session).id).headers["Location"]
    second = key_section(keyer, first, {**ABOUT, "CHANNELS": "3"}).headers["Location"]
    page = keyer.get(second).text
    assert re.search(r'name="WAITED-hours"[^>]*disabled', page)
    back = key_section(keyer, second, CASE)
    assert back.status_code == 422
    assert "The answers before this question route past it: leave it empty" in back.text
    skipped = {k: v for k, v in CASE.items() if not k.startswith("WAITED")}
    assert key_section(keyer, second, skipped).status_code == 303


def test_a_keyer_stops_and_resumes_where_they_stopped(keyer: FlaskClient, session: Session) -> None:
    sheet = issued(session)
    first = start(keyer, sheet.id).headers["Location"]
    second = key_section(keyer, first, ABOUT).headers["Location"]
    listing = keyer.get("/staff/entry/").text
    assert f"Go on with sheet {ids.shown(sheet.id)}" in listing
    resumed = start(keyer, sheet.id)
    assert resumed.headers["Location"] == second
    again = keyer.get(first).text
    assert re.search(r'name="CHANNELS" value="1 2"', again)


def test_a_tampered_entry_or_section_is_a_404(keyer: FlaskClient, session: Session) -> None:
    first = start(keyer, issued(session).id).headers["Location"]
    assert keyer.get(first.replace("/s/about", "/s/nope")).status_code == 404
    assert keyer.get("/staff/entry/999999/s/about").status_code == 404


def test_every_issue_entry_adds_has_words() -> None:
    """keying.read's "no-such-box" and the entry service's own issues."""
    assert {keyed.ROUTED_PAST, keyed.ONE_CODE, "no-such-box"} <= set(MESSAGES)


def test_a_made_up_outcome_link_puts_no_words_on_the_page(keyer: FlaskClient) -> None:
    page = keyer.get("/staff/entry/?done=Nothing+happened&state=reconciled").text
    assert "is typed in" not in page and "Nothing happened" not in page
