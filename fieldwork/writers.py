"""Writers to one SQLite file take turns, queued by the operating system.

SQLite lets one writer in at a time. A connection that finds the file locked
sleeps and tries again (after 1, 2, 5, 10… ms), so under load a submission
spends its time in those sleeps, not in work, and the slowest wait far longer
than the write they wait for. Around its short write transaction a submission
first takes a lock on a file beside the database (and, inside one process, a
thread lock, since a file lock is held per process): whoever waits is woken the
moment the writer before it commits. Other writers need not take part; they
meet SQLite's own locking as before.

PostgreSQL locks rows, not the database: there, and for an in-memory SQLite
database, a turn is taken at once.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

from sqlalchemy import Connection, Engine

try:
    import fcntl
except ImportError:  # not a POSIX system: SQLite's own locking alone
    fcntl = None  # type: ignore[assignment]


class _Queue:
    def __init__(self, path: str) -> None:
        self.path = path
        self.threads = threading.Lock()
        self.fd: int | None = None
        self.pid = 0

    def _file(self) -> int:
        # A worker forked after the file was opened would share its lock: reopen.
        if self.fd is None or self.pid != os.getpid():
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self.pid = os.getpid()
        return self.fd

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        with self.threads:
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


_QUEUES: dict[str, _Queue] = {}
_QUEUES_LOCK = threading.Lock()


def turn(bind: Engine | Connection) -> contextlib.AbstractContextManager[None]:
    """Hold this while writing and committing a short transaction on `bind`'s database."""
    database = bind.engine.url.database if bind.dialect.name == "sqlite" else None
    if fcntl is None or not database or database == ":memory:":
        return contextlib.nullcontext()
    path = os.path.abspath(database) + "-writers"
    with _QUEUES_LOCK:
        queue = _QUEUES.get(path)
        if queue is None:
            queue = _QUEUES[path] = _Queue(path)
    return queue.turn()
