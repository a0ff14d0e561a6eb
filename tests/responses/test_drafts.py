"""Drafts keep the display they are answered in, for a resume on another device."""

from __future__ import annotations

from flask import Flask

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
