"""A shadow test's checklist score: weighted items answered yes, no or not applicable.

"Not applicable" leaves an item out of the score altogether, so a channel without a
human agent is not marked down for the human's items. A critical item answered "no"
(the refund never came, a promise was broken) caps the score, however well the rest
went: the definition names the cap. Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

YES, NO, NOT_APPLICABLE = "yes", "no", "not_applicable"
ANSWERS = (YES, NO, NOT_APPLICABLE)


@dataclass(frozen=True)
class Item:
    code: str
    weight: float
    critical: bool = False
    evidence: bool = False  # the answer needs a screenshot or photo behind it


@dataclass(frozen=True)
class Score:
    """Points out of 100 over the applicable items (None when none applies), whether a
    critical failure capped them, and which critical items failed."""

    points: float | None
    capped: bool
    failed_critical: tuple[str, ...]
    unanswered: tuple[str, ...]


def score(items: Sequence[Item], answers: Mapping[str, str], cap: float) -> Score:
    """The checklist's score. An item left unanswered scores like "no": a tester who did
    not check something has not seen it done. Raises ValueError for another answer."""
    wrong = sorted(code for code, answer in answers.items() if answer not in ANSWERS)
    if wrong:
        raise ValueError(f"checklist answers must be yes, no or not_applicable: {wrong}")
    applicable = [item for item in items if answers.get(item.code) != NOT_APPLICABLE]
    total = sum(item.weight for item in applicable)
    unanswered = tuple(item.code for item in items if item.code not in answers)
    failed = tuple(
        item.code for item in applicable if item.critical and answers.get(item.code) != YES
    )
    if not applicable or total <= 0:
        return Score(None, False, failed, unanswered)
    earned = sum(item.weight for item in applicable if answers.get(item.code) == YES)
    points = round(100 * earned / total, 1)
    capped = bool(failed) and points > cap
    return Score(min(points, cap) if failed else points, capped, failed, unanswered)
