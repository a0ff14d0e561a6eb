"""Reconciliation: a supervisor who keyed neither entry settles the fields two blind
entries disagree on, by picking one or typing the paper's value; the sheet becomes its
response, each keyer's errors are counted, and of two supervisors at once one wins.

Sheets print the suite's two-page survey in English, verified twice every time.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlmodel import Session

from fieldwork.exports import files
from fieldwork.exports import service as exports
from fieldwork.paper import entry as keyed
from fieldwork.paper import ids, keyers
from fieldwork.paper import reconciliation as settling
from fieldwork.paper import service as paper
from fieldwork.paper.models import KEYED_TWICE, RECONCILED, PaperSheet
from fieldwork.paper.verification import Record
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.responses.filters import Filter
from fieldwork.responses.models import Response
from tests.conftest import csrf_of
from tests.paper.entries import ABOUT, CASE, STORING, key_all, person
from tests.review.factories import sign_in

pytestmark = pytest.mark.usefixtures("people")


def differing(
    session: Session, survey: Questionnaire, second_keyer: str = "worker.chen"
) -> PaperSheet:
    """A sheet keyed twice: the second entry has CALLS 3 where the first has 2, and R2
    illegible where the first has 5."""
    order = paper.Order(language="en", size="standard", count=1, issued_to="worker.li")
    run = paper.issue(session, survey, order, person(session, "admin.wang"))
    run.verification = "all"
    session.add(run)
    session.commit()
    sheet = paper.sheets(session, run.id or 0)[0]
    first = keyed.start(session, sheet.id, person(session, "worker.li"))
    key_all(session, survey, first, ABOUT, {**CASE, "R2": {"": "5"}})
    second = keyed.start(session, sheet.id, person(session, second_keyer))
    finished = key_all(session, survey, second, ABOUT, {**CASE, "CALLS": {"": "3"}})
    assert finished.differences == ("CALLS", "R2")
    return sheet


def responses(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Response)).scalar_one()


def test_the_case_shows_both_values_of_each_differing_field_only(
    session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey)
    found = settling.case(session, survey, sheet.id, person(session, "reviewer.zhao"))
    assert [(f.code, f.values) for f in found.fields] == [
        ("CALLS", (2, 3)),
        ("R2", (5, "_illegible")),
    ]


def test_a_supervisor_settles_a_sheet_and_each_keyers_errors_are_counted(
    session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey)
    supervisor = person(session, "reviewer.zhao")
    found = settling.case(session, survey, sheet.id, supervisor)
    finished, issues = settling.reconcile(
        session,
        survey,
        found,
        {"CALLS": settling.FIRST, "R2": settling.TYPED},
        {"R2": {"": "4"}},
        supervisor,
        STORING,
    )
    assert issues == [] and finished is not None and finished.state == RECONCILED
    response = session.get(Response, finished.response_id)
    assert response is not None
    assert (response.answers["CALLS"], response.answers["R2"]) == (2, 4)
    assert response.source["entry_pass"] == "2" and response.paradata["double_entered"]
    errors = [(e.compared, e.errors, e.wrong) for e in keyed.entries(session, sheet.id)]
    assert errors == [(12, 1, ["R2"]), (12, 2, ["CALLS", "R2"])]
    history = paper.history(session, sheet.id)
    assert history[-1].action == "sheet-reconciled" and history[-1].actor == "reviewer.zhao"


def test_a_field_left_without_a_pick_or_a_wrong_typed_value_stores_nothing(
    session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey)
    supervisor = person(session, "reviewer.zhao")
    found = settling.case(session, survey, sheet.id, supervisor)
    _none, issues = settling.reconcile(
        session, survey, found, {"CALLS": "1"}, {}, supervisor, STORING
    )
    assert [(i.question, i.code) for i in issues] == [("R2", "no-pick")]
    picks = {"CALLS": "typed", "R2": "1"}
    _none, issues = settling.reconcile(
        session, survey, found, picks, {"CALLS": {"": "99"}}, supervisor, STORING
    )
    assert [(i.question, i.code) for i in issues] == [("CALLS", "above-max")]
    assert responses(session) == 0
    assert session.get(PaperSheet, sheet.id).state == KEYED_TWICE  # type: ignore[union-attr]


def test_of_two_supervisors_at_once_one_wins_and_the_other_is_told(
    session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey)
    zhao, sun = person(session, "reviewer.zhao"), person(session, "reviewer.sun")
    seen_by_zhao = settling.case(session, survey, sheet.id, zhao)
    seen_by_sun = settling.case(session, survey, sheet.id, sun)
    picks = {"CALLS": "1", "R2": "1"}
    settling.reconcile(session, survey, seen_by_zhao, picks, {}, zhao, STORING)
    with pytest.raises(paper.SheetError) as refused:
        settling.reconcile(
            session, survey, seen_by_sun, {"CALLS": "2", "R2": "1"}, {}, sun, STORING
        )
    assert refused.value.code == "changed"
    assert responses(session) == 1
    response = session.exec(select(Response)).one()[0]
    assert response.answers["CALLS"] == 2


def test_a_second_supervisor_picking_the_same_values_is_told_too(
    session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey)
    zhao, sun = person(session, "reviewer.zhao"), person(session, "reviewer.sun")
    seen_by_sun = settling.case(session, survey, sheet.id, sun)
    picks = {"CALLS": "1", "R2": "1"}
    settling.reconcile(
        session, survey, settling.case(session, survey, sheet.id, zhao), picks, {}, zhao, STORING
    )
    with pytest.raises(paper.SheetError) as refused:
        settling.reconcile(session, survey, seen_by_sun, picks, {}, sun, STORING)
    assert refused.value.code == "changed" and responses(session) == 1
    assert [a.actor for a in paper.history(session, sheet.id)][-1] == "reviewer.zhao"


def test_settling_stopped_after_the_response_was_stored_is_finished_by_the_next_attempt(
    session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey)
    zhao = person(session, "reviewer.zhao")
    picks = {"CALLS": "1", "R2": "1"}
    found = settling.case(session, survey, sheet.id, zhao)
    settling.reconcile(session, survey, found, picks, {}, zhao, STORING)
    # As if the process had stopped between storing the response and moving the sheet.
    session.execute(
        update(PaperSheet)
        .where(PaperSheet.id == sheet.id)  # type: ignore[arg-type]
        .values(state=KEYED_TWICE, response_id=None)
    )
    session.commit()
    again = settling.case(session, survey, sheet.id, zhao)
    finished, _issues = settling.reconcile(session, survey, again, picks, {}, zhao, STORING)
    assert finished is not None and finished.state == RECONCILED and responses(session) == 1


def test_a_keyer_cannot_reconcile_a_sheet_they_keyed(
    session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey, second_keyer="admin.wang")
    with pytest.raises(paper.SheetError) as refused:
        settling.case(session, survey, sheet.id, person(session, "admin.wang"))
    assert refused.value.code == "own-entry"
    with pytest.raises(paper.SheetError) as refused:
        settling.case(session, survey, sheet.id, person(session, "worker.li"))
    assert refused.value.code == "not-a-supervisor"


# ---------------------------------------------------------------- the pages


def browser(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    sign_in(client, username)
    return client


def post(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    token = csrf_of(client.get(url).text)
    return client.post(url, data={"csrf_token": token, **data})


def test_the_page_shows_the_values_side_by_side_without_who_typed_them(
    app: Flask, session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey)
    client = browser(app, "reviewer.zhao")
    listing = client.get("/staff/paper/reconcile/").text
    assert f"Reconcile sheet {ids.shown(sheet.id)}" in listing
    shown = client.get(f"/staff/paper/reconcile/{sheet.id}")
    page = shown.text
    assert shown.status_code == 200, re.sub(r"\s+", " ", page)[-3000:]
    assert "Entry A: <strong" in page and "Entry B: <strong" in page
    assert "Cannot be read on the sheet" in page
    assert "worker.li" not in page and "worker.chen" not in page
    assert re.findall(r'<legend class="legend"><span class="question-code">(\w+)', page) == [
        "CALLS",
        "R2",
    ]


def test_the_page_settles_a_sheet_and_a_second_supervisor_gets_a_409(
    app: Flask, session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey)
    url = f"/staff/paper/reconcile/{sheet.id}"
    zhao, sun = browser(app, "reviewer.zhao"), browser(app, "reviewer.sun")
    token = csrf_of(sun.get(url).text)  # sun opens the page too
    moved = post(zhao, url, {"pick-CALLS": "2", "pick-R2": "typed", "t-R2": "5"})
    assert moved.status_code == 303
    late = sun.post(url, data={"csrf_token": token, "pick-CALLS": "1", "pick-R2": "1"})
    assert late.status_code == 409
    assert "nothing to reconcile: it was reconciled already" in late.text
    response = session.exec(select(Response)).one()[0]
    assert (response.answers["CALLS"], response.answers["R2"]) == (3, 5)


def test_bad_input_on_the_page_is_a_422_and_stores_nothing(
    app: Flask, session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey)
    client = browser(app, "reviewer.zhao")
    url = f"/staff/paper/reconcile/{sheet.id}"
    back = post(client, url, {"pick-CALLS": "typed", "t-CALLS": "x" * 1_000_000})
    assert back.status_code == 422
    assert "Choose the value on the paper, or type it" in back.text
    assert "Enter a number, like 3" in back.text or "Enter a whole number" in back.text
    assert responses(session) == 0


def test_fieldworkers_and_the_sheets_keyers_are_kept_out(
    app: Flask, session: Session, survey: Questionnaire
) -> None:
    sheet = differing(session, survey, second_keyer="admin.wang")
    url = f"/staff/paper/reconcile/{sheet.id}"
    assert browser(app, "worker.li").get(url).status_code == 403
    own = browser(app, "admin.wang").get(url)
    assert own.status_code == 403 and "another supervisor reconciles it" in own.text
    assert browser(app, "reviewer.zhao").get("/staff/paper/reconcile/K7QM").status_code == 404


# ---------------------------------------------------------------- keyer statistics


def settled(session: Session, survey: Questionnaire) -> PaperSheet:
    """A sheet reconciled with CALLS 2 (the first entry's) and R2 4 (typed): the first
    keyer got R2 wrong, the second CALLS and R2."""
    sheet = differing(session, survey)
    supervisor = person(session, "reviewer.zhao")
    found = settling.case(session, survey, sheet.id, supervisor)
    picks = {"CALLS": settling.FIRST, "R2": settling.TYPED}
    settling.reconcile(session, survey, found, picks, {"R2": {"": "4"}}, supervisor, STORING)
    return sheet


def test_keyer_statistics_count_each_keyers_errors_against_the_final_answers(
    session: Session, survey: Questionnaire
) -> None:
    settled(session, survey)
    rows = {row.keyer: row for row in keyers.rows(session)}
    li, chen = rows["worker.li"], rows["worker.chen"]
    assert (li.sheets, li.fields, li.compared, li.errors) == (1, 12, 12, 1)
    assert (chen.errors, chen.most_miskeyed()) == (2, [("CALLS", 1), ("R2", 1)])
    assert li.error_rate == pytest.approx(1 / 12)
    assert li.errors_per_thousand_keystrokes == pytest.approx(1000 / li.keystrokes)
    assert li.keystrokes_per_hour == pytest.approx(li.keystrokes / 24 * 3600)
    assert keyers.rows(session, "another-campaign") == []
    # What adaptive verification judges the keyer by.
    assert keyed.record(session, person(session, "worker.li").id or 0) == Record(12, 1)


def test_the_keyer_statistics_page_and_file(
    app: Flask, session: Session, survey: Questionnaire
) -> None:
    settled(session, survey)
    client = browser(app, "reviewer.zhao")
    page = client.get("/staff/paper/keyers")
    assert page.status_code == 200
    assert "worker.li" in page.text and "8.33%" in page.text and "CALLS (1), R2 (1)" in page.text
    got = client.get("/staff/paper/keyers.csv")
    assert got.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(got.text.lstrip("\ufeff"))))
    assert lines[0] == list(keyers.COLUMNS)
    chen = next(line for line in lines if line[1] == "worker.chen")
    assert (chen[2], chen[7], chen[8], chen[10], chen[11]) == (
        "1",
        "12",
        "2",
        "0.1667",
        "CALLS:1 R2:1",
    )
    assert browser(app, "worker.li").get("/staff/paper/keyers").status_code == 403


def test_a_reconciled_sheet_lands_in_a_frozen_batch_with_its_final_values(
    session: Session, survey: Questionnaire, tmp_path: Path
) -> None:
    sheet = settled(session, survey)
    session.execute(update(Response).values(status="approved"))
    session.commit()
    admin = person(session, "admin.wang")
    batch = exports.freeze(session, "paper", Filter("two_pages"), "r", admin)
    folder = files.write(session, batch, tmp_path / "batch")
    rows = list(csv.DictReader(io.StringIO((folder / "data.csv").read_text("utf-8-sig"))))
    [row] = rows
    assert (row["mode"], row["sheet_id"], row["entry_pass"], row["double_entered"]) == (
        "paper",
        sheet.id,
        "2",
        "yes",
    )
    assert (row["CALLS"], row["R2"], row["keyer"]) == ("2", "4", "S01")
    assert "worker.chen" not in (folder / "data.csv").read_text("utf-8-sig")


def test_a_sheets_page_lists_its_entries_for_supervisors_only(
    app: Flask, session: Session, survey: Questionnaire
) -> None:
    sheet = settled(session, survey)
    page = browser(app, "reviewer.zhao").get(f"/staff/paper/sheets/{sheet.id}").text
    assert "worker.chen" in page and "2 (CALLS, R2)" in page and "Sheet typed in" in page
    assert "Sheet stored as a response" in page
    shown_to_keyer = browser(app, "worker.li").get(f"/staff/paper/sheets/{sheet.id}").text
    assert "(CALLS, R2)" not in shown_to_keyer
