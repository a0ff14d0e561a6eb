"""Fixtures the review tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlmodel import Session

from fieldwork import db


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    """The request-less session of the app, as a command's."""
    with app.app_context():
        yield db.session()
