"""One submission service for every mode: the same answers get the same checks and the same
verdicts wherever the mode's rules agree; provenance and segments are kept as each mode and
questionnaire defines them. The questionnaires are built here, for what each test checks."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, update
from sqlmodel import col

from fieldwork import clock, db, modes
from fieldwork.accounts import service as accounts
from fieldwork.accounts.models import StaffUser
from fieldwork.definitions import service as definitions
from fieldwork.definitions.models import QuestionnaireVersion
from fieldwork.exports import files
from fieldwork.exports import service as exports
from fieldwork.questionnaire.loader import build
from fieldwork.questionnaire.model import BLANK, ILLEGIBLE, SEVERAL_TICKED, Questionnaire
from fieldwork.responses import entry, service
from fieldwork.responses.filters import Filter
from fieldwork.responses.models import Draft, Response
from fieldwork.review.screening import Policy, Screener
from fieldwork.web.explain import explain_flag
from tests.conftest import csrf_of

TEXT = {"zh-Hans": "问题", "zh-Hant": "問題", "en": "Question"}
AGE = ("young_age", "old_age")


def definition(qid: str, kind: str, segments: Any, version: str = "1") -> dict[str, Any]:
    """A small questionnaire: an age band that derives the segment, a rating, an open answer."""
    choice = [{"value": v, "label": {**TEXT, "en": v}} for v in AGE]
    return {
        "id": qid,
        "version": version,
        "kind": kind,
        "languages": ["zh-Hans", "zh-Hant", "en"],
        "title": TEXT,
        "segments": segments,
        "sections": [
            {
                "code": "main",
                "title": TEXT,
                "questions": [
                    {
                        "code": "AGE",
                        "type": "single_choice",
                        "required": True,
                        "text": TEXT,
                        "choices": choice,
                    },
                    {
                        "code": "SCORE",
                        "type": "rating",
                        "required": True,
                        "text": TEXT,
                        "labels": {"min": TEXT, "max": TEXT},
                    },
                    {"code": "WHY", "type": "long_text", "text": TEXT},
                ],
            }
        ],
    }


DERIVED = {
    "from": "answers",
    "rules": [
        {"segment": "elderly", "if": {"question": "AGE", "equals": "old_age"}},
        {"segment": "general"},
    ],
}
ASSIGNED = {"from": "staff", "offer": ["elderly", "parents", "general"]}


def sheet(sheet_id: str, segment: str | None = None) -> entry.Origin:
    """A paper sheet typed in by a fieldworker, printed for `segment` if given."""
    return entry.Origin(
        "paper",
        modes.FIELDWORKER,
        "zh-Hans",
        preset={"segment": segment} if segment else {},
        preset_source="sheet",
        source={"sheet_id": sheet_id, "entry_pass": "1"},
    )


ORIGINS = {
    "online": entry.Origin("online", modes.RESPONDENT, "zh-Hans"),
    "paper": sheet("S-000042-3"),
    "shadow": entry.Origin(
        "shadow",
        modes.TESTER,
        "zh-Hans",
        preset={"segment": "elderly"},
        preset_source="staff",
        source={"platform": "jd", "channel": "hotline", "slot": "weekday-evening"},
    ),
}


@pytest.fixture
def stored(app: Flask) -> Iterator[dict[str, Questionnaire]]:
    """A survey (online and paper) and a checklist (shadow) with the same questions."""
    found = {
        "survey": build(definition("entry_survey", "survey", DERIVED)),
        "checklist": build(definition("entry_checklist", "checklist", ASSIGNED)),
    }
    with app.app_context():
        definitions.store(db.session(), found.values())
    yield found
    with app.app_context():
        session = db.session()
        ids = [q.id for q in found.values()] + ["entry_legacy"]
        session.execute(delete(Draft).where(col(Draft.questionnaire_id).in_(ids)))
        session.execute(delete(Response).where(col(Response.questionnaire_id).in_(ids)))
        session.execute(
            delete(QuestionnaireVersion).where(col(QuestionnaireVersion.questionnaire_id).in_(ids))
        )
        session.commit()


def raw(age: str, score: str, why: str = "") -> dict[str, Any]:
    """Raw input parts as any mode's fields give them: one "" part per answer."""
    return {"AGE": {"": [age]}, "SCORE": {"": [score]}, "WHY": {"": [why]}}


