"""Locales: choosing one per request, formatting with Babel, and picking questionnaire text.

Two channels never mix: UI strings go through the gettext catalogs in
`translations/`; questionnaire wording comes from the questionnaire file.
Locales are BCP 47 tags (`zh-Hans`) in URLs, `<html lang>` and files, and
Babel identifiers (`zh_Hans`) only where Babel needs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from flask import Flask, g, request, session
from flask_babel import Babel
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from fieldwork import date_parts
from fieldwork.config import LANGUAGES

DEFAULT = LANGUAGES[0]

# Accept-Language tags that name a script by region: mainland and Singapore write
# Simplified, Taiwan, Hong Kong and Macau Traditional.
_REGION_SCRIPT = {
    "cn": "zh-Hans",
    "sg": "zh-Hans",
    "tw": "zh-Hant",
    "hk": "zh-Hant",
    "mo": "zh-Hant",
}


def babel_id(tag: str) -> str:
    return tag.replace("-", "_")


def from_accept_language(header_values: list[tuple[str, float]]) -> str | None:
    """The best of our languages for an Accept-Language header, or None."""
    for value, _quality in header_values:
        parts = value.lower().replace("_", "-").split("-")
        if parts[0] == "en":
            return "en"
        if parts[0] == "zh":
            for part in parts[1:]:
                if part in ("hans", "hant"):
                    return f"zh-{part.capitalize()}"
                if part in _REGION_SCRIPT:
                    return _REGION_SCRIPT[part]
            return "zh-Hans"
    return None


def current() -> str:
    """This request's language: explicit choice > invitation link > browser > zh-Hans."""
    if "locale" not in g:
        g.locale = (
            _known(session.get("lang"))
            or _known(session.get("link_lang"))
            or _from_header(request.headers.get("Accept-Language", ""))
            or DEFAULT
        )
    locale: str = g.locale
    return locale


@lru_cache(maxsize=256)
def _from_header(header: str) -> str | None:
    """Browsers send a handful of distinct headers: parse each once per process."""
    return from_accept_language(list(parse_accept_header(header, LanguageAccept)))


def _known(tag: object) -> str | None:
    return tag if isinstance(tag, str) and tag in LANGUAGES else None


def text(value: Mapping[str, str] | None, languages: tuple[str, ...] = LANGUAGES) -> str:
    """A questionnaire text in the current language, else the questionnaire's first one."""
    if not value:
        return ""
    locale = current()
    if locale in value:
        return value[locale]
    return next((value[lang] for lang in languages if lang in value), "")


def date_entry() -> date_parts.DateEntry:
    """How this request's language asks a date: its boxes' order, their names' place."""
    return date_parts.entry(current())


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=lambda: babel_id(current()))
    app.jinja_env.globals["qtext"] = text
    app.jinja_env.globals["current_locale"] = current
    app.jinja_env.globals["date_entry"] = date_entry
    app.jinja_env.globals["date_part_names"] = date_parts.NAMES
