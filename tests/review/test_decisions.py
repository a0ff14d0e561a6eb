"""Review decisions: reasons, optimistic locking, own entries, and the append-only audit log."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from fieldwork import db
from fieldwork.accounts import service as accounts
from fieldwork.accounts.models import StaffUser
from fieldwork.audit.models import AuditEntry
from fieldwork.responses import service as responses
from fieldwork.responses.models import APPROVED, ON_HOLD, REJECTED
from fieldwork.review import service as review
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import stored_version


def reviewer(session: Session, name: str = "chen", role: str = "reviewer") -> StaffUser:
    return accounts.create_user(session, name, "a long enough password", role)


def stored(session: Session, entered_by: int | None = None) -> int:
    questionnaire = stored_version(session, SURVEY.id)
    row, issues = responses.submit(
        session,
        responses.Submission(
            submission_id=str(uuid.uuid4()),
            questionnaire=questionnaire,
            answers=SURVEY.values(questionnaire),
            locale="zh-Hans",
            paradata={},
            entered_by=entered_by,
        ),
    )
    assert row is not None and row.id is not None, issues
    return row.id


def test_decision_sets_status_and_writes_the_audit_log(ctx: Session) -> None:
    user = reviewer(ctx)
    response_id = stored(ctx)
    decided = review.decide(
        ctx, review.Decision(response_id, 1, REJECTED, "speeder", "2 minutes"), user
    )
    assert decided.status == REJECTED and decided.row_version == 2
    (entry,) = [e for e in review.history(ctx, response_id) if e.action == "status"]
    assert (entry.actor, entry.old, entry.new, entry.reason, entry.comment) == (
        "chen",
        "pending",
        REJECTED,
        "speeder",
        "2 minutes",
    )


def test_reason_must_fit_the_decision(ctx: Session) -> None:
    user = reviewer(ctx)
    response_id = stored(ctx)
    with pytest.raises(review.DecisionError) as refused:
        review.decide(ctx, review.Decision(response_id, 1, APPROVED, "speeder"), user)
    assert refused.value.code == "unknown-reason"


def test_stale_version_is_told_it_changed(ctx: Session) -> None:
    first, second = reviewer(ctx, "chen"), reviewer(ctx, "liu")
    response_id = stored(ctx)
    review.decide(ctx, review.Decision(response_id, 1, APPROVED, "valid"), first)
    with pytest.raises(review.DecisionError) as refused:
        review.decide(ctx, review.Decision(response_id, 1, REJECTED, "duplicate"), second)
    assert refused.value.code == "changed"


def test_two_reviewers_at_once_one_wins(app: Flask, ctx: Session) -> None:
    users = [reviewer(ctx, "chen"), reviewer(ctx, "liu")]
    response_id = stored(ctx)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(user: StaffUser, status: str, reason: str) -> None:
        with app.app_context(), Session(db.engine()) as session:
            barrier.wait()
            try:
                review.decide(session, review.Decision(response_id, 1, status, reason), user)
                outcomes.append("ok")
            except review.DecisionError as error:
                outcomes.append(error.code)

    threads = [
        threading.Thread(target=attempt, args=(users[0], APPROVED, "valid")),
        threading.Thread(target=attempt, args=(users[1], ON_HOLD, "ask-supervisor")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["changed", "ok"]
    assert len([e for e in review.history(ctx, response_id) if e.action == "status"]) == 1


def test_nobody_decides_what_they_entered(ctx: Session) -> None:
    user = reviewer(ctx)
    response_id = stored(ctx, entered_by=user.id)
    with pytest.raises(review.DecisionError) as refused:
        review.decide(ctx, review.Decision(response_id, 1, APPROVED, "valid"), user)
    assert refused.value.code == "own-entry"


def test_fieldworkers_cannot_decide(ctx: Session) -> None:
    user = reviewer(ctx, "wu", "fieldworker")
    with pytest.raises(review.DecisionError) as refused:
        review.decide(ctx, review.Decision(stored(ctx), 1, APPROVED, "valid"), user)
    assert refused.value.code == "not-a-reviewer"


def test_bulk_decides_each_and_reports_the_rest(ctx: Session) -> None:
    user = reviewer(ctx)
    ids = [stored(ctx) for _ in range(3)]
    decisions = [review.Decision(i, 1, APPROVED, "valid") for i in ids]
    decisions.append(review.Decision(ids[0], 1, REJECTED, "duplicate"))  # stale by then
    done, errors = review.decide_many(ctx, decisions, user)
    assert done == 3 and [e.code for e in errors] == ["changed"]


CHANGES = ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"]
if os.environ.get("FIELDWORK_TEST_DATABASE_URL", "").startswith("postgresql"):
    CHANGES.append("TRUNCATE audit_log")  # SQLite has none: its DELETE empties a table


@pytest.mark.parametrize("statement", CHANGES)
def test_the_database_refuses_to_change_the_audit_log(ctx: Session, statement: str) -> None:
    user = reviewer(ctx)
    review.decide(ctx, review.Decision(stored(ctx), 1, APPROVED, "valid"), user)
    with pytest.raises(DatabaseError):
        ctx.execute(text(statement))
        ctx.commit()
    ctx.rollback()


def test_audit_many_writes_the_rows_audit_writes(ctx: Session) -> None:
    user, response_id = reviewer(ctx), stored(ctx)
    flags = [{"code": "speeder", "severity": "reject", "seconds": 31.5}]
    review.audit(ctx, response_id, "flags", [], flags, user)
    review.audit(ctx, response_id, "status", "pending", REJECTED, user, "speeder", "fast")
    review.audit_many(
        ctx,
        [
            review.Change(response_id, "flags", [], flags),
            review.Change(response_id, "status", "pending", REJECTED, "speeder", "fast"),
        ],
        user,
    )
    ctx.commit()

    def written(entry: AuditEntry) -> tuple[object, ...]:
        what = ("actor_id", "actor", "action", "old", "new", "reason", "comment")
        return tuple(getattr(entry, name) for name in what)

    *_, one, two, three, four = review.history(ctx, response_id)
    assert [written(e) for e in (three, four)] == [written(e) for e in (one, two)]
