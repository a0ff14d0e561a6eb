"""Reviewer pages through the test client: the queue, one response, decisions, refusals.

The responses answer the suite's two-page survey (tests/questionnaires/two_pages.yaml).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import delete, func, select
from sqlmodel import col

from fieldwork import catalog, db, quality
from fieldwork.audit.models import AuditEntry
from fieldwork.definitions import service as definitions
from fieldwork.definitions.models import QuestionnaireVersion
from fieldwork.questionnaire.loader import build
from fieldwork.responses import service as responses
from fieldwork.responses.models import Draft, Response
from fieldwork.web import review as review_pages
from fieldwork.web.explain import explain_flag
from tests.conftest import csrf_of
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import (
    DAY,
    SPEEDER,
    STRAIGHT,
    add_response,
    fast_password_hashing,
    response_row,
    sign_in,
    staff,
)

OTHER_QID = "shop_visit"


@pytest.fixture(autouse=True)
def _fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)


@pytest.fixture
def reviewer(app: Flask, client: FlaskClient) -> int:
    """A signed-in reviewer (username "chen"); returns their id."""
    user = staff(app, "chen")
    sign_in(client, "chen")
    return user


def picked_ids(html: str) -> set[int]:
    """The responses listed in the queue table."""
    return {int(found) for found in re.findall(r'id="pick-(\d+)"', html)}


def audit_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session().execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def decide(client: FlaskClient, response_id: int, status: str, reason: str, **extra: str) -> Any:
    page = client.get(f"/staff/review/{response_id}")
    version = re.search(r'name="row_version" value="(\d+)"', page.text)
    assert version, "the response page has no decision form"
    form = {
        "csrf_token": csrf_of(page.text),
        "row_version": version.group(1),
        "status": status,
        "reason": reason,
        **extra,
    }
    return client.post(f"/staff/review/{response_id}", data=form)


# ---------------------------------------------------------------- the queue


@pytest.fixture
def other_questionnaire(app: Flask) -> Iterator[str]:
    """A second stored questionnaire with one response, removed again afterwards."""
    text = {"zh-Hans": "到店", "zh-Hant": "到店", "en": "Visit"}
    other = build(
        {
            "id": OTHER_QID,
            "version": "1",
            "kind": "survey",
            "languages": ["zh-Hans", "zh-Hant", "en"],
            "title": text,
            "segments": {"from": "answers", "rules": [{"segment": "general"}]},
            "sections": [
                {
                    "code": "main",
                    "title": text,
                    "questions": [{"code": "V1", "type": "short_text", "text": text}],
                }
            ],
        }
    )
    with app.app_context():
        session = db.session()
        definitions.store(session, [other])
        responses.submit(
            session,
            responses.Submission(
                submission_id="00000000-0000-4000-8000-000000000001",
                questionnaire=other,
                answers={"V1": "好"},
                locale="zh-Hans",
                paradata={},
            ),
        )
    yield OTHER_QID
    with app.app_context():
        session = db.session()
        session.execute(delete(Draft).where(col(Draft.questionnaire_id) == OTHER_QID))
        session.execute(delete(Response).where(col(Response.questionnaire_id) == OTHER_QID))
        session.execute(
            delete(QuestionnaireVersion).where(
                col(QuestionnaireVersion.questionnaire_id) == OTHER_QID
            )
        )
        session.commit()
    app.extensions.pop("fieldwork.versions", None)


@pytest.fixture
def queue_rows(app: Flask) -> dict[str, int]:
    """Four responses that differ in every filtered column, by name."""
    return {
        "pending-elderly": add_response(app, flags=[STRAIGHT], segment="elderly"),
        "approved-paper": add_response(
            app,
            status="approved",
            segment="parents",
            mode="paper",
            submitted_at=DAY + dt.timedelta(days=7),
        ),
        "rejected-speeder": add_response(
            app, status="rejected", flags=[SPEEDER], submitted_at=DAY + dt.timedelta(days=17)
        ),
        "held-shadow": add_response(
            app,
            status="on_hold",
            flags=[STRAIGHT],
            segment="elderly",
            mode="shadow",
            submitted_at=DAY + dt.timedelta(days=22),
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"pending-elderly"}),  # what waits for a reviewer
        ("status=all", {"pending-elderly", "approved-paper", "rejected-speeder", "held-shadow"}),
        ("status=pending", {"pending-elderly"}),
        ("status=on_hold", {"held-shadow"}),
        ("status=on_hold&status=rejected", {"held-shadow", "rejected-speeder"}),
        ("flag=straight-lining", {"pending-elderly"}),
        ("status=all&flag=straight-lining", {"pending-elderly", "held-shadow"}),
        ("status=all&flag=speeder", {"rejected-speeder"}),
        ("status=all&segment=elderly", {"pending-elderly", "held-shadow"}),
        ("status=all&mode=paper", {"approved-paper"}),
        ("status=all&from=2026-11-10", {"approved-paper", "rejected-speeder", "held-shadow"}),
        ("status=all&to=2026-11-10", {"pending-elderly", "approved-paper"}),
        ("status=all&from=2026-11-04&to=2026-11-20", {"approved-paper", "rejected-speeder"}),
        ("segment=elderly&status=on_hold&mode=shadow", {"held-shadow"}),
        ("status=all&flag=duplicate-ip", set()),
    ],
)
def test_queue_filters_show_the_matching_rows(
    client: FlaskClient, reviewer: int, queue_rows: dict[str, int], query: str, expected: set[str]
) -> None:
    page = client.get(f"/staff/review/?{query}")
    assert page.status_code == 200
    assert picked_ids(page.text) == {queue_rows[name] for name in expected}


def test_queue_filters_by_questionnaire(
    client: FlaskClient, reviewer: int, queue_rows: dict[str, int], other_questionnaire: str
) -> None:
    mine = client.get(f"/staff/review/?questionnaire={SURVEY.id}&status=all")
    assert picked_ids(mine.text) == set(queue_rows.values())
    other = client.get(f"/staff/review/?questionnaire={other_questionnaire}&status=all")
    assert len(picked_ids(other.text)) == 1
    assert not picked_ids(other.text) & set(queue_rows.values())


def test_queue_keeps_the_filters_it_was_given(
    client: FlaskClient, reviewer: int, queue_rows: dict[str, int]
) -> None:
    page = client.get("/staff/review/?status=pending&mode=online&from=2026-11-01").text
    assert re.search(r'<option value="pending"\s+selected', page)
    assert re.search(r'<option value="online"\s+selected', page)
    assert 'value="2026-11-01"' in page


# ---------------------------------------------------------------- one response


def test_response_page_shows_answers_paradata_and_history(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    response_id = add_response(app, flags=[STRAIGHT], answers={"IMPROVE": "退货更快一点"})
    page = client.get(f"/staff/review/{response_id}")
    assert page.status_code == 200
    assert "退货更快一点" in page.text  # an open answer
    with app.app_context():
        questionnaire = catalog.versions().current(db.session(), SURVEY.id)
        assert questionnaire is not None
        label = questionnaire.question("AGE").choice("age_35_59")
    assert label is not None and label.label["zh-Hans"] in page.text  # a choice, labelled
    assert "Chrome 130 on Android" in page.text  # paradata: browser
    assert "88.2" in page.text  # paradata: time on a page
    assert "553" in page.text  # duration in seconds
    assert "straight-lining" in page.text


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_each_flag_is_explained_in_the_reviewers_language(
    app: Flask, client: FlaskClient, reviewer: int, lang: str
) -> None:
    response_id = add_response(app, status="rejected", flags=[SPEEDER, STRAIGHT])
    if lang != "zh-Hans":  # zh-Hans is the default
        client.get(f"/settings/language/{lang}")
    page = client.get(f"/staff/review/{response_id}").text
    assert f'<html lang="{lang}"' in page
    babel_locale = lang.replace("-", "_")
    with app.test_request_context(), force_locale(babel_locale):
        wanted = [explain_flag(flag).text for flag in (SPEEDER, STRAIGHT)]
    with app.test_request_context(), force_locale("en"):
        english = [explain_flag(flag).text for flag in (SPEEDER, STRAIGHT)]
    for text, in_english in zip(wanted, english, strict=True):
        assert text in page
        if lang == "zh-Hans":
            assert text != in_english and re.search(r"[\u4e00-\u9fff]", text)
    assert "31.5" in wanted[0] and "120" in wanted[0]  # the evidence, not only the rule


def test_flags_the_rules_cannot_explain_still_show(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    """Flags stored before the rules ran, or by an older rule with other evidence."""
    flags = [
        {"code": "segment-conflict", "link": "elderly", "answers": "young"},  # no severity
        {"code": "straight-lining", "severity": "review", "run": 9},  # evidence missing
        {"code": "retired-rule", "severity": "note"},
    ]
    response_id = add_response(app, flags=flags)
    page = client.get(f"/staff/review/{response_id}")
    assert page.status_code == 200
    assert "segment-conflict" in page.text and "run=9" in page.text
    assert "retired-rule" in page.text


def test_unknown_response_is_a_404_page(client: FlaskClient, reviewer: int) -> None:
    page = client.get("/staff/review/999999")
    assert page.status_code == 404
    assert "<h1" in page.text


# ---------------------------------------------------------------- decisions


@pytest.mark.parametrize(
    ("status", "reason"),
    [("approved", "valid"), ("rejected", "junk-text"), ("on_hold", "needs-cross-check")],
)
def test_decision_is_saved_and_shown_in_the_history(
    app: Flask, client: FlaskClient, reviewer: int, status: str, reason: str
) -> None:
    response_id = add_response(app)
    client.get("/settings/language/en")
    moved = decide(client, response_id, status, reason, comment="看过了，核对了订单")
    assert moved.status_code == 303
    row = response_row(app, response_id)
    assert (row.status, row.row_version, row.reviewed_by) == (status, 2, reviewer)
    page = client.get(moved.headers["Location"]).text
    assert "Decision saved" in page
    history = page.split("History", 1)[1]
    assert "chen" in history and "看过了，核对了订单" in history
    label = {"approved": "Approved", "rejected": "Rejected", "on_hold": "On hold"}[status]
    assert re.search(rf">Pending</td>\s*<td[^>]*>{label}</td>", history)


def test_bulk_decision_on_ticked_rows(
    app: Flask, client: FlaskClient, reviewer: int, queue_rows: dict[str, int]
) -> None:
    queue = client.get("/staff/review/?status=pending").text
    ticked = [queue_rows["pending-elderly"]]
    versions = dict(re.findall(r'name="pick" value="(\d+):(\d+)"', queue))
    form = {
        "csrf_token": csrf_of(queue),
        "filter-status": "pending",
        "scope": "picked",
        "pick": [f"{i}:{versions[str(i)]}" for i in ticked],
        "status": "approved",
        "reason": "checked-flag-false-alarm",
        "comment": "bulk",
    }
    done = client.post("/staff/review/bulk", data=form)
    assert done.status_code == 200
    assert response_row(app, queue_rows["pending-elderly"]).status == "approved"
    untouched = {k: v for k, v in queue_rows.items() if k != "pending-elderly"}
    assert [response_row(app, i).status for i in untouched.values()] == [
        "approved",
        "rejected",
        "on_hold",
    ]


def test_bulk_decision_on_the_filtered_set(
    app: Flask, client: FlaskClient, reviewer: int, queue_rows: dict[str, int]
) -> None:
    """Every response matching the filters, and only those, with every status chosen."""
    queue = client.get("/staff/review/?flag=straight-lining&status=all").text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', queue))
    form = {
        **hidden,
        "scope": "filter",
        "status": "rejected",
        "reason": "straight-lining",
    }
    done = client.post("/staff/review/bulk", data=form)
    assert done.status_code == 200, done.text
    statuses = {name: response_row(app, i).status for name, i in queue_rows.items()}
    assert statuses == {
        "pending-elderly": "rejected",
        "approved-paper": "approved",
        "rejected-speeder": "rejected",
        "held-shadow": "rejected",
    }
    assert response_row(app, queue_rows["rejected-speeder"]).row_version == 1


def test_bulk_decision_on_the_filtered_set_spares_what_changed_after_it_was_shown(
    app: Flask, client: FlaskClient, reviewer: int, queue_rows: dict[str, int]
) -> None:
    """Optimistic locking for the filtered set too: a response another reviewer decided
    after the queue was shown is not overridden but reported, in the reviewer's language;
    one submitted after it is left for the next look."""
    client.get("/settings/language/zh-Hans")
    queue = client.get("/staff/review/?flag=straight-lining&status=all").text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', queue))
    staff(app, "liu")
    other = app.test_client()
    sign_in(other, "liu")
    held = queue_rows["held-shadow"]
    page = other.get(f"/staff/review/{held}").text
    form = {"csrf_token": csrf_of(page), "row_version": "1"}
    form |= {"status": "approved", "reason": "checked-flag-false-alarm"}
    assert other.post(f"/staff/review/{held}", data=form).status_code == 303
    later = add_response(app, flags=[STRAIGHT])

    form = {**hidden, "scope": "filter", "status": "rejected", "reason": "straight-lining"}
    done = client.post("/staff/review/bulk", data=form)
    assert done.status_code == 200, done.text
    assert response_row(app, queue_rows["pending-elderly"]).status == "rejected"
    assert response_row(app, held).status == "approved"  # liu's decision stands
    assert response_row(app, later).status == "pending"  # never shown to this reviewer
    assert f"#{held}" in done.text and "在您打开这份答卷之后，有其他人修改了它" in done.text


def test_bulk_decision_on_the_filtered_set_needs_the_queue_it_was_shown_with(
    app: Flask, client: FlaskClient, reviewer: int, queue_rows: dict[str, int]
) -> None:
    queue = client.get("/staff/review/?flag=straight-lining&status=all").text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', queue))
    del hidden["seen"]
    form = {**hidden, "scope": "filter", "status": "rejected", "reason": "straight-lining"}
    assert client.post("/staff/review/bulk", data=form).status_code == 400
    assert response_row(app, queue_rows["pending-elderly"]).status == "pending"


def test_a_bulk_decision_the_form_cannot_make_comes_back_on_the_queue(
    app: Flask, client: FlaskClient, reviewer: int, queue_rows: dict[str, int]
) -> None:
    queue = client.get("/staff/review/?status=pending").text
    ticked = re.findall(r'name="pick" value="(\d+:\d+)"', queue)
    assert ticked
    form = {
        "csrf_token": csrf_of(queue),
        "filter-status": "pending",
        "scope": "picked",
        "pick": ticked,
        "status": "rejected",
        "reason": "",
        "comment": "同一个人填了两次",
    }
    page = client.post("/staff/review/bulk", data=form)
    assert page.status_code == 400
    assert 'class="error-summary"' in page.text and 'href="#reason"' in page.text
    for pick in ticked:
        assert f'value="{pick}" id="pick-{pick.split(":")[0]}" checked' in page.text
    assert '<option value="rejected" selected>' in page.text
    assert "同一个人填了两次</textarea>" in page.text
    assert 'id="f-status" name="status"' in page.text and 'value="pending" selected' in page.text
    assert response_row(app, queue_rows["pending-elderly"]).status == "pending"


def test_bulk_decision_over_the_limit_says_the_rest_are_not_decided(
    app: Flask,
    client: FlaskClient,
    reviewer: int,
    queue_rows: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(review_pages, "BULK_LIMIT", 2)
    queue = client.get("/staff/review/?status=all").text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', queue))
    form = {**hidden, "scope": "filter", "status": "rejected", "reason": "other"}
    client.get("/settings/language/en")
    done = client.post("/staff/review/bulk", data=form)
    assert done.status_code == 200, done.text
    assert "2 decisions saved" in done.text
    assert "The rest are not decided yet" in done.text
    statuses = {name: response_row(app, i).status for name, i in queue_rows.items()}
    assert statuses == {  # the two first stored; the others as they were
        "pending-elderly": "rejected",
        "approved-paper": "rejected",
        "rejected-speeder": "rejected",
        "held-shadow": "on_hold",
    }
    assert response_row(app, queue_rows["rejected-speeder"]).row_version == 1


def test_bulk_decision_reports_what_it_could_not_decide(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    mine = add_response(app, entered_by=reviewer)
    other = add_response(app)
    queue = client.get("/staff/review/").text
    client.get("/settings/language/en")
    form = {
        "csrf_token": csrf_of(queue),
        "scope": "picked",
        "pick": [f"{mine}:1", f"{other}:1"],
        "status": "on_hold",
        "reason": "ask-supervisor",
    }
    done = client.post("/staff/review/bulk", data=form)
    assert done.status_code == 200
    assert "1 decisions saved" in done.text or "1 decision saved" in done.text
    assert f"#{mine}" in done.text and "entered this response yourself" in done.text
    assert response_row(app, mine).status == "pending"
    assert response_row(app, other).status == "on_hold"


def test_queue_days_are_the_days_staff_see_times_in(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    # 20:30 UTC on 3 November is 04:30 on 4 November in Shanghai, as the pages show it.
    late = add_response(app, submitted_at=DAY.replace(hour=20, minute=30))
    client.get("/settings/language/en")
    on_the_4th = client.get("/staff/review/?from=2026-11-04&to=2026-11-04").text
    assert f'name="pick" value="{late}:' in on_the_4th
    assert "each day as it is in China Time" in on_the_4th
    assert f'value="{late}:' not in client.get("/staff/review/?to=2026-11-03").text
    # Shown with the month's name: "11/4/26" reads as 11 April in Hong Kong.
    assert "Nov 4, 2026, 4:30:00" in on_the_4th


def test_nothing_is_decided_by_leaving_the_form_as_it_opens(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    response_id = add_response(app)
    client.get("/settings/language/en")
    page = client.get(f"/staff/review/{response_id}").text
    for field in ("status", "reason"):
        chosen = re.findall(
            r"<option value=\"([^\"]*)\" selected>", page.split(f'name="{field}"')[1]
        )
        assert chosen[:1] == [""], field  # the first, empty choice: nothing decided yet
    form = {"csrf_token": csrf_of(page), "row_version": "1", "status": "", "reason": ""}
    refused = client.post(f"/staff/review/{response_id}", data=form)
    assert refused.status_code == 400 and "Choose a decision" in refused.text
    assert response_row(app, response_id).status == "pending"


def test_reviewer_cannot_decide_a_response_they_entered(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    response_id = add_response(app, entered_by=reviewer, mode="paper")
    page = client.get(f"/staff/review/{response_id}")
    assert 'name="row_version"' not in page.text  # no form to fill in
    form = {"csrf_token": csrf_of(client.get("/staff/review/").text), "row_version": "1"}
    form |= {"status": "approved", "reason": "valid"}
    refused = client.post(f"/staff/review/{response_id}", data=form)
    assert refused.status_code == 403
    assert response_row(app, response_id).status == "pending"


def test_second_of_two_reviewers_is_told_it_changed(app: Flask, reviewer: int) -> None:
    response_id = add_response(app)
    staff(app, "liu")
    first, second = app.test_client(), app.test_client()
    sign_in(first, "chen")
    sign_in(second, "liu")
    second.get("/settings/language/en")
    pages = [c.get(f"/staff/review/{response_id}").text for c in (first, second)]
    forms = [
        {"csrf_token": csrf_of(page), "row_version": "1", "status": status, "reason": reason}
        for page, (status, reason) in zip(
            pages, [("approved", "valid"), ("rejected", "duplicate")], strict=True
        )
    ]
    assert first.post(f"/staff/review/{response_id}", data=forms[0]).status_code == 303
    before = audit_count(app)
    late = second.post(f"/staff/review/{response_id}", data=forms[1])
    assert late.status_code == 409
    assert "Someone else changed this response" in late.text
    assert f"/staff/review/{response_id}" in late.text  # a way back to look again
    assert response_row(app, response_id).status == "approved"
    assert audit_count(app) == before


@pytest.mark.parametrize("role", ["fieldworker", "tester"])
def test_other_roles_get_403(app: Flask, client: FlaskClient, role: str) -> None:
    response_id = add_response(app)
    staff(app, "wu", role)
    sign_in(client, "wu")
    token = csrf_of(client.get("/staff/login").text)
    assert client.get("/staff/review/").status_code == 403
    assert client.get(f"/staff/review/{response_id}").status_code == 403
    form = {"csrf_token": token, "row_version": "1", "status": "approved", "reason": "valid"}
    assert client.post(f"/staff/review/{response_id}", data=form).status_code == 403
    bulk = {**form, "scope": "picked", "pick": f"{response_id}:1"}
    assert client.post("/staff/review/bulk", data=bulk).status_code == 403
    assert response_row(app, response_id).status == "pending"


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    moved = client.get("/staff/review/")
    assert moved.status_code == 303 and "/staff/login" in moved.headers["Location"]


def test_decision_without_csrf_token_is_refused(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    response_id = add_response(app)
    form = {"row_version": "1", "status": "approved", "reason": "valid"}
    assert client.post(f"/staff/review/{response_id}", data=form).status_code == 400
    bulk = {"scope": "picked", "pick": f"{response_id}:1", "status": "approved", "reason": "valid"}
    assert client.post("/staff/review/bulk", data=bulk).status_code == 400
    assert response_row(app, response_id).status == "pending"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"status": "deleted"}, 400, "Choose a decision"),
        ({"status": "approved", "reason": "speeder"}, 400, "reason that fits"),
        ({"reason": ""}, 400, "reason that fits"),
        ({"comment": "长" * 3000}, 400, "2,000 characters"),
        ({"row_version": "one"}, 400, "damaged"),
        ({"row_version": ""}, 400, "damaged"),
    ],
)
def test_bad_decision_is_refused_and_changes_nothing(
    app: Flask,
    client: FlaskClient,
    reviewer: int,
    changes: dict[str, str],
    status: int,
    words: str,
) -> None:
    response_id = add_response(app)
    client.get("/settings/language/en")
    page = client.get(f"/staff/review/{response_id}").text
    form = {"csrf_token": csrf_of(page), "row_version": "1", "status": "rejected"}
    form |= {"reason": "speeder", **changes}
    before = audit_count(app)
    refused = client.post(f"/staff/review/{response_id}", data=form)
    assert refused.status_code == status
    assert words in refused.text
    row = response_row(app, response_id)
    assert (row.status, row.row_version) == ("pending", 1)
    assert audit_count(app) == before


@pytest.mark.parametrize(
    "pick", ["abc:1", "1:one", ":1", "-3:1", "1e3:1", "99999999999999999999999:1"]
)
def test_bulk_with_damaged_ids_is_refused(
    app: Flask, client: FlaskClient, reviewer: int, pick: str
) -> None:
    response_id = add_response(app)
    queue = client.get("/staff/review/").text
    form = {"csrf_token": csrf_of(queue), "scope": "picked", "pick": [f"{response_id}:1", pick]}
    form |= {"status": "approved", "reason": "valid"}
    before = audit_count(app)
    refused = client.post("/staff/review/bulk", data=form)
    assert refused.status_code in (400, 404)
    assert "<h1" in refused.text
    assert response_row(app, response_id).status == "pending"
    assert audit_count(app) == before


def test_bulk_with_nothing_ticked_says_so(app: Flask, client: FlaskClient, reviewer: int) -> None:
    add_response(app)
    client.get("/settings/language/en")
    queue = client.get("/staff/review/").text
    form = {"csrf_token": csrf_of(queue), "scope": "picked", "status": "approved"}
    refused = client.post("/staff/review/bulk", data={**form, "reason": "valid"})
    assert refused.status_code == 400 and "Tick at least one response" in refused.text


def test_bulk_with_a_bad_decision_changes_nothing(
    app: Flask, client: FlaskClient, reviewer: int, queue_rows: dict[str, int]
) -> None:
    queue = client.get("/staff/review/").text
    form = {"csrf_token": csrf_of(queue), "scope": "filter", "status": "approved"}
    before = audit_count(app)
    refused = client.post("/staff/review/bulk", data={**form, "reason": "junk-text"})
    assert refused.status_code == 400
    assert [response_row(app, i).row_version for i in queue_rows.values()] == [1, 1, 1, 1]
    assert audit_count(app) == before


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-13-01",
        "to=yesterday",
        "from=2026-11-31",
        "status=deleted",
        "mode=carrier-pigeon",
        "segment=martians",
        "questionnaire=no_such_thing",
        "flag=%25",
        "page=abc",
        "to=9999-12-31",
        "from=2026-12-01&to=2026-11-01",
    ],
)
def test_bad_queue_filters_get_a_clear_4xx_page(
    client: FlaskClient, reviewer: int, query: str
) -> None:
    client.get("/settings/language/en")
    page = client.get(f"/staff/review/?{query}")
    if query == "page=abc":  # a page number that is not one is the first page
        assert page.status_code == 200
        return
    assert page.status_code == 400
    assert "<h1" in page.text and "Traceback" not in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/staff/review/abc",
        "/staff/review/1.5",
        "/staff/review/-1",
        "/staff/review/99999999999999999999999",
        "/staff/review/2147483648",
    ],
)
def test_non_numeric_response_ids_are_not_found(
    client: FlaskClient, reviewer: int, path: str
) -> None:
    assert client.get(path).status_code == 404
    form = {"csrf_token": csrf_of(client.get("/staff/login").text), "row_version": "1"}
    form |= {"status": "approved", "reason": "valid"}
    assert client.post(path, data=form).status_code in (404, 405)


# ---------------------------------------------------------------- the desk: statuses first


def tabs(html: str) -> dict[str, str]:
    """The queue's status tabs: label (with its count) → link; the current one marked *."""
    nav = html.split('class="status-tabs"', 1)[1].split("</nav>", 1)[0]
    found = re.findall(r'<a class="setting" href="([^"]+)"( aria-current="true")?>([^<]+)</a>', nav)
    return {
        (text + " *" if current else text): href.replace("&amp;", "&")
        for href, current, text in found
    }


