"""The planning pages through the test client: a tester sees only their own tests, an
admin plans a grid and sees its coverage, and wrong or hostile input gets a message in
the reader's words and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, func, select

from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow.models import VOID, ShadowTest
from tests.conftest import csrf_of
from tests.review.factories import sign_in
from tests.shadow.plans import PLAN_FORM, person
from tests.shadow.test_rates import CONNECTED, DROPPED, done

GRID = {**PLAN_FORM, "platforms": ["taobao", "xiaohongshu"]}


def stored(session: Session) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(ShadowTest)).one())


def post(client: FlaskClient, path: str, form: dict[str, Any]) -> Any:
    token = csrf_of(client.get("/staff/shadow/plan").text)
    return client.post(path, data={"csrf_token": token, **form})


def english(client: FlaskClient, language: str = "en") -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language


def test_a_tester_sees_only_their_own_assignments_with_links_to_log_them(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    mine = planned(platform="jd", channel="phone_hotline")
    theirs = planned(tester="tester.chen", platform="pinduoduo")
    sign_in(client, "tester.li")
    english(client)
    page = client.get("/staff/shadow/").text
    assert "JD.com · Phone hotline" in page and "Pinduoduo" not in page
    assert f'href="/staff/shadow/tests/{mine.id}/log"' in page
    assert f'href="/staff/shadow/tests/{mine.id}/checklist"' in page
    assert f"/staff/shadow/tests/{theirs.id}/" not in page
    assert "Weekday evening" in page and "Elderly" in page


def test_a_tester_cannot_open_the_plan_or_another_testers_test(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    theirs = planned(tester="tester.chen")
    sign_in(client, "tester.li")
    assert client.get("/staff/shadow/plan").status_code == 403
    assert client.get(f"/staff/shadow/plan/tests/{theirs.id}").status_code == 403
    # The logger of a test assigned to someone else is not found (shadow_log's own_test).
    token = csrf_of(client.get("/staff/login").text)
    sent = client.post(
        f"/staff/shadow/tests/{theirs.id}/events", json={}, headers={"X-CSRFToken": token}
    )
    assert sent.status_code == 404


def test_the_overview_links_testers_and_admins_to_their_shadow_tests(
    client: FlaskClient, people: None
) -> None:
    for name, linked in (("tester.li", True), ("admin.wang", True), ("reviewer.zhao", False)):
        sign_in(client, name)
        assert ('href="/staff/shadow/"' in client.get("/staff/").text) is linked


def test_an_admin_plans_a_grid_and_sees_it_listed_and_its_gaps_in_words(
    client: FlaskClient, people: None, session: Session
) -> None:
    sign_in(client, "admin.wang")
    english(client)
    moved = post(client, "/staff/shadow/plan", GRID)
    assert moved.status_code == 303
    # Xiaohongshu has no hotline: three tests, not four, and the page says so.
    assert stored(session) == 3
    page = client.get(moved.headers["Location"]).text
    assert "3 tests planned." in page
    assert (
        "Not planned, as the platform does not offer the channel: Xiaohongshu · Phone hotline"
        in page
    )
    assert "Taobao · Phone hotline: tests planned but none submitted for Weekday evening." in page
    assert "Taobao · Phone hotline: no test planned for Weekday morning" in page
    assert "JD.com · Phone hotline: never tested in any time slot." in page
    assert page.count("tester.chen") >= 3


def test_a_planned_test_is_reassigned_then_voided_with_its_history(
    client: FlaskClient, session: Session, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    sign_in(client, "admin.wang")
    english(client)
    moved = post(client, f"/staff/shadow/plan/tests/{test.id}/assign", {"tester": "tester.chen"})
    assert moved.status_code == 303
    refused = post(client, f"/staff/shadow/plan/tests/{test.id}/void", {"reason": " "})
    assert refused.status_code == 400 and "Say why the test is void." in refused.text
    post(client, f"/staff/shadow/plan/tests/{test.id}/void", {"reason": "Hotline closed"})
    page = client.get(f"/staff/shadow/plan/tests/{test.id}").text
    assert "To tester.chen" in page and "Hotline closed" in page
    session.refresh(test)
    assert test.state == VOID and test.tester_id == person(session, "tester.chen").id
    again = post(client, f"/staff/shadow/plan/tests/{test.id}/assign", {"tester": "tester.li"})
    assert again.status_code == 409 and "can no longer be assigned" in again.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"platforms": ["myspace"]}, "There is no platform “myspace”. Choose from the list."),
        (
            {"platforms": ["xiaohongshu"], "channels": ["phone_hotline"]},
            "Xiaohongshu: none of these offers Phone hotline.",
        ),
        ({"count": "1000000"}, "Enter a number of tests per cell from 1 to 2,000."),
        (
            {"count": "999", "slots": ["weekday_evening", "weekend_night"]},
            "This plan makes 5,994 tests",
        ),
        ({"planned_on": "2026-02-30"}, "Enter a real date as year-month-day"),
        ({"campaign": "长" * 100_000}, "Use up to 64 letters, digits"),
        ({"platforms": []}, "Choose at least one platform."),
        ({"tester": "reviewer.zhao"}, "Choose a tester from the list."),
    ],
)
def test_a_wrong_plan_gets_a_message_and_stores_nothing(
    client: FlaskClient,
    people: None,
    session: Session,
    change: dict[str, Any],
    message: str,
) -> None:
    sign_in(client, "admin.wang")
    english(client)
    sent = post(client, "/staff/shadow/plan", {**GRID, **change})
    assert sent.status_code == 400
    assert message in sent.text and 'class="error-summary"' in sent.text
    assert stored(session) == 0
    # What was ticked comes back ticked.
    assert 'value="complaint" checked' in sent.text


def test_a_wrong_plan_is_worded_in_chinese_too(
    client: FlaskClient, people: None, session: Session
) -> None:
    sign_in(client, "admin.wang")
    english(client, "zh-Hant")
    sent = post(client, "/staff/shadow/plan", {**GRID, "planned_on": "2026-02-30"})
    assert sent.status_code == 400 and "Enter a real date" not in sent.text
    assert stored(session) == 0


def test_the_list_filters_by_tester_and_pages(
    client: FlaskClient, session: Session, planned: Callable[..., ShadowTest]
) -> None:
    for _ in range(3):
        planned()
    planned(tester="tester.chen", platform="jd")
    sign_in(client, "admin.wang")
    english(client)
    chen = person(session, "tester.chen").id
    page = client.get(f"/staff/shadow/plan?tester={chen}").text
    assert "1 test matches." in page
    assert "4 tests match." in client.get("/staff/shadow/plan?tester=nobody&page=-3").text


def test_rates_are_for_admins_and_reviewers(client: FlaskClient, people: None) -> None:
    sign_in(client, "tester.li")
    assert client.get("/staff/shadow/rates").status_code == 403
    sign_in(client, "reviewer.zhao")
    english(client)
    page = client.get("/staff/shadow/rates?definition=covert")
    assert page.status_code == 200 and "No submitted tests" in page.text


def test_the_rates_page_shows_each_figure_with_the_tests_behind_it(
    client: FlaskClient,
    session: Session,
    covert: ShadowDefinition,
    checklist: Questionnaire,
    planned: Callable[..., ShadowTest],
) -> None:
    for timeline in (CONNECTED, DROPPED):
        done(session, covert, checklist, planned(channel="phone_hotline"), timeline)
    sign_in(client, "admin.wang")
    english(client)
    page = client.get("/staff/shadow/rates?definition=covert").text
    row = page.split("Phone connected")[1].split("</tr>")[0]
    assert ">1</td>" in row and ">2</td>" in row  # passed, of the tests behind the figure
    assert "50%" in row and "at least 90%" in row and "Below it" in row
    assert "Taobao · Phone hotline" in page
