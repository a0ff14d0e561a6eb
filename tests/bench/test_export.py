"""`bench/export.py`: the sizes it runs by default, and the databases it refuses to touch.

The benchmark drops and recreates the PostgreSQL database it is given; a typo must not
cost a shared database.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.bench.loading import load


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load(monkeypatch, "export")


def test_a_quarters_batch_and_a_million_by_default(bench: ModuleType) -> None:
    assert bench.parse_args([]).responses == [50_000, 1_000_000]
    assert bench.parse_args(["--responses", "2000", "60000"]).responses == [2000, 60_000]


def test_only_a_postgresql_url_is_taken(bench: ModuleType) -> None:
    with pytest.raises(SystemExit):
        bench.parse_args(["--database-url", "sqlite:///bench.db"])


@pytest.mark.parametrize("name", ["test", "fieldwork", "fieldwork_test"])
def test_a_database_not_named_for_the_bench_is_never_dropped(
    bench: ModuleType, tmp_path: Path, name: str
) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:1/{name}"  # port 1: nothing listens
    with pytest.raises(bench.BenchError, match="refusing"):
        bench.phase_database(tmp_path, {"url": url, "create": True}, bench.Meter())


def test_the_postgresql_baseline_takes_the_same_columns(bench: ModuleType) -> None:
    codes = ["S1", "Q2", "Q10"]
    sqlite = bench.baseline_query(codes)
    postgres = bench.baseline_query_postgres(codes)
    assert sqlite.count("json_extract(") == postgres.count("->>'") == len(codes) + 2
    assert [f"a->>'{code}'" in postgres for code in codes] == [True] * len(codes)
