"""Count guesses at secrets per key, and hold back the next guess once a limit says so.

A guess is reserved before it is tried: one upsert per limit raises the key's count and,
in the same statement, lets the guess through only if the limit allows it now. Two
simultaneous guesses therefore never read the same count, in one process or across
gunicorn's, on SQLite (one writer at a time) as on PostgreSQL (the row is locked until
commit). A refused guess is not tried and not counted, so hammering at a closed limit
neither tells anything nor keeps it closed; a guess that proves right gives its
reservation back, so people who get it right are never slowed down.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, or_, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from fieldwork.attempts.models import AttemptCount
from fieldwork.clock import now


@dataclass(frozen=True)
class Limit:
    """A window opens with a key's first guess and lasts `window`: within it, `free`
    guesses pass at once; after them, each guess must wait `waits[k]` after the one
    before (the last wait repeating), or, with no waits, none passes until the window
    ends. Anchored at the first guess, a count cannot creep up forever at a steady
    rate below the limit (a busy network's new drafts)."""

    kind: str
    free: int
    window: dt.timedelta
    waits: tuple[dt.timedelta, ...] = ()

    def wait(self, guesses: int) -> dt.timedelta | None:
        """How long after the last guess the next may be tried, `guesses` counted; None:
        not before the window ends."""
        if guesses < self.free:
            return dt.timedelta(0)
        if not self.waits:
            return None
        return self.waits[min(guesses - self.free, len(self.waits) - 1)]


def locked(kind: str, most: int, window: dt.timedelta) -> Limit:
    """A hard limit: `most` guesses in the window, then none until it ends."""
    return Limit(kind, most, window)


def slowed(kind: str, free: int, cap: dt.timedelta, window: dt.timedelta) -> Limit:
    """A progressive delay: `free` guesses, then waits of 1, 2, 4 … seconds up to `cap`."""
    doubling = [
        dt.timedelta(seconds=2**k) for k in range(math.ceil(math.log2(cap.total_seconds())))
    ]
    return Limit(kind, free, window, (*doubling, cap))


QUARTER_HOUR = dt.timedelta(minutes=15)
MINUTE = dt.timedelta(minutes=1)
# A staff password is at least 10 characters and checked with argon2id. Only the guesser's
# own pair of account and network is ever locked: 10 guesses a quarter-hour. Strangers
# spread over many networks are slowed per account, and many accounts tried from one
# network are slowed per network, to a guess a minute at most; a device that has signed
# in to the account before is held back by its pair alone (fieldwork/web/staff.py), so no
# stranger and no office behind one address can keep an owner out.
LOGIN_PAIR = locked("login-pair", 10, QUARTER_HOUR)
LOGIN_ACCOUNT = slowed("login-account", 10, MINUTE, QUARTER_HOUR)
LOGIN_ADDRESS = slowed("login-address", 20, MINUTE, QUARTER_HOUR)
# A resume code has 11 random digits (and a check digit, which a guesser can compute): with
# 10,000 live drafts one guess in 10 million finds one. Ten unknown codes an hour per
# address turns that into about a million address-hours; a mistyped digit is caught by
# the check digit before it counts.
RESUME_ADDRESS = locked("resume-address", 10, dt.timedelta(hours=1))
LIMITS = (LOGIN_PAIR, LOGIN_ACCOUNT, LOGIN_ADDRESS, RESUME_ADDRESS)

Checks = Sequence[tuple[Limit, str]]


class TooManyAttempts(Exception):
    """A limit holds the guess back: it was not tried. `seconds` is how long to wait
    (`minutes`, rounded up, for messages that speak in minutes)."""

    def __init__(self, limit: Limit, wait: dt.timedelta):
        super().__init__(limit.kind)
        self.limit = limit
        self.seconds = max(1, math.ceil(wait.total_seconds()))
        self.minutes = math.ceil(self.seconds / 60)


def key(text: str) -> str:
    """What a limit counts by, as a fixed-length digest: no account name is stored."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pair_key(account: str, address: str, known: bool) -> str:
    """The key of one account tried from one network, apart for known devices: a guesser
    behind the owner's own office address then fills a count the owner's device does not
    read. It starts with the account's key, so that all of an account's pairs can be
    cleared (`forget_account`)."""
    return f"{account}:{address}:{'known' if known else 'new'}"


def reserve(session: Session, checks: Checks) -> None:
    """Count one guess under every limit, or raise TooManyAttempts, counting none, if any
    limit holds it back now. Committed before the guess is tried: the rows are not kept
    locked while a password is hashed."""
    moment = now()
    for limit, counted in checks:
        if not _reserved(session, limit, counted, moment):
            session.rollback()
            raise TooManyAttempts(limit, _remaining(session, limit, counted, moment))
    session.commit()
    _sweep(session, moment)


def _reserved(session: Session, limit: Limit, counted: str, moment: dt.datetime) -> bool:
    """One statement: insert the count at 1, or raise it if the limit lets a guess through
    now; whether a row came back, that is, whether the guess may be tried."""
    table = AttemptCount.__table__  # type: ignore[attr-defined]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    forgotten = table.c.started <= moment - limit.window
    upsert = dialect.insert(table).values(
        kind=limit.kind, key=counted, guesses=1, started=moment, last_at=moment
    )
    upsert = upsert.on_conflict_do_update(
        index_elements=[table.c.kind, table.c.key],
        set_={
            "guesses": case((forgotten, 1), else_=table.c.guesses + 1),
            "started": case((forgotten, upsert.excluded.started), else_=table.c.started),
            "last_at": upsert.excluded.last_at,
        },
        where=or_(forgotten, _let_through(limit, table.c.guesses, table.c.last_at, moment)),
    ).returning(table.c.guesses)
    return session.execute(upsert).first() is not None


def _let_through(
    limit: Limit, guesses: Any, last_at: Any, moment: dt.datetime
) -> ColumnElement[bool]:
    """The limit's rule within the window as SQL over the counted guesses and the last
    one's time: a case per wait, each compared with a time worked out here, so no date
    arithmetic is left to the database (SQLite has none that PostgreSQL shares)."""
    last = len(limit.waits) - 1
    return or_(
        guesses < limit.free,
        *(
            and_(
                guesses == limit.free + step if step < last else guesses >= limit.free + step,
                last_at <= moment - wait,
            )
            for step, wait in enumerate(limit.waits)
        ),
    )


def _remaining(session: Session, limit: Limit, counted: str, moment: dt.datetime) -> dt.timedelta:
    row = session.get(AttemptCount, (limit.kind, counted))
    if row is None:  # cleared between the refusal and this read: try again at once
        return dt.timedelta(0)
    until = row.started + limit.window
    wait = limit.wait(row.guesses)
    if wait is not None:
        until = min(until, row.last_at + wait)
    return until - moment


def _sweep(session: Session, moment: dt.datetime) -> None:
    """Drop counts no limit reads any more. Rows another guess holds are skipped (on
    PostgreSQL; SQLite has one writer anyway): that guess may be reviving one, and
    waiting for it while it waits for a row taken here would be a deadlock."""
    oldest = moment - max(limit.window for limit in LIMITS)
    stale = (
        select(AttemptCount.kind, AttemptCount.key)
        .where(col(AttemptCount.started) < oldest)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        delete(AttemptCount).where(tuple_(col(AttemptCount.kind), col(AttemptCount.key)).in_(stale))
    )
    session.commit()


def release(session: Session, checks: Checks) -> None:
    """Give back one reserved guess under each limit: it proved right, so it is not a
    failure. Only that one: a guesser who owns one account must not clear the count of
    their network by signing in to it between guesses at another."""
    for limit, counted in checks:
        session.execute(
            update(AttemptCount)
            .where(
                col(AttemptCount.kind) == limit.kind,
                col(AttemptCount.key) == counted,
                col(AttemptCount.guesses) > 0,
            )
            .values(guesses=col(AttemptCount.guesses) - 1)
        )
    session.commit()


def forget(session: Session, checks: Checks) -> None:
    """Clear keys' counts: an account's, once its owner signs in."""
    for limit, counted in checks:
        session.execute(
            delete(AttemptCount).where(
                col(AttemptCount.kind) == limit.kind, col(AttemptCount.key) == counted
            )
        )
    session.commit()


def forget_account(session: Session, account: str) -> None:
    """Clear an account's count and the counts of every network's pair with it: pairs
    first, in the order a guess takes them, so that the two never wait for each other."""
    pairs = col(AttemptCount.key).startswith(f"{account}:", autoescape=True)
    session.execute(delete(AttemptCount).where(col(AttemptCount.kind) == LOGIN_PAIR.kind, pairs))
    session.execute(
        delete(AttemptCount).where(
            col(AttemptCount.kind) == LOGIN_ACCOUNT.kind, col(AttemptCount.key) == account
        )
    )
    session.commit()
