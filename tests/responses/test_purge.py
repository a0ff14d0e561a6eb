"""`flask fieldwork purge`: exactly the rows nobody can use any more, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork import catalog, clock, db
from fieldwork.accounts import service as accounts
from fieldwork.accounts.models import StaffSession, StaffUser
from fieldwork.attempts import service as attempts
from fieldwork.attempts.models import AttemptCount
from fieldwork.audit.models import AuditEntry
from fieldwork.exports.models import Batch
from fieldwork.responses import purge, service
from fieldwork.responses.models import Draft, Response
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import add_response, fast_password_hashing, freeze_all, staff

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
DAYS = 30  # the resume code's lifetime the tests purge with


def draft_at(
    app: Flask, days_ago: float, *, code: bool = False, response_id: int | None = None
) -> str:
    """A stored draft last changed `days_ago` days before NOW; returns its id."""
    with app.app_context(), clock.set_to(NOW - dt.timedelta(days=days_ago)):
        session = db.session()
        questionnaire = catalog.versions().current(session, SURVEY.id)
        assert questionnaire is not None
        draft = service.store_draft(session, service.start_draft(questionnaire, {}), "net")
        service.save_page(session, draft, ["AGE"], {"AGE": "age_18_34"}, "about", 5.0)
        if code:
            service.issue_resume_code(session, draft)
        if response_id is not None:
            service.mark_submitted(session, draft, response_id)
        return draft.id


def login_at(app: Flask, user_id: int, hours_ago: float, hours: int = 12) -> None:
    with app.app_context(), clock.set_to(NOW - dt.timedelta(hours=hours_ago)):
        session = db.session()
        user = session.get(StaffUser, user_id)
        assert user is not None
        accounts.open_session(session, user, hours)


def failure_at(app: Flask, minutes_ago: float) -> None:
    with app.app_context(), clock.set_to(NOW - dt.timedelta(minutes=minutes_ago)):
        attempts.reserve(db.session(), [(attempts.LOGIN_ADDRESS, f"net-{minutes_ago}")])


def clock_time(at: dt.datetime) -> dt.datetime:
    """A stored time as `clock.now()` gives it: SQLite hands back naive UTC."""
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def count(session: Session, table: type) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


def test_purge_deletes_exactly_what_nobody_can_use_any_more(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_password_hashing(monkeypatch)
    admin = staff(app, "admin", "admin")
    response_id = add_response(app, status="approved")
    freeze_all(app, admin, "kept")
    stale = draft_at(app, DAYS + 1)
    stale_with_code = draft_at(app, DAYS + 5, code=True)  # its code no longer works
    fresh = draft_at(app, 0.1)
    resumable = draft_at(app, DAYS - 1, code=True)
    submitted = draft_at(app, DAYS * 3, response_id=response_id)
    login_at(app, admin, hours_ago=13)  # expired an hour ago
    login_at(app, admin, hours_ago=1)
    failure_at(app, minutes_ago=16)  # the longest window, an hour, still reads it
    failure_at(app, minutes_ago=61)
    before = {table: count(session, table) for table in (Response, AuditEntry, Batch)}

    with app.app_context(), clock.set_to(NOW):
        deleted = purge.purge(db.session(), DAYS)

    assert (deleted["drafts"], deleted["staff sessions"]) == (2, 1)
    assert deleted["failed attempts"] == 1
    kept = set(session.execute(select(Draft.id)).scalars())
    assert kept == {fresh, resumable, submitted}
    assert stale not in kept and stale_with_code not in kept
    assert [s.expires_at > NOW for s in session.exec(select(StaffSession)).scalars()] == [True]
    left = [row.started for row in session.exec(select(AttemptCount)).scalars()]
    assert [clock_time(at) for at in left] == [NOW - dt.timedelta(minutes=16)]
    assert {table: count(session, table) for table in before} == before


def test_a_resume_code_works_until_the_purge_may_delete_its_draft(app: Flask) -> None:
    with app.app_context():
        code = db.session().get_one(Draft, draft_at(app, DAYS - 0.01, code=True)).resume_code
        assert code is not None
        with clock.set_to(NOW):
            assert service.resume(db.session(), code, DAYS, "net") is not None
            assert purge.purge(db.session(), DAYS)["drafts"] == 0
        with clock.set_to(NOW + dt.timedelta(hours=1)):
            assert purge.purge(db.session(), DAYS)["drafts"] == 1
            assert service.resume(db.session(), code, DAYS, "net") is None


def test_purge_goes_a_batch_at_a_time_until_nothing_stale_is_left(
    app: Flask, session: Session
) -> None:
    for _ in range(5):
        draft_at(app, DAYS + 2)
    with app.app_context(), clock.set_to(NOW):
        assert purge.purge(db.session(), DAYS, batch=2)["drafts"] == 5
    assert count(session, Draft) == 0


def test_the_command_prints_what_it_deleted_and_a_dry_run_deletes_nothing(
    app: Flask, session: Session
) -> None:
    draft_at(app, DAYS + 2)
    draft_at(app, 1)
    runner = app.test_cli_runner()
    with clock.set_to(NOW):
        dry = runner.invoke(args=["fieldwork", "purge", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "would delete 1 drafts" in dry.output
        assert count(session, Draft) == 2
        done = runner.invoke(args=["fieldwork", "purge"])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[:2] == ["deleted 1 drafts", "deleted 0 staff sessions"]
    assert done.output.splitlines()[2].endswith(" failed attempts")
    assert count(session, Draft) == 1


def test_purge_keeps_a_fresh_count_under_the_key_of_a_stale_one(
    app: Flask, session: Session
) -> None:
    """Counts per network share their key across kinds (sign-ins, resume codes)."""
    with app.app_context():
        # Stale for the purge, yet too young for the sweep of the guess after it.
        with clock.set_to(NOW - dt.timedelta(minutes=60.5)):
            attempts.reserve(db.session(), [(attempts.RESUME_ADDRESS, "net")])
        with clock.set_to(NOW - dt.timedelta(minutes=1)):
            attempts.reserve(db.session(), [(attempts.LOGIN_ADDRESS, "net")])
        with clock.set_to(NOW):
            purge.purge(db.session(), DAYS)
    assert [row.kind for row in session.exec(select(AttemptCount)).scalars()] == ["login-address"]
