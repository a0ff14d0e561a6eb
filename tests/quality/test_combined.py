"""Weak signals combined: notes from different rules send a response to review together,
as its questionnaire's `combine:` declares, each note keeping its own evidence."""

from __future__ import annotations

import dataclasses
from typing import Any

from fieldwork.quality import (
    ALONE,
    COMBINED,
    Flag,
    Neighbours,
    Subject,
    evaluate,
    explain,
    settings_of,
)
from fieldwork.quality.evaluation import COMBINED_EXPLANATION
from fieldwork.questionnaire.model import Questionnaire
from tests.quality.factories import NOW, subject, survey
from tests.quality.test_evaluation import SHARED

# A run of one rating (lowered to a note) and open answers that say nothing: two notes
# from two rules, with time enough per answer, so nothing else is found.
UNIFORM_AND_EMPTY = subject(answers={**{f"R{i}": 3 for i in range(1, 9)}, "O1": "无"})
WEAK_STRAIGHT_LINING = {"straight-lining": {"severity": "note"}}


def flags_of(
    found: Subject,
    neighbours: Neighbours = ALONE,
    combine: dict[str, Any] | None = None,
    **rules: Any,
) -> list[Flag]:
    """The flags of one response to the factories' survey, its `quality:` block made of
    the rules' settings (straight-lining a note unless told) and `combine`."""
    settings: dict[str, Any] = {**WEAK_STRAIGHT_LINING, **rules}
    if combine is not None:
        settings["combine"] = combine
    questionnaire: Questionnaire = survey(**settings)
    return evaluate(questionnaire, settings_of(questionnaire.definition), found, neighbours, NOW)


def combined(flags: list[Flag]) -> Flag | None:
    return next((flag for flag in flags if flag.rule == COMBINED), None)


def test_notes_from_two_rules_send_a_response_to_review_naming_them() -> None:
    flags = flags_of(UNIFORM_AND_EMPTY)
    assert [(f.severity, f.rule) for f in flags] == [
        ("review", COMBINED),
        ("note", "open-empty"),
        ("note", "straight-lining"),
    ]
    found = combined(flags)
    assert found is not None
    assert found.param("rules") == ("open-empty", "straight-lining")
    assert found.param("needed") == 2


def test_each_note_keeps_its_own_evidence() -> None:
    alone = flags_of(UNIFORM_AND_EMPTY, combine={"enabled": False})
    assert [f.rule for f in alone] == ["open-empty", "straight-lining"]
    together = flags_of(UNIFORM_AND_EMPTY)
    assert [f for f in together if f.rule != COMBINED] == alone


def test_notes_from_one_rule_do_not_combine() -> None:
    """Three open answers that say nothing are one rule's finding, not three signals."""
    empty = subject(answers={"R1": 4, "R2": 2, "O1": "无", "O2": "没有", "O3": "-"})
    flags = flags_of(empty)
    assert [(f.rule, f.param("questions")) for f in flags] == [("open-empty", ("O1", "O2", "O3"))]


def test_a_review_flag_is_no_note_to_count() -> None:
    """Straight-lining at its own review severity already holds the response."""
    flags = flags_of(UNIFORM_AND_EMPTY, **{"straight-lining": {}})
    assert [(f.severity, f.rule) for f in flags] == [
        ("review", "straight-lining"),
        ("note", "open-empty"),
    ]


def test_the_note_on_rules_not_applied_is_not_counted() -> None:
    """A paper response says nothing of its timings: that is no evidence against it."""
    on_paper = dataclasses.replace(UNIFORM_AND_EMPTY, mode="paper", ip_hash=None)
    empty_only = dataclasses.replace(on_paper, answers={"R1": 4, "R2": 2, "O1": "无"})
    assert [f.rule for f in flags_of(empty_only)] == ["open-empty", "rules-not-applied"]
    assert combined(flags_of(on_paper)) is not None  # its own two notes still combine


def test_a_shared_address_is_not_counted_unless_the_questionnaire_says_so() -> None:
    """Elderly people helped on one tablet, writing "无": a note each, no review."""
    empty = subject(answers={"R1": 4, "R2": 2, "O1": "无"})
    assert [f.rule for f in flags_of(empty, SHARED)] == ["duplicate-ip", "open-empty"]
    counted = flags_of(empty, SHARED, combine={"not_counted": []})
    found = combined(counted)
    assert found is not None and found.param("rules") == ("duplicate-ip", "open-empty")


def test_a_questionnaire_can_ask_for_more_notes_or_none_combined() -> None:
    assert combined(flags_of(UNIFORM_AND_EMPTY, combine={"notes_for_review": 3})) is None
    assert combined(flags_of(UNIFORM_AND_EMPTY, combine={"enabled": False})) is None
    three = flags_of(
        UNIFORM_AND_EMPTY,
        SHARED,
        combine={"notes_for_review": 3, "not_counted": []},
    )
    found = combined(three)
    assert found is not None and found.param("needed") == 3
    assert found.param("rules") == ("duplicate-ip", "open-empty", "straight-lining")


def test_combining_is_deterministic_and_reads_back_from_json() -> None:
    first, again = flags_of(UNIFORM_AND_EMPTY), flags_of(UNIFORM_AND_EMPTY)
    assert first == again
    assert [Flag.from_json(f.as_json()) for f in first] == first


def test_the_combined_flag_says_which_notes_add_up_and_why() -> None:
    found = combined(flags_of(UNIFORM_AND_EMPTY))
    assert found is not None
    [(message, params)] = explain(found.as_json())
    assert message == COMBINED_EXPLANATION
    assert message % params == (
        "Notes from several rules together: open-empty, straight-lining. None is reason"
        " enough alone, but this questionnaire sends a response with notes from 2 or more"
        " rules to review."
    )
