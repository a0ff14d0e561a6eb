"""Load a benchmark script as a module, the way it runs: beside its neighbours in bench/,
which it imports by name (bench/submit.py, bench/walking.py …)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from fieldwork.config import ROOT


def load(monkeypatch: pytest.MonkeyPatch, name: str) -> ModuleType:
    """bench/<name>.py as the module `bench_<name>`, gone from sys.path and sys.modules
    after the test."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module
