"""Keys for the suite's two-page survey as a keyer types them, and helpers that key a
sheet through the entry service, shared by the entry and reconciliation tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from fieldwork.accounts.models import StaffUser
from fieldwork.paper import entry as keyed
from fieldwork.paper.models import PaperEntry
from fieldwork.questionnaire.model import Questionnaire

ABOUT = {"AGE": {"": "3"}, "KIDS": {"": "2"}, "CHANNELS": {"": "1 2"}}
CASE = {
    "WHEN": {"day": "3", "month": "9", "year": "2026"},
    "WAITED": {"hours": "1", "minutes": "15"},
    "CALLS": {"": "2"},
    "R1": {"": "4"},
    "R2": {"": "?"},
    "R3": {"": "/8"},
    "SCORE": {"": "10"},
    "IMPROVE": {"": "快一点"},
    "STORY": {"": ""},
}
STORING = keyed.Storing(current=None, fallback_segment="general")


def person(session: Session, username: str) -> StaffUser:
    found: StaffUser = session.exec(select(StaffUser).where(StaffUser.username == username)).one()[
        0
    ]
    return found


def key_all(
    session: Session,
    survey: Questionnaire,
    entry: PaperEntry,
    about: dict[str, Any] = ABOUT,
    case: dict[str, Any] = CASE,
) -> keyed.Finished:
    for code, typed in (("about", about), ("case", case)):
        chosen = keyed.section(survey, code)
        assert chosen is not None
        issues = keyed.save_page(session, survey, entry, chosen, typed, None, 12.0, "en")
        assert issues == [], issues
    assert keyed.next_section(survey, entry) is None
    keyer = session.get(StaffUser, entry.keyer_id)
    assert keyer is not None
    return keyed.finish(session, survey, entry, keyer, STORING)
