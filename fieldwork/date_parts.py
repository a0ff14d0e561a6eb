"""How a date is asked in a language: the order of its three boxes and where their names go.

The one place that decides it, for every mode: the online form and paper entry ask a
sheet's or a request's language the same way. The order comes from Babel's locale data
(CLDR's numeric year-month-day pattern), so a language added to `LANGUAGES` gets its
order for free: Chinese asks year, month, day; American English month, day, year;
British English day, month, year. Whether each box's name follows it comes from the
same data: where the long date writes a word after each number (2026年11月5日), the
names 年 / 月 / 日 stand after the boxes; elsewhere above them.

Pure: it imports Babel only, so a core, a service or the web may use it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.dates import tokenize_pattern

from fieldwork.questionnaire.types import DATE_PARTS as PARTS

_FIELDS = {"y": "year", "M": "month", "L": "month", "d": "day"}
"""CLDR pattern letters of the three parts (L is a month standing alone)."""


def N_(message: str) -> str:
    """Mark a message for translation without translating it (pybabel extracts `N_`)."""
    return message


NAMES: Mapping[str, str] = {"year": N_("Year"), "month": N_("Month"), "day": N_("Day")}
"""Each box's name as a UI message id: the page and the paper screen translate it."""


@dataclass(frozen=True)
class DateEntry:
    """The boxes of a date in one language."""

    order: tuple[str, ...]  # the parts, first box first
    names_after: bool  # each box's name follows it (2026 年), else it stands above

    @property
    def first(self) -> str:
        """The part of the first box: where an error about the whole date leads."""
        return self.order[0]


@lru_cache(maxsize=32)
def entry(language: str) -> DateEntry:
    """How a date is asked in a language, given as a BCP 47 tag (`zh-Hans`) or a Babel id."""
    locale = Locale.parse(language.replace("-", "_"))
    numeric = locale.datetime_skeletons.get("yMd") or locale.date_formats["short"]
    order = tuple(dict.fromkeys(part for part, _after in _fields(numeric.pattern)))
    if sorted(order) != sorted(PARTS):  # no CLDR locale lacks one; keep the type's order
        order = PARTS
    long = locale.date_formats["long"].pattern
    names_after = all(_is_word(after) for _part, after in _fields(long))
    return DateEntry(order, names_after)


def _fields(pattern: str) -> list[tuple[str, str]]:
    """The year, month and day fields of a CLDR pattern, each with the text that follows it."""
    tokens = tokenize_pattern(pattern)
    found = []
    following = [*tokens[1:], ("chars", "")]
    for (kind, value), (next_kind, next_value) in zip(tokens, following, strict=True):
        if kind == "field" and value[0] in _FIELDS:
            after = next_value if next_kind == "chars" and isinstance(next_value, str) else ""
            found.append((_FIELDS[value[0]], after))
    return found


def _is_word(text: str) -> bool:
    """Whether a pattern's literal starts with a letter (年), not a separator (/ , .)."""
    return bool(text) and unicodedata.category(text[0]).startswith("L")
