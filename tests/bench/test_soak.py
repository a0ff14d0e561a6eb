"""`bench/soak.py`: its default load, and one tiny run end to end with workers killed, so
the script still walks, reviews and counts right as the pages change.

The run uses the suite's database server: SQLite in a temporary folder, or, when the suite
runs on PostgreSQL, a database of its own beside the suite's (the script drops and
recreates it, so it is never the suite's own).
"""

from __future__ import annotations

import os
import re
from types import ModuleType

import pytest
from sqlalchemy.engine import make_url

from tests.bench.loading import load
from tests.review.factories import fast_password_hashing


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load(monkeypatch, "soak")


def test_two_minutes_of_a_kill_every_two_to_eight_seconds_by_default(bench: ModuleType) -> None:
    args = bench.parse_args([])
    assert (args.minutes, tuple(args.kill_interval), args.calm) == (2.0, (2.0, 8.0), 30.0)
    with pytest.raises(SystemExit):
        bench.parse_args(["--kill-interval", "8", "2"])


def _database() -> list[str]:
    """`--database-url` beside the suite's PostgreSQL database, or nothing (SQLite)."""
    url = os.environ.get("FIELDWORK_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return []
    parsed = make_url(url)
    name = re.sub(r"[^a-z0-9_]", "_", (parsed.database or "fieldwork").lower())
    own = parsed.set(database=f"{name}_soak_bench")
    return ["--database-url", own.render_as_string(hide_password=False)]


def test_a_tiny_run_with_workers_killed_loses_and_doubles_nothing(
    bench: ModuleType, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_password_hashing(monkeypatch)  # creating the reviewer; the server signs them in
    sizes = ["--minutes", "0.05", "--warmup", "1", "--calm", "2", "--kill-interval", "1", "1.5"]
    crowd = ["--respondents", "2", "--reviewers", "1", "--people", "40"]
    assert bench.main([*sizes, *crowd, *_database()]) == 0
    shown = capsys.readouterr().out
    for target in (
        "zero lost",
        "zero duplicated",
        "zero 5xx answers",
        "no connection dropped but by a kill",
        "zero decisions lost",
        "zero decisions duplicated",
    ):
        assert f"PASS  {target}" in shown

    def figure(name: str) -> int:
        found = re.search(rf"^{name}\s+(\d+)$", shown, re.MULTILINE)
        assert found, f"no {name!r} line in:\n{shown}"
        return int(found.group(1))

    assert figure("workers killed") >= 1
    assert figure("acknowledged submissions") == figure("stored responses") > 0
    assert figure(r"decisions acknowledged") > 0
    assert re.search(r"^ratio killing/calm, walks per second\s+\S+$", shown, re.MULTILINE)
