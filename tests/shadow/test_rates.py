"""Rates rolled up per platform × channel: passes of each rate indicator over the
submitted tests that were not rejected, with the number of tests behind each figure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session

from fieldwork import clock
from fieldwork.definitions.service import Versions
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.responses.models import REJECTED, Response
from fieldwork.shadow import events, rates, submission
from fieldwork.shadow.models import ShadowTest
from tests.shadow.plans import START, taps
from tests.shadow.test_submission import ANSWERS, STORING, raw

CONNECTED = (("contacted", 0), ("human_replied", 40), ("problem_solved", 300))
DROPPED = (("contacted", 0), ("line_dropped", 20))


def done(
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    test: ShadowTest,
    timeline: tuple[tuple[str, float], ...],
) -> Response:
    """The test logged with this timeline and submitted: its response."""
    with clock.set_to(START + dt.timedelta(hours=1)):
        events.log(session, test, covert, [events.read(e) for e in taps(*timeline)])
        outcome = submission.submit(session, test, checklist, raw(ANSWERS), "en", STORING)
    assert outcome.stored is not None
    found = session.get(Response, outcome.stored.id)
    assert found is not None
    return found


def roll_up(session: Session, covert: ShadowDefinition, **filters: str) -> dict:
    versions = Versions()
    return rates.roll_up(
        session,
        covert,
        lambda content_hash: versions.shadow(session, content_hash),
        rates.Filters(**filters),
    )


def test_a_hotline_connected_on_three_calls_of_four_misses_90_percent(
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    for timeline in (CONNECTED, CONNECTED, CONNECTED, DROPPED):
        done(session, covert, checklist, planned(channel="phone_hotline"), timeline)
    found = roll_up(session, covert)[("taobao", "phone_hotline")]
    figures = {f.indicator.code: f for f in found.figures}
    connected = figures["phone_connected"]
    assert (connected.passed, connected.tests, connected.share) == (3, 4, 0.75)
    assert connected.threshold == 0.9 and not connected.meets
    solved = figures["first_contact_resolution"]
    assert (solved.passed, solved.tests, solved.meets) == (3, 4, False)
    # Indicators that are not rates (a bot's repetitions) are judged per test, not here.
    assert set(figures) == {"phone_connected", "first_contact_resolution"}


def test_each_channel_is_rolled_up_on_its_own_and_rejected_tests_do_not_count(
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    done(session, covert, checklist, planned(channel="phone_hotline"), CONNECTED)
    rejected = done(session, covert, checklist, planned(channel="phone_hotline"), DROPPED)
    rejected.status = REJECTED
    session.add(rejected)
    session.commit()
    done(session, covert, checklist, planned(platform="jd"), DROPPED)
    found = roll_up(session, covert)
    hotline = {f.indicator.code: f for f in found[("taobao", "phone_hotline")].figures}
    assert (hotline["phone_connected"].passed, hotline["phone_connected"].tests) == (1, 1)
    assert hotline["phone_connected"].meets
    # A chat is not a call: JD's chat has no connection rate, only resolution.
    jd = {f.indicator.code: f for f in found[("jd", "in_app_chat")].figures}
    assert set(jd) == {"first_contact_resolution"} and jd["first_contact_resolution"].tests == 1


def test_a_campaign_filter_counts_only_its_tests(
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    done(session, covert, checklist, planned(campaign="spring"), CONNECTED)
    done(session, covert, checklist, planned(campaign="autumn"), DROPPED)
    found = roll_up(session, covert, campaign="spring")[("taobao", "in_app_chat")]
    assert [(f.passed, f.tests) for f in found.figures] == [(1, 1)]
    assert roll_up(session, covert, campaign="winter") == {}
