"""A loaded shadow definition measures a timeline and scores a checklist through the
timeline and checklist cores: what the file says is what a test is judged by. Most tests
use a small definition built inline; the last ones read the shipped file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from fieldwork.definitions.reading import read_folder
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import definitions
from fieldwork.shadow.checklist import NO, NOT_APPLICABLE, YES
from fieldwork.shadow.timeline import Count, Event, Followed, Interval, Occurs, measure
from tests.questionnaire.test_shadow_definitions import PLATFORMS, small

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
START = dt.datetime(2026, 11, 3, 23, 59, 50, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def covert(tmp_path: Path) -> ShadowDefinition:
    (tmp_path / "covert.yaml").write_text(yaml.safe_dump(small(), allow_unicode=True))
    (tmp_path / "platforms.yaml").write_text(yaml.safe_dump(PLATFORMS, allow_unicode=True))
    return read_folder(tmp_path).shadows["covert"]


def at(seconds: float, code: str, sequence: int = 0) -> Event:
    return Event(code, START + dt.timedelta(seconds=seconds), sequence)


def test_each_indicator_becomes_the_timeline_kind_that_reads_it(covert: ShadowDefinition) -> None:
    assert definitions.indicators(covert) == [
        Interval(
            "first_reply",
            frozenset({"contacted"}),
            frozenset({"bot_replied", "human_replied"}),
            30.0,
        ),
        Count("repeats", frozenset({"bot_replied"}), 2),
        Occurs("reached_human", "human_replied"),
        Followed("transfer_held", "transferred", frozenset({"human_replied"}), frozenset()),
    ]


def test_a_contact_over_midnight_is_measured_by_the_definition(covert: ShadowDefinition) -> None:
    events = [
        at(0, "contacted"),
        at(12, "bot_replied"),  # 00:00:02 the next day
        at(20, "transferred"),
        at(400, "human_replied"),
    ]
    found = {m.code: (m.value, m.passed) for m in measure(events, definitions.indicators(covert))}
    assert found == {
        "first_reply": (12.0, True),
        "repeats": (1, True),
        "reached_human": (1, True),
        "transfer_held": (1, True),
    }


def test_a_test_is_measured_only_by_indicators_of_its_scenario_and_channel(
    covert: ShadowDefinition,
) -> None:
    events = [at(0, "contacted"), at(90, "bot_replied")]
    measured = measure(events, definitions.indicators(covert, "return_request", "phone"))
    assert [m.code for m in measured] == ["repeats", "transfer_held"]


def test_the_checklist_is_scored_with_the_definition_s_weights_and_cap(
    covert: ShadowDefinition,
) -> None:
    clean = definitions.score(covert, {"polite": YES, "no_buck": YES, "policy": NOT_APPLICABLE})
    assert (clean.points, clean.capped) == (100.0, False)
    failed = definitions.score(covert, {"polite": YES, "no_buck": NO, "policy": YES})
    assert failed.points == 50.0  # 2.5 of 4.5 is 55.6, capped at the definition's 50
    assert failed.capped and failed.failed_critical == ("no_buck",)


def test_items_keep_their_critical_and_evidence_marks(covert: ShadowDefinition) -> None:
    items = {item.code: item for item in definitions.items(covert)}
    assert items["no_buck"].critical and not items["no_buck"].evidence
    assert items["policy"].evidence and items["policy"].weight == 1.5


def test_the_shipped_folder_checks_clean_with_a_shadow_definition_and_platforms() -> None:
    catalog = read_folder(QUESTIONNAIRES)
    assert catalog.problems == []
    shipped = catalog.shadows["shadow_after_sales"]
    assert shipped.languages == ("zh-Hans", "zh-Hant", "en")
    assert {p.code for p in catalog.platforms.platforms} >= {"taobao", "jd", "douyin"}
    channels = {c.code for c in catalog.platforms.channels}
    assert {"in_app_chat", "ai_bot", "phone_hotline", "live_stream", "social_media"} <= channels
    assert {s.code for s in shipped.scenarios} == {
        "return_request",
        "refund_chase",
        "repair",
        "complaint",
        "elderly_help",
    }
    assert {i.dimension for i in shipped.indicators} == {
        "response",
        "resolution",
        "experience",
        "compliance",
    }


def test_the_shipped_thresholds_are_the_evaluation_scheme_s() -> None:
    shipped = read_folder(QUESTIONNAIRES).shadows["shadow_after_sales"]
    by_code = {i.code: i for i in shipped.indicators}
    assert by_code["first_reply"].limit == 30
    assert by_code["pickup_within_24h"].limit == 24 * 3600
    assert by_code["refund_within_72h"].limit == 72 * 3600
    assert by_code["live_ai_first_reply"].limit == 15 * 60
    assert by_code["human_within_hour"].limit == 3600
    assert by_code["phone_connected"].rate_at_least == 90
    assert by_code["phone_connected"].channels == ("phone_hotline",)
    assert by_code["first_contact_resolution"].rate_at_least == 80


def test_the_shipped_checklist_covers_elderly_and_dialect_service() -> None:
    shipped = read_folder(QUESTIONNAIRES).shadows["shadow_after_sales"]
    codes = [item.code for item in shipped.items]
    assert any(code.startswith("elderly_") for code in codes)
    assert any(code.startswith("dialect_") for code in codes)
    assert any(item.critical for item in shipped.items)
    assert 0 <= shipped.cap <= 100


def test_a_shipped_return_case_over_days_is_judged_against_24_and_72_hours() -> None:
    shipped = read_folder(QUESTIONNAIRES).shadows["shadow_after_sales"]
    day = 24 * 3600
    events = [
        at(0, "contacted"),
        at(20, "human_replied"),
        at(60, "return_requested"),
        at(60 + day - 1, "picked_up"),  # just inside 24 h
        at(60 + day - 1 + 3 * day + 1, "refunded"),  # one second past 72 h
    ]
    measured = measure(events, definitions.indicators(shipped, "return_request", "in_app_chat"))
    found = {m.code: m.passed for m in measured}
    assert found["pickup_within_24h"] is True
    assert found["refund_within_72h"] is False
    assert found["first_reply"] is True
    assert "phone_connected" not in found and "repair_success" not in found
