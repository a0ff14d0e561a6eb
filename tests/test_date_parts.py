"""The one place that decides how a date is asked in a language: read from Babel's data."""

from __future__ import annotations

import pytest

from fieldwork import date_parts
from fieldwork.config import LANGUAGES
from fieldwork.questionnaire.types import DATE_PARTS


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "zh_Hans"])
def test_chinese_asks_year_month_day_with_the_names_after_the_boxes(language: str) -> None:
    assert date_parts.entry(language) == date_parts.DateEntry(("year", "month", "day"), True)


def test_english_asks_as_babels_english_writes_a_date() -> None:
    """Babel's `en` is American: 11/5/2026, as the check page's "November 5, 2026"."""
    assert date_parts.entry("en") == date_parts.DateEntry(("month", "day", "year"), False)


@pytest.mark.parametrize(
    ("language", "order", "names_after"),
    [
        ("en-GB", ("day", "month", "year"), False),
        ("de", ("day", "month", "year"), False),
        ("ja", ("year", "month", "day"), True),
        ("ko", ("year", "month", "day"), False),
    ],
)
def test_a_language_added_later_gets_its_order_from_the_locale_data(
    language: str, order: tuple[str, ...], names_after: bool
) -> None:
    assert date_parts.entry(language) == date_parts.DateEntry(order, names_after)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_asks_each_part_once_and_names_it(language: str) -> None:
    how = date_parts.entry(language)
    assert sorted(how.order) == sorted(DATE_PARTS)
    assert how.first == how.order[0]
    assert set(date_parts.NAMES) == set(DATE_PARTS)
