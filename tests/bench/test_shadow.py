"""`bench/shadow.py`: the loads it sends by default, the databases it refuses to touch, and
one small run end to end, so the benchmark still counts right as the logger changes.

The benchmark drops and recreates the PostgreSQL database it is given; a typo must not
cost a shared database.
"""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.bench.loading import load
from tests.review.factories import fast_password_hashing


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load(monkeypatch, "shadow")


def test_fifty_testers_of_twenty_events_sent_whole_and_tapped_live_by_default(
    bench: ModuleType,
) -> None:
    args = bench.parse_args([])
    assert (args.testers, args.events, args.batch, args.live_pace) == (50, 20, None, 1.0)
    assert bench.parse_args(["--testers", "500"]).testers == 500


def test_half_the_testers_replay_and_half_of_those_while_still_sending(
    bench: ModuleType,
) -> None:
    replays = [bench.replay_of(number) for number in range(50)]
    assert replays.count(None) == 25
    assert replays.count(bench.REPLAY_DURING) == 13 and replays.count(bench.REPLAY_AFTER) == 12


@pytest.mark.parametrize("name", ["test", "fieldwork", "fieldwork_test"])
def test_a_database_not_named_for_the_bench_is_never_dropped(bench: ModuleType, name: str) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:1/{name}"  # port 1: nothing listens
    with (
        pytest.raises(bench.submit.BenchError, match="refusing"),
        bench.postgres_database(url, False),
    ):
        pass


def test_a_small_run_stores_every_event_once_in_order(
    bench: ModuleType, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_password_hashing(monkeypatch)  # creating the testers; the server signs them in
    sizes = ["--testers", "4", "--events", "5", "--live-pace", "0.05"]
    assert bench.main([*sizes, "--no-floor", "--no-fail"]) == 0
    shown = capsys.readouterr().out
    assert "p99 latency <= 100 ms (live)" in shown
    for target in ("zero lost", "zero duplicated", "every timeline in the order sent"):
        assert f"PASS  {target}" in shown
