"""Combined evidence in the bulk run: it agrees with submit, runs again without changing
anything, audits what a changed combination changes and never a reviewer's decision.

The responses answer tests/questionnaires/weak_signals.yaml (straight-lining a note,
notes from two rules combined).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from fieldwork.accounts import service as accounts
from fieldwork.audit.models import AuditEntry
from fieldwork.questionnaire.loader import build
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.responses import service as responses
from fieldwork.responses.models import APPROVED, PENDING, Response
from fieldwork.review import screening
from fieldwork.review import service as review
from tests.questionnaires.weak_signals import SURVEY
from tests.review.factories import stored_version

UNIFORM_AND_EMPTY = {"FAST": 3, "POLITE": 3, "CLEAR": 3, "SOLVED": 3, "IMPROVE": "无"}
UNIFORM = {**UNIFORM_AND_EMPTY, "IMPROVE": "退款再快一点"}
"""A uniform rater with time for every answer and something to say: nothing found."""


def current(session: Session) -> Questionnaire:
    return stored_version(session, SURVEY.id)


def send(session: Session, answers: dict[str, Any]) -> Response:
    """Submit answers to the stored survey through the screener, as the pages do."""
    questionnaire = current(session)
    given = {**SURVEY.values(questionnaire), **answers}
    stored, issues = responses.submit(
        session,
        responses.Submission(
            submission_id=str(uuid.uuid4()),
            questionnaire=questionnaire,
            answers=given,
            locale="zh-Hans",
            paradata={"page_seconds": {"FAST": 200.0}},
        ),
        screening.Screener(screening.Policy()),
    )
    assert stored is not None, issues
    row = session.get(Response, stored.id)
    assert row is not None
    return row


def run(session: Session, judge_with: Questionnaire, *others: Questionnaire) -> tuple[int, ...]:
    """The bulk run with `judge_with`'s settings over the stored responses (all to the
    stored version); `others` are versions whose settings stored ones may have been judged
    by. (responses, flags changed, status changed)."""
    versions = {current(session).content_hash: judge_with}
    versions |= {other.content_hash: other for other in others}
    summary = screening.run(session, judge_with, versions, screening.Policy())
    return summary.responses, summary.flags_changed, summary.status_changed


def audit_rows(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def codes(session: Session, row: Response) -> list[str]:
    session.refresh(row)
    return [flag["code"] for flag in row.flags]


def without_combining(questionnaire: Questionnaire) -> Questionnaire:
    """The survey as it would be with `combine: {enabled: false}` in its file."""
    definition = dict(questionnaire.definition)
    definition["quality"] = {**definition["quality"], "combine": {"enabled": False}}
    return build(definition)


def decided(session: Session, row: Response) -> Response:
    """The row approved by a reviewer, as the review page decides."""
    person = accounts.create_user(session, "li", "a long enough password", "reviewer")
    decision = review.Decision(row.id or 0, row.row_version, APPROVED, "checked-flag-false-alarm")
    review.decide(session, decision, person)
    session.refresh(row)
    return row


def test_the_bulk_run_finds_what_submit_found_and_changes_nothing(ctx: Session) -> None:
    held, honest = send(ctx, UNIFORM_AND_EMPTY), send(ctx, UNIFORM)
    assert (held.status, honest.status) == (PENDING, APPROVED)
    assert codes(ctx, held) == ["combined-evidence", "open-empty", "straight-lining"]
    logged = audit_rows(ctx)
    assert run(ctx, current(ctx)) == (2, 0, 0)
    assert run(ctx, current(ctx)) == (2, 0, 0)
    assert audit_rows(ctx) == logged


def test_a_changed_combination_reaches_stored_responses_audited_sparing_decisions(
    ctx: Session,
) -> None:
    held, honest = send(ctx, UNIFORM_AND_EMPTY), send(ctx, UNIFORM)
    checked = decided(ctx, send(ctx, UNIFORM_AND_EMPTY))
    off, on = without_combining(current(ctx)), current(ctx)

    assert run(ctx, off) == (3, 2, 1)  # both held responses lose the flag; one is freed
    assert "combined-evidence" not in codes(ctx, held) and held.status == APPROVED
    assert "combined-evidence" not in codes(ctx, checked) and checked.status == APPROVED

    assert run(ctx, on, off) == (3, 2, 1)  # the file's combination again
    assert codes(ctx, held)[0] == "combined-evidence" and held.status == PENDING
    assert codes(ctx, checked)[0] == "combined-evidence"
    assert checked.status == APPROVED and checked.reviewed_by is not None  # the reviewer's
    assert (codes(ctx, honest), honest.status) == ([], APPROVED)

    entries = ctx.execute(
        select(AuditEntry).where(col(AuditEntry.response_id) == held.id).order_by(AuditEntry.id)
    ).scalars()
    assert [entry.action for entry in entries][-4:] == ["flags", "status", "flags", "status"]
    thresholds = ctx.execute(
        select(AuditEntry).where(col(AuditEntry.action) == "thresholds").order_by(AuditEntry.id)
    ).scalars()
    assert [entry.comment for entry in thresholds][-1] == "combine enabled: false → true"

    logged = audit_rows(ctx)
    assert run(ctx, on, off) == (3, 0, 0)
    assert audit_rows(ctx) == logged
