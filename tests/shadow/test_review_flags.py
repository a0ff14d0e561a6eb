"""The shadow rules on tests submitted through the real services: flags stored with the
response at submit, what they decide, and a bulk run that finds the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from sqlmodel import Session

from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.responses.models import PENDING, REJECTED, Response
from fieldwork.review import screening
from fieldwork.shadow.models import ShadowTest
from tests.shadow.submitted import ANSWERS, CONTACT, attach, log, png, submit

TUESDAY = dt.date(2026, 11, 3)


def codes(response: Response) -> dict[str, str]:
    return {flag["code"]: flag["severity"] for flag in response.flags}


def test_a_clean_test_is_approved_with_nothing_flagged(
    app: Flask,
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    test = planned(planned_on=TUESDAY)
    log(session, covert, test, *CONTACT)
    attach(app, session, test, "policy", png())
    response = submit(session, test, checklist)
    assert not [code for code in codes(response) if code.startswith("shadow-")]
    assert response.status == "approved"


def test_a_test_logged_before_its_slot_and_without_its_evidence_waits_for_review(
    app: Flask,
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    test = planned(planned_on=TUESDAY, slot="weekday_night")  # the night begins at 22:00
    log(session, covert, test, *CONTACT)
    response = submit(session, test, checklist, {**ANSWERS, "policy": "no"})
    found = {flag["code"]: flag for flag in response.flags}
    assert found["shadow-timeline"]["reasons"] == ["before-slot"]
    assert found["shadow-timeline"]["slot_begins"] == "2026-11-03 22:00"
    assert found["shadow-evidence-missing"]["items"] == ["policy"]
    assert response.status == PENDING


def test_a_file_reused_and_a_second_contact_at_once_are_caught_on_the_later_test(
    app: Flask,
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    first = planned(planned_on=TUESDAY)
    log(session, covert, first, *CONTACT)
    shot = attach(app, session, first, "policy", png())
    earlier = submit(session, first, checklist)
    second = planned(planned_on=TUESDAY, platform="jd")
    log(session, covert, second, ("contacted", 120), ("bot_replied", 130), ("contact_ended", 900))
    # Re-encoded again, the stored bytes differ; what was uploaded is the same file.
    attach(app, session, second, "policy", png((1, 2, 3)), original=shot.original_sha256)
    later = submit(session, second, checklist)
    found = {flag["code"]: flag for flag in later.flags}
    assert found["shadow-evidence-reused"]["earlier"] == earlier.id
    assert found["shadow-evidence-reused"]["severity"] == "reject"
    assert found["shadow-contacts-overlap"]["test"] == first.id
    assert later.status == REJECTED
    assert "shadow-evidence-reused" not in codes(earlier)


def test_another_testers_contact_at_the_same_time_is_no_overlap(
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    theirs = planned(planned_on=TUESDAY, tester="tester.chen")
    log(session, covert, theirs, *CONTACT)
    mine = planned(planned_on=TUESDAY)
    log(session, covert, mine, *CONTACT)
    assert "shadow-contacts-overlap" not in codes(
        submit(session, mine, checklist, {**ANSWERS, "policy": "not_applicable"})
    )


def test_an_open_test_of_the_same_tester_counts_and_the_bulk_run_agrees(
    app: Flask,
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    still_open = planned(planned_on=TUESDAY, platform="jd")
    log(session, covert, still_open, ("contacted", 300), ("bot_replied", 310))
    test = planned(planned_on=TUESDAY)
    log(session, covert, test, *CONTACT)
    shot = attach(app, session, test, "policy", png())
    response = submit(session, test, checklist)
    assert codes(response)["shadow-contacts-overlap"] == "review"
    other = planned(planned_on=TUESDAY, tester="tester.chen", platform="jd")
    log(session, covert, other, ("contacted", 1000), ("contact_ended", 1500))
    attach(app, session, other, "policy", png(), original=shot.original_sha256)
    reused = submit(session, other, checklist)
    before = {r.id: r.flags for r in (response, reused)}
    summary = screening.run(
        session, checklist, {checklist.content_hash: checklist}, screening.Policy()
    )
    assert summary.flags_changed == 0
    for found in (response, reused):
        session.refresh(found)
        assert found.flags == before[found.id]
    assert codes(reused)["shadow-evidence-reused"] == "reject"
