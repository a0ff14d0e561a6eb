"""The paper staff pages: who may see and do what, issuing a run from the form, a run's
list, "go to sheet", voiding, and bad, hostile or huge input answered with a 4xx or a
message, storing nothing.

Runs print the suite's two-page survey (tests/questionnaires/two_pages.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork import cli_paper
from fieldwork.accounts.models import StaffUser
from fieldwork.definitions.service import Versions
from fieldwork.paper import entry, ids, reconciliation
from fieldwork.paper import service as paper
from fieldwork.paper.models import ISSUED, KEYED_ONCE, VOID, PaperSheet, PrintRun
from fieldwork.web import paper as pages
from tests.conftest import csrf_of
from tests.review.factories import add_response, fast_password_hashing, sign_in, staff

FORM = {
    "questionnaire": "two_pages",
    "language": "zh-Hant",
    "size": "large",
    "count": "4",
    "campaign": "2026Q4",
    "wave": "1",
    "segment": "elderly",
    "issued_to": "worker.li",
}


@pytest.fixture(autouse=True)
def _people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)
    staff(app, "admin.wang", "admin")
    staff(app, "worker.li", "fieldworker")


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session of the test's own, in no app context: requests of the test client must
    push theirs (one pushed here would be shared, with its `g`, by every request)."""
    engine = app.extensions["fieldwork.engine"]
    with Session(engine) as own:
        yield own


def browser(app: Flask, username: str, language: str = "en") -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    sign_in(client, username)
    return client


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return browser(app, "admin.wang")


def stored(session: Session) -> tuple[int, int]:
    runs = session.execute(select(func.count()).select_from(PrintRun)).scalar_one()
    sheets = session.execute(select(func.count()).select_from(PaperSheet)).scalar_one()
    return runs, sheets


def issued(session: Session, count: int = 2) -> list[PaperSheet]:
    """A run issued by the service, its sheets in order."""
    questionnaire = Versions().current(session, "two_pages")
    admin = session.exec(select(StaffUser).where(StaffUser.username == "admin.wang")).one()[0]
    order = paper.Order(language="en", size="standard", count=count, issued_to="worker.li")
    run = paper.issue(session, questionnaire, order, admin)
    return paper.sheets(session, run.id or 0)


def post(client: FlaskClient, url: str, data: dict[str, Any], page: str = "/staff/paper/") -> Any:
    token = csrf_of(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **data})


def test_an_admin_issues_a_run_from_the_form_and_sees_its_list(
    admin: FlaskClient, session: Session
) -> None:
    moved = post(admin, "/staff/paper/runs", FORM)
    assert moved.status_code == 303
    page = admin.get(moved.headers["Location"])
    assert page.status_code == 200
    run = session.exec(select(PrintRun)).one()[0]
    sheets = paper.sheets(session, run.id)
    shown = re.findall(r'class="setting sheet-id" href="[^"]+">([^<]+)</a>', page.text)
    assert shown == [ids.shown(s.id) for s in sheets]
    assert page.text.count(">Issued</td>") == 4
    assert "worker.li" in page.text and "繁體中文" in page.text and "Large print" in page.text
    assert (run.campaign, run.wave, run.segment, run.created_by is not None) == (
        "2026Q4",
        "1",
        "elderly",
        True,
    )
    listing = admin.get("/staff/paper/").text
    assert f"Run {run.id}" in listing and "Issued: 4" in listing


def test_the_staff_navigation_leads_to_the_paper_pages(admin: FlaskClient) -> None:
    overview = admin.get("/staff/").text
    assert 'href="/staff/paper/"' in overview and "Paper sheets" in overview


@pytest.mark.parametrize(
    ("changed", "field", "words"),
    [
        ({"questionnaire": "nope"}, "r-questionnaire", "Choose a questionnaire."),
        ({"language": "fr"}, "r-language", "Choose one of the questionnaire"),
        ({"size": "A3"}, "r-size", "Choose standard or large print."),
        ({"count": "0"}, "r-count", "from 1 to 1000"),
        ({"count": "1001"}, "r-count", "from 1 to 1000"),
        ({"count": "9" * 5000}, "r-count", "as a whole number"),
        ({"count": "-3"}, "r-count", "as a whole number"),
        ({"count": "²"}, "r-count", "as a whole number"),
        ({"campaign": "<script>alert(1)</script>"}, "r-campaign", "Use up to 64 letters"),
        ({"wave": "w" * 100_000}, "r-wave", "Use up to 64 letters"),
        ({"segment": "martians"}, "r-segment", "Choose a segment this questionnaire serves"),
        ({"issued_to": "admin.wang"}, "r-issued_to", "Choose the fieldworker"),
        ({"issued_to": ""}, "r-issued_to", "Choose the fieldworker"),
        ({"issued_to": "u" * 100_000}, "r-issued_to", "Choose the fieldworker"),
        ({"questionnaire": "q" * 100_000}, "r-questionnaire", "Choose a questionnaire."),
    ],
)
def test_a_bad_order_comes_back_with_the_problem_beside_its_field_and_stores_nothing(
    admin: FlaskClient, session: Session, changed: dict[str, str], field: str, words: str
) -> None:
    page = post(admin, "/staff/paper/runs", {**FORM, **changed})
    assert page.status_code == 400
    assert f'<a href="#{field}">' in page.text and words in page.text
    assert f'id="{field}-error"' in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert stored(session) == (0, 0)


