"""The logger page and its forms without a script: the test's particulars and a button
per event, events typed in with their date and time (in the app's time zone) or tapped
and stamped by the server, "undo last", and every wrong input refused with a message in
the tester's language that stores nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html import unescape as html_text
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session

from fieldwork import clock
from fieldwork.shadow import events
from fieldwork.shadow.models import TAP, TYPED, ShadowTest
from tests.conftest import csrf_of
from tests.review.factories import sign_in
from tests.shadow.plans import CHINA, START, taps

NOW = START + dt.timedelta(hours=1)  # 20:30 in China, on a Tuesday


def log_page(client: FlaskClient, test: ShadowTest, query: str = "") -> Any:
    with clock.set_to(NOW):
        return client.get(f"/staff/shadow/tests/{test.id}/log{query}")


def send(client: FlaskClient, test: ShadowTest, form: str, **fields: str) -> Any:
    token = csrf_of(log_page(client, test).text)
    with clock.set_to(NOW):
        return client.post(
            f"/staff/shadow/tests/{test.id}/log/{form}", data={"csrf_token": token, **fields}
        )


def typed(client: FlaskClient, test: ShadowTest, event: str, when: str, note: str = "") -> Any:
    """Type an event in: `when` as "2026-11-03 19:30:05" (seconds may be left out)."""
    day, time = when.split(" ")
    year, month, date = day.split("-")
    hour, minute, *second = time.split(":")
    return send(
        client,
        test,
        "typed",
        event=event,
        year=year,
        month=month,
        day=date,
        hour=hour,
        minute=minute,
        second=second[0] if second else "",
        note=note,
    )


def shown_timeline(html: str) -> list[str]:
    """The timeline as the page shows it: "time label note" per event, tags stripped."""
    found = re.findall(r'<li data-event-id="[^"]+">(.*?)</li>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in found]


def summary(html: str) -> list[str]:
    block = re.search(r'class="error-summary".*?</div>', html, re.S)
    assert block, "no error summary"
    return [
        html_text(re.sub(r"<[^>]+>", "", a))
        for a in re.findall(r"<a [^>]*>.*?</a>", block.group(0))
    ]


def stored(session: Session, test: ShadowTest) -> list[events.ShadowEvent]:
    session.expire_all()
    return events.recorded(session, test)


def test_the_page_names_the_test_and_offers_a_button_per_event_in_the_definitions_order(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned(spans_days=True)
    sign_in(client, "tester.li")
    page = log_page(client, test).text
    for shown in ("淘宝", "App 内在线客服", "投诉", "老年人"):
        assert shown in page, shown
    buttons = re.findall(r'<button class="button log-button"[^>]*value="([^"]+)"', page)
    assert buttons[:3] == ["contacted", "bot_replied", "bot_repeated"] and len(buttons) == 12
    assert f"/staff/shadow/tests/{test.id}/checklist" in page
    client.get("/settings/language/en")
    page = log_page(client, test).text
    assert "Weekday evening" in page and "Elderly" in page
    assert "the test stays open across days" in page
    assert "Type the date and time in China Time" in page


def test_a_typed_event_is_stored_with_the_time_typed_in_the_apps_zone_and_shown(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    answer = typed(client, test, "contacted", "2026-11-03 19:30:05", note="在 App 里找到客服")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#timeline")
    again = typed(client, test, "bot_replied", "2026-11-03 19:31")
    assert again.status_code == 303
    [first, second] = stored(session, test)
    assert first.device_at.astimezone(CHINA) == START + dt.timedelta(seconds=5)
    assert (first.entered, first.sequence, second.sequence) == (TYPED, 1, 2)
    assert first.received_at.replace(tzinfo=dt.UTC) == NOW and first.note == "在 App 里找到客服"
    with clock.set_to(NOW):
        page = client.get(again.headers["Location"]).text
    assert shown_timeline(page) == ["19:30:05 已联系 在 App 里找到客服", "19:31:00 机器人回复"]


def test_a_button_without_the_script_logs_its_event_at_the_servers_time(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    answer = send(client, test, "tap", code="contacted", note="")
    assert answer.status_code == 303
    [event] = stored(session, test)
    assert (event.code, event.entered, event.note) == ("contacted", TAP, None)
    assert event.device_at.replace(tzinfo=dt.UTC) == NOW == event.received_at.replace(tzinfo=dt.UTC)


def test_undo_last_takes_back_the_latest_event_and_keeps_it_on_record(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    typed(client, test, "contacted", "2026-11-03 19:30")
    typed(client, test, "bot_replied", "2026-11-03 19:30:20")
    answer = send(client, test, "undo")
    assert answer.status_code == 303
    with clock.set_to(NOW):
        page = client.get(answer.headers["Location"]).text
    assert shown_timeline(page) == ["19:30:00 已联系"]
    assert [(e.code, e.undone_at is not None) for e in stored(session, test)] == [
        ("contacted", False),
        ("bot_replied", True),
    ]
    client.get("/settings/language/en")
    with clock.set_to(NOW):
        assert "Undone: Bot replied at 7:30:20" in client.get(answer.headers["Location"]).text


def test_undo_with_nothing_logged_says_so(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    client.get("/settings/language/en")
    answer = send(client, test, "undo")
    assert answer.status_code == 422 and summary(answer.text) == ["There is no event to undo."]


def test_a_date_that_does_not_exist_is_refused_with_the_boxes_kept(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    client.get("/settings/language/en")
    answer = typed(client, test, "contacted", "2026-13-40 19:30")
    assert answer.status_code == 422
    assert summary(answer.text) == ["Enter a real date: year, month and day in numbers."]
    assert 'id="typed-year" name="year" value="2026"' in answer.text
    assert 'name="month" value="13"' in answer.text
    assert 'href="#typed-month"' in answer.text  # the first box, in English's order
    assert stored(session, test) == []


def test_a_time_that_is_not_one_is_refused(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    client.get("/settings/language/en")
    for when in ("2026-11-03 24:00", "2026-11-03 19:61", "2026-11-03 七:30", "2026-11-03 :30"):
        answer = typed(client, test, "contacted", when)
        assert answer.status_code == 422, when
        assert summary(answer.text)[0].startswith("Enter a real time of day"), when
    assert stored(session, test) == []


def test_an_event_the_test_does_not_have_or_none_at_all_is_refused(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    client.get("/settings/language/en")
    unknown = typed(client, test, "teleported", "2026-11-03 19:30")
    assert summary(unknown.text) == ["This test has no such event."]
    assert 'href="#typed-event"' in unknown.text
    none = typed(client, test, "", "2026-11-03 19:30")
    assert summary(none.text) == ["Choose the event that happened."]
    tapped = send(client, test, "tap", code="teleported")
    assert tapped.status_code == 422 and summary(tapped.text) == ["This test has no such event."]
    assert stored(session, test) == []


def test_a_time_before_the_previous_event_is_refused_in_the_testers_language(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    typed(client, test, "contacted", "2026-11-03 19:30")
    client.get("/settings/language/en")
    answer = typed(client, test, "bot_replied", "2026-11-03 19:29:59")
    assert answer.status_code == 422
    assert summary(answer.text) == [
        "This event's time is earlier than an event logged before it. Check the time."
    ]
    assert [e.code for e in stored(session, test)] == ["contacted"]
    future = typed(client, test, "bot_replied", "2026-11-03 21:30")
    assert "in the future" in summary(future.text)[0]


def test_a_10_kb_note_is_refused_and_not_echoed_whole(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    client.get("/settings/language/en")
    note = "长" * 10_000
    for answer in (
        typed(client, test, "contacted", "2026-11-03 19:30", note=note),
        send(client, test, "tap", code="contacted", note=note),
    ):
        assert answer.status_code == 422
        assert summary(answer.text) == ["Shorten the note to 500 characters or fewer."]
        assert "长" * 1000 in answer.text and "长" * 1001 not in answer.text
    assert stored(session, test) == []


def test_another_testers_test_is_not_found(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned(tester="tester.chen")
    sign_in(client, "tester.li")
    assert log_page(client, test).status_code == 404
    token = csrf_of(client.get("/staff/login").text)
    for form in ("tap", "typed", "undo"):
        with clock.set_to(NOW):
            answer = client.post(
                f"/staff/shadow/tests/{test.id}/log/{form}",
                data={"csrf_token": token, "code": "contacted"},
            )
        assert answer.status_code == 404, form
    assert stored(session, test) == []


def test_a_form_without_its_csrf_token_stores_nothing(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    answer = client.post(f"/staff/shadow/tests/{test.id}/log/tap", data={"code": "contacted"})
    assert answer.status_code == 400 and stored(session, test) == []


def test_a_case_over_several_days_is_shown_day_by_day(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned(scenario="return_request", spans_days=True)
    sign_in(client, "tester.li")
    client.get("/settings/language/en")
    typed(client, test, "return_requested", "2026-11-01 09:00")
    typed(client, test, "picked_up", "2026-11-02 15:10")
    typed(client, test, "refunded", "2026-11-03 20:00")
    page = log_page(client, test).text
    days = re.findall(r'<h3 class="log-day">(.*?)</h3>', page)
    assert days == [
        "Sunday, November 1, 2026",
        "Monday, November 2, 2026",
        "Tuesday, November 3, 2026",
    ]


def test_a_submitted_test_takes_no_more_events(
    client: FlaskClient, planned: Callable[..., ShadowTest], session: Session
) -> None:
    test = planned()
    test.state = "submitted"
    session.add(test)
    session.commit()
    sign_in(client, "tester.li")
    client.get("/settings/language/en")
    page = log_page(client, test).text
    assert "it takes no more events" in page and "log-button" not in page
    token = csrf_of(client.get("/staff/login").text)
    with clock.set_to(NOW):
        answer = client.post(
            f"/staff/shadow/tests/{test.id}/log/tap",
            data={"csrf_token": token, "code": "contacted"},
        )
    assert answer.status_code == 422 and stored(session, test) == []


def test_the_service_worker_is_served_as_javascript_under_the_loggers_folder(
    client: FlaskClient,
) -> None:
    answer = client.get("/staff/shadow/sw.js")
    assert answer.status_code == 200
    assert answer.mimetype == "application/javascript" and "fetch" in answer.text
    assert answer.headers["Cache-Control"] == "no-cache"


def test_the_json_answer_and_the_page_agree_on_the_timeline(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    token = csrf_of(log_page(client, test).text)
    with clock.set_to(NOW):
        sent = client.post(
            f"/staff/shadow/tests/{test.id}/events",
            json={"events": taps(("contacted", 0), ("bot_replied", 8))},
            headers={"X-CSRFToken": token},
        ).json
    assert [(e["sequence"], e["time"]) for e in sent["timeline"]] == [
        (1, "19:30:00"),
        (2, "19:30:08"),
    ]
    assert shown_timeline(log_page(client, test).text) == ["19:30:00 已联系", "19:30:08 机器人回复"]


def test_refusals_are_worded_in_the_page_language(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    sign_in(client, "tester.li")
    typed(client, test, "contacted", "2026-11-03 19:30")
    client.get("/settings/language/zh-Hant")
    answer = typed(client, test, "bot_replied", "2026-11-03 19:29")
    assert summary(answer.text) == ["此事件的時間早於之前記錄的事件，請檢查時間。"]
    assert "<title>錯誤" in answer.text or "錯誤" in answer.text.split("</title>")[0]
