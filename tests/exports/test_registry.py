"""Every question type has an export builder, and the file side stays free of the app."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from fieldwork.exports.columns import EXPORTERS
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.types import TYPES

ROOT = Path(__file__).resolve().parents[2]
SERVICE_SIDE = {
    "__init__",
    "models",
    "service",
    "files",
    "jobs",
}  # batch tables, queries and background builds: the app's side


def test_export_builders_cover_every_type() -> None:
    assert set(EXPORTERS) == set(TYPES)


def test_the_test_questionnaire_has_every_type(mini: Questionnaire) -> None:
    # So every read-back test covers every type.
    assert {q.type for q in mini.questions} == set(TYPES)


# A fresh interpreter, with a stand-in parent package so fieldwork/__init__.py
# (which builds the Flask app) stays out, as in tests/test_pure_cores.py.
PROBE = textwrap.dedent(
    """
    import importlib, sys, types

    root, names = sys.argv[1], sys.argv[2].split(",")
    parent = types.ModuleType("fieldwork")
    parent.__path__ = [root + "/fieldwork"]
    sys.modules["fieldwork"] = parent
    for name in names:
        importlib.import_module("fieldwork.exports." + name)
    leaked = sorted(m for m in ("flask", "sqlmodel", "sqlalchemy") if m in sys.modules)
    assert not leaked, f"export files import {leaked}"
    """
)


def test_file_writers_import_neither_flask_nor_sqlmodel() -> None:
    names = sorted(
        p.stem for p in (ROOT / "fieldwork" / "exports").glob("*.py") if p.stem not in SERVICE_SIDE
    )
    assert "batch" in names
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT), ",".join(names)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
