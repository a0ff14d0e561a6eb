"""The shadow-test rules on small frozen tests: each edge of an impossible timeline,
evidence missing or reused, and a tester in two contacts at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fieldwork.quality import (
    ALONE,
    Flag,
    Neighbours,
    OtherTest,
    ShadowFacts,
    Subject,
    evaluate,
    settings_of,
)
from fieldwork.quality.contacts import slot_begins, windows, zone
from fieldwork.questionnaire.model import Questionnaire
from tests.shadow.plans import shadows

CHINA = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 11, 3)  # a Tuesday
EVENING = dt.datetime(2026, 11, 3, 19, 30, tzinfo=CHINA)  # within the evening slot (18–22)
NOW = EVENING + dt.timedelta(days=1)
ANSWERS = {"polite": "yes", "no_buck": "yes", "policy": "not_applicable"}


def checklist() -> Questionnaire:
    return shadows().shadows["covert"].questionnaire


def event(code: str, minutes: float, n: int, ahead: float = 0) -> dict[str, Any]:
    at = EVENING + dt.timedelta(minutes=minutes)
    received = at - dt.timedelta(minutes=ahead) if ahead else at + dt.timedelta(seconds=3)
    return {
        "id": f"e{n}",
        "sequence": n,
        "code": code,
        "at": at.isoformat(),
        "received": received.isoformat(),
    }


def timeline(*steps: tuple[str, float]) -> list[dict[str, Any]]:
    return [event(code, minutes, n) for n, (code, minutes) in enumerate(steps, start=1)]


CONTACT = timeline(("contacted", 0), ("bot_replied", 0.5), ("contact_ended", 10))


def frozen(
    events: list[dict[str, Any]] | None = None,
    evidence: list[dict[str, Any]] | None = None,
    **plan: Any,
) -> dict[str, Any]:
    return {
        "test": 7,
        "definition": "covert",
        "scenario": "complaint",
        "slot": "weekday_evening",
        "planned_on": DAY.isoformat(),
        "spans_days": False,
        "tester": 2,
        "events": CONTACT if events is None else events,
        "evidence": evidence or [],
        **plan,
    }


def subject(test: dict[str, Any], answers: dict[str, str] | None = None) -> Subject:
    return Subject(
        id=0,
        questionnaire_id="covert",
        mode="shadow",
        answers=answers or ANSWERS,
        submitted_at=NOW,
        shadow=test,
    )


def flags(test: dict[str, Any], around: Neighbours = ALONE, **answers: str) -> dict[str, Flag]:
    questionnaire = checklist()
    found = evaluate(
        questionnaire,
        settings_of(questionnaire.definition),
        subject(test, {**ANSWERS, **answers}),
        around,
        NOW,
    )
    return {flag.rule: flag for flag in found if flag.rule.startswith("shadow-")}


def reasons(test: dict[str, Any]) -> tuple[Any, ...]:
    found = flags(test).get("shadow-timeline")
    return () if found is None else tuple(found.param("reasons") or ())


def test_a_contact_within_its_slot_raises_nothing() -> None:
    assert flags(frozen()) == {}


def test_an_event_before_the_planned_slot_sends_the_test_to_review() -> None:
    early = [event("contacted", -120, 1), event("bot_replied", -119, 2)]  # 17:30, slot at 18
    found = flags(frozen(early))["shadow-timeline"]
    assert found.severity == "review"
    assert found.param("reasons") == ("before-slot",)
    assert (found.param("first"), found.param("slot_begins")) == (
        "2026-11-03 17:30",
        "2026-11-03 18:00",
    )


def test_the_slot_is_read_in_the_zone_handed_in() -> None:
    early = [event("contacted", -120, 1), event("bot_replied", -119, 2)]
    # 17:30 in China is 10:30 in Berlin, after a Berlin morning slot began at 06:00.
    morning = frozen(early, slot="weekday_morning")
    assert flags(morning, Neighbours(shadow=ShadowFacts(zone="Europe/Berlin"))) == {}
    assert "before-slot" in reasons(frozen(early, slot="weekday_evening"))


def test_a_night_slot_begins_at_ten_in_the_evening_of_the_planned_day() -> None:
    begins = slot_begins("2026-11-03", "weekend_night", zone("Asia/Shanghai"))
    assert begins is not None and begins.isoformat() == "2026-11-03T22:00:00+08:00"
    assert slot_begins(None, "weekend_night", zone("Asia/Shanghai")) is None


def test_a_test_without_a_planned_day_is_not_judged_by_its_slot() -> None:
    early = [event("contacted", -600, 1), event("bot_replied", -599, 2)]
    assert reasons(frozen(early, planned_on=None)) == ()


def test_a_contact_over_24_hours_is_flagged_unless_the_test_spans_days() -> None:
    long = timeline(("contacted", 0), ("bot_replied", 1), ("contact_ended", 25 * 60))
    found = flags(frozen(long))["shadow-timeline"]
    assert found.param("reasons") == ("too-long",)
    assert found.param("hours") == 25.0
    assert reasons(frozen(long, spans_days=True)) == ()


def test_a_reply_before_the_first_contact_is_flagged() -> None:
    found = flags(frozen(timeline(("bot_replied", 0), ("contacted", 1))))["shadow-timeline"]
    assert found.param("reasons") == ("reply-first",)
    assert (found.param("event"), found.param("contacted")) == ("bot_replied", "2026-11-03 19:31")


def test_a_device_clock_ahead_of_the_server_is_flagged_beyond_two_minutes() -> None:
    ahead = [event("contacted", 0, 1, ahead=4), event("bot_replied", 1, 2)]
    found = flags(frozen(ahead))["shadow-timeline"]
    assert (found.param("reasons"), found.param("ahead")) == (("clock-ahead",), 4.0)
    assert reasons(frozen([event("contacted", 0, 1, ahead=1.5)])) == ()


def test_every_finding_of_a_timeline_is_one_flag_with_its_reasons() -> None:
    bad = [event("human_replied", -200, 1, ahead=3), event("contacted", 26 * 60, 2)]
    assert reasons(frozen(bad)) == ("before-slot", "too-long", "reply-first", "clock-ahead")


def test_an_item_needing_evidence_answered_without_a_file_is_flagged() -> None:
    found = flags(frozen(), policy="no")["shadow-evidence-missing"]
    assert (found.severity, found.param("items")) == ("review", ("policy",))


def test_an_item_with_its_file_or_not_applicable_needs_nothing_more() -> None:
    backed = frozen(evidence=[{"id": 1, "item": "policy", "original_sha256": "ab" * 32}])
    assert "shadow-evidence-missing" not in flags(backed, policy="yes")
    assert "shadow-evidence-missing" not in flags(frozen(), policy="not_applicable")
    # A file for another item does not back this one.
    elsewhere = frozen(evidence=[{"id": 1, "item": "polite", "original_sha256": "ab" * 32}])
    assert "shadow-evidence-missing" in flags(elsewhere, policy="yes")


def test_a_file_reused_from_an_earlier_test_rejects() -> None:
    reused = Neighbours(shadow=ShadowFacts(reused=(("ab" * 32, 41), ("ab" * 32, 40))))
    found = flags(frozen(), reused)["shadow-evidence-reused"]
    assert (found.severity, found.param("earlier"), found.param("files")) == ("reject", 40, 1)


def other(*steps: tuple[str, float], spans_days: bool = False, test: int = 9) -> OtherTest:
    return OtherTest(
        test=test,
        response=None,
        spans_days=spans_days,
        events=tuple((code, EVENING + dt.timedelta(minutes=m)) for code, m in steps),
    )


def around(*others: OtherTest) -> Neighbours:
    return Neighbours(shadow=ShadowFacts(others=others))


def test_overlapping_contacts_of_one_tester_are_flagged() -> None:
    found = flags(frozen(), around(other(("contacted", 5), ("contact_ended", 30))))
    overlap = found["shadow-contacts-overlap"]
    assert overlap.severity == "review"
    assert (overlap.param("test"), overlap.param("minutes"), overlap.param("at")) == (
        9,
        5.0,
        "2026-11-03 19:35",
    )


def test_contacts_back_to_back_do_not_overlap() -> None:
    found = flags(frozen(), around(other(("contacted", 10), ("contact_ended", 30))))
    assert "shadow-contacts-overlap" not in found


def test_a_case_over_days_counts_its_contacts_not_the_days_between() -> None:
    # The other test's contacts: yesterday evening and tomorrow; this one's falls between.
    case = other(
        ("contacted", -24 * 60),
        ("contact_ended", -24 * 60 + 15),
        ("contacted", 24 * 60),
        ("contact_ended", 24 * 60 + 15),
        spans_days=True,
    )
    assert "shadow-contacts-overlap" not in flags(frozen(), around(case))
    # Without "spans days" and without contact events, the whole timeline is one contact.
    plain = other(("return_requested", -30), ("picked_up", 60))
    assert "shadow-contacts-overlap" in flags(frozen(), around(plain))
    assert windows([]) == []


def test_the_rules_judge_only_shadow_checklists() -> None:
    from tests.quality.factories import survey

    online = survey()
    found = evaluate(
        online,
        settings_of(online.definition),
        Subject(id=1, questionnaire_id=online.id, mode="online", answers={}, submitted_at=NOW),
        ALONE,
        NOW,
    )
    assert not [f for f in found if "shadow" in str(f.params) or f.rule.startswith("shadow-")]


def every_shadow_flag() -> list[Flag]:
    """One flag of each shadow rule, with every reason: for the wording test."""
    bad = [event("human_replied", -200, 1, ahead=3), event("contacted", 26 * 60, 2)]
    facts = ShadowFacts(
        reused=(("ab" * 32, 3),),
        others=(other(("contacted", -210), ("contact_ended", 27 * 60)),),
    )
    return list(flags(frozen(bad), Neighbours(shadow=facts), policy="no").values())
