"""The tester's checklist page: answering yes / no / not applicable with answers kept
after an error, a warning (not a stop) for an item whose evidence is missing, the
submitted page; uploading, listing and removing files, every refusal in words, and no
one but the test's tester uploading."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from fieldwork.responses.models import Response
from fieldwork.shadow import evidence
from fieldwork.shadow.models import SUBMITTED, Evidence, ShadowTest
from tests.conftest import csrf_of
from tests.review.factories import sign_in
from tests.shadow.test_evidence import ZIP, huge_png, png, png_bomb

ANSWERS = {"polite": "yes", "no_buck": "yes", "policy": "no", "policy_note": "no policy given"}


def page(test: ShadowTest) -> str:
    return f"/staff/shadow/tests/{test.id}/checklist"


def token(client: FlaskClient, test: ShadowTest) -> str:
    return csrf_of(client.get(page(test)).text)


def upload(
    client: FlaskClient, test: ShadowTest, data: bytes, name: str = "shot.png", item: str = "policy"
) -> Any:
    form = {"csrf_token": token(client, test), "item": item, "file": (io.BytesIO(data), name)}
    return client.post(
        f"/staff/shadow/tests/{test.id}/evidence", data=form, content_type="multipart/form-data"
    )


def answer(client: FlaskClient, test: ShadowTest, answers: dict[str, str], **extra: str) -> Any:
    form = {"csrf_token": token(client, test), **answers, **extra}
    return client.post(page(test), data=form)


def rows(app: Flask) -> list[Evidence]:
    with Session(app.extensions["fieldwork.engine"]) as own:
        return list(own.exec(select(Evidence)))


@pytest.fixture
def li(client: FlaskClient, people: None) -> FlaskClient:
    sign_in(client, "tester.li")
    return client


def test_the_page_shows_each_item_with_yes_no_and_which_needs_evidence(
    li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    shown = li.get(page(planned()), headers={"Accept-Language": "en"})
    assert shown.status_code == 200
    assert 'name="polite" value="yes"' in shown.text and 'name="policy_note"' in shown.text
    assert 'name="policy" value="not_applicable"' in shown.text
    assert 'name="polite" value="not_applicable"' not in shown.text  # the item forbids it
    assert "Needs a screenshot or photo." in shown.text
    assert shown.text.count("Needs a screenshot or photo.") == 1  # policy alone needs one


def test_a_missing_answer_is_sent_back_with_the_others_kept(
    li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    sent = answer(li, test, {"polite": "yes", "policy_note": "kept words"})
    assert sent.status_code == 422
    assert 'class="error-summary"' in sent.text and 'href="#no_buck-1"' in sent.text
    assert 'value="yes" checked' in sent.text and 'value="kept words"' in sent.text


def test_an_item_without_its_evidence_warns_then_submits_when_confirmed(
    app: Flask, li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    warned = answer(li, test, ANSWERS)
    assert warned.status_code == 200 and 'id="missing-evidence"' in warned.text
    assert 'name="confirm" value="1"' in warned.text
    done = answer(li, test, ANSWERS, confirm="1")
    assert done.status_code == 303
    after = li.get(done.headers["Location"], headers={"Accept-Language": "en"})
    assert after.status_code == 200 and "This test is submitted." in after.text
    with Session(app.extensions["fieldwork.engine"]) as own:
        stored = own.get(ShadowTest, test.id)
        assert stored is not None and stored.state == SUBMITTED
        response = own.get(Response, stored.response_id)
        assert response is not None and response.answers["policy"] == "no"


def test_with_its_evidence_attached_the_checklist_submits_at_once(
    app: Flask, li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    assert upload(li, test, png()).status_code == 303
    assert answer(li, test, ANSWERS).status_code == 303
    with Session(app.extensions["fieldwork.engine"]) as own:
        response = own.exec(select(Response)).one()
        frozen = response.paradata["shadow"]["evidence"]
        assert [e["item"] for e in frozen] == ["policy"]
        assert frozen[0]["original_sha256"] == rows(app)[0].original_sha256
    again = li.get(page(test))
    assert again.status_code == 200 and 'name="polite"' not in again.text  # no form any more


def test_an_upload_is_listed_with_its_fingerprint_but_never_linked(
    app: Flask, li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    moved = upload(li, test, png())
    assert moved.status_code == 303 and "#evidence" in moved.headers["Location"]
    listed = li.get(moved.headers["Location"], headers={"Accept-Language": "en"})
    row = rows(app)[0]
    assert "The file is attached." in listed.text and row.sha256[:12] in listed.text
    assert row.stored_name not in listed.text  # nothing to fetch it by
    assert "Files attached: 1." in listed.text


HOSTILE_WORDS = {
    "polyglot png+zip": (png() + ZIP, "something more after the picture"),
    "polyglot png+html": (png() + b"<html><script>x</script></html>", "something more after"),
    "svg with script": (b"<svg onload='x'><script>alert(1)</script></svg>", "an SVG drawing"),
    "pdf named .jpg": (b"%PDF-1.4\n%%EOF", "a PDF document"),
    "zip bomb png": (png_bomb(), "more than 40 million pixels"),
}


@pytest.mark.parametrize("name", list(HOSTILE_WORDS))
def test_a_hostile_upload_is_refused_in_words_and_stores_nothing(
    name: str, app: Flask, li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    data, words = HOSTILE_WORDS[name]
    test = planned()
    sent = li.post(
        f"/staff/shadow/tests/{test.id}/evidence",
        data={"csrf_token": token(li, test), "item": "policy", "file": (io.BytesIO(data), "a.jpg")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert sent.status_code == 422
    assert words in sent.text and 'class="error-summary"' in sent.text
    assert 'href="#file"' in sent.text
    assert rows(app) == []


def test_a_50_mb_upload_gets_words_not_a_bare_413(
    app: Flask, li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    sent = li.post(
        f"/staff/shadow/tests/{test.id}/evidence",
        data={"csrf_token": token(li, test), "file": (io.BytesIO(huge_png(50)), "big.png")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert sent.status_code == 413
    assert "larger than 10 MB" in sent.text and page(test) in sent.text
    assert rows(app) == []


def test_a_file_just_over_10_mb_is_refused_in_words_on_the_page(
    app: Flask, li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    data = png() + b"\x00" * (evidence.MAX_BYTES - len(png()) + 10)  # padding: still a PNG
    sent = li.post(
        f"/staff/shadow/tests/{test.id}/evidence",
        data={"csrf_token": token(li, test), "file": (io.BytesIO(data), "big.png")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert sent.status_code == 422 and "larger than 10 MB" in sent.text
    assert rows(app) == []


@pytest.mark.parametrize("name", ["../../escape.png", "x" * 1000 + ".png", "a\x00b.png"])
def test_a_hostile_file_name_never_reaches_the_disk(
    name: str, app: Flask, li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    folder = Path(app.config["EVIDENCE_DIR"])
    before = set(folder.parent.rglob("*"))
    assert upload(li, planned(), png(), name=name).status_code == 303
    (row,) = rows(app)
    assert set(folder.parent.rglob("*")) - before <= {folder, folder / row.stored_name}
    assert "escape" not in row.stored_name and len(row.stored_name) <= 64


def test_the_same_file_on_another_test_is_noticed_on_the_page(
    li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    first, second = planned(), planned(slot="weekend_night")
    upload(li, first, png())
    moved = upload(li, second, png())
    shown = li.get(moved.headers["Location"], headers={"Accept-Language": "en"})
    assert "data-reused" in shown.text and "attached to another test" in shown.text


def test_the_tester_removes_a_file_before_submitting(
    app: Flask, li: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    test = planned()
    upload(li, test, png())
    (row,) = rows(app)
    gone = li.post(
        f"/staff/shadow/tests/{test.id}/evidence/{row.id}/remove",
        data={"csrf_token": token(li, test)},
    )
    assert gone.status_code == 303
    shown = li.get(gone.headers["Location"], headers={"Accept-Language": "en"})
    assert "No files attached yet." in shown.text
    assert rows(app)[0].removed_at is not None


@pytest.mark.parametrize("who, status", [("tester.chen", 404), ("reviewer.zhao", 403)])
def test_nobody_but_the_tests_tester_uploads_or_sees_the_page(
    who: str,
    status: int,
    app: Flask,
    client: FlaskClient,
    people: None,
    planned: Callable[..., ShadowTest],
) -> None:
    test = planned()
    sign_in(client, who)
    assert client.get(page(test)).status_code == status
    form = {
        "csrf_token": csrf_of(client.get("/staff/login").text),
        "file": (io.BytesIO(png()), "a.png"),
    }
    sent = client.post(
        f"/staff/shadow/tests/{test.id}/evidence", data=form, content_type="multipart/form-data"
    )
    assert sent.status_code == status
    assert rows(app) == []


def test_a_signed_out_visitor_is_sent_to_sign_in(
    client: FlaskClient, planned: Callable[..., ShadowTest]
) -> None:
    assert client.get(page(planned())).status_code == 303
