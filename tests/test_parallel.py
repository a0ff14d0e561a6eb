"""Jobs in worker processes: results in range order, and a job that writes slowly, or
stops early, is neither flooded with results nor left waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine

from fieldwork import parallel


def _double(number: int) -> int:
    return 2 * number


def _engine(tmp_path: Path) -> Engine:
    return create_engine(f"sqlite:///{tmp_path / 'job.db'}")


def test_results_come_in_order_and_few_wait_for_a_slow_job(tmp_path: Path) -> None:
    taken = 0

    def ranges() -> Iterator[int]:
        nonlocal taken
        for number in range(60):
            taken += 1
            yield number

    results = []
    most_ahead = 0
    for consumed, result in enumerate(
        parallel.in_workers(_engine(tmp_path), _double, ranges(), None), start=1
    ):
        time.sleep(0.01)  # writing a result takes longer than making one
        results.append(result)
        most_ahead = max(most_ahead, taken - consumed)
    assert results == [2 * n for n in range(60)]
    # One range more may have been read while it waits for a free slot.
    assert most_ahead <= parallel.AHEAD + 1, f"{most_ahead} ranges handed out ahead"


def test_a_job_that_stops_early_lets_its_workers_go(tmp_path: Path) -> None:
    seen: list[int] = []

    def job() -> None:
        for result in parallel.in_workers(_engine(tmp_path), _double, iter(range(10_000)), None):
            seen.append(result)
            if len(seen) == 3:
                break

    runner = threading.Thread(target=job, daemon=True)
    runner.start()
    runner.join(30)
    assert not runner.is_alive(), "the job did not end when it stopped taking results"
    assert seen == [0, 2, 4]