def send(
    app: Flask,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    origin: entry.Origin,
    *,
    walked: bool | dict[str, Any] = False,
) -> entry.Outcome:
    """Submit at once, as paper and shadow do; `walked` first answers one page at a time
    through a draft, as the online pages do, taking 100 seconds a page (the answers given,
    or those `walked` holds: then what is submitted differs from what the pages saw)."""
    moment = clock.now()
    with app.app_context(), clock.set_to(lambda: moment):
        session = db.session()
        draft = None
        if walked:
            draft = service.start_draft(questionnaire, {})  # stored by its first page
            for question in questionnaire.questions:
                moment += dt.timedelta(seconds=100)
                seen = walked if isinstance(walked, dict) else answers
                part = {question.code: seen[question.code]}
                issues = entry.answer_page(session, draft, [question], part, question.code, 100.0)
                assert issues == []
        return entry.submit(
            session,
            questionnaire,
            answers,
            origin,
            str(uuid.uuid4()),
            draft=draft,
            fallback_segment="general",
            screen=Screener(Policy()),
        )


def questionnaire_of(stored: dict[str, Questionnaire], mode: str) -> Questionnaire:
    return stored["checklist" if mode == "shadow" else "survey"]


def row(app: Flask, outcome: entry.Outcome) -> Response:
    assert outcome.stored is not None, outcome.issues
    with app.app_context():
        found = db.session().get(Response, outcome.stored.id)
        assert found is not None
        db.session().expunge(found)
        return found


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (raw("young_age", "9"), [("SCORE", "above-max")]),  # a part that does not parse
        (raw("", "3"), [("AGE", "required")]),  # parts that parse, then fail a check
    ],
)
def test_wrong_answers_get_the_same_issues_in_every_mode(
    app: Flask,
    stored: dict[str, Questionnaire],
    answers: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    for mode, origin in ORIGINS.items():
        outcome = send(app, questionnaire_of(stored, mode), answers, origin)
        assert outcome.stored is None
        assert [(i.question, i.code) for i in outcome.issues] == expected, mode


def test_the_same_answers_get_the_same_verdict_where_the_rules_agree(
    app: Flask, stored: dict[str, Questionnaire]
) -> None:
    """Keyboard mash is judged in every mode; a paper sheet and a tester's log say which
    rules (timings, network address) could not judge them."""
    rows = {
        mode: row(
            app,
            send(
                app,
                questionnaire_of(stored, mode),
                raw("old_age", "3", "asdfghjkl qwertyuiop"),
                origin,
            ),
        )
        for mode, origin in ORIGINS.items()
    }
    judged = {mode: {f["code"]: f for f in r.flags} for mode, r in rows.items()}
    assert all("open-mash" in flags for flags in judged.values())
    assert {r.status for r in rows.values()} == {"pending"}
    assert "rules-not-applied" not in judged["online"]
    skipped = {
        mode: set(judged[mode]["rules-not-applied"]["rules"]) for mode in ("paper", "shadow")
    }
    assert skipped["paper"] == {
        "speeder",
        "impossible-paradata",
        "not-walked",
        "duplicate-ip",
        "duplicate-answers",
    }
    # With one rating, straight-lining judges no mode of this questionnaire.
    assert skipped["shadow"] == skipped["paper"] | {"segment-conflict"}


def test_provenance_is_kept_as_the_mode_defines_it(
    app: Flask, stored: dict[str, Questionnaire]
) -> None:
    paper = row(app, send(app, stored["survey"], raw("young_age", "4"), ORIGINS["paper"]))
    assert (paper.mode, paper.sheet_id, paper.source) == (
        "paper",
        "S-000042-3",
        {"entry_pass": "1"},
    )
    shadow = row(app, send(app, stored["checklist"], raw("young_age", "4"), ORIGINS["shadow"]))
    assert (shadow.platform, shadow.channel, shadow.source) == (
        "jd",
        "hotline",
        {"slot": "weekday-evening"},
    )
    online = row(app, send(app, stored["survey"], raw("young_age", "4"), ORIGINS["online"]))
    assert (online.source, online.sheet_id, online.platform) == ({}, None, None)


def test_a_segment_staff_assign_is_recorded_as_theirs(
    app: Flask, stored: dict[str, Questionnaire]
) -> None:
    shadow = row(app, send(app, stored["checklist"], raw("young_age", "4"), ORIGINS["shadow"]))
    assert (shadow.segment, shadow.segment_source) == ("elderly", "staff")


@pytest.mark.parametrize("segment", [None, "martians"])
def test_a_questionnaire_whose_segment_staff_assign_needs_one_it_offers(
    app: Flask, stored: dict[str, Questionnaire], segment: str | None
) -> None:
    origin = entry.Origin(
        "shadow",
        modes.TESTER,
        "en",
        preset={"segment": segment} if segment else {},
        preset_source="staff",
        source={"platform": "jd", "channel": "hotline"},
    )
    with pytest.raises(service.SegmentMissing):
        send(app, stored["checklist"], raw("young_age", "4"), origin)


def test_segments_are_derived_by_the_questionnaires_own_rules(
    app: Flask, stored: dict[str, Questionnaire]
) -> None:
    online = ORIGINS["online"]
    old = row(app, send(app, stored["survey"], raw("old_age", "4"), online))
    young = row(app, send(app, stored["survey"], raw("young_age", "4"), online))
    assert [(r.segment, r.segment_source) for r in (old, young)] == [
        ("elderly", "answers"),
        ("general", "answers"),
    ]


def test_a_sheet_preset_the_answers_contradict_is_kept_and_flagged(
    app: Flask, stored: dict[str, Questionnaire]
) -> None:
    origin = sheet("S-000043-1", segment="elderly")
    stored_row = row(app, send(app, stored["survey"], raw("young_age", "4"), origin))
    assert (stored_row.segment, stored_row.segment_source) == ("elderly", "sheet")
    conflict = next(f for f in stored_row.flags if f["code"] == "segment-conflict")
    assert (conflict["link"], conflict["answers"], conflict["source"]) == (
        "elderly",
        "general",
        "sheet",
    )


def test_a_version_stored_before_segment_rules_takes_the_current_versions(
    app: Flask, stored: dict[str, Questionnaire]
) -> None:
    legacy = build(definition("entry_legacy", "survey", ["elderly", "general"]))
    current = build(definition("entry_legacy", "survey", DERIVED, version="2"))
    with app.app_context():
        definitions.store(db.session(), [legacy, current])
        outcome = entry.submit(
            db.session(),
            legacy,
            raw("old_age", "4"),
            ORIGINS["online"],
            str(uuid.uuid4()),
            current=current,
            fallback_segment="general",
        )
    assert row(app, outcome).segment == "elderly"


def test_a_mode_cannot_take_a_questionnaire_of_another_kind(
    app: Flask, stored: dict[str, Questionnaire]
) -> None:
    with pytest.raises(modes.ModeError) as refused:
        send(app, stored["checklist"], raw("young_age", "4"), ORIGINS["online"])
    assert refused.value.code == "wrong-kind"


def test_a_checklist_is_not_served_as_a_public_survey(
    client: FlaskClient, stored: dict[str, Questionnaire]
) -> None:
    survey = client.get("/s/entry_survey/")
    assert survey.status_code == 200
    assert client.get("/s/entry_checklist/").status_code == 404
    started = {"csrf_token": csrf_of(survey.text), "consent": "yes"}
    assert client.post("/s/entry_checklist/start", data=started).status_code == 404
    assert client.post("/s/entry_survey/start", data=started).status_code == 303
    home = client.get("/").text
    assert "/s/entry_survey/" in home and "/s/entry_checklist/" not in home


def test_online_answers_that_did_not_come_through_the_pages_are_flagged_as_such(
    app: Flask, stored: dict[str, Questionnaire]
) -> None:
    """A script posting the whole form has no draft and no page times; answers changed on
    the way to submit differ from what the pages saved. Both go to a reviewer, saying so."""
    survey, online = stored["survey"], ORIGINS["online"]
    through = row(app, send(app, survey, raw("young_age", "5"), online, walked=True))
    assert (through.flags, through.status, through.active_seconds) == ([], "approved", 300.0)
    posted = row(app, send(app, survey, raw("young_age", "5"), online))
    assert posted.status == "pending"
    assert [(f["code"], f["reasons"], f.get("questions")) for f in posted.flags] == [
        ("not-walked", ["untimed", "unseen"], ["AGE", "SCORE"])
    ]
    changed = send(app, survey, raw("young_age", "2"), online, walked=raw("young_age", "5"))
    flags = row(app, changed).flags
    assert [(f["code"], f["reasons"], f.get("questions")) for f in flags] == [
        ("not-walked", ["unseen"], ["SCORE"])
    ]


def test_reviewers_read_what_was_not_checked_and_where_a_preset_came_from(
    app: Flask, stored: dict[str, Questionnaire]
) -> None:
    origin = sheet("S-000044-8", segment="elderly")
    flags = row(app, send(app, stored["survey"], raw("young_age", "4"), origin)).flags
    with app.test_request_context(headers={"Accept-Language": "en"}):
        said = {flag["code"]: explain_flag(flag).text for flag in flags}
    assert said["rules-not-applied"] == (
        "Not checked for Paper responses: Same or nearly the same answers from one address,"
        " Same network address, Impossible timings, Sent without walking the pages,"
        " and Answered too fast."
    )
    assert said["segment-conflict"] == (
        "The paper sheet was for the elderly segment, but the answers describe the general segment."
    )


def test_a_batch_of_paper_and_online_responses_exports_each_modes_columns(
    app: Flask, stored: dict[str, Questionnaire], tmp_path: Path
) -> None:
    with app.app_context():
        keyer = accounts.create_user(
            db.session(), "wang.keyer", "a long enough password", "fieldworker"
        )
        keyer_id = keyer.id
    paper = dataclasses.replace(ORIGINS["paper"], entered_by=keyer_id)
    row(app, send(app, stored["survey"], raw("old_age", "4", "退货很快"), paper))
    row(app, send(app, stored["survey"], raw("young_age", "5"), ORIGINS["online"], walked=True))
    with app.app_context():
        session = db.session()
        creator = session.get(StaffUser, keyer_id)
        assert creator is not None
        batch = exports.freeze(session, "q4", Filter("entry_survey"), "r", creator)
        folder = files.write(session, batch, tmp_path / "batch")
    assert batch.modes == ["online", "paper"]
    text = (folder / "data.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_mode = {r["mode"]: r for r in rows}
    assert [by_mode["paper"][c] for c in ("sheet_id", "entry_pass", "keyer", "text_size")] == [
        "S-000042-3",
        "1",
        "S01",
        "",
    ]
    assert (by_mode["online"]["sheet_id"], by_mode["online"]["keyer"]) == ("", "")
    assert "wang.keyer" not in text and "tester" not in rows[0]
    codebook = (folder / "codebook.csv").read_text("utf-8")
    assert "Who typed the sheet in (a pseudonym, the same within this batch)" in codebook


def test_a_sheet_left_unreadable_is_stored_as_the_keyer_read_it_and_exported_with_its_codes(
    app: Flask, stored: dict[str, Questionnaire], tmp_path: Path
) -> None:
    """Blank, illegible and several ticked stay three codes apart from "don't know" and
    from each other, satisfy a required question, and are no open answer to judge."""
    sheet_answers = {
        "AGE": {"": [SEVERAL_TICKED]},
        "SCORE": {"special": [ILLEGIBLE]},
        "WHY": {"": [BLANK]},
    }
    paper = row(app, send(app, stored["survey"], sheet_answers, sheet("S-000043-1", "elderly")))
    assert paper.answers == {"AGE": SEVERAL_TICKED, "SCORE": ILLEGIBLE, "WHY": BLANK}
    assert paper.segment == "elderly"  # the sheet's: an unreadable age contradicts nothing
    assert {flag["code"] for flag in paper.flags} == {"rules-not-applied"}
    online = send(app, stored["survey"], sheet_answers, ORIGINS["online"])
    assert online.stored is None
    assert [(i.question, i.code) for i in online.issues] == [
        (code, "invalid-choice") for code in ("AGE", "SCORE", "WHY")
    ]
    with app.app_context():
        session = db.session()
        creator = accounts.create_user(session, "li.admin", "a long enough password", "admin")
        batch = exports.freeze(session, "q4", Filter("entry_survey"), "r", creator)
        folder = files.write(session, batch, tmp_path / "batch")
    (data,) = csv.DictReader(io.StringIO((folder / "data.csv").read_text("utf-8-sig")))
    assert [data[c] for c in ("AGE", "SCORE", "WHY")] == ["-93", "-94", "-95"]
    assert batch.modes == ["paper"]
    codebook = (folder / "codebook.csv").read_text("utf-8")
    assert "Paper: the answer cannot be read" in codebook
    manifest = (folder / "manifest.json").read_text("utf-8")
    assert all(f'"{code}"' in manifest for code in ("-93", "-94", "-95", "-98"))


def test_the_cleaning_log_of_a_batch_with_paper_names_the_sheet_of_each_left_out_response(
    app: Flask, stored: dict[str, Questionnaire], tmp_path: Path
) -> None:
    """Whoever cleans a batch can find the paper behind a response it leaves out."""
    paper = row(app, send(app, stored["survey"], raw("old_age", "4"), sheet("S-000044-2")))
    row(app, send(app, stored["survey"], raw("young_age", "5"), ORIGINS["online"], walked=True))
    with app.app_context():
        session = db.session()
        rejected = update(Response).where(col(Response.id) == paper.id).values(status="rejected")
        session.execute(rejected)
        creator = accounts.create_user(session, "li.admin", "a long enough password", "admin")
        batch = exports.freeze(session, "q4", Filter("entry_survey"), "r", creator)
        folder = files.write(session, batch, tmp_path / "batch")
    log = list(csv.DictReader(io.StringIO((folder / "cleaning_log.csv").read_text("utf-8-sig"))))
    assert [(r["response_id"], r["mode"], r["sheet_id"]) for r in log] == [
        (str(paper.id), "paper", "S-000044-2")
    ]


def test_a_preset_segment_the_questionnaire_does_not_offer_is_refused(
    app: Flask, stored: dict[str, Questionnaire]
) -> None:
    with pytest.raises(service.SegmentMissing):
        send(app, stored["survey"], raw("old_age", "4"), sheet("S-000045-6", segment="parents"))


def test_a_link_segment_the_version_no_longer_offers_gets_a_clear_error_not_a_500(
    client: FlaskClient, stored: dict[str, Questionnaire]
) -> None:
    token = csrf_of(client.get("/s/entry_survey/").text)
    with client.session_transaction() as session:
        session["invites"] = {"entry_survey": {"segment": "parents"}}
    sent = client.post(
        "/s/entry_survey/submit",
        data={
            "csrf_token": token,
            "submission_id": str(uuid.uuid4()),
            "AGE": "old_age",
            "SCORE": "4",
        },
    )
    assert sent.status_code == 400
    assert "这个邀请链接无效" in sent.text  # in the default language, zh-Hans