def test_queue_opens_on_pending_responses_with_a_count_per_status(
    app: Flask, client: FlaskClient, reviewer: int, queue_rows: dict[str, int]
) -> None:
    another = add_response(app, segment="elderly")
    client.get("/settings/language/en")
    page = client.get("/staff/review/").text
    assert picked_ids(page) == {queue_rows["pending-elderly"], another}
    assert list(tabs(page)) == [
        "Pending (2) *",
        "On hold (1)",
        "Approved (1)",
        "Rejected (1)",
        "All statuses (5)",
    ]
    assert re.search(r'<option value="pending"\s+selected', page)  # the filter says so too
    # One click away: each tab lists its status, the other filters kept.
    held = client.get(tabs(page)["On hold (1)"]).text
    assert picked_ids(held) == {queue_rows["held-shadow"]}
    assert len(picked_ids(client.get(tabs(page)["All statuses (5)"]).text)) == 5


def test_status_counts_follow_the_other_filters(
    client: FlaskClient, reviewer: int, queue_rows: dict[str, int]
) -> None:
    client.get("/settings/language/en")
    page = client.get("/staff/review/?segment=elderly&status=on_hold").text
    assert list(tabs(page)) == [
        "Pending (1)",
        "On hold (1) *",
        "Approved (0)",
        "Rejected (0)",
        "All statuses (2)",
    ]
    assert all("segment=elderly" in link for link in tabs(page).values())


