"""A reviewer's page for a shadow test: the plan, the timeline, the metrics against their
thresholds, the score and the evidence, whose files only reviewers and admins open; and
a tester who cannot decide their own test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.responses.filters import Filter
from fieldwork.responses.models import Response
from fieldwork.review import queue as review_queue
from fieldwork.shadow.models import Evidence, ShadowTest
from tests.conftest import csrf_of
from tests.review.factories import sign_in
from tests.shadow.plans import person
from tests.shadow.submitted import ANSWERS, CONTACT, attach, log, png, submit

EN = {"Accept-Language": "en"}


@pytest.fixture
def reviewed(
    app: Flask,
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> tuple[Response, Evidence, bytes]:
    """A submitted test of tester.li with one screenshot behind its "policy" answer."""
    test = planned(planned_on=dt.date(2026, 11, 3))
    log(session, covert, test, *CONTACT)
    data = png()
    shot = attach(app, session, test, "policy", data)
    return submit(session, test, checklist, {**ANSWERS, "no_buck": "no"}), shot, data


def test_the_page_shows_the_plan_timeline_metrics_score_and_evidence(
    client: FlaskClient, reviewed: tuple[Response, Evidence, bytes]
) -> None:
    response, shot, _ = reviewed
    sign_in(client, "reviewer.zhao")
    page = client.get(f"/staff/review/{response.id}", headers=EN)
    assert page.status_code == 200
    html = page.text
    for plan in (
        "Taobao",
        "In-app chat",
        "Complaint",
        "Weekday evening (18:00–22:00)",
        "2026-11-03",
        "tester.li",
    ):
        assert plan in html, plan
    # The timeline in the order it happened, each event's offset from the first.
    assert html.index("Contacted") < html.index("Bot replied") < html.index("Contact ended")
    assert "+0:00:20" in html and "+0:10:00" in html
    # First reply after 20 s, within 30 s: met, in words.
    assert "First reply ≤ 30 s" in html and "20 s" in html and "at most 30 s" in html
    # Nothing solved at first contact: not met, in words beside the figure.
    assert "did not happen" in html and "Not met" in html
    # "No buck passing" is critical and answered no: the score is capped.
    assert "Capped at 50 by a failed critical item: No buck passing." in html
    assert f'href="/staff/shadow/evidence/{shot.id}"' in html
    assert f'alt="Evidence {shot.id} for “Policy stated”"' in html


def test_a_reviewer_downloads_the_stored_file_kept_out_of_caches(
    client: FlaskClient, reviewed: tuple[Response, Evidence, bytes]
) -> None:
    _, shot, data = reviewed
    sign_in(client, "reviewer.zhao")
    sent = client.get(f"/staff/shadow/evidence/{shot.id}")
    assert sent.status_code == 200 and sent.data == data
    assert sent.mimetype == "image/png"
    assert sent.headers["Cache-Control"] == "no-store"
    assert sent.headers["X-Content-Type-Options"] == "nosniff"


def test_an_admin_opens_evidence_too(
    client: FlaskClient, reviewed: tuple[Response, Evidence, bytes]
) -> None:
    _, shot, data = reviewed
    sign_in(client, "admin.wang")
    assert client.get(f"/staff/shadow/evidence/{shot.id}").data == data


def test_a_tester_and_a_stranger_cannot_open_evidence(
    client: FlaskClient, reviewed: tuple[Response, Evidence, bytes]
) -> None:
    _, shot, data = reviewed
    anonymous = client.get(f"/staff/shadow/evidence/{shot.id}")
    assert anonymous.status_code == 303 and "/staff/login" in anonymous.headers["Location"]
    sign_in(client, "tester.li")  # even the tester who uploaded it
    refused = client.get(f"/staff/shadow/evidence/{shot.id}")
    assert refused.status_code == 403 and data not in refused.data


def test_an_unknown_or_removed_file_is_not_found(
    client: FlaskClient, session: Session, reviewed: tuple[Response, Evidence, bytes]
) -> None:
    _, shot, _ = reviewed
    sign_in(client, "reviewer.zhao")
    assert client.get("/staff/shadow/evidence/999999").status_code == 404
    assert client.get(f"/staff/shadow/evidence/{2**40}").status_code == 404
    shot.removed_at = dt.datetime(2026, 11, 3, 12, tzinfo=dt.UTC)
    session.add(shot)
    session.commit()
    assert client.get(f"/staff/shadow/evidence/{shot.id}").status_code == 404


def test_the_page_of_another_mode_has_no_shadow_part(
    client: FlaskClient, reviewed: tuple[Response, Evidence, bytes], app: Flask
) -> None:
    from tests.review.factories import add_response

    other = add_response(app)
    sign_in(client, "reviewer.zhao")
    assert "Shadow test" not in client.get(f"/staff/review/{other}", headers=EN).text


def test_whoever_logged_a_test_cannot_decide_it_nor_is_offered_it(
    app: Flask,
    client: FlaskClient,
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    answers = {**ANSWERS, "policy": "not_applicable"}
    oldest = submit(session, planned(), checklist, answers)
    test = planned(tester="admin.wang")  # an admin who went out as a tester
    log(session, covert, test, *CONTACT)
    own = submit(session, test, checklist, answers)
    newest = submit(session, planned(tester="tester.chen"), checklist, answers)
    admin = person(session, "admin.wang")
    assert own.entered_by == admin.id
    sign_in(client, "admin.wang")
    page = client.get(f"/staff/review/{own.id}", headers=EN).text
    assert "You entered this response yourself, so another reviewer must decide it." in page
    assert 'name="row_version"' not in page
    form = {
        "csrf_token": csrf_of(client.get(f"/staff/review/{oldest.id}").text),
        "row_version": str(own.row_version),
        "status": "approved",
        "reason": "valid",
    }
    refused = client.post(f"/staff/review/{own.id}", data=form, headers=EN)
    assert refused.status_code == 403
    assert "another reviewer must decide it" in refused.text
    session.refresh(own)
    assert own.reviewed_by is None
    # "Save and next" from the newest passes over the admin's own test, not a reviewer's.
    assert review_queue.next_after(session, Filter(), newest, admin.id) == oldest.id
    reviewer = person(session, "reviewer.zhao")
    assert review_queue.next_after(session, Filter(), newest, reviewer.id) == own.id
