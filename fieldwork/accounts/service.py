"""Create staff users, check passwords, open and close sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from fieldwork.accounts.models import ROLES, StaffSession, StaffUser
from fieldwork.attempts import service as attempts
from fieldwork.clock import now

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checking an unknown username still costs one hash, so timing does not reveal usernames.
_DUMMY_HASH = _hasher.hash("not a password")
USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")
MIN_PASSWORD = 10
MIN_DISTINCT = 5  # "aaaaaaaaaa" and "abababababab" are long enough, and guessed first


class AccountError(ValueError):
    """A user cannot be created; the message says why."""


def create_user(session: Session, username: str, password: str, role: str) -> StaffUser:
    # fullmatch: `$` also matches before a final newline, and "admin\n" was accepted as a
    # second account that looks like "admin" in every list.
    if not USERNAME.fullmatch(username):
        raise AccountError("username: 2–64 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    _check_password(username, password)
    # "Admin" beside "admin" reads as the same person in every list and log.
    same = func.lower(col(StaffUser.username)) == username.lower()
    if session.exec(select(StaffUser.id).where(same)).first() is not None:
        raise AccountError(f"username {username} is taken (names differ only in case)")
    user = StaffUser(
        username=username, password_hash=_hasher.hash(password), role=role, created_at=now()
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise AccountError(f"username {username} is taken") from error
    return user


def _check_password(username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password must have at least {MIN_PASSWORD} characters")
    if len(set(password)) < MIN_DISTINCT or (
        len(username) >= 4 and username.lower() in password.lower()
    ):
        raise AccountError(
            f"password is too easy to guess: use at least {MIN_DISTINCT} different "
            "characters, and not the username"
        )


def _existing(session: Session, username: str) -> StaffUser:
    user = session.exec(select(StaffUser).where(col(StaffUser.username) == username)).first()
    if user is None:
        raise AccountError(f"there is no staff user {username}")
    return user


def set_password(session: Session, username: str, password: str) -> StaffUser:
    """A new password; every session of the user ends and the count of failed sign-ins
    is cleared."""
    user = _existing(session, username)
    _check_password(username, password)
    user.password_hash = _hasher.hash(password)
    return _settled(session, user, end_sessions=True)


def set_active(session: Session, username: str, active: bool) -> StaffUser:
    """Let a user sign in again, or stop them; stopping ends every session at once."""
    user = _existing(session, username)
    user.active = active
    return _settled(session, user, end_sessions=not active)


def unlock(session: Session, username: str) -> StaffUser:
    """Clear the counts of failed sign-ins that hold the account back: its own, and its
    pair with every network (the owner's own mistypes included)."""
    return _settled(session, _existing(session, username), end_sessions=False)


def _settled(session: Session, user: StaffUser, end_sessions: bool) -> StaffUser:
    session.add(user)
    if end_sessions:
        session.execute(delete(StaffSession).where(col(StaffSession.user_id) == user.id))
    attempts.forget_account(session, _account_key(user.username))
    session.commit()
    return user


def any_user(session: Session) -> bool:
    return session.exec(select(StaffUser.id).limit(1)).first() is not None


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    user = session.exec(select(StaffUser).where(col(StaffUser.username) == username)).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
        session.commit()
    return user


def _account_key(username: str) -> str:
    """What an account's failed sign-ins are counted under."""
    return attempts.key(f"user:{username}")


def sign_in(
    session: Session, username: str, password: str, address: str, known: bool = False
) -> StaffUser | None:
    """`authenticate`, the guess reserved first under the limits (`address` is a key for
    the client's network); raises TooManyAttempts, without trying the password, if one
    holds it back.

    Every guess counts for its pair of account and network. A device that has signed in
    to the account before (`known`) is held back by a pair of its own alone: the
    account-wide and network-wide limits, and the pair a stranger fills, do not slow it.
    """
    account = _account_key(username)
    pair = (attempts.LOGIN_PAIR, attempts.pair_key(account, address, known))
    whole_account = (attempts.LOGIN_ACCOUNT, account)
    network = (attempts.LOGIN_ADDRESS, address)
    wide = [] if known else [whole_account, network]
    attempts.reserve(session, [pair, *wide])
    user = authenticate(session, username, password)
    if user is not None and known:
        attempts.forget(session, [pair])  # strangers' guesses at the account still count
    elif user is not None:
        # The owner is in: the pair's and the account's counts go, but of the network's
        # only this guess, or one account of one's own would clear the way for others.
        attempts.forget(session, [pair, whole_account])
        attempts.release(session, [network])
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: StaffUser, hours: int) -> str:
    """A new login for the user; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    moment = now()
    session.add(
        StaffSession(
            token_hash=_digest(token),
            user_id=user.id,
            created_at=moment,
            expires_at=moment + dt.timedelta(hours=hours),
        )
    )
    session.commit()
    return token


def user_for(session: Session, token: str | None) -> StaffUser | None:
    if not token:
        return None
    login = session.get(StaffSession, _digest(token))
    if login is None or login.expires_at < now():
        return None
    user = session.get(StaffUser, login.user_id)
    return user if user and user.active else None


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(StaffSession).where(col(StaffSession.token_hash) == _digest(token)))
        session.commit()
