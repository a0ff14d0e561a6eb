"""The forms whose valid values are hard to guess, driven deeper than the route-by-route
fuzz: the public survey, the reviewer's queue and decisions, the shadow logger (its forms
and its JSON queue) and the plan form. No answer may be a server error, and every answer
carries the security headers. A value that once broke a route is in `hostile.BOUNDARY`,
so it is tried whatever else is drawn.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import example, given
from hypothesis import strategies as st
from sqlmodel import Session

from fieldwork.shadow.models import ShadowTest
from tests.conftest import csrf_of
from tests.conftest import started as start
from tests.questionnaires.one_date import SURVEY as ONE_DATE
from tests.questionnaires.two_pages import SURVEY as TWO_PAGES
from tests.review.factories import add_response, sign_in
from tests.shadow import conftest as shadow_fixtures
from tests.shadow.plans import PLAN_FORM
from tests.web.fuzz.hostile import (
    SETTINGS,
    check,
    fields,
    headers,
    segment,
    value,
    with_headers,
)

covert = shadow_fixtures.covert
people = shadow_fixtures.people
planned = shadow_fixtures.planned
"""The shadow tests' fixtures: the people who plan, log and review, and a planned test."""

SURVEY_FIELDS = [
    *(part for answers in TWO_PAGES.complete.values() for part in answers),
    *(part for answers in ONE_DATE.complete.values() for part in answers),
    "action",
    "submission_id",
    "special",
    "code",
    "page",
]


WHOLE_SURVEY = {
    name: sent
    for survey in (TWO_PAGES, ONE_DATE)
    for answers in survey.complete.values()
    for name, sent in answers.items()
}
"""Every answer of both surveys: a page reads its own and leaves the rest."""


@pytest.fixture
def respondent(client: FlaskClient) -> Iterator[tuple[FlaskClient, list[str], str]]:
    """An anonymous respondent with a draft of each survey: their first pages and a token."""
    urls = [start(client, TWO_PAGES), start(client, ONE_DATE)]
    yield client, urls, csrf_of(client.get(urls[0]).text)


@example("submit", 0, "x", {}, {}, {"Referer": "http://[x"})  # broke the error page
@example("check", 1, "x", {}, {}, {"Host": "a" * 64 + ".example"})  # no URL adapter
@example("page", 1, "x", {"CONTACT-year": str(2**31)}, {}, {})  # overflowed datetime.date
@SETTINGS
@given(
    st.sampled_from(["page", "submit", "start", "resume", "check", "anywhere"]),
    st.integers(0, 1),
    segment,
    fields(SURVEY_FIELDS, {**WHOLE_SURVEY, "action": "continue"}),
    fields(["change", "lang", "size", "page", "code"]),
    headers,
)
def test_the_public_survey_never_fails(
    respondent: tuple[FlaskClient, list[str], str],
    route: str,
    which: int,
    part: str,
    form: dict[str, str],
    query: dict[str, str],
    sent_headers: dict[str, str],
) -> None:
    client, urls, token = respondent
    survey = (TWO_PAGES, ONE_DATE)[which]
    paths: dict[str, Callable[[], Any]] = {
        "page": lambda: client.post(urls[which], data={"csrf_token": token, **form}),
        "submit": lambda: client.post(survey.url("submit"), data={"csrf_token": token, **form}),
        "start": lambda: client.post(f"/s/{part}/start", data={"csrf_token": token, **form}),
        "resume": lambda: client.post("/resume", data={"csrf_token": token, **form}),
        "check": lambda: client.get(survey.url("check"), query_string=query),
        "anywhere": lambda: client.get(f"/s/{part}/q/{part}", query_string=query),
    }
    page = with_headers(client, sent_headers, paths[route])
    check(page, f"{route} {form} {query} {sent_headers}")


REVIEW_FIELDS = [
    "seen",
    "scope",
    "status",
    "reason",
    "comment",
    "pick",
    "page",
    "row_version",
    "then",
    "filter-status",
    "filter-from",
    "filter-to",
    "filter-flag",
    "filter-segment",
]
QUEUE_FIELDS = ["status", "from", "to", "flag", "segment", "mode", "questionnaire", "page", "saved"]


@pytest.fixture
def reviewer(app: Flask, client: FlaskClient, people: None) -> Iterator[tuple[FlaskClient, str]]:
    add_response(app)
    sign_in(client, "reviewer.zhao")
    yield client, csrf_of(client.get("/staff/review/").text)


@example(
    "bulk", "1", {"scope": "filter", "seen": f"{2**63}:1", "status": "approved"}, {}, {}
)  # overflowed SQLite's integer
@example("queue", "1", {}, {"saved": "²"}, {})  # isdigit() held, int() failed
@SETTINGS
@given(
    st.sampled_from(["queue", "response", "decide", "bulk"]),
    st.one_of(st.just("1"), segment),
    fields(
        REVIEW_FIELDS,
        {"scope": "filter", "seen": "1:1", "status": "approved", "reason": "valid"},
    ),
    fields(QUEUE_FIELDS),
    headers,
)
def test_the_reviewers_pages_never_fail(
    reviewer: tuple[FlaskClient, str],
    route: str,
    part: str,
    form: dict[str, str],
    query: dict[str, str],
    sent_headers: dict[str, str],
) -> None:
    client, token = reviewer
    paths: dict[str, Callable[[], Any]] = {
        "queue": lambda: client.get("/staff/review/", query_string=query),
        "response": lambda: client.get(f"/staff/review/{part}", query_string=query),
        "decide": lambda: client.post(f"/staff/review/{part}", data={"csrf_token": token, **form}),
        "bulk": lambda: client.post("/staff/review/bulk", data={"csrf_token": token, **form}),
    }
    check(with_headers(client, sent_headers, paths[route]), f"{route} {part} {form} {query}")


