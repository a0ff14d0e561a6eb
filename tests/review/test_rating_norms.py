"""Random answering judged against the stored responses: the norms sampled at submit and in
the bulk run, what each stores, and which responses the sample leaves out.

The suite's ratings survey (tests/questionnaires/ratings.yaml) judges from 40 responses.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from fieldwork import clock
from fieldwork.accounts import service as accounts
from fieldwork.audit.models import AuditEntry
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.responses import service as responses
from fieldwork.responses.models import APPROVED, PENDING, REJECTED, Response
from fieldwork.review import rating_norms, screening
from fieldwork.review import service as review
from tests.review.factories import stored_version

QID = "ratings"
RATINGS = ("R1", "R2", "R3", "R4", "R5", "R6")
# Ratings picked at random (no sequence in them), and a 0–10 score beside them.
RANDOMS = [
    {"CONTACTED": "yes", **dict(zip((*RATINGS, "SCORE"), values, strict=True))}
    for values in ((5, 1, 4, 1, 5, 2, 0), (1, 5, 2, 5, 1, 4, 10), (4, 1, 5, 2, 1, 5, 3))
]
AT_RANDOM = RANDOMS[0]


def current(session: Session) -> Questionnaire:
    return stored_version(session, QID)


def honest(r: random.Random, mood: float | None = None) -> dict[str, Any]:
    """Ratings from one satisfaction, as honest people give them; a fifth did not contact
    customer service and are not shown R5 and R6."""
    mood = r.gauss(0, 1) if mood is None else mood
    contacted = r.random() < 0.8
    answers: dict[str, Any] = {"CONTACTED": "yes" if contacted else "no"}
    for code in RATINGS[:6] if contacted else RATINGS[:4]:
        answers[code] = min(5, max(1, round(3 + 0.9 * mood + r.gauss(0, 0.5))))
    answers["SCORE"] = min(10, max(0, round(5 + 2.2 * mood + r.gauss(0, 1.2))))
    answers["NOTE"] = "退款很快，客服态度也好。"
    return answers


def send(
    session: Session, answers: dict[str, Any], screener: screening.Screener, minutes: float = 10
) -> Response:
    """Submit through the screener, as if the answers took `minutes`."""
    stored, issues = responses.submit(
        session,
        responses.Submission(
            submission_id=str(uuid.uuid4()),
            questionnaire=current(session),
            answers=answers,
            locale="zh-Hans",
            paradata={"page_seconds": {"service": minutes * 60}},
            started_at=clock.now() - dt.timedelta(minutes=minutes),
        ),
        screener,
    )
    assert stored is not None, issues
    row = session.get(Response, stored.id)
    assert row is not None
    session.refresh(row)
    return row


def flag_of(row: Response) -> dict[str, Any] | None:
    return next((flag for flag in row.flags if flag["code"] == "random-answering"), None)


def population(session: Session, screener: screening.Screener, count: int, seed: int) -> None:
    r = random.Random(seed)
    for _ in range(count):
        send(session, honest(r), screener)


def test_random_ratings_are_held_at_submit_once_there_are_enough_responses(
    ctx: Session,
) -> None:
    screener = screening.Screener(screening.Policy())
    population(ctx, screener, 30, seed=1)
    early = send(ctx, AT_RANDOM, screener)
    assert (early.status, flag_of(early)) == (APPROVED, None)  # 30 to compare with: too few
    population(ctx, screener, 20, seed=2)
    # A process that has not sampled since 40 were stored (see the last test).
    row = send(ctx, AT_RANDOM, screening.Screener(screening.Policy()))
    assert row.status == PENDING
    flag = flag_of(row)
    assert flag is not None and flag["severity"] == "review" and flag["items"] == 7
    assert flag["distance"] > flag["limit"] == 24.5  # chi-square, 7 degrees, 0.999: 24.3


def test_honest_raters_pass_however_satisfied_or_unhappy(ctx: Session) -> None:
    screener = screening.Screener(screening.Policy())
    population(ctx, screener, 60, seed=3)
    r = random.Random(4)
    top = {**honest(r, 3.0), **dict.fromkeys(RATINGS, 5), "SCORE": 10}
    bottom = {**honest(r, -3.0), **dict.fromkeys(RATINGS, 1), "SCORE": 0}
    mixed = [honest(r) for _ in range(20)]
    for answers in (top, bottom, *mixed):
        row = send(ctx, answers, screener)
        assert (row.status, flag_of(row)) == (APPROVED, None), repr((answers, row.flags))


def run(session: Session) -> screening.RunSummary:
    questionnaire = current(session)
    return screening.run(
        session, questionnaire, {questionnaire.content_hash: questionnaire}, screening.Policy()
    )


def audit_rows(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def test_the_bulk_run_flags_what_submit_would_and_running_again_changes_nothing(
    ctx: Session,
) -> None:
    """The run compares every response with the norms a submission would sample from the
    same stored responses: re-screening each stored one gives the flag the run stored."""
    late = screening.Screener(screening.Policy())
    population(ctx, late, 50, seed=5)
    randoms = [send(ctx, answers, late) for answers in RANDOMS]
    run(ctx)
    ctx.expire_all()
    stored = ctx.execute(select(Response).where(col(Response.questionnaire_id) == QID))
    rows = list(stored.scalars())
    for row in rows:
        fresh = screening.Screener(screening.Policy())(ctx, current(ctx), row.model_dump())
        again = next((f for f in fresh.flags if f["code"] == "random-answering"), None)
        assert flag_of(row) == again
    flagged = {row.id for row in rows if flag_of(row)}
    assert flagged == {row.id for row in randoms}
    before = audit_rows(ctx)
    summary = run(ctx)
    assert (summary.flags_changed, summary.status_changed) == (0, 0)
    assert audit_rows(ctx) == before


def test_a_response_a_reviewer_rejected_leaves_the_sample(ctx: Session) -> None:
    """What a person judged careless no longer shapes the norms; what only the rules
    rejected stays, so a run's own decisions never change the next run's norms."""
    screener = screening.Screener(screening.Policy())
    population(ctx, screener, 45, seed=6)
    fast = send(ctx, honest(random.Random(7)), screener, minutes=0.5)
    assert fast.status == REJECTED  # the speeder rule's doing
    norms = rating_norms.sample(ctx, current(ctx))
    assert norms is not None and norms.count == 46
    person = accounts.create_user(ctx, "wang", "a long enough password", "reviewer")
    row = send(ctx, AT_RANDOM, screener)
    decision = review.Decision(row.id or 0, row.row_version, REJECTED, "random-answers")
    review.decide(ctx, decision, person)
    after = rating_norms.sample(ctx, current(ctx))
    assert after == norms


def test_a_process_keeps_the_norms_until_enough_submissions_have_passed(ctx: Session) -> None:
    """Sampled again after half the sample's size in submissions: 50 stored, so the same
    norms serve 25 more submissions, and the next samples what is stored then."""
    screener = screening.Screener(screening.Policy())
    population(ctx, screener, 50, seed=8)
    kept = rating_norms.NormsCache()
    first = kept.get(ctx, current(ctx))
    assert first is not None and first.count == 50
    population(ctx, screener, 1, seed=9)
    assert all(kept.get(ctx, current(ctx)) is first for _ in range(25))
    renewed = kept.get(ctx, current(ctx))
    assert renewed is not None and renewed.count == 51


def test_a_sample_without_norms_is_not_read_again_at_every_submission(
    ctx: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Responses that all rate alike leave no spread to estimate norms from: while few, they
    are read again at each submission (norms may come with the next); once many, the
    process waits half their number, as with norms, before reading them all again."""
    screener = screening.Screener(screening.Policy())
    alike = {**honest(random.Random(10)), "CONTACTED": "yes"} | dict.fromkeys(RATINGS, 3)
    for _ in range(50):
        send(ctx, alike, screener)
    reads: list[int] = []
    sampled = rating_norms._sampled

    def counted(*args: Any) -> Any:
        found = sampled(*args)
        reads.append(found[1])
        return found

    monkeypatch.setattr(rating_norms, "_sampled", counted)
    few = rating_norms.NormsCache()
    assert [few.get(ctx, current(ctx)) for _ in range(3)] == [None] * 3
    assert reads == [50, 50, 50]

    monkeypatch.setattr(rating_norms, "CHEAP_READ", 50)
    many = rating_norms.NormsCache()
    assert all(many.get(ctx, current(ctx)) is None for _ in range(26))
    assert reads == [50] * 4  # read once, then kept for 25 more
    many.get(ctx, current(ctx))
    assert reads == [50] * 5
