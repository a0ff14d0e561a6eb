"""A language's UI catalog outside a request, for words that are not the reader's.

Flask-Babel translates into the language of the request. A printed sheet is worded in
its own language, whoever prints it and from wherever (a page, the CLI, a benchmark), so
the paper layout asks here for that language's catalog by its BCP 47 tag. It reads the
same compiled catalogs in `translations/` as the app.

Babel only, no Flask: a service may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from fieldwork.config import LANGUAGES, ROOT

SOURCE_LANGUAGE = "en"
"""UI strings are written in English: it has no catalog."""

DIRECTORY = ROOT / "translations"

Gettext = Callable[[str], str]


@lru_cache(maxsize=2 * len(LANGUAGES))
def translations(language: str, directory: Path = DIRECTORY) -> NullTranslations:
    """The compiled catalog of `language` (a tag of `LANGUAGES`) in `directory`. A missing
    catalog is an error, not English: a sheet printed in the wrong language would go out
    unnoticed."""
    if language not in LANGUAGES:
        raise ValueError(f"{language!r} is not one of the UI languages {LANGUAGES}")
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    locale = language.replace("-", "_")
    path = directory / locale / "LC_MESSAGES" / "messages.mo"
    if not path.exists():
        raise LookupError(f"no compiled catalog {path}: run `flask fieldwork translations compile`")
    return Translations.load(str(directory), [locale])


def gettext(language: str) -> Gettext:
    """`gettext` in `language`, as `paper.words` takes it."""
    return translations(language).gettext
