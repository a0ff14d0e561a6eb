"""Print runs and sheets: issuing, a clash of random ids, voiding, the legal state changes,
finding a sheet by a typed id, and a sheet's history in the audit log.

Runs print the suite's two-page survey (tests/questionnaires/two_pages.yaml).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork import catalog, db
from fieldwork.accounts import service as accounts
from fieldwork.accounts.models import StaffUser
from fieldwork.audit.models import AuditEntry
from fieldwork.paper import ids
from fieldwork.paper import service as paper
from fieldwork.paper.models import (
    ISSUED,
    KEYED_ONCE,
    KEYED_TWICE,
    RECONCILED,
    STATES,
    VOID,
    PaperSheet,
    PrintRun,
)
from fieldwork.questionnaire.model import Questionnaire
from tests.review.factories import fast_password_hashing, staff

SURVEY = "two_pages"


@pytest.fixture(autouse=True)
def _fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session()


@pytest.fixture
def survey(session: Session) -> Questionnaire:
    found = catalog.versions().current(session, SURVEY)
    assert found is not None
    return found


@pytest.fixture
def admin(app: Flask, session: Session) -> StaffUser:
    found = session.get(StaffUser, staff(app, "admin.wang", "admin"))
    assert found is not None
    return found


@pytest.fixture
def worker(app: Flask) -> str:
    staff(app, "worker.li", "fieldworker")
    return "worker.li"


def order(worker: str, **changed: object) -> paper.Order:
    given = paper.Order(language="zh-Hans", size="large", count=3, issued_to=worker)
    return dataclasses.replace(given, **changed)  # type: ignore[arg-type]


def count(session: Session, table: type[PrintRun] | type[PaperSheet]) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_run_issues_numbered_sheets_with_valid_distinct_ids(
    session: Session, survey: Questionnaire, admin: StaffUser, worker: str
) -> None:
    chosen = order(worker, count=25, campaign="2026Q4", wave="1", segment="elderly")
    run = paper.issue(session, survey, chosen, admin)
    sheets = paper.sheets(session, run.id or 0)
    assert [s.number for s in sheets] == list(range(1, 26))
    assert all(ids.is_valid(s.id) and s.state == ISSUED for s in sheets)
    assert len({s.id for s in sheets}) == 25
    assert (run.questionnaire_id, run.version_hash) == (SURVEY, survey.content_hash)
    assert (run.language, run.size, run.campaign, run.wave, run.segment) == (
        "zh-Hans",
        "large",
        "2026Q4",
        "1",
        "elderly",
    )
    row = paper.run_row(session, run.id or 0)
    assert row is not None and (row.issued_to, row.created_by) == (worker, "admin.wang")
    assert row.states == {ISSUED: 25}


def test_each_sheet_issued_is_in_its_history(
    session: Session, survey: Questionnaire, admin: StaffUser, worker: str
) -> None:
    run = paper.issue(session, survey, order(worker), admin)
    second = paper.sheets(session, run.id or 0)[1]
    [entry] = paper.history(session, second.id)
    assert (entry.action, entry.actor, entry.actor_id) == ("sheet-issued", "admin.wang", admin.id)
    assert entry.new == {"state": ISSUED, "run": run.id, "number": 2}


def test_a_thousand_sheets_are_one_run(
    session: Session, survey: Questionnaire, admin: StaffUser, worker: str
) -> None:
    run = paper.issue(session, survey, order(worker, count=1000), admin)
    assert len({s.id for s in paper.sheets(session, run.id or 0)}) == 1000


def drawing(*first: str) -> Callable[[], str]:
    """A draw that gives `first` in turn, then fresh ids."""
    queue = list(first)
    return lambda: queue.pop(0) if queue else ids.draw()


def test_an_id_already_taken_is_drawn_again_and_the_earlier_sheet_keeps_it(
    session: Session, survey: Questionnaire, admin: StaffUser, worker: str
) -> None:
    earlier = paper.issue(session, survey, order(worker, count=1), admin)
    [taken] = paper.sheets(session, earlier.id or 0)
    twice = ids.draw()
    # The first draw clashes with a stored sheet, the next two with each other.
    run = paper.issue(session, survey, order(worker), admin, drawing(taken.id, twice, twice))
    sheets = paper.sheets(session, run.id or 0)
    assert len(sheets) == 3 and len({s.id for s in sheets}) == 3
    assert taken.id not in {s.id for s in sheets} and twice in {s.id for s in sheets}
    session.expire_all()
    kept = session.get(PaperSheet, taken.id)
    assert kept is not None and kept.run_id == earlier.id
    assert [e.action for e in paper.history(session, taken.id)] == ["sheet-issued"]


def test_a_source_that_only_gives_taken_ids_stores_nothing(
    session: Session, survey: Questionnaire, admin: StaffUser, worker: str
) -> None:
    earlier = paper.issue(session, survey, order(worker, count=1), admin)
    [taken] = paper.sheets(session, earlier.id or 0)
    audited = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    with pytest.raises(RuntimeError):
        paper.issue(session, survey, order(worker), admin, lambda: taken.id)
    assert (count(session, PrintRun), count(session, PaperSheet)) == (1, 1)
    assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == audited


@pytest.mark.parametrize(
    ("changed", "field", "code"),
    [
        ({"language": "fr"}, "language", "unknown-language"),
        ({"size": "huge"}, "size", "unknown-size"),
        ({"count": 0}, "count", "count-out-of-range"),
        ({"count": 1001}, "count", "count-out-of-range"),
        ({"count": None}, "count", "count-not-a-number"),
        ({"campaign": "2026 Q4"}, "campaign", "bad-label"),
        ({"wave": "w" * 65}, "wave", "bad-label"),
        ({"segment": "martians"}, "segment", "unknown-segment"),
        ({"issued_to": "nobody"}, "issued_to", "not-a-fieldworker"),
        ({"issued_to": "admin.wang"}, "issued_to", "not-a-fieldworker"),
    ],
)
def test_an_order_that_cannot_be_is_refused_and_stores_nothing(
    session: Session,
    survey: Questionnaire,
    admin: StaffUser,
    worker: str,
    changed: dict[str, object],
    field: str,
    code: str,
) -> None:
    with pytest.raises(paper.RunRefused) as refused:
        paper.issue(session, survey, order(worker, **changed), admin)
    assert [(p.field, p.code) for p in refused.value.problems] == [(field, code)]
    assert (count(session, PrintRun), count(session, PaperSheet)) == (0, 0)


def test_every_problem_of_an_order_is_told_at_once(
    session: Session, admin: StaffUser, worker: str
) -> None:
    wrong = order("nobody", size="", count=None, campaign="'; drop table")
    with pytest.raises(paper.RunRefused) as refused:
        paper.issue(session, None, wrong, admin)
    assert [p.code for p in refused.value.problems] == [
        "unknown-questionnaire",
        "unknown-size",
        "count-not-a-number",
        "bad-label",
        "not-a-fieldworker",
    ]
    assert {p.code for p in refused.value.problems} <= set(paper.RUN_CODES)


def test_a_checklist_is_not_printed_and_only_admins_issue(
    app: Flask, session: Session, survey: Questionnaire, worker: str
) -> None:
    checklist = dataclasses.replace(survey, kind="checklist")
    with pytest.raises(paper.RunRefused) as refused:
        paper.issue(session, checklist, order(worker), None)
    assert [p.code for p in refused.value.problems] == ["not-for-paper"]
    reviewer = session.get(StaffUser, staff(app, "reviewer.chen"))
    with pytest.raises(paper.RunRefused) as refused:
        paper.issue(session, survey, order(worker), reviewer)
    assert [(p.field, p.code) for p in refused.value.problems] == [("creator", "not-allowed")]


def test_a_run_from_the_command_line_names_no_creator(
    session: Session, survey: Questionnaire, worker: str
) -> None:
    run = paper.issue(session, survey, order(worker, count=1), None)
    assert run.created_by is None
    [sheet] = paper.sheets(session, run.id or 0)
    [entry] = paper.history(session, sheet.id)
    assert (entry.actor, entry.actor_id) == (paper.COMMAND_LINE, None)


@pytest.fixture
def sheet(session: Session, survey: Questionnaire, admin: StaffUser, worker: str) -> PaperSheet:
    run = paper.issue(session, survey, order(worker, count=1), admin)
    [issued] = paper.sheets(session, run.id or 0)
    return issued


def test_a_voided_sheet_says_why_in_its_history(
    session: Session, sheet: PaperSheet, admin: StaffUser
) -> None:
    voided = paper.void(session, sheet.id, "  Spilt tea over it  ", admin)
    assert voided.state == VOID
    issued, void = paper.history(session, sheet.id)
    assert (void.action, void.old, void.new, void.comment) == (
        "sheet-void",
        ISSUED,
        VOID,
        "Spilt tea over it",
    )
    assert void.actor == "admin.wang" and issued.action == "sheet-issued"


@pytest.mark.parametrize(
    ("reason", "code"), [("", "no-reason"), ("   ", "no-reason"), ("x" * 2001, "reason-too-long")]
)
def test_a_void_without_a_fit_reason_changes_nothing(
    session: Session, sheet: PaperSheet, admin: StaffUser, reason: str, code: str
) -> None:
    with pytest.raises(paper.SheetError) as refused:
        paper.void(session, sheet.id, reason, admin)
    assert refused.value.code == code
    session.expire_all()
    assert paper.find(session, sheet.id).state == ISSUED
    assert len(paper.history(session, sheet.id)) == 1


def test_only_an_admin_voids(app: Flask, session: Session, sheet: PaperSheet) -> None:
    reviewer = session.get(StaffUser, staff(app, "reviewer.chen"))
    with pytest.raises(paper.SheetError) as refused:
        paper.void(session, sheet.id, "lost", reviewer)
    assert refused.value.code == "not-allowed"


def test_a_sheet_is_voided_once_and_a_reconciled_one_never(
    session: Session, sheet: PaperSheet, admin: StaffUser
) -> None:
    paper.void(session, sheet.id, "lost", admin)
    with pytest.raises(paper.SheetError) as refused:
        paper.void(session, sheet.id, "lost again", admin)
    assert (refused.value.code, refused.value.params) == (
        "illegal-transition",
        {"old": VOID, "new": VOID},
    )
    assert len(paper.history(session, sheet.id)) == 2


def test_a_reconciled_sheet_cannot_be_voided(
    session: Session, sheet: PaperSheet, admin: StaffUser
) -> None:
    for old, new in ((ISSUED, KEYED_ONCE), (KEYED_ONCE, KEYED_TWICE), (KEYED_TWICE, RECONCILED)):
        paper.move(session, sheet.id, old, new)
    session.commit()
    with pytest.raises(paper.SheetError) as refused:
        paper.void(session, sheet.id, "lost", admin)
    assert refused.value.code == "illegal-transition"
    session.expire_all()
    assert paper.find(session, sheet.id).state == RECONCILED


LEGAL = {
    (ISSUED, KEYED_ONCE),
    (ISSUED, VOID),
    (KEYED_ONCE, KEYED_TWICE),
    (KEYED_ONCE, RECONCILED),
    (KEYED_ONCE, VOID),
    (KEYED_TWICE, RECONCILED),
    (KEYED_TWICE, VOID),
}


@pytest.mark.parametrize("old", STATES)
@pytest.mark.parametrize("new", STATES)
def test_only_the_legal_changes_of_state_are_allowed(old: str, new: str) -> None:
    if (old, new) in LEGAL:
        paper.check_transition(old, new)
    else:
        with pytest.raises(paper.SheetError) as refused:
            paper.check_transition(old, new)
        assert refused.value.code == "illegal-transition"


def test_a_move_from_a_state_the_sheet_has_left_is_refused(
    session: Session, sheet: PaperSheet
) -> None:
    """Two keyers finishing the same sheet at once: the second is told, not counted."""
    paper.move(session, sheet.id, ISSUED, KEYED_ONCE)
    session.commit()
    with pytest.raises(paper.SheetError) as refused:
        paper.move(session, sheet.id, ISSUED, KEYED_ONCE)
    assert refused.value.code == "changed"
    session.rollback()


def test_a_sheet_to_key_is_found_however_its_id_is_typed(
    session: Session, sheet: PaperSheet
) -> None:
    typed = ids.shown(sheet.id).lower().replace("-", " ")
    assert paper.find_for_entry(session, typed).id == sheet.id


def _refusal(session: Session, typed: str) -> str:
    with pytest.raises(paper.SheetError) as refused:
        paper.find_for_entry(session, typed)
    assert refused.value.code in paper.SHEET_CODES
    return refused.value.code


def test_each_typed_id_that_finds_no_sheet_to_key_says_why(
    session: Session, sheet: PaperSheet, survey: Questionnaire, admin: StaffUser, worker: str
) -> None:
    assert _refusal(session, "ABCD") == "wrong-length"
    assert _refusal(session, sheet.id[:4] + "0" + sheet.id[5:]) == "bad-character"
    wrong = ids.ALPHABET[(ids.ALPHABET.index(sheet.id[0]) + 1) % len(ids.ALPHABET)]
    assert _refusal(session, wrong + sheet.id[1:]) == "check-fails"
    unknown = ids.draw()
    assert _refusal(session, unknown) == "unknown"
    run = paper.issue(session, survey, order(worker, count=2), admin)
    void, done = paper.sheets(session, run.id or 0)
    paper.void(session, void.id, "spoiled", admin)
    assert _refusal(session, void.id) == "void"
    paper.move(session, done.id, ISSUED, KEYED_ONCE)
    paper.move(session, done.id, KEYED_ONCE, KEYED_TWICE)
    session.commit()
    assert _refusal(session, done.id) == "finished"
    paper.move(session, sheet.id, ISSUED, KEYED_ONCE)
    session.commit()
    assert paper.find_for_entry(session, sheet.id).state == KEYED_ONCE


def test_runs_are_listed_newest_first_with_their_sheets_by_state(
    session: Session, survey: Questionnaire, admin: StaffUser, worker: str
) -> None:
    first = paper.issue(session, survey, order(worker, count=2), admin)
    second = paper.issue(session, survey, order(worker, count=4, language="en"), None)
    paper.void(session, paper.sheets(session, first.id or 0)[0].id, "lost", admin)
    rows = paper.runs(session)
    assert [row.run.id for row in rows] == [second.id, first.id]
    assert rows[0].states == {ISSUED: 4} and rows[0].created_by is None
    assert rows[1].states == {ISSUED: 1, VOID: 1}


def test_only_active_fieldworkers_can_be_handed_a_run(app: Flask, session: Session) -> None:
    staff(app, "worker.b", "fieldworker")
    staff(app, "worker.a", "fieldworker")
    staff(app, "tester.x", "tester")
    staff(app, "gone", "fieldworker")
    accounts.set_active(session, "gone", False)
    assert [u.username for u in paper.fieldworkers(session)] == ["worker.a", "worker.b"]
    assert paper.check_order(session, None, order("gone"))[1] is None


def test_two_runs_issued_at_once_never_share_an_id(
    app: Flask, survey: Questionnaire, admin: StaffUser, worker: str
) -> None:
    """Both draw the same ids first, in two transactions at once: the constraint, not a
    lookup, gives each id to one sheet, and the other run draws again."""
    same = [ids.draw() for _ in range(20)]
    start = threading.Barrier(2)
    runs: list[int] = []

    def issue_one() -> None:
        with Session(app.extensions["fieldwork.engine"]) as own:
            creator = own.get(StaffUser, admin.id)
            draws = drawing(*same)
            start.wait()
            run = paper.issue(own, survey, order(worker, count=20), creator, draws)
            runs.append(run.id or 0)

    threads = [threading.Thread(target=issue_one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(runs) == 2
    with Session(app.extensions["fieldwork.engine"]) as own:
        issued = [s.id for run_id in runs for s in paper.sheets(own, run_id)]
    assert len(issued) == len(set(issued)) == 40
    assert set(same) <= set(issued)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("50", 50),
        (" 7 ", 7),
        ("５０", 50),
        ("²", None),
        ("1e3", None),
        ("-1", None),
        ("9" * 7, None),
    ],
)
def test_a_count_is_read_as_a_whole_number_or_not_at_all(typed: str, read: int | None) -> None:
    assert paper.count_from(typed) == read
