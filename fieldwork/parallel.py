"""Long jobs over a whole survey, done a range of rows at a time in worker processes.

The bulk quality run and a batch's files spend their time in Python, which runs one
thread at a time: a second process uses the machine's second core. Workers are
forked, so they start at once and share what the job built before (an index, a
layout) instead of receiving copies; each opens its own connections to the database
and hands back a range's result, in the order the ranges were given, to the job's
process, which alone writes.

A process running other threads (a web worker building a batch in the background)
is not forked: a copy of a lock another thread held would never be released.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine

WORKERS = min(2, os.cpu_count() or 1)
"""Two at most: the job's own process writes, and reviewers keep using the app."""
FROM_ROWS = 10_000
"""Below this, starting workers costs more than they win back: a pool starts and stops in
about 20 ms, what one process exports of 400 responses or judges of 600."""
AHEAD = 4 * WORKERS
"""Ranges given out and not yet taken back: enough to keep every worker busy."""
GC_THRESHOLD = 10_000
"""Containers a worker allocates, net, before a collection (Python's default is 700)."""

Range = TypeVar("Range")
Result = TypeVar("Result")

_WORKER: dict[str, Any] = {}  # in a worker: its engine and what the job shared


def worthwhile(rows: int) -> bool:
    """Whether a job over this many rows is done in workers."""
    return rows >= FROM_ROWS and WORKERS > 1 and threading.active_count() == 1


def in_workers(
    bind: Engine | Connection,
    work: Callable[[Range], Result],
    ranges: Iterable[Range],
    shared: Any,
) -> Iterator[Result]:
    """`work` applied to each range in worker processes, the results in range order.
    `work` reads the database through `connection()` and what the job built through
    `shared()`.

    Ranges are read here, as results are taken, and at most AHEAD are out at a time:
    when the job writes more slowly than the workers read (a spreadsheet, a row at a
    time), finished results would otherwise wait in memory, the whole job's worth. An
    error reading the ranges is raised here; a worker that dies (killed for memory, say)
    raises BrokenProcessPool instead of leaving the job waiting for its result.
    """
    url = bind.engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(WORKERS, context, _start, (url, shared)) as pool:
        out: deque[Future[Result]] = deque()
        try:
            for item in ranges:
                out.append(pool.submit(work, item))
                if len(out) >= AHEAD:
                    yield out.popleft().result()
            while out:
                yield out.popleft().result()
        finally:
            for waiting in out:  # the job stopped early: nothing more to compute
                waiting.cancel()


def _start(url: str, shared: Any) -> None:
    # A range's rows make thousands of containers that live until its result is sent:
    # at the default threshold they were collected again and again, promoted and swept
    # by full collections over every object the fork copied, a seventh of a worker's
    # time. What the fork copied is left out (never garbage here, and its pages stay
    # shared), and a collection waits for more than a range's worth of containers.
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD)
    # Never the job's own connections, which the fork copied: a new engine and pool.
    _WORKER.update(engine=create_engine(url), shared=shared)


def connection() -> Connection:
    """In a worker: a connection of its own (close it, or use it in a `with`)."""
    engine: Engine = _WORKER["engine"]
    return engine.connect()


def shared() -> Any:
    """In a worker: what the job handed to `in_workers`."""
    return _WORKER["shared"]
