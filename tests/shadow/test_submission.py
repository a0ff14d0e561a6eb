"""A test becomes one response of mode shadow: its checklist validated like any answers,
its timeline and evidence frozen into it, and its figures read back from that row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlmodel import Session

from fieldwork import clock
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.responses.entry import Storing
from fieldwork.responses.models import Response
from fieldwork.shadow import events, metrics, submission
from fieldwork.shadow.models import SUBMITTED, ShadowTest
from tests.shadow.plans import START, taps

STORING = Storing(current=None, fallback_segment="young")
ANSWERS = {"polite": "yes", "no_buck": "no", "policy": "not_applicable", "polite_note": "kind"}


def raw(answers: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    """Answers as the checklist page's fields give them."""
    return {code: {"": [value]} for code, value in answers.items()}


def logged(session: Session, covert: ShadowDefinition, test: ShadowTest) -> None:
    queue = taps(("contacted", 0), ("bot_replied", 45), ("transferred", 60), ("line_dropped", 90))
    with clock.set_to(START + dt.timedelta(hours=1)):
        events.log(session, test, covert, [events.read(e) for e in queue])


def test_a_submitted_test_is_a_shadow_response_with_its_timeline_frozen(
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    test = planned()
    logged(session, covert, test)
    outcome = submission.submit(session, test, checklist, raw(ANSWERS), "en", STORING)
    assert outcome.issues == [] and outcome.stored is not None
    response = session.get(Response, outcome.stored.id)
    assert response is not None
    assert (response.mode, response.platform, response.channel) == (
        "shadow",
        "taobao",
        "in_app_chat",
    )
    assert (response.segment, response.segment_source) == ("elderly", "staff")
    assert response.source["test"] == str(test.id)
    assert (test.state, test.response_id) == (SUBMITTED, response.id)
    shown = metrics.of(covert, "complaint", "in_app_chat", response.paradata, response.answers)
    found = {m.code: (m.value, m.passed) for m in shown.measures}
    assert found["first_reply"] == (45.0, False)
    assert found["transfer_held"] == (0, False)
    assert shown.contact_seconds == 90.0
    # No on a critical item caps the score: 1 of 3 points is 33.3, under the cap of 50.
    assert (shown.score.points, shown.score.failed_critical) == (33.3, ("no_buck",))


def test_a_checklist_with_a_missing_answer_is_sent_back(
    session: Session, checklist: Questionnaire, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    outcome = submission.submit(session, test, checklist, raw({"polite": "yes"}), "en", STORING)
    assert outcome.stored is None
    assert {(i.question, i.code) for i in outcome.issues} >= {("no_buck", "required")}


def test_not_applicable_is_refused_where_the_item_does_not_allow_it(
    session: Session, checklist: Questionnaire, planned: Callable[..., ShadowTest]
) -> None:
    answers = {**ANSWERS, "polite": "not_applicable"}
    outcome = submission.submit(session, planned(), checklist, raw(answers), "en", STORING)
    assert [(i.question, i.code) for i in outcome.issues] == [("polite", "invalid-choice")]


def test_a_test_is_submitted_once(
    session: Session, checklist: Questionnaire, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    submission.submit(session, test, checklist, raw(ANSWERS), "en", STORING)
    with pytest.raises(submission.NotOpen):
        submission.submit(session, test, checklist, raw(ANSWERS), "en", STORING)


def test_a_checklist_sent_back_leaves_the_test_open_for_events(
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    test = planned()
    logged(session, covert, test)
    outcome = submission.submit(session, test, checklist, raw({"polite": "yes"}), "en", STORING)
    assert outcome.stored is None and test.state == "logging"
    later = taps(("contact_ended", 200))
    later[0]["sequence"] = 9
    with clock.set_to(START + dt.timedelta(hours=1)):
        assert events.log(session, test, covert, [events.read(later[0])]).stored


def test_a_submission_that_stopped_midway_closed_the_log_and_can_be_sent_again(
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    test = planned()
    logged(session, covert, test)
    test.state = SUBMITTED  # closed, as `submit` does first, and then the process died
    session.add(test)
    session.commit()
    with clock.set_to(START + dt.timedelta(hours=1)):
        late = events.log(session, test, covert, [events.read(taps(("contact_ended", 200))[0])])
    assert [r.reason for r in late.refused] == [events.CLOSED]
    assert submission.takes_checklist(test)
    outcome = submission.submit(session, test, checklist, raw(ANSWERS), "en", STORING)
    assert outcome.stored is not None and test.response_id == outcome.stored.id
    assert not submission.takes_checklist(test)
