"""The suite's shadow-test definition (`definitions/`, on the shipped platforms.yaml),
and helpers that log a test's events as a tester's device would send them."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from fieldwork.accounts.models import StaffUser
from fieldwork.definitions.reading import read_folder
from fieldwork.questionnaire.loader import Catalog
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import plans
from fieldwork.shadow.models import ShadowTest

FOLDER = Path(__file__).resolve().parent / "definitions"
CHINA = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 3, 19, 30, tzinfo=CHINA)  # a Tuesday evening


PLAN_FORM = {
    "definition": "covert",
    "platforms": ["taobao", "jd"],
    "channels": ["phone_hotline", "in_app_chat"],
    "scenarios": ["complaint"],
    "slots": ["weekday_evening"],
    "count": "1",
    "planned_on": "2026-11-03",
    "segment": "elderly",
    "tester": "tester.chen",
}
"""What the plan form sends to plan one test per platform × channel that it offers."""


def shadows() -> Catalog:
    """The suite's shadow definition `covert` as the app loads it."""
    return read_folder(FOLDER)


def person(session: Session, username: str) -> StaffUser:
    return session.exec(select(StaffUser).where(StaffUser.username == username)).one()


def planned_test(
    session: Session,
    tester: str | None = "tester.li",
    definition: ShadowDefinition | None = None,
    **given: Any,
) -> ShadowTest:
    """A test of the suite's `covert` definition planned by admin.wang: Taobao's in-app chat,
    a complaint, a weekday evening, for the elderly (or what `given` says instead), assigned
    to `tester` (None: to nobody yet). The staff named must exist."""
    chosen = {
        "platform": "taobao",
        "channel": "in_app_chat",
        "scenario": "complaint",
        "slot": "weekday_evening",
        "segment": "elderly",
        **given,
    }
    tester_id = person(session, tester).id if tester else None
    definition = definition or shadows().shadows["covert"]
    admin = person(session, "admin.wang")
    return plans.plan(session, definition, plans.Plan(**chosen, tester_id=tester_id), admin)


def tap(code: str, seconds: float, sequence: int, **extra: Any) -> dict[str, Any]:
    """One event as the logger's script sends it: its own id, its place, its device time."""
    return {
        "id": str(uuid.uuid4()),
        "sequence": sequence,
        "code": code,
        "at": (START + dt.timedelta(seconds=seconds)).isoformat(),
        **extra,
    }


def taps(*timeline: tuple[str, float]) -> list[dict[str, Any]]:
    """A whole timeline of (event code, seconds after START), numbered in order."""
    return [tap(code, seconds, n) for n, (code, seconds) in enumerate(timeline, start=1)]
