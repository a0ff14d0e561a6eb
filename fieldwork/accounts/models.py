"""Tables for staff users and their sessions."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

ROLES = ("admin", "reviewer", "fieldworker", "tester")


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)
    active: bool = True
    created_at: dt.datetime


class StaffSession(SQLModel, table=True):
    """A login. The cookie holds a random token; only its hash is stored, and logout deletes
    the row, so a copied cookie is worthless afterwards."""

    __tablename__ = "staff_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    created_at: dt.datetime
    expires_at: dt.datetime
