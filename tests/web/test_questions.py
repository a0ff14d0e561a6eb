"""Each question type's markup offers what its definition allows, and what a person ticks
there reads back as the answer they meant."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict

from fieldwork import answers
from fieldwork.questionnaire.loader import build
from fieldwork.questionnaire.model import DONT_KNOW, NOT_APPLICABLE, Question
from fieldwork.questionnaire.types import TYPES
from fieldwork.web.fields import builder

TEXT = {"zh-Hans": "问题", "zh-Hant": "問題", "en": "Question"}
CLOSED = sorted(name for name, kind in TYPES.items() if kind.closed)
OPTIONS: dict[str, dict[str, Any]] = {
    "single_choice": {"choices": [{"value": "a", "label": TEXT}, {"value": "b", "label": TEXT}]},
    "multiple_choice": {
        "choices": [
            {"value": "a", "label": TEXT},
            {"value": "b", "label": TEXT},
            {"value": "none", "label": TEXT, "exclusive": True},
        ]
    },
    "rating": {"labels": {"min": TEXT, "max": TEXT}},
    "scale_0_10": {"labels": {"min": TEXT, "max": TEXT}},
}


def question(kind: str) -> Question:
    definition = {
        "id": "types",
        "version": "1",
        "kind": "survey",
        "languages": ["zh-Hans", "zh-Hant", "en"],
        "title": TEXT,
        "sections": [
            {
                "code": "main",
                "title": TEXT,
                "questions": [
                    {
                        "code": "T1",
                        "type": kind,
                        "text": TEXT,
                        "allow": ["dont_know", "not_applicable"],
                        **OPTIONS.get(kind, {}),
                    }
                ],
            }
        ],
    }
    return build(definition).question("T1")


def rendered(app: Flask, item: Question) -> str:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return render_template_string(
            '{% from "macros/questions.html" import question %}{{ question(q, {}, None, true) }}',
            q=item,
        )


def ticked(html: str, label: str) -> MultiDict[str, str]:
    """The form a browser sends after the box labelled `label` is ticked, nothing else."""
    target = re.search(rf'<label class="choice-label" for="([^"]+)">{label}</label>', html)
    assert target, f"nothing labelled {label!r} to tick"
    box = re.search(rf'<input [^>]*id="{target.group(1)}"[^>]*>', html)
    assert box is not None
    name = re.search(r'name="([^"]+)"', box.group(0))
    value = re.search(r'value="([^"]+)"', box.group(0))
    assert name and value
    return MultiDict([(name.group(1), value.group(1))])


@pytest.mark.parametrize("kind", CLOSED)
@pytest.mark.parametrize(
    ("label", "stored"), [("Don't know", DONT_KNOW), ("Not applicable", NOT_APPLICABLE)]
)
def test_every_closed_type_offers_the_special_answers_it_allows(
    app: Flask, kind: str, label: str, stored: str
) -> None:
    item = question(kind)
    form = ticked(rendered(app, item), label)
    values, issues = answers.parse([item], {"T1": builder(item).read(item, form)})
    assert not issues
    assert values == {"T1": stored}


def test_special_answers_on_a_multiple_choice_clear_the_other_boxes(app: Flask) -> None:
    """They are alternatives to every choice, as "none of these" is (the script unticks)."""
    html = rendered(app, question("multiple_choice"))
    group = re.search(
        r"<div class=\"choices\" data-exclusive-group>(.*?)</div>\s*</fieldset>", html, re.S
    )
    assert group is not None
    specials = re.findall(r'<input [^>]*value="_[a-z_]+"[^>]*>', group.group(1))
    assert len(specials) == 2
    assert all("data-exclusive" in box for box in specials)
