"""An event timeline measured against thresholds: the edges a real contact has — no reply
at all, a drop during transfer, a human before the bot, midnight, a case over days, and a
queue sent late from a phone that was offline."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldwork.shadow.timeline import (
    Count,
    Event,
    Followed,
    Interval,
    Measure,
    Occurs,
    Rate,
    measure,
    ordered,
    rates,
    runs_backwards,
)

START = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
REPLIES = frozenset({"bot_replied", "human_replied"})
ENDS = frozenset({"dropped", "ended"})
CONTACT = (
    Interval("first_reply", frozenset({"contacted"}), REPLIES, at_most_seconds=30),
    Interval("to_human", frozenset({"contacted"}), frozenset({"human_replied"}), 3600),
    Count("bot_loops", frozenset({"bot_repeated"}), at_most=1),
    Followed("transfers", "transferred", frozenset({"human_replied"}), ENDS),
    Count("drops", frozenset({"dropped"}), at_most=0),
    Occurs("resolved", "solved"),
)


def timeline(*steps: tuple[str, float]) -> list[Event]:
    """Events at so many seconds after START, logged in the order given."""
    return [
        Event(code, START + dt.timedelta(seconds=seconds), n)
        for n, (code, seconds) in enumerate(steps)
    ]


def results(events: list[Event]) -> dict[str, tuple[float | None, bool]]:
    return {m.code: (m.value, m.passed) for m in measure(events, CONTACT)}


def test_a_good_contact_passes_every_indicator() -> None:
    found = results(
        timeline(
            ("contacted", 0),
            ("bot_replied", 12),
            ("asked_human", 40),
            ("transferred", 45),
            ("human_replied", 300),
            ("solved", 900),
            ("ended", 905),
        )
    )
    assert found == {
        "first_reply": (12.0, True),
        "to_human": (300.0, True),
        "bot_loops": (0, True),
        "transfers": (1, True),
        "drops": (0, True),
        "resolved": (1, True),
    }


def test_no_reply_at_all_fails_the_reply_times_instead_of_passing_them() -> None:
    found = results(timeline(("contacted", 0), ("ended", 600)))
    assert found["first_reply"] == (None, False)
    assert found["to_human"] == (None, False)
    assert found["resolved"] == (0, False)


def test_a_line_dropped_during_a_transfer_is_a_failed_transfer() -> None:
    events = timeline(
        ("contacted", 0),
        ("bot_replied", 5),
        ("transferred", 30),
        ("dropped", 95),
        ("contacted", 200),
        ("bot_replied", 210),
        ("transferred", 220),
        ("human_replied", 280),
    )
    by_code = {m.code: m for m in measure(events, CONTACT)}
    assert by_code["transfers"] == Measure("transfers", 1, False, of=2)
    assert by_code["drops"].passed is False
    assert by_code["to_human"].value == 280.0  # from the first contact


def test_a_human_who_replies_before_the_bot_is_the_first_reply() -> None:
    found = results(timeline(("contacted", 0), ("human_replied", 20), ("bot_replied", 25)))
    assert found["first_reply"] == (20.0, True)
    assert found["to_human"] == (20.0, True)


def test_a_reply_before_any_contact_is_not_a_reply_to_it() -> None:
    found = results(timeline(("bot_replied", 0), ("contacted", 10), ("bot_replied", 70)))
    assert found["first_reply"] == (60.0, False)


def test_a_contact_over_midnight_is_measured_across_it() -> None:
    late = START.replace(hour=23, minute=59, second=50)
    events = [
        Event("contacted", late, 0),
        Event("bot_replied", late + dt.timedelta(seconds=25), 1),  # 00:00:15 next day
    ]
    assert results(events)["first_reply"] == (25.0, True)


def test_a_case_over_days_is_judged_against_its_own_thresholds() -> None:
    day = 24 * 3600.0
    case = (
        Interval("pickup", frozenset({"requested"}), frozenset({"picked_up"}), day),
        Interval("refund", frozenset({"picked_up"}), frozenset({"refunded"}), 3 * day),
    )
    events = timeline(("requested", 0), ("picked_up", 0.9 * day), ("refunded", 4.5 * day))
    found = {m.code: (m.value, m.passed) for m in measure(events, case)}
    assert found == {"pickup": (0.9 * day, True), "refund": (3.6 * day, False)}


def test_a_queue_sent_late_reads_in_the_order_things_happened() -> None:
    """The offline queue arrives after events logged later online: device times decide."""
    happened = timeline(("contacted", 0), ("bot_replied", 8), ("bot_repeated", 30))
    arrived = [happened[2], happened[0], happened[1]]
    assert ordered(arrived) == happened
    assert results(arrived) == results(happened)


def test_events_logged_in_the_same_second_keep_the_order_they_were_logged() -> None:
    same = [Event("transferred", START, 1), Event("dropped", START, 2)]
    assert [e.code for e in ordered(list(reversed(same)))] == ["transferred", "dropped"]


def test_a_queue_arriving_out_of_order_does_not_run_backwards() -> None:
    contacted, replied, solved = timeline(("contacted", 0), ("bot_replied", 9), ("solved", 60))
    assert not runs_backwards([solved], contacted)  # the last tap arrived first
    assert not runs_backwards([contacted, solved], replied)


def test_a_later_tap_with_an_earlier_time_runs_backwards() -> None:
    contacted, replied = timeline(("contacted", 30), ("bot_replied", 10))
    assert runs_backwards([contacted], replied)
    assert runs_backwards([replied], contacted)  # and the other way round


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        measure([Event("contacted", START.replace(tzinfo=None))], CONTACT)


def test_rates_roll_up_per_platform_and_channel_with_the_tests_behind_them() -> None:
    solved = timeline(("contacted", 0), ("bot_replied", 5), ("solved", 60))
    unsolved = timeline(("contacted", 0), ("dropped", 40))
    tests = [
        (("jd", "hotline"), measure(solved, CONTACT)),
        (("jd", "hotline"), measure(unsolved, CONTACT)),
        (("jd", "hotline"), measure(solved, CONTACT)),
        (("taobao", "chat"), measure(unsolved, CONTACT)),
    ]
    rolled = {group: {r.code: r for r in found} for group, found in rates(tests).items()}
    assert rolled["jd", "hotline"]["resolved"] == Rate("resolved", 2, 3)
    assert rolled["jd", "hotline"]["resolved"].share == pytest.approx(2 / 3)
    assert rolled["taobao", "chat"]["first_reply"] == Rate("first_reply", 0, 1)
