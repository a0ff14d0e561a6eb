"""The overview's counts per day: days of the staff's time zone, on SQLite and PostgreSQL.

Run with FIELDWORK_TEST_DATABASE_URL set to check PostgreSQL's own conversion; SQLite's
shifts by offset are checked both ways, across a daylight-saving change too.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask

from fieldwork import db
from fieldwork.responses import days
from tests.review.factories import add_response

UTC = dt.UTC


def counted(app: Flask, zone: str) -> list[tuple[dt.date, int]]:
    with app.app_context():
        return [(row.day, row.count) for row in days.by_day(db.session(), zone)]


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


def test_days_are_those_of_the_zone_not_utc(app: Flask) -> None:
    add_response(app, submitted_at=at(2026, 11, 3, 15, 59))  # 23:59 in Shanghai
    add_response(app, submitted_at=at(2026, 11, 3, 16, 0))  # midnight in Shanghai
    add_response(app, submitted_at=at(2026, 11, 4, 15, 30))
    assert counted(app, "Asia/Shanghai") == [(dt.date(2026, 11, 4), 2), (dt.date(2026, 11, 3), 1)]
    assert counted(app, "UTC") == [(dt.date(2026, 11, 4), 1), (dt.date(2026, 11, 3), 2)]


def test_days_follow_daylight_saving_time(app: Flask) -> None:
    # New York moves from UTC−5 to UTC−4 at 07:00 UTC on 8 March 2026.
    add_response(app, submitted_at=at(2026, 3, 1, 4, 30))  # 23:30 on 28 February
    add_response(app, submitted_at=at(2026, 3, 9, 4, 30))  # 00:30 on 9 March, not 23:30
    add_response(app, submitted_at=at(2026, 11, 2, 4, 30))  # back to UTC−5: 23:30 on 1 Nov
    assert counted(app, "America/New_York") == [
        (dt.date(2026, 11, 1), 1),
        (dt.date(2026, 3, 9), 1),
        (dt.date(2026, 2, 28), 1),
    ]


def test_no_responses_no_days(app: Flask) -> None:
    assert counted(app, "Asia/Shanghai") == []


def test_offsets_change_exactly_at_the_zones_transitions() -> None:
    london = ZoneInfo("Europe/London")
    spans = days.offsets(london, at(2026, 1, 1, 0, 0), at(2026, 12, 31, 0, 0))
    assert spans == [
        (at(2026, 1, 1, 0, 0), 0),
        (at(2026, 3, 29, 1, 0), 3600),
        (at(2026, 10, 25, 1, 0), 0),
    ]
    assert days.offsets(ZoneInfo("Asia/Shanghai"), at(2020, 1, 1), at(2026, 1, 1)) == [
        (at(2020, 1, 1), 8 * 3600)
    ]
