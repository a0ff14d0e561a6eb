"""Contradictions found at submit are what the bulk run finds on the stored responses.

The two-page survey declares that a channel used and no contact counted (CALLS = 0)
cannot both be true.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlmodel import Session

from fieldwork import db
from fieldwork.responses.models import PENDING, Response
from tests.review.test_screening import codes, current, otherwise, run, send, summary_counts


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session()


def test_a_contradiction_is_held_for_review_at_submit(session: Session) -> None:
    row = send(session, answers=otherwise(session, CALLS=0))
    assert (row.status, codes(row)) == (PENDING, {"contradiction"})
    [flag] = row.flags
    assert flag["checks"] == ["channel_but_no_contact"]


def test_the_bulk_run_finds_the_contradictions_submit_found(session: Session) -> None:
    sent = [
        send(session, answers=otherwise(session, CALLS=calls, CHANNELS=channels))
        for calls, channels in [(0, ["phone"]), (0, ["none"]), (3, ["chat"]), (0, ["chat"])]
    ]
    assert [codes(row) for row in sent] == [{"contradiction"}, set(), set(), {"contradiction"}]
    stored = {row.id: row.flags for row in sent}
    assert summary_counts(run(session, current(session))) == (4, 0, 0)
    session.execute(update(Response).values(flags=[], rules_version=None))
    session.commit()
    assert summary_counts(run(session, current(session)))[:2] == (4, 2)
    session.expire_all()
    again = {row.id: row.flags for row in session.execute(select(Response)).scalars()}
    assert again == stored
