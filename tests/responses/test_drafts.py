"""Drafts keep the display they are answered in, for a resume on another device."""

from __future__ import annotations

from flask import Flask
from sqlmodel import select

from fieldwork import catalog, db
from fieldwork.responses import service
from fieldwork.responses.models import Draft
from tests.questionnaires.two_pages import SURVEY
from tests.review.factories import add_response

SHOWN = {"text_size": "x-large", "contrast": "high"}


def test_the_display_is_kept_with_open_drafts_only_and_does_not_extend_them(app: Flask) -> None:
    response_id = add_response(app)
    with app.app_context():
        session = db.session()
        questionnaire = catalog.versions().current(session, SURVEY.id)
        assert questionnaire is not None
        left, sent = (
            service.store_draft(session, service.start_draft(questionnaire, {}), "network")
            for _ in range(2)
        )
        service.mark_submitted(session, sent, response_id)
        updated = left.updated_at
        service.keep_display(session, [left.id, sent.id, "no-such-draft"], SHOWN)
        session.expire_all()
        left, sent = session.get_one(Draft, left.id), session.get_one(Draft, sent.id)
    assert left.preset == {"display": SHOWN}
    assert left.updated_at == updated
    assert sent.preset == {}


def test_a_page_without_an_answer_stores_no_draft_but_its_time_is_kept(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        questionnaire = catalog.versions().current(session, SURVEY.id)
        assert questionnaire is not None
        draft = service.start_draft(questionnaire, {})
        service.save_page(session, draft, ["AGE"], {}, "about", 12.0, "network")
        assert not service.is_stored(draft)
        assert session.exec(select(Draft)).first() is None
        assert draft.page_seconds == {"about": 12.0}
        service.save_page(session, draft, ["AGE"], {"AGE": "age_18_34"}, "about", 3.0, "network")
        stored = session.exec(select(Draft)).one()
    assert stored.answers == {"AGE": "age_18_34"}
    assert stored.page_seconds == {"about": 15.0}
