"""Configuration defaults with absolute paths, overridden by FIELDWORK_* environment variables.

Flask's root is `fieldwork/`, so every folder outside it is given as an
absolute path from the project root (Flask-Babel would otherwise look for
`fieldwork/translations`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fieldwork import private

ROOT = Path(__file__).resolve().parent.parent

LANGUAGES = ("zh-Hans", "zh-Hant", "en")
"""UI languages as BCP 47 tags; the first is the default."""


def defaults(instance_path: Path) -> dict[str, Any]:
    return {
        "DATABASE_URL": f"sqlite:///{instance_path / 'fieldwork.db'}",
        "QUESTIONNAIRES_DIR": str(ROOT / "questionnaires"),
        "EXPORTS_DIR": str(instance_path / "exports"),  # batch files, written once each
        # A batch with more responses has its files written in the background, with a
        # progress page: writing them inside the download request would outlast its timeout.
        "EXPORT_INLINE_LIMIT": 5000,
        "PAPER_FONTS_DIR": str(instance_path / "paper-fonts"),  # font subsets per sheet design
        # Shadow tests' screenshots and photos, as re-encoded: outside the web root, served
        # only through the reviewers' pages (`fieldwork.shadow.evidence`).
        "EVIDENCE_DIR": str(instance_path / "evidence"),
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "BABEL_DEFAULT_LOCALE": "zh_Hans",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "STATIC_DIR": str(ROOT / "static"),
        # Drafts and answers live in the database; the cookie only points at them, and
        # lasts long enough that no one loses answers to a timeout.
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
        # The cookie is sent only when the session changes. Refreshed on every response, a
        # stylesheet or a 404 answered after a newer page put back the session it was asked
        # with, and a draft or form token the newer page had stored was lost.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # A page left open for hours must still send; tokens die with the session instead.
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        # Reverse proxies in front of the app (0: clients connect directly). Behind one, the
        # address hashed for duplicate checks is the client's from X-Forwarded-For; without
        # this it would be the proxy's, the same for everyone. A header a client sends
        # itself is ignored unless a proxy is declared here.
        "PROXIES": 0,
        "STAFF_SESSION_HOURS": 12,
        "RESUME_DAYS": 30,
    }


def from_environment() -> dict[str, Any]:
    """FIELDWORK_SECRET_KEY, FIELDWORK_DATABASE_URL, … without the prefix."""
    prefix = "FIELDWORK_"
    return {k[len(prefix) :]: v for k, v in os.environ.items() if k.startswith(prefix)}


def check(config: dict[str, Any]) -> None:
    """Refuse to start with a setting no request could work with, saying which and why;
    settings from the environment arrive as text, and are made what the app reads."""
    try:
        ZoneInfo(config["BABEL_DEFAULT_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise RuntimeError(
            f"FIELDWORK_BABEL_DEFAULT_TIMEZONE: {config['BABEL_DEFAULT_TIMEZONE']!r} is not a "
            "time zone name such as Asia/Shanghai or UTC"
        ) from None
    for key, (least, most, meaning) in WHOLE_NUMBERS.items():
        try:
            config[key] = int(config[key])
        except (TypeError, ValueError):
            config[key] = least - 1
        if not least <= config[key] <= most:
            raise RuntimeError(f"FIELDWORK_{key}: {meaning}, a whole number from {least} to {most}")


WHOLE_NUMBERS = {
    "PROXIES": (0, 10, "how many reverse proxies stand in front of the app (0: none)"),
    "STAFF_SESSION_HOURS": (1, 24 * 30, "how many hours a staff sign-in lasts"),
    "RESUME_DAYS": (1, 365, "how many days a resume code keeps a draft"),
}
"""Settings that are counts, as (smallest, largest, what it is): from the environment they
arrive as text."""


SECRET_FILES = ("secret_key", "ip_hash_key", "admin-password")


def kept_private(instance_path: Path, config: dict[str, Any]) -> list[Path]:
    """What must be owner-only, tightened at every start (`fieldwork.private.tighten`): the
    instance folder, the secrets in it and the folders of batch files, fonts and evidence.
    The database files are the database's (`fieldwork.db`)."""
    folders = ("EXPORTS_DIR", "PAPER_FONTS_DIR", "EVIDENCE_DIR")
    return [
        instance_path,
        *(instance_path / name for name in SECRET_FILES),
        *(Path(config[key]) for key in folders),
    ]


def instance_secret(instance_path: Path, name: str) -> str:
    """A random secret kept in the instance folder, made on first use.

    gunicorn's workers start at once: each used to see no file and write its own secret,
    and until a restart they signed cookies and hashed addresses with different keys.
    The secret is written whole to a private file (mode 0600 from the start, never
    readable by others meanwhile) and then linked into place, which only one process
    can do; the others read the winner's.
    """
    path = instance_path / name
    if not path.exists():
        private.folder(instance_path)
        draft = instance_path / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        handle = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(handle, secrets.token_hex(32).encode("ascii"))
        finally:
            os.close(handle)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()