TYPED_FIELDS = ["event", "year", "month", "day", "hour", "minute", "second", "note"]
PLAN_FIELDS = [
    "definition",
    "count",
    "campaign",
    "wave",
    "planned_on",
    "segment",
    "tester",
    "platform",
    "channel",
    "scenario",
    "slot",
    "spans_days",
]
EVENT_CODES = ["contacted", "bot_replied", "human_replied"]
"""Events of the suite's definition `covert`: an unknown one is refused before its time is read."""
json_value = st.one_of(
    value,
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.sampled_from([2**63, -(2**63) - 1, 10**100, [], {}]),
)
TIMES = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+00:00",
    "2026-11-03T19:30:00",
    "2026-02-30T19:30:00+08:00",
]
"""Device times on the edges of what a datetime, or UTC, can hold."""
event = st.builds(
    lambda event_id, sequence, changed: {
        "id": event_id,
        "sequence": sequence,
        "code": EVENT_CODES[0],
        "at": "2026-11-03T19:30:00+08:00",
        **changed,
    },
    st.uuids().map(str),
    st.integers(1, 50),
    st.dictionaries(
        st.sampled_from(["id", "sequence", "code", "at", "note"]),
        st.one_of(st.sampled_from(TIMES), st.sampled_from(EVENT_CODES), json_value),
        max_size=2,
    ),
)
"""A valid event with one or two of its fields made hostile."""


@pytest.fixture
def tester(
    client: FlaskClient, session: Session, planned: Callable[..., ShadowTest]
) -> Iterator[tuple[FlaskClient, int, str]]:
    test = planned()
    session.commit()
    assert test.id is not None
    sign_in(client, "tester.li")
    yield client, test.id, csrf_of(client.get(f"/staff/shadow/tests/{test.id}/log").text)


@SETTINGS
@given(
    st.sampled_from(["typed", "tap", "undo", "log"]),
    st.one_of(st.just(""), segment),
    fields(
        TYPED_FIELDS,
        {"event": EVENT_CODES[0], "year": "2026", "month": "11", "day": "3", "hour": "19"},
    ),
    headers,
)
def test_the_shadow_loggers_forms_never_fail(
    tester: tuple[FlaskClient, int, str],
    route: str,
    part: str,
    form: dict[str, str],
    sent_headers: dict[str, str],
) -> None:
    client, test_id, token = tester
    base = f"/staff/shadow/tests/{part or test_id}"
    paths: dict[str, Callable[[], Any]] = {
        "typed": lambda: client.post(f"{base}/log/typed", data={"csrf_token": token, **form}),
        "tap": lambda: client.post(f"{base}/log/tap", data={"csrf_token": token, **form}),
        "undo": lambda: client.post(f"{base}/log/undo", data={"csrf_token": token, **form}),
        "log": lambda: client.get(f"{base}/log", query_string=form),
    }
    check(with_headers(client, sent_headers, paths[route]), f"{route} {part} {form}")


@example(
    {"events": [{"id": str(UUID(int=1)), "sequence": 1, "code": "contacted", "at": TIMES[0]}]},
    "",
    {},
)  # year 0 in UTC: an OverflowError
@SETTINGS
@given(
    st.fixed_dictionaries(
        {"events": st.lists(event, max_size=3)}, optional={"undo": st.lists(json_value)}
    ),
    st.one_of(st.just(""), segment),
    headers,
)
def test_the_shadow_loggers_queue_never_fails(
    tester: tuple[FlaskClient, int, str],
    body: dict[str, Any],
    part: str,
    sent_headers: dict[str, str],
) -> None:
    """The JSON the logger's script sends from its offline queue."""
    client, test_id, token = tester

    def send() -> Any:
        return client.post(
            f"/staff/shadow/tests/{part or test_id}/events",
            data=json.dumps(body, allow_nan=True),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )

    check(with_headers(client, sent_headers, send), f"{part} {body}")


PLAN = PLAN_FORM  # tests/shadow/conftest.py makes tester.chen


@pytest.fixture
def planner(client: FlaskClient, people: None) -> Iterator[tuple[FlaskClient, str]]:
    sign_in(client, "admin.wang")
    yield client, csrf_of(client.get("/staff/shadow/plan").text)


@SETTINGS
@given(st.booleans(), fields(PLAN_FIELDS, PLAN), headers)
def test_the_plan_form_and_list_never_fail(
    planner: tuple[FlaskClient, str],
    post: bool,
    form: dict[str, str],
    sent_headers: dict[str, str],
) -> None:
    client, token = planner

    def send() -> Any:
        if post:
            return client.post("/staff/shadow/plan", data={"csrf_token": token, **form})
        query = {**form, "page": form.get("count", "")}
        return client.get("/staff/shadow/", query_string=query)

    check(with_headers(client, sent_headers, send), f"{post} {form}")
