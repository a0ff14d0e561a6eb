"""The one clock: every time the app records comes from `now()`.

Tests and benchmarks move it with `set_to` instead of patching a module's own
`now`, so no part of the app can keep a clock of its own that they miss.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Source = Callable[[], dt.datetime]


def _system() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_source: Source = _system


def now() -> dt.datetime:
    """The current time, aware and in UTC."""
    return _source()


@contextmanager
def set_to(moment: dt.datetime | Source) -> Iterator[None]:
    """Within the block, `now()` answers `moment` (or calls it, if it is a function)."""
    global _source
    before = _source
    _source = moment if callable(moment) else (lambda: moment)
    try:
        yield
    finally:
        _source = before
