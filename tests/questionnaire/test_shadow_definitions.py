"""Shadow-test definitions (`kind: shadow`): loaded into a model, and every meaning check
naming what is wrong, with a message, as `flask fieldwork check` prints it.

Each test writes a small definition (a dict dumped to YAML) and loads its folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fieldwork.definitions.reading import read_folder
from fieldwork.questionnaire.loader import Catalog
from fieldwork.questionnaire.shadow import COUNT, FOLLOWED, INTERVAL, OCCURS

LANGUAGES = ["en", "zh-Hans"]


def text(en: str) -> dict[str, str]:
    return {"en": en, "zh-Hans": f"{en}（中文）"}


def small() -> dict[str, Any]:
    """Two scenarios, four events, one indicator of each kind, three checklist items."""
    return {
        "id": "covert",
        "version": "1",
        "kind": "shadow",
        "languages": list(LANGUAGES),
        "title": text("Covert test"),
        "scenarios": [
            {"code": "return_request", "name": text("Return request")},
            {"code": "complaint", "name": text("Complaint")},
        ],
        "events": [
            {"code": code, "label": text(code)}
            for code in ("contacted", "bot_replied", "transferred", "human_replied")
        ],
        "indicators": [
            {
                "code": "first_reply",
                "dimension": "response",
                "name": text("First reply"),
                "channels": ["chat"],
                "interval": {
                    "from": ["contacted"],
                    "to": ["bot_replied", "human_replied"],
                    "at_most_seconds": 30,
                },
            },
            {
                "code": "repeats",
                "dimension": "experience",
                "name": text("Repeats"),
                "count": {"events": ["bot_replied"], "at_most": 2},
            },
            {
                "code": "reached_human",
                "dimension": "resolution",
                "name": text("Reached a human"),
                "scenarios": ["complaint"],
                "rate_at_least": 90,
                "occurs": {"event": "human_replied"},
            },
            {
                "code": "transfer_held",
                "dimension": "response",
                "name": text("Transfer held"),
                "followed": {"event": "transferred", "by": ["human_replied"]},
            },
        ],
        "checklist": {
            "cap": 50,
            "items": [
                {"code": "polite", "text": text("Polite"), "weight": 1, "not_applicable": False},
                {"code": "no_buck", "text": text("No buck passing"), "weight": 2, "critical": True},
                {"code": "policy", "text": text("Policy"), "weight": 1.5, "evidence": True},
            ],
        },
    }


PLATFORMS = {
    "languages": list(LANGUAGES),
    "channels": [{"code": "chat", "name": text("Chat")}, {"code": "phone", "name": text("Phone")}],
    "platforms": [{"code": "shop", "name": text("Shop"), "channels": ["chat", "phone"]}],
}


def load(tmp_path: Path, definition: dict[str, Any], platforms: Any = PLATFORMS) -> Catalog:
    (tmp_path / "covert.yaml").write_text(yaml.safe_dump(definition, allow_unicode=True))
    if platforms is not None:
        (tmp_path / "platforms.yaml").write_text(yaml.safe_dump(platforms, allow_unicode=True))
    return read_folder(tmp_path)


def problems(catalog: Catalog) -> list[tuple[str, str]]:
    return [(p.location, p.code) for p in catalog.problems]


def test_a_shadow_definition_loads_into_its_own_model(tmp_path: Path) -> None:
    catalog = load(tmp_path, small())
    assert catalog.problems == []
    assert catalog.questionnaires == {}  # not a questionnaire of sections and questions
    covert = catalog.shadows["covert"]
    assert [s.code for s in covert.scenarios] == ["return_request", "complaint"]
    assert covert.events[0].label["zh-Hans"] == "contacted（中文）"
    measures = [(i.code, i.measure, i.dimension) for i in covert.indicators]
    assert measures == [
        ("first_reply", INTERVAL, "response"),
        ("repeats", COUNT, "experience"),
        ("reached_human", OCCURS, "resolution"),
        ("transfer_held", FOLLOWED, "response"),
    ]
    assert covert.indicators[0].limit == 30
    assert covert.indicators[2].rate_at_least == 90
    assert covert.cap == 50
    polite, no_buck, policy = covert.items
    assert (polite.not_applicable, no_buck.critical, policy.evidence) == (False, True, True)
    assert no_buck.not_applicable  # allowed unless the item says otherwise


def test_indicators_apply_to_their_scenarios_and_channels(tmp_path: Path) -> None:
    covert = load(tmp_path, small()).shadows["covert"]
    on_phone = [i.code for i in covert.indicators_for("return_request", "phone")]
    assert on_phone == ["repeats", "transfer_held"]
    on_chat = [i.code for i in covert.indicators_for("complaint", "chat")]
    assert on_chat == ["first_reply", "repeats", "reached_human", "transfer_held"]


def test_a_file_without_a_kind_of_shadow_still_needs_sections(tmp_path: Path) -> None:
    definition = small()
    definition["kind"] = "checklist"
    catalog = load(tmp_path, definition)
    assert catalog.shadows == {} and catalog.questionnaires == {}
    messages = " ".join(p.message for p in catalog.problems)
    assert "'sections' is a required property" in messages


def test_a_shadow_definition_has_no_sections(tmp_path: Path) -> None:
    definition = small()
    definition["sections"] = []
    catalog = load(tmp_path, definition)
    assert "covert" not in catalog.shadows
    assert "covert.yaml: -: a definition of kind shadow has no sections" in map(
        str, catalog.problems
    )


def test_a_questionnaire_has_no_checklist_of_a_shadow_definition(tmp_path: Path) -> None:
    definition = small()
    definition["kind"] = "survey"
    definition["sections"] = [{"code": "main", "title": text("Main"), "questions": []}]
    found = [str(p) for p in load(tmp_path, definition).problems]
    assert "covert.yaml: -: a definition of kind survey has no checklist" in found
    assert "covert.yaml: -: a definition of kind survey has no events" in found


def test_a_shadow_definition_needs_its_events(tmp_path: Path) -> None:
    definition = small()
    del definition["events"]
    catalog = load(tmp_path, definition)
    assert "'events' is a required property" in " ".join(p.message for p in catalog.problems)


def broken(change: str) -> dict[str, Any]:
    """The small definition with one thing wrong."""
    definition = small()
    indicators, items = definition["indicators"], definition["checklist"]["items"]
    if change == "unknown-event":
        indicators[0]["interval"]["to"] = ["bot_replied", "human_answered"]
    elif change == "unknown-event-unless":
        indicators[3]["followed"]["unless"] = ["line_dropped"]
    elif change == "weight-zero":
        items[0]["weight"] = 0
    elif change == "weight-negative":
        items[1]["weight"] = -1
    elif change == "cap-high":
        definition["checklist"]["cap"] = 120
    elif change == "cap-negative":
        definition["checklist"]["cap"] = -5
    elif change == "item-twice":
        items.append({**items[0], "text": text("Polite again")})
    elif change == "event-twice":
        definition["events"].append({"code": "contacted", "label": text("Again")})
    elif change == "scenario-twice":
        definition["scenarios"].append({"code": "complaint", "name": text("Again")})
    elif change == "indicator-twice":
        indicators.append({**indicators[1]})
    elif change == "item-text-language":
        items[2]["text"] = {"en": "Policy"}
    elif change == "event-label-language":
        definition["events"][1]["label"] = {"en": "Bot replied", "zh-Hans": " "}
    elif change == "scenario-name-language":
        definition["scenarios"][0]["name"] = {"zh-Hans": "退货"}
    elif change == "indicator-name-language":
        indicators[1]["name"] = {"en": "Repeats", "zh-Hans": "重复", "fr": "Répétitions"}
    elif change == "unknown-scenario":
        indicators[2]["scenarios"] = ["repair"]
    elif change == "rate-high":
        indicators[2]["rate_at_least"] = 900
    elif change == "threshold-negative":
        indicators[0]["interval"]["at_most_seconds"] = -30
    elif change == "two-measures":
        indicators[1]["occurs"] = {"event": "contacted"}
    elif change == "no-measure":
        del indicators[1]["count"]
    return definition


@pytest.mark.parametrize(
    ("change", "expected", "words"),
    [
        ("unknown-event", ("first_reply", "unknown-event"), "unknown event human_answered"),
        ("unknown-event-unless", ("transfer_held", "unknown-event"), "unknown event line_dropped"),
        ("weight-zero", ("polite", "weight-not-positive"), "weight 0: not above 0"),
        ("weight-negative", ("no_buck", "weight-not-positive"), "weight -1: not above 0"),
        ("cap-high", ("checklist", "cap-range"), "the cap 120 is not between 0 and 100"),
        ("cap-negative", ("checklist", "cap-range"), "the cap -5 is not between 0 and 100"),
        ("item-twice", ("polite", "duplicate-code"), "checklist item code polite is used twice"),
        ("event-twice", ("contacted", "duplicate-code"), "event code contacted is used twice"),
        ("scenario-twice", ("complaint", "duplicate-code"), "scenario code complaint is used"),
        ("indicator-twice", ("repeats", "duplicate-code"), "indicator code repeats is used"),
        ("item-text-language", ("policy", "missing-translation"), "item text has no zh-Hans"),
        ("event-label-language", ("bot_replied", "missing-translation"), "label has no zh-Hans"),
        ("scenario-name-language", ("return_request", "missing-translation"), "name has no en"),
        ("indicator-name-language", ("repeats", "undeclared-language"), "undeclared language fr"),
        ("unknown-scenario", ("reached_human", "unknown-scenario"), "unknown scenario repair"),
        ("rate-high", ("reached_human", "rate-range"), "rate_at_least 900 is not 0–100"),
        ("threshold-negative", ("first_reply", "threshold-negative"), "a negative threshold"),
        ("two-measures", ("repeats", "indicator-measure"), "exactly one of interval"),
        ("no-measure", ("repeats", "indicator-measure"), "exactly one of interval"),
    ],
)
def test_each_check_names_the_problem(
    tmp_path: Path, change: str, expected: tuple[str, str], words: str
) -> None:
    catalog = load(tmp_path, broken(change))
    assert expected in problems(catalog)
    found = next(p for p in catalog.problems if (p.location, p.code) == expected)
    assert words in found.message
    assert str(found).startswith(f"covert.yaml: {expected[0]}: ")
    assert "covert" not in catalog.shadows  # a definition with a problem is not loaded


def test_an_indicator_may_name_only_channels_of_platforms_yaml(tmp_path: Path) -> None:
    definition = small()
    definition["indicators"][0]["channels"] = ["chat", "fax"]
    catalog = load(tmp_path, definition)
    assert problems(catalog) == [("first_reply", "unknown-channel")]
    assert "names channel fax, which platforms.yaml does not list" in str(catalog.problems[0])
    assert "covert" not in catalog.shadows


def test_the_checks_list_every_problem_at_once(tmp_path: Path) -> None:
    definition = broken("unknown-event")
    definition["checklist"]["cap"] = 101
    definition["checklist"]["items"][2]["weight"] = 0
    codes = {code for _, code in problems(load(tmp_path, definition))}
    assert codes == {"unknown-event", "cap-range", "weight-not-positive"}