def test_the_order_sent_is_kept_in_the_form(admin: FlaskClient) -> None:
    page = post(admin, "/staff/paper/runs", {**FORM, "count": "0"})
    assert 'name="campaign" value="2026Q4"' in page.text
    assert '<option value="worker.li" selected>' in page.text


def test_a_form_without_its_csrf_token_stores_nothing(admin: FlaskClient, session: Session) -> None:
    refused = admin.post("/staff/paper/runs", data=FORM)
    assert refused.status_code == 400
    assert stored(session) == (0, 0)


@pytest.mark.parametrize("role", ["reviewer", "fieldworker", "tester"])
def test_only_admins_issue_runs(app: Flask, session: Session, role: str) -> None:
    staff(app, f"{role}.zhao", role)
    client = browser(app, f"{role}.zhao")
    token = csrf_of(client.get("/staff/").text)
    refused = client.post("/staff/paper/runs", data={"csrf_token": token, **FORM})
    assert refused.status_code == 403
    assert stored(session) == (0, 0)


@pytest.mark.parametrize(
    ("role", "status"), [("reviewer", 200), ("fieldworker", 200), ("tester", 403)]
)
def test_reviewers_and_fieldworkers_look_sheets_up_without_the_admin_forms(
    app: Flask, session: Session, role: str, status: int
) -> None:
    [sheet] = issued(session, 1)
    staff(app, f"{role}.zhao", role)
    client = browser(app, f"{role}.zhao")
    index = client.get("/staff/paper/")
    page = client.get(f"/staff/paper/sheets/{sheet.id}")
    assert (index.status_code, page.status_code) == (status, status)
    if status == 200:
        assert "Issue a print run" not in index.text and "Void this sheet" not in page.text


def test_signed_out_people_are_sent_to_sign_in(client: FlaskClient) -> None:
    for url in ("/staff/paper/", "/staff/paper/runs/1", "/staff/paper/sheet?id=x"):
        moved = client.get(url)
        assert moved.status_code == 303 and "/staff/login" in moved.headers["Location"]


def test_go_to_sheet_forgives_how_the_id_is_typed(admin: FlaskClient, session: Session) -> None:
    [sheet] = issued(session, 1)
    typed = " " + ids.shown(sheet.id).lower().replace("-", " ") + " "
    moved = admin.get("/staff/paper/sheet", query_string={"id": typed})
    assert moved.status_code == 303
    assert moved.headers["Location"].endswith(f"/staff/paper/sheets/{sheet.id}")
    page = admin.get(moved.headers["Location"]).text
    assert f"Sheet {ids.shown(sheet.id)}" in page and "sheet 1 of 1" in page
    assert "Sheet issued" in page and "admin.wang" in page


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("ABCD", "A sheet id has 9 characters"),
        ("ABCD-EFGH-0", "is not used in sheet ids"),
        ("{wrong}", "a character is mistyped"),
        ("{unknown}", "No sheet has the id"),
        ("x" * 100_000, "A sheet id has 9 characters"),
        ("<b>AB</b>", "“&lt;” is not used in sheet ids"),
    ],
)
def test_go_to_sheet_says_why_an_id_finds_nothing(
    admin: FlaskClient, session: Session, typed: str, words: str
) -> None:
    [sheet] = issued(session, 1)
    wrong = ids.ALPHABET[(ids.ALPHABET.index(sheet.id[0]) + 1) % 29] + sheet.id[1:]
    forms = {"wrong": wrong, "unknown": ids.draw()}
    page = admin.get("/staff/paper/sheet", query_string={"id": typed.format(**forms)})
    assert page.status_code == 400
    assert '<a href="#go-id">' in page.text and words in page.text
    assert "<b>AB" not in page.text


def test_a_sheet_address_typed_by_hand_leads_to_the_sheet_or_a_404(
    admin: FlaskClient, session: Session
) -> None:
    [sheet] = issued(session, 1)
    moved = admin.get(f"/staff/paper/sheets/{ids.shown(sheet.id).lower()}")
    assert moved.headers["Location"].endswith(f"/staff/paper/sheets/{sheet.id}")
    assert admin.get(f"/staff/paper/sheets/{ids.draw()}").status_code == 404
    assert admin.get("/staff/paper/sheets/" + "A" * 5000).status_code == 404
    assert admin.get("/staff/paper/runs/99999999999").status_code == 404


