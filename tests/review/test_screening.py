"""Levels 1 and 2 of the review: rules at submit, the bulk run, and what each writes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, inspect, select, update
from sqlmodel import Session, col

from fieldwork import catalog, clock, db, parallel
from fieldwork.accounts import service as accounts
from fieldwork.audit.models import AuditEntry
from fieldwork.definitions import service as definitions
from fieldwork.definitions.models import QuestionnaireVersion
from fieldwork.questionnaire.loader import build
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.responses import service as responses
from fieldwork.responses.models import APPROVED, PENDING, REJECTED, Response
from fieldwork.review import screening
from fieldwork.review import service as review
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import stored_version


def current(session: Session) -> Questionnaire:
    return stored_version(session, SURVEY.id)


def send(
    session: Session,
    *,
    minutes: float = 10,
    ip: str | None = None,
    policy: screening.Policy | None = None,
    answers: dict[str, Any] | None = None,
    questionnaire: Questionnaire | None = None,
    screener: responses.Screen | None = None,
) -> Response:
    """Submit the complete answers (to the current version unless told) as if they took
    `minutes`, through the screener."""
    questionnaire = questionnaire or current(session)
    given = answers if answers is not None else SURVEY.values(questionnaire)
    pages = {code: minutes * 60 / len(given) for code in given}
    stored, issues = responses.submit(
        session,
        responses.Submission(
            submission_id=str(uuid.uuid4()),
            questionnaire=questionnaire,
            answers=given,
            locale="zh-Hans",
            paradata={"page_seconds": pages},
            started_at=clock.now() - dt.timedelta(minutes=minutes),
            ip_hash=ip,
        ),
        screener or screening.Screener(policy or screening.Policy()),
    )
    assert stored is not None, issues
    row = session.get(Response, stored.id)
    assert row is not None
    session.refresh(row)
    return row


def codes(row: Response) -> set[str]:
    return {flag["code"] for flag in row.flags}


def audit(session: Session, response_id: int | None = None) -> list[AuditEntry]:
    about = col(AuditEntry.response_id)
    query = select(AuditEntry).where(
        about.is_(None) if response_id is None else about == response_id
    )
    return list(session.execute(query.order_by(col(AuditEntry.id))).scalars())


def test_clean_response_is_approved_and_the_decision_audited(ctx: Session) -> None:
    row = send(ctx)
    assert (row.status, codes(row)) == (APPROVED, set())
    assert row.rules_version and row.fingerprint
    [entry] = audit(ctx, row.id)
    assert (entry.actor, entry.action, entry.old, entry.new, entry.reason) == (
        "system",
        "status",
        PENDING,
        APPROVED,
        screening.AUTO_APPROVE,
    )


def test_speeder_is_rejected_automatically_with_its_evidence(ctx: Session) -> None:
    row = send(ctx, minutes=0.5)
    assert row.status == REJECTED
    speeder = next(flag for flag in row.flags if flag["code"] == "speeder")
    assert speeder["severity"] == "reject" and speeder["min_seconds"] == 120
    assert [e.reason for e in audit(ctx, row.id)] == [screening.AUTO_REJECT]


def test_a_grid_as_short_as_the_questionnaire_allows_is_held_for_review(ctx: Session) -> None:
    """two_pages.yaml judges a grid of 3 ratings (the default is 5): three equal ones from
    someone who wrote nothing are held; from someone who read and wrote, they are not."""
    same = {**SURVEY.values(current(ctx)), "R1": 4, "R2": 4, "R3": 4}
    honest = send(ctx, answers=same)
    assert (honest.status, codes(honest)) == (APPROVED, set())
    row = send(ctx, answers={**same, "IMPROVE": None, "STORY": None})
    assert (row.status, codes(row)) == (PENDING, {"straight-lining"})
    [flag] = row.flags
    assert (flag["severity"], flag["run"], flag["items"]) == ("review", 3, 3)


def test_automatic_decisions_can_be_turned_off(ctx: Session) -> None:
    off = screening.Policy(auto_reject=False, auto_approve=False)
    fast, clean = send(ctx, minutes=0.5, policy=off), send(ctx, policy=off)
    assert (fast.status, clean.status) == (PENDING, PENDING)
    assert "speeder" in codes(fast)
    assert audit(ctx, fast.id) == [] and audit(ctx, clean.id) == []


def test_policy_reads_switches_from_environment_strings() -> None:
    assert screening.Policy.from_config({"AUTO_REJECT": "0", "AUTO_APPROVE": "yes"}) == (
        screening.Policy(auto_reject=False, auto_approve=True)
    )


def test_same_network_and_same_answers_are_caught_at_submit(ctx: Session) -> None:
    first = send(ctx, ip="a" * 64)
    second = send(ctx, ip="a" * 64)
    other = send(ctx, ip="b" * 64)
    assert codes(first) == set() and codes(other) == set()
    assert codes(second) == {"duplicate-answers"}  # a duplicate, not merely a shared address
    duplicate = next(f for f in second.flags if f["code"] == "duplicate-answers")
    assert duplicate["earlier"] == first.id
    assert second.status == REJECTED


def otherwise(session: Session, **changed: Any) -> dict[str, Any]:
    """The complete answers with some closed questions answered otherwise."""
    return {**SURVEY.values(current(session)), **changed}


def test_one_address_with_other_answers_is_approved_with_a_note(ctx: Session) -> None:
    first = send(ctx, ip="a" * 64)
    second = send(ctx, ip="a" * 64, answers=otherwise(ctx, AGE="age_60_plus", R1=1, R2=5))
    assert codes(second) == {"duplicate-ip"}
    assert [f["severity"] for f in second.flags] == ["note"]
    assert second.status == APPROVED and first.status == APPROVED


def test_nearly_the_same_answers_from_one_address_are_a_duplicate(ctx: Session) -> None:
    first = send(ctx, ip="a" * 64)
    second = send(ctx, ip="a" * 64, answers=otherwise(ctx, R1=1, CALLS=9))
    [duplicate] = [f for f in second.flags if f["code"] == "duplicate-answers"]
    assert (duplicate["earlier"], duplicate["different"]) == (first.id, 2)
    assert codes(second) == {"duplicate-answers"} and second.status == REJECTED


def farm(session: Session, count: int) -> list[Response]:
    """`count` responses from as many addresses, one answer set with one answer varied."""
    return [
        send(session, ip=f"{n:02x}" * 32, answers=otherwise(session, CALLS=n))
        for n in range(1, count + 1)
    ]


def test_a_farm_of_near_identical_answers_from_many_addresses_is_held(ctx: Session) -> None:
    rows = farm(ctx, 5)
    assert [codes(row) for row in rows] == [set()] * 3 + [{"click-farm"}] * 2
    flag = next(f for f in rows[-1].flags if f["code"] == "click-farm")
    assert (flag["addresses"], flag["earlier"]) == (4, rows[-2].id)
    assert rows[-1].status == PENDING


def test_different_answers_from_many_addresses_are_no_farm(ctx: Session) -> None:
    """Every pair differs in three closed answers at least: alike, but not near-identical."""
    rows = [
        send(
            ctx,
            ip=f"{n:02x}" * 32,
            answers=otherwise(ctx, CALLS=n, SCORE=n, R1=1 + n % 5, R2=1 + n // 5),
        )
        for n in range(1, 8)
    ]
    assert [codes(row) for row in rows] == [set()] * 7


def test_bulk_run_finds_what_submit_found_and_the_first_members_of_the_farm(
    ctx: Session,
) -> None:
    rows = farm(ctx, 5)
    send(ctx, ip="a" * 64)
    send(ctx, ip="a" * 64, answers=otherwise(ctx, R1=1, CALLS=9))
    send(ctx, ip="a" * 64, answers=otherwise(ctx, AGE="age_60_plus", R1=1, R2=5, CALLS=7))
    members = {row.id for row in rows}
    stored = {row.id: row.flags for row in ctx.execute(select(Response)).scalars()}
    # Submit could not know of the later members: the bulk run holds the first three too,
    # and counts the later addresses (the members', and the shared address's same answers).
    assert summary_counts(run(ctx, current(ctx))) == (8, 5, 3)
    ctx.expire_all()
    after = {row.id: row.flags for row in ctx.execute(select(Response)).scalars()}
    assert {k: v for k, v in after.items() if k not in members} == {
        k: v for k, v in stored.items() if k not in members
    }
    assert [codes(row) for row in rows] == [{"click-farm"}] * 5
    assert all(row.status == PENDING for row in rows)
    first = next(f for f in rows[0].flags if f["code"] == "click-farm")
    assert (first["addresses"], first["later"], first["reasons"]) == (5, rows[1].id, ["first"])
    second = next(f for f in rows[1].flags if f["code"] == "click-farm")
    assert (second["addresses"], second["earlier"]) == (5, rows[0].id)
    assert summary_counts(run(ctx, current(ctx))) == (8, 0, 0)


@pytest.mark.parametrize("in_workers", [False, True])
def test_bulk_run_stores_the_signature_a_response_was_stored_without(
    ctx: Session, monkeypatch: pytest.MonkeyPatch, forks: list[bool], in_workers: bool
) -> None:
    """In workers too: a chunk missing them is read again and filled by the run's process."""
    monkeypatch.setattr(screening, "CHUNK", 2)
    monkeypatch.setattr(parallel, "FROM_ROWS", 0 if in_workers else 10**9)
    rows = farm(ctx, 5)
    ctx.execute(update(Response).values(answer_signature=None, band_1=None, band_2=None))
    ctx.execute(update(Response).values(band_3=None, flags=[], rules_version=None))
    ctx.commit()
    run(ctx, current(ctx))
    for row in rows:
        ctx.refresh(row)
        assert row.answer_signature and row.band_1 is not None
    assert [codes(row) for row in rows] == [{"click-farm"}] * 5
    assert forks == [True, True] if in_workers else not forks


