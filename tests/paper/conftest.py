"""Fixtures of the paper entry tests: the staff who issue, key and reconcile sheets, a
session of their own, and the suite's two-page survey as stored."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import Session

from fieldwork.definitions.service import Versions
from fieldwork.questionnaire.model import Questionnaire
from tests.review.factories import fast_password_hashing, staff

PEOPLE = (
    ("admin.wang", "admin"),
    ("worker.li", "fieldworker"),
    ("worker.chen", "fieldworker"),
    ("reviewer.zhao", "reviewer"),
    ("reviewer.sun", "reviewer"),
)


@pytest.fixture
def people(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """An admin, two fieldworkers who key, two reviewers who may reconcile."""
    fast_password_hashing(monkeypatch)
    for username, role in PEOPLE:
        staff(app, username, role)


@pytest.fixture
def survey(session: Session) -> Questionnaire:
    found = Versions().current(session, "two_pages")
    assert found is not None
    return found