def test_an_admin_voids_a_sheet_after_confirming(admin: FlaskClient, session: Session) -> None:
    sheet, other = issued(session)
    url = f"/staff/paper/sheets/{sheet.id}"
    page = admin.get(url).text
    assert "Void this sheet" in page
    moved = post(admin, f"{url}/void", {"reason": "Lost on the bus", "confirm": "yes"}, url)
    assert moved.status_code == 303
    page = admin.get(url).text
    assert "<strong>Void</strong>" in page and "Lost on the bus" in page
    assert "Sheet made void" in page and "Void this sheet" not in page
    session.expire_all()
    assert (paper.find(session, sheet.id).state, paper.find(session, other.id).state) == (
        VOID,
        ISSUED,
    )


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"reason": "Lost"}, "v-confirm", "Tick the box to confirm"),
        ({"reason": "Lost", "confirm": "no"}, "v-confirm", "Tick the box to confirm"),
        ({"reason": "  ", "confirm": "yes"}, "v-reason", "Say why the sheet is void."),
        ({"reason": "x" * 100_000, "confirm": "yes"}, "v-reason", "Shorten the reason"),
    ],
)
def test_a_void_not_confirmed_or_without_a_fit_reason_changes_nothing(
    admin: FlaskClient, session: Session, data: dict[str, str], field: str, words: str
) -> None:
    [sheet] = issued(session, 1)
    url = f"/staff/paper/sheets/{sheet.id}"
    page = post(admin, f"{url}/void", data, url)
    assert page.status_code == 400
    assert f'<a href="#{field}">' in page.text and words in page.text
    session.expire_all()
    assert paper.find(session, sheet.id).state == ISSUED
    assert len(paper.history(session, sheet.id)) == 1


def test_a_sheet_moved_on_meanwhile_is_not_voided_twice(
    admin: FlaskClient, session: Session
) -> None:
    [sheet] = issued(session, 1)
    url = f"/staff/paper/sheets/{sheet.id}"
    token = csrf_of(admin.get(url).text)
    paper.void(session, sheet.id, "lost", None)  # someone else, from the command line
    page = admin.post(f"{url}/void", data={"csrf_token": token, "reason": "x", "confirm": "yes"})
    assert page.status_code == 400
    assert "cannot be made" in page.text
    assert len(paper.history(session, sheet.id)) == 2


def test_a_void_without_its_csrf_token_or_by_a_non_admin_changes_nothing(
    app: Flask, admin: FlaskClient, session: Session
) -> None:
    [sheet] = issued(session, 1)
    url = f"/staff/paper/sheets/{sheet.id}/void"
    assert admin.post(url, data={"reason": "x", "confirm": "yes"}).status_code == 400
    staff(app, "reviewer.zhao", "reviewer")
    reviewer = browser(app, "reviewer.zhao")
    token = csrf_of(reviewer.get("/staff/").text)
    refused = reviewer.post(url, data={"csrf_token": token, "reason": "x", "confirm": "yes"})
    assert refused.status_code == 403
    session.expire_all()
    assert paper.find(session, sheet.id).state == ISSUED


def test_a_sheet_typed_in_is_not_offered_for_voiding_once_reconciled(
    admin: FlaskClient, session: Session
) -> None:
    [sheet] = issued(session, 1)
    paper.move(session, sheet.id, ISSUED, KEYED_ONCE)
    session.commit()
    assert "Void this sheet" in admin.get(f"/staff/paper/sheets/{sheet.id}").text
    paper.move(session, sheet.id, KEYED_ONCE, "reconciled")
    session.commit()
    page = admin.get(f"/staff/paper/sheets/{sheet.id}").text
    assert "Void this sheet" not in page and "<strong>Reconciled</strong>" in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-Hans", ["纸质问卷", "发放一批问卷", "前往问卷"]),
        ("zh-Hant", ["紙本問卷", "發放一批問卷", "前往問卷"]),
    ],
)
def test_the_pages_speak_the_staff_member_s_language(
    app: Flask, session: Session, language: str, words: list[str]
) -> None:
    [sheet] = issued(session, 1)
    client = browser(app, "admin.wang", language)
    index = client.get("/staff/paper/").text
    assert all(word in index for word in words), index
    page = client.get(f"/staff/paper/sheets/{sheet.id}").text
    assert "Void this sheet" not in page and "History" not in page


def test_every_refusal_code_has_words_on_the_pages_and_the_command_line() -> None:
    assert set(paper.RUN_CODES) == set(pages.RUN_PROBLEMS) == set(cli_paper.RUN_WORDS)
    codes = {*paper.SHEET_CODES, *entry.ENTRY_CODES, *reconciliation.CODES}
    assert codes == set(pages.SHEET_PROBLEMS)
    voiding = set(paper.SHEET_CODES) - {paper.VOIDED, paper.FINISHED}
    assert voiding == set(cli_paper.SHEET_WORDS)


def test_a_sheet_that_became_a_response_leads_reviewers_to_it(
    app: Flask, admin: FlaskClient, session: Session
) -> None:
    [sheet] = issued(session, 1)
    response_id = add_response(app, mode="paper")
    sheet.response_id = response_id
    session.add(sheet)
    session.commit()
    link = f'href="/staff/review/{response_id}"'
    assert link in admin.get(f"/staff/paper/sheets/{sheet.id}").text
    worker = browser(app, "worker.li")
    page = worker.get(f"/staff/paper/sheets/{sheet.id}").text
    assert f"Response {response_id}" in page and link not in page