def test_same_answers_are_found_by_one_seek_however_many_share_the_address(
    ctx: Session,
) -> None:
    """A carrier's NAT puts thousands behind one address: the lookup must not walk them."""
    connection = ctx.connection()
    columns = [
        index["column_names"]
        for index in inspect(connection).get_indexes("response")
        if index["name"] == "ix_response_same_answers"
    ]
    assert columns == [["fingerprint", "ip_hash", "questionnaire_id", "submitted_at"]]
    if connection.dialect.name == "sqlite":
        compiled = screening._NEIGHBOURS.compile(dialect=connection.dialect)
        keys = {"ip": "a" * 64, "qid": SURVEY.id, "since": "2026-01-01", "fingerprint": "f" * 40}
        values = tuple(keys.get(name, compiled.params[name]) for name in compiled.positiontup)
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values).all()
        last = plan[-1][-1]  # the fourth lookup, the earliest with the same answers
        assert "ix_response_same_answers (fingerprint=? AND ip_hash=? AND questionnaire_id=?)" in (
            last
        ), plan


def test_near_duplicates_are_found_by_bounded_seeks_never_a_scan(ctx: Session) -> None:
    """Per band of the signature, and for the address, one seek on an index: a click farm
    is looked for at submit without reading the questionnaire's other responses."""
    connection = ctx.connection()
    indexes = {i["name"]: i["column_names"] for i in inspect(connection).get_indexes("response")}
    for band in ("band_1", "band_2", "band_3"):
        assert indexes[f"ix_response_{band}"][0] == band
    if connection.dialect.name != "sqlite":
        return  # the plan below is SQLite's; PostgreSQL has the same indexes to seek
    compiled = screening._NEAR.compile(dialect=connection.dialect)
    keys = {"ip": "a" * 64, "qid": SURVEY.id, "since": "2026-01-01", "farm_since": "2026-01-01"}
    keys |= {"band_1": 1, "band_2": 2, "band_3": 3}
    values = tuple(keys.get(name, compiled.params[name]) for name in compiled.positiontup)
    plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values)]
    searches = [step for step in plan if step.startswith("SEARCH response")]
    assert [step.split(" USING INDEX ")[1].split(" ")[0] for step in searches] == [
        "ix_response_ip_questionnaire_submitted",
        "ix_response_band_1",
        "ix_response_band_2",
        "ix_response_band_3",
    ]
    assert not [step for step in plan if step.startswith("SCAN response")]


