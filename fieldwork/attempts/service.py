"""Count failed guesses per key within a window, and refuse more once a limit is reached.

A limit is checked before the guess is even tried, so a refused guess tells nothing, and
only failures are counted, so people who get it right are never slowed down.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from fieldwork.attempts.models import FailedAttempt
from fieldwork.clock import now


@dataclass(frozen=True)
class Limit:
    kind: str
    most: int  # failures allowed within the window; the next guess is refused
    window: dt.timedelta

    @property
    def minutes(self) -> int:
        return int(self.window.total_seconds() // 60)


# A staff password is at least 10 characters and checked with argon2id: 10 guesses per
# account and 20 per address in 15 minutes leave a person who mistypes room to
# try again, and make guessing a password take lifetimes.
LOGIN_ACCOUNT = Limit("login-account", 10, dt.timedelta(minutes=15))
LOGIN_ADDRESS = Limit("login-address", 20, dt.timedelta(minutes=15))
# A resume code has 11 random digits (and a check digit, which a guesser can compute): with
# 10,000 live drafts one guess in 10 million finds one. Ten unknown codes an hour per
# address turns that into about a million address-hours; a mistyped digit is caught by
# the check digit before it counts.
RESUME_ADDRESS = Limit("resume-address", 10, dt.timedelta(hours=1))
LIMITS = (LOGIN_ACCOUNT, LOGIN_ADDRESS, RESUME_ADDRESS)


class TooManyAttempts(Exception):
    """A limit is reached: the guess was not tried. `minutes` is how long to wait at most."""

    def __init__(self, limit: Limit):
        super().__init__(limit.kind)
        self.limit = limit
        self.minutes = limit.minutes


def key(text: str) -> str:
    """What a limit counts by, as a fixed-length digest: no account name is stored."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def refuse_if_blocked(session: Session, checks: Iterable[tuple[Limit, str]]) -> None:
    """Raise TooManyAttempts if any limit is already reached for its key."""
    moment = now()
    for limit, counted in checks:
        failures = session.exec(
            select(func.count())
            .select_from(FailedAttempt)
            .where(
                col(FailedAttempt.kind) == limit.kind,
                col(FailedAttempt.key) == counted,
                col(FailedAttempt.at) >= moment - limit.window,
            )
        ).one()
        if failures >= limit.most:
            raise TooManyAttempts(limit)


def record(session: Session, failures: Iterable[tuple[Limit, str]]) -> None:
    """Count one failed guess under each limit, and drop failures no limit reads any more."""
    moment = now()
    oldest = moment - max(limit.window for limit in LIMITS)
    session.execute(delete(FailedAttempt).where(col(FailedAttempt.at) < oldest))
    session.add_all(
        FailedAttempt(kind=limit.kind, key=counted, at=moment) for limit, counted in failures
    )
    session.commit()


def forget(session: Session, limit: Limit, counted: str) -> None:
    """Clear a key's failures: an account's, once its owner signs in."""
    session.execute(
        delete(FailedAttempt).where(
            col(FailedAttempt.kind) == limit.kind, col(FailedAttempt.key) == counted
        )
    )
    session.commit()