def test_all_statuses_survive_paging_the_response_links_and_the_bulk_form(
    app: Flask,
    client: FlaskClient,
    reviewer: int,
    queue_rows: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(review_pages, "PER_PAGE", 3)
    client.get("/settings/language/en")
    first = client.get("/staff/review/?status=all")
    assert re.search(r'<option value="all"\s+selected', first.text)
    following = re.search(r'href="([^"]+)">Next page', first.text)
    assert following and "status=all" in following.group(1)
    second = client.get(following.group(1).replace("&amp;", "&")).text
    assert picked_ids(first.text) | picked_ids(second) == set(queue_rows.values())
    opened = re.search(r'href="(/staff/review/\d+\?[^"]+)"', second)
    assert opened and "status=all" in opened.group(1)
    back = re.search(r'class="back-link" href="([^"]+)"', client.get(opened.group(1)).text)
    assert back and "status=all" in back.group(1)

    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', second))
    assert hidden["filter-status"] == "all"
    form = {**hidden, "scope": "filter", "status": "on_hold", "reason": "ask-supervisor"}
    done = client.post("/staff/review/bulk", data=form)
    assert done.status_code == 200, done.text
    assert {response_row(app, i).status for i in queue_rows.values()} == {"on_hold"}
    assert "status=all" in re.findall(r'href="([^"]+)">Back to the queue', done.text)[0]


# ---------------------------------------------------------------- the desk: evidence, then next


def decide_form(client: FlaskClient, url: str, status: str, reason: str) -> dict[str, str]:
    """The decision form of a response page as it opens, filled in."""
    page = client.get(url).text
    version = re.search(r'name="row_version" value="(\d+)"', page)
    assert version, "the response page has no decision form"
    action = re.search(r'<form method="post" action="([^"]+)"', page)
    assert action
    return {
        "action": action.group(1).replace("&amp;", "&"),
        "csrf_token": csrf_of(page),
        "row_version": version.group(1),
        "status": status,
        "reason": reason,
    }


def save_and_next(client: FlaskClient, url: str, status: str, reason: str, **extra: str) -> Any:
    form = decide_form(client, url, status, reason)
    return client.post(form.pop("action"), data={**form, "then": "next", **extra})


def test_response_page_shows_flags_and_answers_before_the_decision(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    response_id = add_response(app, flags=[STRAIGHT], answers={"IMPROVE": "退货更快一点"})
    client.get("/settings/language/en")
    page = client.get(f"/staff/review/{response_id}").text
    form = page.index('name="row_version"')
    assert page.index(">Flags</h2>") < form
    assert page.index(">Answers</h2>") < form and page.index("退货更快一点") < form
    assert 'href="#decide"' in page  # and a way straight to the decision


def test_save_and_next_lands_on_the_next_response_of_the_same_queue(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    hour = dt.timedelta(hours=1)
    newest = add_response(app, segment="elderly", submitted_at=DAY + 3 * hour)
    add_response(app, segment="general", submitted_at=DAY + 2 * hour)  # not in this queue
    add_response(app, status="on_hold", segment="elderly", submitted_at=DAY + 2 * hour)
    older = add_response(app, segment="elderly", submitted_at=DAY + hour)
    client.get("/settings/language/en")
    queue = client.get("/staff/review/?segment=elderly").text
    first = re.search(rf'href="(/staff/review/{newest}\?[^"]+)"', queue)
    assert first

    moved = save_and_next(client, first.group(1).replace("&amp;", "&"), "approved", "valid")
    assert moved.status_code == 303
    location = moved.headers["Location"]
    assert location.startswith(f"/staff/review/{older}?")
    assert "segment=elderly" in location and "status=pending" in location  # filters kept
    landed = client.get(location).text
    notice = landed.split('class="notice"', 1)[1].split("</div>", 1)[0]
    assert f"Decision saved for response {newest}: Approved." in notice
    assert "Reason: Valid response." in notice and "the next response in the queue" in notice
    assert response_row(app, newest).status == "approved"

    # The last one: back to the queue, which says so.
    moved = save_and_next(client, location, "rejected", "junk-text", comment="乱写")
    assert moved.status_code == 303
    location = moved.headers["Location"]
    assert location.startswith("/staff/review/?") and "segment=elderly" in location
    queue = client.get(location).text
    assert f"Decision saved for response {older}: Rejected." in queue and "Comment: 乱写" in queue
    assert "That was the last response in this queue" in queue
    assert not picked_ids(queue)  # nothing pending is left in it


def test_save_and_next_passes_over_responses_the_reviewer_entered(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    hour = dt.timedelta(hours=1)
    first = add_response(app, submitted_at=DAY + 2 * hour)
    add_response(app, mode="paper", entered_by=reviewer, submitted_at=DAY + hour)
    last = add_response(app, submitted_at=DAY)
    moved = save_and_next(client, f"/staff/review/{first}", "approved", "valid")
    assert moved.headers["Location"].startswith(f"/staff/review/{last}?")


def test_save_and_next_keeps_the_checks_of_a_decision(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    """CSRF, the optimistic "seen" check, the audit row: as for any decision."""
    first = add_response(app, submitted_at=DAY + dt.timedelta(hours=1))
    second = add_response(app, submitted_at=DAY)
    form = decide_form(client, f"/staff/review/{first}", "approved", "valid")
    action = form.pop("action")
    without_token = {k: v for k, v in form.items() if k != "csrf_token"}
    assert client.post(action, data={**without_token, "then": "next"}).status_code == 400
    stale = {**form, "row_version": "7", "then": "next"}
    before = audit_count(app)
    refused = client.post(action, data=stale)
    assert refused.status_code == 409 and "Location" not in refused.headers
    assert response_row(app, first).status == "pending" and audit_count(app) == before
    moved = client.post(action, data={**form, "then": "next"})
    assert moved.status_code == 303
    assert moved.headers["Location"].startswith(f"/staff/review/{second}?")
    assert audit_count(app) == before + 1
    assert response_row(app, first).reviewed_by == reviewer


def test_a_bad_save_and_next_comes_back_with_the_choices_kept(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    response_id = add_response(app)
    refused = save_and_next(client, f"/staff/review/{response_id}", "rejected", "")
    assert refused.status_code == 400 and 'href="#reason"' in refused.text
    assert '<option value="rejected" selected>' in refused.text
    assert 'name="then" value="next"' in refused.text  # still one press from going on
    assert response_row(app, response_id).status == "pending"


# ---------------------------------------------------------------- the desk: questionnaire order


def test_flagged_pages_answers_and_page_times_follow_the_questionnaire(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    fast_pages = quality.Flag.of(
        "impossible-paradata",
        "reject",
        pages=("CALLS", "R1", "WAITED", "WHEN"),  # as the rule stores them: sorted as text
        fastest_seconds=0.4,
        min_page_seconds=1.0,
        reasons=("fast-pages",),
    ).as_json()
    empty = quality.Flag.of("open-empty", "note", questions=("STORY", "IMPROVE")).as_json()
    seconds = {"SCORE": 3.0, "AGE": 20.0, "R1": 0.4, "CALLS": 0.5}
    response_id = add_response(
        app,
        flags=[fast_pages, empty],
        paradata={"page_seconds": seconds, "browser": "Firefox", "locale": "en"},
    )
    client.get("/settings/language/en")
    page = client.get(f"/staff/review/{response_id}").text
    assert "Pages WHEN, WAITED, CALLS, R1 took under 1.0 seconds each" in page
    assert "The answers to IMPROVE, STORY say nothing" in page
    times = page.split(">Time per page</h2>", 1)[1].split("</ul>", 1)[0]
    assert re.findall(r"<li>(\w+):", times) == ["AGE", "CALLS", "R1", "SCORE"]


# ---------------------------------------------------------------- the desk: one time zone


def test_queue_and_response_name_the_time_zone_of_their_times(
    app: Flask, client: FlaskClient, reviewer: int
) -> None:
    response_id = add_response(app)
    for lang, words in (("en", "China Time (Asia/Shanghai)"), ("zh-Hans", "中国时间")):
        client.get(f"/settings/language/{lang}")
        for path in ("/staff/review/", f"/staff/review/{response_id}"):
            note = re.search(r'<p class="hint zone-note">([^<]+)</p>', client.get(path).text)
            assert note and words in note.group(1), (lang, path)
