"""Rule explanations reach the UI catalogs: pybabel extracts the N_ marker by default."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

import fieldwork.quality
from fieldwork.quality import N_, RULES
from fieldwork.quality.evaluation import UNKNOWN_RULE


def test_n_marks_without_translating() -> None:
    assert N_("Completed in %(seconds)s seconds.") == "Completed in %(seconds)s seconds."


def test_every_explanation_is_extracted_for_translation() -> None:
    assert "N_" in DEFAULT_KEYWORDS  # `flask fieldwork translations extract` keeps the defaults
    package = Path(fieldwork.quality.__file__).parent
    extracted = {message for _, _, message, _, _ in extract_from_dir(str(package))}
    sentences = {UNKNOWN_RULE}
    for rule in RULES.values():
        sentences |= {rule.explanation, *rule.reasons.values()}
    assert sentences <= extracted
