"""Heads-down entry as a service: starting a sheet (refusals, resuming, the unique
constraints of blind double entry), reading a section's keys with the web form's rules,
routing, storing as it goes, and what finishing leads to under each verification policy.

Sheets print the suite's two-page survey (tests/questionnaires/two_pages.yaml).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork.paper import entry as keyed
from fieldwork.paper import ids, verification
from fieldwork.paper import service as paper
from fieldwork.paper.models import (
    KEYED_ONCE,
    KEYED_TWICE,
    RECONCILED,
    PaperEntry,
    PaperSheet,
    PrintRun,
)
from fieldwork.questionnaire.model import BLANK, DONT_KNOW, ILLEGIBLE, SEVERAL_TICKED, Questionnaire
from fieldwork.responses.models import Response
from tests.paper.entries import ABOUT, CASE, key_all, person

pytestmark = pytest.mark.usefixtures("people")


def sheet(session: Session, survey: Questionnaire, verification: str = "none") -> PaperSheet:
    """One issued sheet of a run in English whose sheets are verified as told."""
    order = paper.Order(
        language="en", size="standard", count=1, issued_to="worker.li", segment="elderly"
    )
    run = paper.issue(session, survey, order, person(session, "admin.wang"))
    run.verification = verification
    session.add(run)
    session.commit()
    return paper.sheets(session, run.id or 0)[0]


def started(session: Session, found: PaperSheet, username: str = "worker.li") -> PaperEntry:
    return keyed.start(session, found.id, person(session, username))


def count(session: Session, table: Any) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("K7QM", "wrong-length"),
        ("K7QM-3XWD-0", "bad-character"),
        ("K7QM-3XWD-3", "check-fails"),
    ],
)
def test_a_malformed_id_is_refused_before_any_lookup(
    session: Session, typed: str, code: str
) -> None:
    with pytest.raises(paper.SheetError) as refused:
        keyed.start(session, typed, person(session, "worker.li"))
    assert refused.value.code == code
    assert count(session, PaperEntry) == 0


def test_an_unknown_id_with_a_right_check_character_is_refused(session: Session) -> None:
    with pytest.raises(paper.SheetError) as refused:
        keyed.start(session, ids.draw(), person(session, "worker.li"))
    assert refused.value.code == "unknown"


def test_a_void_sheet_is_refused(session: Session, survey: Questionnaire) -> None:
    found = sheet(session, survey)
    paper.void(session, found.id, "lost", person(session, "admin.wang"))
    with pytest.raises(paper.SheetError) as refused:
        keyed.start(session, found.id, person(session, "worker.li"))
    assert refused.value.code == "void"


def test_an_id_typed_loosely_opens_the_sheet_and_the_same_keyer_resumes_it(
    session: Session, survey: Questionnaire
) -> None:
    found = sheet(session, survey)
    loose = " " + ids.shown(found.id).lower().replace("-", " ") + " "
    first = keyed.start(session, loose, person(session, "worker.li"))
    again = keyed.start(session, found.id, person(session, "worker.li"))
    assert (first.id, first.entry_pass) == (again.id, 1)
    assert count(session, PaperEntry) == 1


def test_a_second_keyer_cannot_take_a_pass_someone_is_keying(
    session: Session, survey: Questionnaire
) -> None:
    found = sheet(session, survey)
    keyed.start(session, found.id, person(session, "worker.li"))
    with pytest.raises(paper.SheetError) as refused:
        keyed.start(session, found.id, person(session, "worker.chen"))
    assert refused.value.code == "in-hand"


def test_a_reviewer_does_not_key_sheets(session: Session, survey: Questionnaire) -> None:
    with pytest.raises(paper.SheetError) as refused:
        keyed.start(session, sheet(session, survey).id, person(session, "reviewer.zhao"))
    assert refused.value.code == "not-a-keyer"


def test_the_first_keyer_cannot_key_the_second_pass(
    session: Session, survey: Questionnaire
) -> None:
    found = sheet(session, survey, "all")
    finished = key_all(session, survey, started(session, found))
    assert finished.state == KEYED_ONCE
    with pytest.raises(paper.SheetError) as refused:
        keyed.start(session, found.id, person(session, "worker.li"))
    assert refused.value.code == "keyed-already"
    second = keyed.start(session, found.id, person(session, "worker.chen"))
    assert second.entry_pass == 2 and second.answers == {} and second.typed == {}


def test_the_constraint_refuses_a_keyer_twice_on_one_sheet_whatever_the_pass(
    session: Session, survey: Questionnaire
) -> None:
    """Check-then-insert would miss two requests at once; the table itself refuses."""
    found = sheet(session, survey)
    worker = person(session, "worker.li").id or 0
    assert keyed._insert(session, found.id, 1, worker) is not None
    assert keyed._insert(session, found.id, 2, worker) is None
    assert keyed._insert(session, found.id, 1, person(session, "worker.chen").id or 0) is None
    session.rollback()


def test_a_section_reads_codes_missing_keys_and_written_special_answers(
    session: Session, survey: Questionnaire
) -> None:
    chosen = keyed.section(survey, "case")
    assert chosen is not None
    page = keyed.read_page(survey, chosen, {"CHANNELS": ["phone"]}, CASE, "en")
    assert page.issues == []
    assert page.values["WHEN"] == "2026-09-03" and page.values["WAITED"] == 75
    assert (page.values["R2"], page.values["R3"], page.values["STORY"]) == (
        ILLEGIBLE,
        DONT_KNOW,
        BLANK,
    )
    assert page.values["SCORE"] == 10 and page.values["IMPROVE"] == "快一点"


@pytest.mark.parametrize(
    ("code", "typed", "issue"),
    [
        ("AGE", {"": "7"}, "no-such-box"),
        ("AGE", {"": "1 2"}, "one-code"),
        ("R1", {"": "1,2"}, "one-code"),
        ("CHANNELS", {"": "1 3"}, "exclusive-combined"),
        ("KIDS", {"": "*"}, None),
        ("CALLS", {"": "51"}, "above-max"),
        ("CALLS", {"": "/7"}, "no-such-box"),
        ("IMPROVE", {"": "x" * 301}, "too-long"),
        ("WHEN", {"day": "31", "month": "2", "year": "2026"}, "no-such-day"),
    ],
)
def test_wrong_keys_get_the_web_forms_issues(
    survey: Questionnaire, code: str, typed: dict[str, str], issue: str | None
) -> None:
    question = survey.question(code)
    chosen = keyed.section(survey, question.section)
    assert chosen is not None
    page = keyed.read_page(survey, chosen, {}, {code: typed}, "en")
    assert [i.code for i in page.issues if i.question == code] == ([issue] if issue else [])


def test_a_question_the_answers_route_past_is_refused_and_an_unreadable_answer_routes_nowhere(
    session: Session, survey: Questionnaire
) -> None:
    chosen = keyed.section(survey, "case")
    assert chosen is not None
    routed = keyed.read_page(survey, chosen, {"CHANNELS": ["none"]}, CASE, "en")
    assert [(i.question, i.code) for i in routed.issues] == [("WAITED", "routed-past")]
    without = {**CASE, "WAITED": {"hours": "", "minutes": ""}}
    assert keyed.read_page(survey, chosen, {"CHANNELS": ["none"]}, without, "en").issues == []
    unread = keyed.read_page(survey, chosen, {"CHANNELS": SEVERAL_TICKED}, CASE, "en")
    assert unread.issues == [] and "WAITED" in unread.values


def test_a_section_with_issues_stores_nothing(session: Session, survey: Questionnaire) -> None:
    found = sheet(session, survey)
    entry = keyed.start(session, found.id, person(session, "worker.li"))
    chosen = keyed.section(survey, "about")
    assert chosen is not None
    bad = {**ABOUT, "AGE": {"": "9"}}
    issues = keyed.save_page(session, survey, entry, chosen, bad, 40, 9.0, "en")
    assert [i.code for i in issues] == ["no-such-box"]
    session.expire_all()
    stored = session.get(PaperEntry, entry.id)
    assert stored is not None
    assert (stored.typed, stored.answers, stored.sections, stored.keystrokes) == ({}, {}, [], 0)


def test_an_entry_is_stored_as_it_goes_and_resumes_where_it_stopped(
    session: Session, survey: Questionnaire
) -> None:
    found = sheet(session, survey)
    entry = keyed.start(session, found.id, person(session, "worker.li"))
    about = keyed.section(survey, "about")
    assert about is not None
    assert keyed.save_page(session, survey, entry, about, ABOUT, 17, 30.0, "en") == []
    session.expire_all()
    resumed = keyed.start(session, ids.shown(found.id), person(session, "worker.li"))
    assert resumed.answers == {"AGE": "age_60_plus", "KIDS": "no", "CHANNELS": ["phone", "chat"]}
    assert (resumed.keystrokes, resumed.seconds, resumed.typed["AGE"]) == (17, 30.0, {"": "3"})
    next_one = keyed.next_section(survey, resumed)
    assert next_one is not None and next_one.code == "case"


def test_keystrokes_without_the_pages_script_are_worked_out_and_seconds_capped(
    session: Session, survey: Questionnaire
) -> None:
    found = sheet(session, survey)
    entry = keyed.start(session, found.id, person(session, "worker.li"))
    about = keyed.section(survey, "about")
    assert about is not None
    keyed.save_page(session, survey, entry, about, ABOUT, None, 99_999.0, "en")
    # "3", "2", "1 2" and the Enter that sends the page
    assert (entry.keystrokes, entry.seconds) == (1 + 1 + 3 + 1, keyed.PAGE_SECONDS_LIMIT)


def test_one_entry_is_all_a_sheet_needs_without_verification(
    session: Session, survey: Questionnaire
) -> None:
    found = sheet(session, survey, "none")
    finished = key_all(session, survey, started(session, found))
    assert finished.state == RECONCILED and finished.response_id is not None
    response = session.get(Response, finished.response_id)
    assert response is not None
    assert (response.mode, response.sheet_id, response.source["entry_pass"]) == (
        "paper",
        found.id,
        "1",
    )
    assert (response.segment, response.segment_source) == ("elderly", "sheet")
    assert response.entered_by == person(session, "worker.li").id
    assert response.answers["R2"] == ILLEGIBLE and response.answers["STORY"] == BLANK
    assert response.paradata["double_entered"] is False and response.paradata["entry_seconds"] == 24
    session.refresh(found)
    assert (found.state, found.response_id) == (RECONCILED, response.id)
    actions = [a.action for a in paper.history(session, found.id)]
    assert actions == ["sheet-issued", "sheet-keyed", "sheet-reconciled"]
    # Nothing checked it, so it earns its keyer no record towards adaptive trust.
    [entry] = keyed.entries(session, found.id)
    assert (entry.compared, entry.errors) == (None, None)
    assert keyed.record(session, entry.keyer_id) == verification.Record(0, 0)


def test_two_entries_that_agree_become_a_response_at_once(
    session: Session, survey: Questionnaire
) -> None:
    found = sheet(session, survey, "all")
    key_all(session, survey, started(session, found))
    second = keyed.start(session, found.id, person(session, "worker.chen"))
    finished = key_all(session, survey, second)
    assert finished.state == RECONCILED
    response = session.get(Response, finished.response_id)
    assert response is not None and response.source["entry_pass"] == "2"
    assert response.paradata["double_entered"] is True
    errors = [(e.compared, e.errors) for e in keyed.entries(session, found.id)]
    assert errors == [(12, 0), (12, 0)]


def test_two_entries_that_differ_wait_for_a_supervisor(
    session: Session, survey: Questionnaire
) -> None:
    found = sheet(session, survey, "all")
    key_all(session, survey, started(session, found))
    second = keyed.start(session, found.id, person(session, "worker.chen"))
    finished = key_all(session, survey, second, case={**CASE, "CALLS": {"": "3"}})
    assert (finished.state, finished.differences) == (KEYED_TWICE, ("CALLS",))
    assert count(session, Response) == 0
    session.refresh(found)
    assert found.state == KEYED_TWICE


def test_a_sheet_voided_while_it_is_keyed_is_not_finished(
    session: Session, survey: Questionnaire
) -> None:
    found = sheet(session, survey, "none")
    entry = keyed.start(session, found.id, person(session, "worker.li"))
    paper.void(session, found.id, "spoiled", person(session, "admin.wang"))
    with pytest.raises(paper.SheetError) as refused:
        key_all(session, survey, entry)
    assert refused.value.code == "changed"
    assert count(session, Response) == 0
    session.expire_all()
    stored = session.get(PaperEntry, entry.id)
    assert stored is not None and stored.finished_at is None
    assert session.get(PaperSheet, found.id).state == "void"  # type: ignore[union-attr]


def test_the_default_verification_is_adaptive_with_a_tenth(
    session: Session, survey: Questionnaire
) -> None:
    order = paper.Order(language="en", size="standard", count=1, issued_to="worker.li")
    run = paper.issue(session, survey, order, person(session, "admin.wang"))
    stored = session.get(PrintRun, run.id)
    assert stored is not None and (stored.verification, stored.share) == ("adaptive", 0.1)
    # A keyer with no verified work is keyed twice under adaptive.
    found = paper.sheets(session, run.id or 0)[0]
    finished = key_all(session, survey, started(session, found))
    assert finished.state == KEYED_ONCE
    assert [a.action for a in paper.history(session, found.id)][-1] == "sheet-keyed"


def test_two_keyers_opening_one_sheet_at_the_same_moment_get_one_entry(
    app: Flask, session: Session, survey: Questionnaire
) -> None:
    """Real concurrency, each keyer in a session and thread of their own: the unique
    constraint, not a lookup, decides who gets the first entry."""
    found = sheet(session, survey)
    engine = app.extensions["fieldwork.engine"]
    ready = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def open_as(username: str) -> None:
        with Session(engine) as own:
            keyer = person(own, username)
            ready.wait()
            try:
                keyed.start(own, found.id, keyer)
                outcomes[username] = "entry"
            except paper.SheetError as refused:
                outcomes[username] = refused.code

    threads = [threading.Thread(target=open_as, args=(u,)) for u in ("worker.li", "worker.chen")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["entry", "in-hand"], outcomes
    assert count(session, PaperEntry) == 1