def summary_counts(summary: screening.RunSummary) -> tuple[int, int, int]:
    return summary.responses, summary.flags_changed, summary.status_changed


def run(
    session: Session,
    questionnaire: Questionnaire,
    *hashes: str,
    progress: screening.Progress = lambda n: None,
) -> screening.RunSummary:
    versions = {h: questionnaire for h in hashes or (questionnaire.content_hash,)}
    return screening.run(session, questionnaire, versions, screening.Policy(), progress)


def audit_rows(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def test_bulk_run_agrees_with_submit_and_running_again_changes_nothing(ctx: Session) -> None:
    for ip in ("c" * 64, "c" * 64, None):
        send(ctx, ip=ip)
    send(ctx, minutes=0.5)
    before = audit_rows(ctx)
    seen: list[int] = []
    summary = run(ctx, current(ctx), progress=seen.append)
    assert summary_counts(summary) == (4, 0, 0)
    assert sum(seen) == 8  # two passes
    assert summary_counts(run(ctx, current(ctx))) == (4, 0, 0)
    assert audit_rows(ctx) == before


def test_bulk_run_flags_what_submit_stored_without_rules(ctx: Session) -> None:
    row = send(ctx, minutes=0.5, policy=screening.Policy(auto_reject=False))
    ctx.execute(update(Response).values(flags=[], rules_version=None, fingerprint=None))
    ctx.commit()
    summary = run(ctx, current(ctx))
    assert summary_counts(summary) == (1, 1, 1)
    ctx.refresh(row)
    assert "speeder" in codes(row) and row.status == REJECTED and row.rules_version
    assert [e.action for e in audit(ctx, row.id)] == ["flags", "status"]


def test_bulk_run_stores_the_fingerprint_a_same_ip_response_was_stored_without(
    ctx: Session,
) -> None:
    first, second = send(ctx, ip="a" * 64), send(ctx, ip="a" * 64)
    ctx.execute(update(Response).values(fingerprint=None))
    ctx.commit()
    summary = run(ctx, current(ctx))
    for row in (first, second):
        ctx.refresh(row)
        assert row.fingerprint  # the next run reads it instead of the answers
    assert "duplicate-answers" in codes(second)  # found through the fingerprint just made
    assert summary_counts(run(ctx, current(ctx))) == (2, 0, 0)
    assert summary.responses == 2


def stricter(questionnaire: Questionnaire, minutes: int) -> Questionnaire:
    """The questionnaire with its speeder minimum raised, its other settings kept."""
    definition = dict(questionnaire.definition)
    definition["quality"] = {
        **definition.get("quality", {}),
        "speeder": {"min_seconds": minutes * 60},
    }
    return build(definition)


def test_a_new_threshold_updates_flags_audits_it_and_spares_human_decisions(
    ctx: Session,
) -> None:
    kept, decided = send(ctx, minutes=10), send(ctx, minutes=10)
    person = accounts.create_user(ctx, "li", "a long enough password", "reviewer")
    review.decide(
        ctx, review.Decision(decided.id or 0, decided.row_version, APPROVED, "valid"), person
    )
    old_hash = current(ctx).content_hash
    summary = run(ctx, stricter(current(ctx), minutes=15), old_hash)
    assert summary_counts(summary) == (2, 2, 1)
    ctx.refresh(kept)
    ctx.refresh(decided)
    assert "speeder" in codes(kept) and kept.status == REJECTED
    assert "speeder" in codes(decided) and decided.status == APPROVED  # a person decided it
    [change] = audit(ctx, None)[-1:]
    assert change.action == "thresholds" and change.old != change.new
    assert kept.rules_version == change.new[0]
    assert summary_counts(run(ctx, stricter(current(ctx), minutes=15), old_hash)) == (2, 0, 0)


@pytest.fixture
def reloaded(app: Flask, ctx: Session) -> Iterator[tuple[Questionnaire, Questionnaire]]:
    """(old, new): the test survey with its speeder minimum raised to 4 minutes,
    stored as `flask fieldwork load` stores an edited file; removed afterwards."""
    old = current(ctx)
    definition = {**old.definition, "version": f"{old.version}-stricter"}
    new = stricter(build(definition), minutes=4)
    definitions.store(ctx, [new])
    app.extensions.pop("fieldwork.versions", None)
    yield old, new
    ctx.rollback()
    ctx.execute(delete(Response).where(col(Response.version_hash) == new.content_hash))
    ctx.execute(
        delete(QuestionnaireVersion).where(
            col(QuestionnaireVersion.content_hash) == new.content_hash
        )
    )
    ctx.commit()
    app.extensions.pop("fieldwork.versions", None)


def test_a_threshold_loaded_from_the_file_reaches_every_stored_response(
    app: Flask, ctx: Session, reloaded: tuple[Questionnaire, Questionnaire]
) -> None:
    """The user's way: edit `quality:` in the file, load it, `flask fieldwork quality run`.
    Responses to the version before are judged by the new thresholds too, the change is
    audited once with what changed, and a second run changes nothing."""
    old, new = reloaded
    answered_old = send(ctx, questionnaire=old, minutes=3)  # 180 s: clean under the 120 s minimum
    assert answered_old.status == APPROVED
    runner = app.test_cli_runner()
    ran = runner.invoke(args=["fieldwork", "quality", "run", "--questionnaire", SURVEY.id])
    assert ran.exit_code == 0, ran.output
    assert "flags changed on 1, status changed on 1" in ran.output
    ctx.refresh(answered_old)
    speeder = next(flag for flag in answered_old.flags if flag["code"] == "speeder")
    assert speeder["min_seconds"] == 240 and answered_old.status == REJECTED
    [change] = [e for e in audit(ctx, None) if e.action == "thresholds"][-1:]
    assert change.comment == "speeder min_seconds: 120 → 240"
    assert change.new == [screening.rules_version(new)]
    logged = audit_rows(ctx)
    again = runner.invoke(args=["fieldwork", "quality", "run", "--questionnaire", SURVEY.id])
    assert "flags changed on 0, status changed on 0" in again.output
    assert audit_rows(ctx) == logged


def test_a_draft_of_the_version_before_is_screened_by_the_current_thresholds(
    ctx: Session, reloaded: tuple[Questionnaire, Questionnaire]
) -> None:
    """Submit and the bulk run judge alike: a response begun before the new file was loaded
    meets the thresholds a bulk run would give it."""
    old, new = reloaded
    row = send(ctx, questionnaire=old, minutes=3, screener=catalog.screener())
    assert row.version_hash == old.content_hash
    assert "speeder" in codes(row) and row.status == REJECTED
    assert row.rules_version == screening.rules_version(new)


def test_bulk_run_pages_through_every_response(
    ctx: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks smaller than the questionnaire: each response is read once per pass."""
    monkeypatch.setattr(screening, "CHUNK", 2)
    for ip in ("d" * 64, None, "e" * 64, None, "d" * 64):
        send(ctx, ip=ip)
    seen: list[int] = []
    summary = run(ctx, current(ctx), progress=seen.append)
    assert summary_counts(summary) == (5, 0, 0)
    assert sum(seen) == 10


def test_bulk_run_leaves_alone_a_response_decided_while_it_ran(
    app: Flask, ctx: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer's decision between the run's read and its write wins; the rest is written."""
    kept, decided = (
        send(ctx, minutes=0.5, policy=screening.Policy(auto_reject=False)) for _ in "ab"
    )
    ctx.execute(update(Response).values(flags=[], rules_version=None))
    ctx.commit()
    person = accounts.create_user(ctx, "wang", "a long enough password", "reviewer")
    change = screening._change

    def decide_meanwhile(row: Any, *args: Any) -> Any:
        if row["id"] == decided.id:
            with Session(db.engine()) as other:
                decision = review.Decision(row["id"], row["row_version"], APPROVED, "valid")
                review.decide(other, decision, person)
        return change(row, *args)

    monkeypatch.setattr(screening, "_change", decide_meanwhile)
    summary = run(ctx, current(ctx))
    assert (summary_counts(summary), summary.skipped) == ((2, 1, 1), 1)
    ctx.refresh(kept)
    ctx.refresh(decided)
    assert "speeder" in codes(kept) and kept.status == REJECTED
    assert decided.flags == [] and decided.status == APPROVED
    assert [e.action for e in audit(ctx, kept.id)] == ["flags", "status"]
    assert [e.reason for e in audit(ctx, decided.id)] == ["valid"]


def test_bulk_run_reads_page_times_and_flags_an_online_response_without_them(
    ctx: Session,
) -> None:
    fast, untimed = (send(ctx, policy=screening.Policy(auto_reject=False)) for _ in "ab")
    fast.paradata = {**fast.paradata, "page_seconds": {"AGE": 0.2, "WHEN": 0.3}}
    untimed.paradata = {}
    ctx.add_all([fast, untimed])
    ctx.commit()
    assert summary_counts(run(ctx, current(ctx))) == (2, 2, 2)
    ctx.refresh(fast)
    ctx.refresh(untimed)
    [found] = [flag for flag in fast.flags if flag["code"] == "impossible-paradata"]
    assert found["pages"] == ["AGE", "WHEN"]
    assert [(f["code"], f["reasons"]) for f in untimed.flags] == [("not-walked", ["untimed"])]


def judged(session: Session) -> list[tuple[int, list[dict[str, Any]], str]]:
    rows = session.execute(select(Response).order_by(col(Response.id))).scalars()
    return [(row.id or 0, row.flags, row.status) for row in rows]


def test_a_large_run_judges_in_worker_processes_what_one_process_would(
    ctx: Session, monkeypatch: pytest.MonkeyPatch, forks: list[bool]
) -> None:
    """Chunks read for the first pass and judged by forked workers, over their own
    connections: the same flags, status and audit rows, in the same order, as a run in
    this process alone."""
    monkeypatch.setattr(screening, "CHUNK", 3)  # chunk bounds fall inside same-IP groups
    for minutes, ip in [(10, "f" * 64), (0.5, "f" * 64), (10, None), (10, "f" * 64)] * 3:
        send(ctx, minutes=minutes, ip=ip, policy=screening.Policy(auto_reject=False))
    blank = update(Response).values(flags=[], rules_version=None, status=PENDING)
    results = []
    for from_rows in (10**9, 0):
        ctx.execute(blank)
        ctx.commit()
        before = audit_rows(ctx)
        monkeypatch.setattr(parallel, "FROM_ROWS", from_rows)
        summary = run(ctx, current(ctx))
        ctx.expire_all()
        entries = ctx.execute(select(AuditEntry).order_by(col(AuditEntry.id))).scalars()
        actions = [(e.response_id, e.action, e.new) for e in list(entries)[before:]]
        results.append((summary_counts(summary), judged(ctx), actions))
    one, workers = results
    assert forks == [True, True]  # the second run only: its first pass, then its judging
    assert one == workers
    (responses_, flags_changed, status_changed), rows, actions = one
    assert responses_ == 12 and flags_changed > 0 and status_changed > 0
    assert len(actions) == flags_changed + status_changed
    found = {flag["code"] for _, flags, _ in rows for flag in flags}
    assert {"speeder", "duplicate-answers"} <= found
