"""Batch files built in the background, with how far they got shared by every process.

Writing the files of a batch of hundreds of thousands of responses takes minutes, longer
than a request may last. `ensure` starts the build once, in a thread of the process that
asked, and every process (each gunicorn worker, on any host) can read how far it got.

Why the job lives in a database table and not in files beside the folder: starting a build
must be a compare-and-set between processes ("nobody holds it: now I do"), and so must taking
over a build whose process died ("nobody has beaten its heart for a minute: now I hold it").
One conditional INSERT or UPDATE does that atomically on SQLite and PostgreSQL alike. With
files it takes a lock file plus a takeover by rename, which races with a second taker that
read the same stale lock, or `flock`, which network file systems do not honour and which
cannot tell a slow build from a dead one on another host.

The folder stays the truth of "done": `files.write` builds it under a temporary name and
renames it when complete, so a half-written folder is never served, whatever a job says.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from fieldwork.exports import files
from fieldwork.exports.models import Batch, ExportJob
from fieldwork.quality import as_utc

LOG = logging.getLogger(__name__)

READY, RUNNING, FAILED, IDLE = "ready", "running", "failed", "idle"
"""What `status` reports. IDLE: no live build, none yet or its process died."""
DONE = "done"
"""A job row's state once its folder was written (the folder itself says "ready")."""

HEARTBEAT_SECONDS = 5.0
STALE = dt.timedelta(seconds=60)
"""A build silent for this long is taken for dead: twelve missed beats, not a slow disk."""
LEFT_BEHIND = dt.timedelta(hours=1)
"""A temporary folder untouched this long was left by a build that was killed: a live one
writes into its files all the time."""
ROWS_SHARE = 90
"""Percent of the work the responses are taken to be; packing the zip is the rest."""

_JOB = ExportJob.__table__  # type: ignore[attr-defined]
# "Insert unless a job of this folder exists": the first of two clicks, or of two workers.
_INSERT_ONCE = {
    name: dialect.insert(_JOB)
    .on_conflict_do_nothing(index_elements=["folder"])
    .returning(_JOB.c.folder)  # a row back if inserted: psycopg gives no rowcount for it
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}


@dataclass(frozen=True)
class Status:
    """Where the files of one batch folder stand."""

    state: str
    done: int = 0
    total: int = 0
    error: str | None = None  # when FAILED: "no-space" or "failed"

    @property
    def stage(self) -> str:
        """While running: "starting", "writing" the responses, then "packing" the zip."""
        if self.done == 0:
            return "starting"
        return "writing" if self.done < self.total else "packing"

    @property
    def percent(self) -> int:
        if self.state == READY:
            return 100
        if self.state != RUNNING:
            return 0
        return ROWS_SHARE * min(self.done, self.total) // max(self.total, 1)


@dataclass(frozen=True)
class _Claim:
    folder: str
    token: str


def status(engine: Engine, batch: Batch, exports_dir: str | Path, *, bom: bool) -> Status:
    """Where the files of the batch (with or without BOM) stand; changes nothing."""
    target = files.folder(exports_dir, batch, bom)
    if (target / files.ZIP_NAME).exists():
        return Status(READY, batch.size, batch.size)
    with engine.connect() as connection:
        job = connection.execute(select(_JOB).where(_JOB.c.folder == target.name)).first()
    if job is None or job.state == DONE:  # done, yet the folder is gone: to be written again
        return Status(IDLE, 0, batch.size)
    if job.state == RUNNING and _now() - as_utc(job.heartbeat_at) > STALE:
        return Status(IDLE, job.done, job.total)
    return Status(job.state, job.done, job.total, job.error)


def ensure(engine: Engine, batch: Batch, exports_dir: str | Path, *, bom: bool) -> Status:
    """Where the files stand, after starting a build if none is alive.

    A build that failed is not started again here: that waits for a person (`start` with
    `retry`), so a build that fails every time does not run at every look at its page.
    """
    found = status(engine, batch, exports_dir, bom=bom)
    if found.state != IDLE:
        return found
    start(engine, batch, exports_dir, bom=bom)
    return status(engine, batch, exports_dir, bom=bom)


