"""What the logger's script and offline queue send: JSON in, the stored timeline out,
for the tester the test is assigned to and nobody else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from fieldwork import clock
from fieldwork.shadow.models import ShadowTest
from tests.conftest import csrf_of
from tests.review.factories import sign_in
from tests.shadow.plans import START, taps


def post(client: FlaskClient, test: ShadowTest, body: Any) -> Any:
    token = csrf_of(client.get("/staff/login").text)
    with clock.set_to(START + dt.timedelta(hours=1)):
        return client.post(
            f"/staff/shadow/tests/{test.id}/events", json=body, headers={"X-CSRFToken": token}
        )


def test_the_tester_sends_a_queue_twice_and_gets_one_timeline_back(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    queue = taps(("contacted", 0), ("bot_replied", 8))
    first, again = post(client, test, {"events": queue}), post(client, test, {"events": queue})
    assert first.status_code == again.status_code == 200
    assert len(first.json["stored"]) == 2 and again.json["stored"] == []
    assert [e["label"] for e in again.json["timeline"]] == ["已联系", "机器人回复"]


def test_a_refused_event_comes_back_with_a_reason_in_words(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    found = post(client, test, {"events": taps(("teleported", 0))}).json["refused"]
    assert [r["reason"] for r in found] == ["event-unknown"] and found[0]["message"]


def test_another_testers_test_is_not_found(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned(tester="tester.chen")
    sign_in(client, "tester.li")
    assert post(client, test, {"events": taps(("contacted", 0))}).status_code == 404


def test_a_reviewer_cannot_log(client: FlaskClient, planned: Callable[..., ShadowTest]) -> None:
    test = planned()
    sign_in(client, "reviewer.zhao")
    assert post(client, test, {"events": []}).status_code == 403


def test_bodies_that_are_not_a_queue_are_refused(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    assert post(client, test, ["not", "an", "object"]).status_code == 400
    assert post(client, test, {"events": "contacted"}).status_code == 400
    assert post(client, test, {"events": [{}] * 501}).status_code == 413
    odd = post(client, test, {"events": [7, {"id": None}]}).json["refused"]
    assert [r["reason"] for r in odd] == ["event-malformed"] * 2


def test_a_closed_test_still_answers_with_its_timeline(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Any
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    post(client, test, {"events": taps(("contacted", 0))})
    test.state = "submitted"
    session.add(test)
    session.commit()
    answer = post(client, test, {"events": taps(("bot_replied", 5))}).json
    assert [r["reason"] for r in answer["refused"]] == ["test-closed"]
    assert [e["code"] for e in answer["timeline"]] == ["contacted"]
