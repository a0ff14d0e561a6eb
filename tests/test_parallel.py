"""Jobs in worker processes: results in range order, and a job that writes slowly, stops
early or loses a worker is neither flooded with results nor left waiting."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from sqlalchemy import Engine, create_engine

from fieldwork import parallel
from tests.conftest import ends_within


def _double(number: int) -> int:
    return 2 * number


def _dies_at_seven(number: int) -> int:
    if number == 7:
        os._exit(1)  # as a worker killed for its memory would
    return number


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

    assert ends_within(30, job), "the job did not end when it stopped taking results"
    assert seen == [0, 2, 4]


def test_a_worker_that_dies_ends_the_job_with_an_error(tmp_path: Path) -> None:
    seen: list[int] = []
    raised: list[BaseException] = []

    def job() -> None:
        try:
            for result in parallel.in_workers(
                _engine(tmp_path), _dies_at_seven, iter(range(40)), None
            ):
                seen.append(result)
        except BrokenProcessPool as error:
            raised.append(error)

    assert ends_within(30, job), "the job waits for a result that will never come"
    assert len(raised) == 1
    assert seen == list(range(len(seen))) and len(seen) <= 7  # never 7 or after