def start(
    engine: Engine, batch: Batch, exports_dir: str | Path, *, bom: bool, retry: bool = False
) -> bool:
    """Build the batch's folder in a background thread, unless it exists or a live build
    (or, without `retry`, a failed one) holds it. True if this call started it."""
    assert batch.id is not None
    target = files.folder(exports_dir, batch, bom)
    if (target / files.ZIP_NAME).exists():
        return False
    claim = _claim(engine, target.name, batch.size, retry=retry)
    if claim is None:
        return False
    thread = threading.Thread(
        target=_build,
        args=(engine, batch.id, Path(exports_dir), bom, claim),
        name=f"export {target.name}",
        daemon=True,  # a process that stops takes its build along; the next look restarts it
    )
    thread.start()
    return True


def _claim(engine: Engine, folder: str, total: int, *, retry: bool) -> _Claim | None:
    """Hold the folder's job, atomically: a new job, or one that is done, dead (or failed,
    on `retry`). None if someone else holds it."""
    now = _now()
    claim = _Claim(folder, secrets.token_hex(16))
    values = {
        "state": RUNNING,
        "token": claim.token,
        "done": 0,
        "total": total,
        "error": None,
        "started_at": now,
        "heartbeat_at": now,
    }
    free = [_JOB.c.state == DONE, and_(_JOB.c.state == RUNNING, _JOB.c.heartbeat_at < now - STALE)]
    if retry:
        free.append(_JOB.c.state == FAILED)
    with engine.begin() as connection:
        insert = _INSERT_ONCE[connection.dialect.name].values(folder=folder, **values)
        if connection.execute(insert).first() is not None:
            return claim
        taken = connection.execute(
            update(_JOB).where(_JOB.c.folder == folder, or_(*free)).values(values)
        )
    return claim if taken.rowcount == 1 else None


def _record(engine: Engine, claim: _Claim, **values: object) -> None:
    """Write to the job only while this claim holds it: a build taken over for dead that
    comes back to life must not overwrite its successor's progress."""
    with engine.begin() as connection:
        connection.execute(
            update(_JOB)
            .where(_JOB.c.folder == claim.folder, _JOB.c.token == claim.token)
            .values(values)
        )


class _Heartbeat:
    """Counts the responses written, and writes the count with a heartbeat every few
    seconds from its own thread: packing the zip reports no progress, and a long silence
    would make a live build look dead."""

    def __init__(self, engine: Engine, claim: _Claim) -> None:
        self.done = 0
        self._engine = engine
        self._claim = claim
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{claim.folder} heartbeat")
        self._thread.daemon = True

    def add(self, count: int) -> None:
        self.done += count

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                _record(self._engine, self._claim, done=self.done, heartbeat_at=_now())
            except Exception:  # a missed beat is not fatal; many in a row make it stale
                LOG.exception("could not record the progress of %s", self._claim.folder)


def _build(engine: Engine, batch_id: int, exports_dir: Path, bom: bool, claim: _Claim) -> None:
    """The background thread: write the folder through `files`, as the CLI and inline
    downloads do (the same bytes), then record how it ended."""
    outcome: dict[str, object] = {"state": DONE, "error": None}
    _sweep(exports_dir, claim.folder)
    with _Heartbeat(engine, claim) as heartbeat:
        try:
            with Session(engine, expire_on_commit=False) as session:
                batch = session.get(Batch, batch_id)
                assert batch is not None  # batches are never deleted
                files.files_of(session, batch, exports_dir, bom=bom, progress=heartbeat.add)
        except Exception as error:  # every failure ends on the progress page, never lost
            LOG.exception("writing the files of %s failed", claim.folder)
            outcome = {"state": FAILED, "error": _error_code(error)}
    try:
        _record(engine, claim, done=heartbeat.done, heartbeat_at=_now(), **outcome)
    except Exception:  # the job goes stale, and the next look finds the folder or restarts
        LOG.exception("could not record the end of %s", claim.folder)


def _sweep(exports_dir: Path, folder: str) -> None:
    """Delete the temporary folders that killed builds of `folder` left behind. (`files.write`
    names them `.<folder>-<random>` and deletes its own when it ends in any other way.)"""
    for work in exports_dir.glob(f".{folder}-*"):
        try:
            touched = max(p.stat().st_mtime for p in (work, *work.iterdir()))
        except OSError:  # finished, or swept by another build, meanwhile
            continue
        if time.time() - touched > LEFT_BEHIND.total_seconds():
            shutil.rmtree(work, ignore_errors=True)


def _error_code(error: Exception) -> str:
    """What a person can act on: a full disk is worth saying; anything else is in the log."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "no-space"
    return "failed"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
