"""platforms.yaml: platforms and the channels each offers, from one list of channels,
checked by `flask fieldwork check` (unknown channel, a code twice, a missing language)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from fieldwork.definitions.reading import read_folder
from fieldwork.questionnaire.loader import Catalog


def names(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-Hans": zh}


PLATFORMS: dict[str, Any] = {
    "languages": ["en", "zh-Hans"],
    "channels": [
        {"code": "chat", "name": names("In-app chat", "在线客服")},
        {"code": "phone", "name": names("Phone hotline", "客服电话")},
        {"code": "live", "name": names("Live-stream room", "直播间")},
    ],
    "platforms": [
        {"code": "jd", "name": names("JD.com", "京东"), "channels": ["chat", "phone"]},
        {"code": "douyin", "name": names("Douyin", "抖音"), "channels": ["chat", "live"]},
    ],
}


def load(tmp_path: Path, raw: Any) -> Catalog:
    (tmp_path / "platforms.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    return read_folder(tmp_path)


def test_platforms_and_their_channels_load(tmp_path: Path) -> None:
    catalog = load(tmp_path, PLATFORMS)
    assert catalog.problems == []
    found = catalog.platforms
    assert [p.code for p in found.platforms] == ["jd", "douyin"]
    assert found.platform("douyin") is not None
    assert found.platform("douyin").channels == ("chat", "live")  # type: ignore[union-attr]
    assert found.channel("phone").name["zh-Hans"] == "客服电话"  # type: ignore[union-attr]
    assert found.platform("taobao") is None


def test_a_folder_without_platforms_yaml_has_none(tmp_path: Path) -> None:
    catalog = read_folder(tmp_path)
    assert catalog.problems == [] and catalog.platforms.platforms == ()


def broken(change: str) -> dict[str, Any]:
    raw = copy.deepcopy(PLATFORMS)
    if change == "unknown-channel":
        raw["platforms"][0]["channels"].append("fax")
    elif change == "channel-again":
        raw["platforms"][1]["channels"].append("live")
    elif change == "platform-twice":
        raw["platforms"].append({**raw["platforms"][0]})
    elif change == "channel-twice":
        raw["channels"].append({**raw["channels"][2]})
    elif change == "platform-language":
        raw["platforms"][1]["name"] = {"en": "Douyin"}
    elif change == "channel-language":
        raw["channels"][0]["name"] = {"en": "In-app chat", "zh-Hans": "  "}
    elif change == "no-channels":
        raw["platforms"][0]["channels"] = []
    elif change == "no-languages":
        del raw["languages"]
    return raw


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ("unknown-channel", "platforms.yaml: jd: platform jd offers unknown channel fax"),
        (
            "channel-again",
            "platforms.yaml: douyin: platform douyin lists channel live twice",
        ),
        ("platform-twice", "platforms.yaml: jd: platform code jd is used twice"),
        ("channel-twice", "platforms.yaml: live: channel code live is used twice"),
        ("platform-language", "platforms.yaml: douyin: platform name has no zh-Hans text"),
        ("channel-language", "platforms.yaml: chat: channel name has no zh-Hans text"),
        ("no-channels", "platforms.yaml: jd: channels must be a non-empty list of channel codes"),
        ("no-languages", "platforms.yaml: -: languages must be a non-empty list of language tags"),
    ],
)
def test_each_check_names_the_problem(tmp_path: Path, change: str, line: str) -> None:
    catalog = load(tmp_path, broken(change))
    assert line in [str(problem) for problem in catalog.problems]
    assert len(catalog.problems) == len(set(catalog.problems))  # each said once
    assert catalog.platforms.platforms == ()  # a file with problems yields nothing


def test_a_file_that_is_not_a_mapping_is_a_problem(tmp_path: Path) -> None:
    catalog = load(tmp_path, ["jd", "taobao"])
    assert [p.code for p in catalog.problems] == ["yaml"]
