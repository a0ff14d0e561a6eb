"""Every question type has a builder in every layer, keyed by the same name; every flag
code has its words."""

from __future__ import annotations

import re

from fieldwork.config import ROOT
from fieldwork.quality import FLAG_CODES
from fieldwork.questionnaire.types import TYPES
from fieldwork.web.fields import BUILDERS
from fieldwork.web.labels import FLAGS


def test_web_builders_cover_every_type() -> None:
    assert set(BUILDERS) == set(TYPES)


def test_every_type_has_a_macro_of_its_name() -> None:
    macros = (ROOT / "fieldwork" / "templates" / "macros" / "questions.html").read_text("utf-8")
    defined = set(re.findall(r"{%-?\s*macro\s+(\w+)\(", macros))
    assert set(TYPES) <= defined
    dispatch = re.search(r"set by_type = \{(.*?)\}", macros, re.S)
    assert dispatch is not None
    assert set(re.findall(r"'(\w+)':", dispatch.group(1))) == set(TYPES)


def test_every_flag_code_has_a_label_for_reviewers() -> None:
    """The queue, its flag filter and the explanations that list rules show these words;
    a code shown as stored (`not-walked`) is jargon on a Chinese page."""
    assert set(FLAG_CODES) <= set(FLAGS)
