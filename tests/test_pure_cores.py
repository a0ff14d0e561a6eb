"""The pure cores load neither Flask, SQLModel/SQLAlchemy nor WTForms when imported
(docs/architecture.md: dependencies point inward), so paper, shadow, export and quality
code can share them and they can be tested without an app.

`test_architecture.py` reads every import in the source; this probe imports the cores
in a fresh interpreter, so it also catches a third-party library that loads Flask."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORES = [
    "fieldwork.questionnaire",
    "fieldwork.answers",
    "fieldwork.quality",
    "fieldwork.modes",
    "fieldwork.shadow.timeline",  # pure modules of a service package
    "fieldwork.shadow.checklist",
    "fieldwork.shadow.definitions",
]
FORBIDDEN = ["flask", "sqlmodel", "sqlalchemy", "wtforms"]

# Runs in a fresh interpreter, so nothing the test session imported can hide an import.
PROBE = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    cores, forbidden = sys.argv[2].split(","), sys.argv[3].split(",")

    imported = []
    for name in cores:
        package = importlib.import_module(name)
        imported.append(name)
        for module in pkgutil.walk_packages(getattr(package, "__path__", []), name + "."):
            importlib.import_module(module.name)
            imported.append(module.name)

    leaked = sorted(m for m in forbidden if m in sys.modules)
    print(" ".join(imported))
    assert not leaked, f"pure cores import {leaked}"
    """
)


def existing_cores() -> list[str]:
    return [name for name in CORES if importlib.util.find_spec(name) is not None]


def run_probe(cores: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT), ",".join(cores), ",".join(FORBIDDEN)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


def test_pure_cores_load_no_flask_sqlmodel_or_wtforms() -> None:
    result = run_probe(existing_cores())
    assert result.returncode == 0, result.stderr


def test_probe_imports_every_module_of_the_cores() -> None:
    imported = run_probe(existing_cores()).stdout.split()
    assert {
        "fieldwork.questionnaire.loader",
        "fieldwork.questionnaire.checks",
        "fieldwork.questionnaire.segments",
        "fieldwork.answers",
    } <= set(imported)


def test_probe_catches_a_module_that_imports_flask() -> None:
    # fieldwork.web is not pure: the probe must fail on it, or it proves nothing.
    result = run_probe(["fieldwork.web"])
    assert result.returncode != 0
    assert "pure cores import ['flask'" in result.stderr
