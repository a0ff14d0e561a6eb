"""The framework floor of `bench/submit.py --floor` answers a submission as the app does.

The floor bounds what the framework costs the app; a response the app no longer sends
(Flask's redirect page) would make it pay for work the app does not do.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from pathlib import Path
from types import ModuleType

import pytest
from sqlmodel import Session

from fieldwork import db
from fieldwork.config import ROOT
from fieldwork.definitions import service as definitions
from fieldwork.questionnaire.loader import load_directory
from tests.conftest import QID, csrf_of


def _load_floor(url: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("FIELDWORK_DATABASE_URL", url)
    monkeypatch.setenv("FIELDWORK_SECRET_KEY", "bench-secret-key")
    spec = importlib.util.spec_from_file_location("floor", ROOT / "bench" / "floor.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "floor", module)
    spec.loader.exec_module(module)
    return module


def test_the_floor_redirects_with_no_body_as_the_app_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'floor.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with Session(engine) as session:
        definitions.store(session, load_directory(ROOT / "questionnaires").questionnaires.values())
    engine.dispose()
    floor = _load_floor(url, monkeypatch)
    client = floor.app.test_client()
    token = csrf_of(client.get(f"/s/{QID}/").text)
    form = {"csrf_token": token, "submission_id": str(uuid.uuid4()), "Q1": "x"}
    answer = client.post(f"/s/{QID}/submit", data=form)
    floor.engine.dispose()
    assert answer.status_code == 303
    assert answer.data == b"" and answer.headers["Content-Length"] == "0"
