"""Which sheets are keyed twice, and where two entries of a sheet disagree."""

from __future__ import annotations

import pytest

from fieldwork.paper import verification
from fieldwork.paper.verification import ADAPTIVE, ALL, NONE, SAMPLE, Record, Verification
from fieldwork.questionnaire.model import ILLEGIBLE
from tests.quality.factories import question, questionnaire

IDS = [f"SHEET{n:05d}" for n in range(10_000)]
SURVEY = questionnaire(
    question("USED", "single_choice"),
    question("HOW", "multiple_choice", show_if={"question": "USED", "equals": "yes"}),
    question("RATE", "rating"),
)


NEW = Record()


def share_keyed_twice(chosen: Verification, keyer: Record = NEW) -> float:
    return sum(verification.keyed_twice(chosen, i, keyer) for i in IDS) / len(IDS)


def test_none_and_all_mean_what_they_say() -> None:
    assert share_keyed_twice(Verification(NONE)) == 0
    assert share_keyed_twice(Verification(ALL)) == 1


def test_a_sample_takes_its_share_of_sheets_and_always_the_same_ones() -> None:
    chosen = Verification(SAMPLE, share=0.1)
    assert share_keyed_twice(chosen) == pytest.approx(0.1, abs=0.01)
    picked = [i for i in IDS if verification.keyed_twice(chosen, i, NEW)]
    assert picked == [i for i in IDS if verification.keyed_twice(chosen, i, Record(900, 90))]


def test_adaptive_checks_every_sheet_until_a_keyer_has_proved_accurate() -> None:
    chosen = Verification(ADAPTIVE, share=0.1, threshold=0.005, fewest_fields=500)
    assert share_keyed_twice(chosen, NEW) == 1  # new keyer
    assert share_keyed_twice(chosen, Record(fields=499, errors=0)) == 1  # not enough yet
    assert share_keyed_twice(chosen, Record(fields=2_000, errors=4)) == pytest.approx(0.1, abs=0.01)
    assert share_keyed_twice(chosen, Record(fields=2_000, errors=10)) == 1  # rate rose to 0.5 %


def test_a_policy_that_cannot_work_is_refused() -> None:
    with pytest.raises(ValueError, match="policy"):
        Verification("sometimes")
    with pytest.raises(ValueError):
        Verification(SAMPLE, share=1.5)


def test_entries_agree_whatever_order_the_boxes_were_keyed_in() -> None:
    first = {"USED": "yes", "HOW": ["yes", "no"], "RATE": 4}
    assert verification.differences(SURVEY, first, {**first, "HOW": ["no", "yes"]}) == []


def test_every_field_either_entry_shows_is_compared() -> None:
    first = {"USED": "yes", "HOW": ["yes"], "RATE": 4}
    second = {"USED": "no", "RATE": ILLEGIBLE}
    assert verification.fields(SURVEY, first, second) == ["USED", "HOW", "RATE"]
    assert verification.differences(SURVEY, first, second) == ["USED", "HOW", "RATE"]
