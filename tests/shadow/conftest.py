"""Fixtures of the shadow-test tests: an admin who plans, two testers, a reviewer, a
session of their own, and the suite's definition `covert` as stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from fieldwork.definitions.service import Versions
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow.models import ShadowTest
from tests.review.factories import fast_password_hashing, staff
from tests.shadow.plans import planned_test, shadows

PEOPLE = (
    ("admin.wang", "admin"),
    ("tester.li", "tester"),
    ("tester.chen", "tester"),
    ("reviewer.zhao", "reviewer"),
)


@pytest.fixture
def people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_password_hashing(monkeypatch)
    for username, role in PEOPLE:
        staff(app, username, role)


@pytest.fixture(scope="session")
def covert() -> ShadowDefinition:
    return shadows().shadows["covert"]


@pytest.fixture
def checklist(session: Session, covert: ShadowDefinition) -> Questionnaire:
    found = Versions().by_hash(session, covert.content_hash)
    assert found is not None
    return found


@pytest.fixture
def planned(people: None, session: Session, covert: ShadowDefinition) -> Callable[..., ShadowTest]:
    """Plan a test (Taobao's in-app chat, a complaint, a weekday evening) for tester.li,
    or with what is given instead."""

    def plan(**given: Any) -> ShadowTest:
        return planned_test(session, given.pop("tester", "tester.li"), covert, **given)

    return plan
