"""Fixtures for the export files: a small questionnaire with every type, and records.

No app and no database: the writers read plain records, as the service hands them over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from fieldwork.exports.batch import Export, export_batch
from fieldwork.exports.layout import Layout
from fieldwork.exports.records import Excluded, ExportRecord
from fieldwork.questionnaire.loader import build
from fieldwork.questionnaire.model import Questionnaire
from tests.shadow.conftest import (  # noqa: F401 (fixtures of test_shadow_batches.py)
    checklist,
    covert,
    people,
    planned,
)

FROZEN_AT = dt.datetime(2026, 9, 30, 8, 0, tzinfo=dt.UTC)
STARTED = dt.datetime(2026, 9, 3, 10, 15, 0, 250_000, tzinfo=dt.UTC)
SUBMITTED = STARTED + dt.timedelta(minutes=9, seconds=30)
BATCH = {"id": 7, "name": "Wave 1", "filters": {"questionnaire_id": "mini", "modes": ["online"]}}
RULES = "rules-3"


def text(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-Hans": zh}


def choices(*pairs: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [{"value": value, "label": text(en, zh)} for value, en, zh in pairs]


def mini_definition(version: str = "1") -> dict[str, Any]:
    """One question of every type, two languages, conditions and special answers."""
    return {
        "id": "mini",
        "version": version,
        "kind": "survey",
        "languages": ["en", "zh-Hans"],
        "title": text("Mini", "迷你"),
        "sections": [
            {
                "code": "main",
                "title": text("Main", "主要"),
                "questions": [
                    {
                        "code": "A1",
                        "type": "single_choice",
                        "required": True,
                        "text": text("Did you contact the shop?", "您联系过商家吗？"),
                        "choices": choices(("yes", "Yes", "是"), ("no", "No", "否")),
                    },
                    {
                        "code": "A2",
                        "type": "multiple_choice",
                        "allow": ["dont_know"],
                        "show_if": {"question": "A1", "equals": "yes"},
                        "tags": {"dimension": "response"},
                        "text": text("How?", "怎么联系的？"),
                        "choices": choices(
                            ("chat", "Chat", "聊天"),
                            ("phone", "Phone", "电话"),
                            ("none", "None of these", "都没有"),
                        ),
                    },
                    {
                        "code": "A3",
                        "type": "rating",
                        "allow": ["dont_know", "not_applicable"],
                        "labels": {"min": text("Bad", "很差"), "max": text("Good", "很好")},
                        "tags": {"dimension": "experience", "5a": "appreciate", "scope": "core"},
                        "text": text("How was it?", "体验如何？"),
                    },
                    {
                        "code": "A4",
                        "type": "scale_0_10",
                        "labels": {
                            "min": text("Not likely", "不会"),
                            "max": text("Very likely", "一定会"),
                        },
                        "text": text("Recommend?", "会推荐吗？"),
                    },
                    {
                        "code": "A5",
                        "type": "number",
                        "min": 0,
                        "max": 50,
                        "unit": text("times", "次"),
                        "text": text("How many contacts?", "联系了几次？"),
                    },
                    {
                        "code": "A6",
                        "type": "number",
                        "integer": False,
                        "text": text("Refund amount?", "退款金额？"),
                    },
                    {
                        "code": "A7",
                        "type": "duration",
                        "max": 10080,
                        "text": text("Wait?", "等了多久？"),
                    },
                    {
                        "code": "A8",
                        "type": "date",
                        "min": "2020-01-01",
                        "text": text("When?", "哪一天？"),
                    },
                    {
                        "code": "A9",
                        "type": "short_text",
                        "text": text("Anything else?", "还有吗？"),
                    },
                    {
                        "code": "A10",
                        "type": "long_text",
                        "show_if": {"question": "A1", "equals": "no"},
                        "text": text("Why not?", "为什么没有？"),
                    },
                ],
            }
        ],
    }


@pytest.fixture
def mini() -> Questionnaire:
    return build(mini_definition())


@pytest.fixture
def layout(mini: Questionnaire) -> Layout:
    return Layout(mini)


FULL: dict[str, Any] = {
    "A1": "yes",
    "A2": ["chat", "phone"],
    "A3": 4,
    "A4": 9,
    "A5": 3,
    "A6": 12.5,
    "A7": 95,
    "A8": "2026-09-01",
    "A9": "fine",
}


@pytest.fixture
def record(mini: Questionnaire) -> Callable[..., ExportRecord]:
    """Build a record of `mini`; keyword arguments replace fields."""

    def make(id: int = 1, answers: dict[str, Any] | None = None, **fields: Any) -> ExportRecord:
        values: dict[str, Any] = {
            "id": id,
            "questionnaire_id": mini.id,
            "version": mini.version,
            "version_hash": mini.content_hash,
            "mode": "online",
            "segment": "general",
            "segment_source": "answers",
            "locale": "zh-Hans",
            "text_size": "large",
            "contrast": "standard",
            "started_at": STARTED,
            "submitted_at": SUBMITTED,
            "answers": FULL if answers is None else answers,
        }
        values.update(fields)
        return ExportRecord(**values)

    return make


@pytest.fixture
def export(tmp_path: Path, layout: Layout) -> Callable[..., Export]:
    """Export records into a fresh folder under tmp_path; keyword options go to export_batch."""
    count = 0

    def run(
        records: Iterable[ExportRecord], excluded: Iterable[Excluded] = (), **options: Any
    ) -> Export:
        nonlocal count
        count += 1
        directory = tmp_path / f"export-{count}"
        directory.mkdir()
        settings: dict[str, Any] = {
            "frozen_at": FROZEN_AT,
            "batch": BATCH,
            "rules_version": RULES,
        }
        settings.update(options)
        use = settings.pop("layout", layout)
        return export_batch(directory, use, records, excluded, **settings)

    return run


MULTILINE = '好的 👍\n第二行, "引号", 逗号 and emoji 🎉'


def batch_records(record: Callable[..., ExportRecord]) -> list[ExportRecord]:
    """Records with the hard cases: formulas, codes look-alikes, CJK, emoji, line breaks."""
    return [
        record(1, {**FULL, "A9": "=1+1"}),
        record(
            2,
            {"A1": "no", "A3": "_not_applicable", "A9": "-5", "A10": MULTILINE},
            segment="elderly",
        ),
        record(3, {**FULL, "A2": "_dont_know", "A3": "_dont_know", "A9": "@SUM(A1:A9)"}),
        record(
            4,
            {**FULL, "A6": 7, "A9": "\tTabbed"},
            started_at=None,
            text_size=None,
            mode="paper",
            locale="en",
        ),
        record(5, {**FULL, "A9": "-99"}),
        record(6, {"A1": "no", "A9": "+86 138 0000 0000", "A10": "\rstarts with CR"}),
        record(7, {**FULL, "A9": "#N/A"}),
    ]
