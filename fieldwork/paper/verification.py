"""Blind double entry: which sheets are keyed twice, where two entries differ, and what
each keyer got wrong once a supervisor has settled the final answers.

A campaign chooses a `Verification`: no second entry, every sheet, a random share of
them, or adaptive — every sheet of a keyer until their measured error rate over enough
fields is below a threshold, then the share only, and every sheet again if it rises. The
share is drawn from the sheet id, so the same sheet gets the same answer whoever asks
and however often. Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fieldwork import answers as answer_rules
from fieldwork.questionnaire.model import Questionnaire

NONE, ALL, SAMPLE, ADAPTIVE = "none", "all", "sample", "adaptive"
POLICIES = (NONE, ALL, SAMPLE, ADAPTIVE)


@dataclass(frozen=True)
class Verification:
    """How a campaign's sheets are verified. `share`: the part keyed twice under `sample`,
    and under `adaptive` once a keyer is trusted; `threshold`: the error rate per field a
    keyer must stay below, measured over at least `fewest_fields` verified fields."""

    policy: str = ADAPTIVE
    share: float = 0.10
    threshold: float = 0.005
    fewest_fields: int = 500

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise ValueError(f"unknown verification policy {self.policy!r}")
        if not 0 <= self.share <= 1 or not 0 <= self.threshold <= 1 or self.fewest_fields < 1:
            raise ValueError("share and threshold are between 0 and 1, fewest_fields >= 1")


@dataclass(frozen=True)
class Record:
    """A keyer's verified work so far: fields compared against the final answers, and
    how many of those they keyed wrong."""

    fields: int = 0
    errors: int = 0

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.fields if self.fields else None


def keyed_twice(verification: Verification, sheet_id: str, keyer: Record) -> bool:
    """Whether the sheet the keyer has just keyed once must be keyed again, blind."""
    if verification.policy == NONE:
        return False
    if verification.policy == ALL:
        return True
    in_share = _draw(sheet_id) < verification.share
    if verification.policy == SAMPLE:
        return in_share
    trusted = (
        keyer.fields >= verification.fewest_fields
        and keyer.errors / keyer.fields < verification.threshold
    )
    return in_share or not trusted


def _draw(sheet_id: str) -> float:
    """A number in [0, 1) fixed by the sheet id, spread evenly over ids."""
    digest = hashlib.blake2b(sheet_id.encode(), digest_size=8, person=b"verify").digest()
    return int.from_bytes(digest, "big") / 2**64


def fields(questionnaire: Questionnaire, *entries: Mapping[str, Any]) -> list[str]:
    """The questions compared: those shown by any of the entries, in questionnaire order.
    A question one keyer's answers route past and the other's do not is compared too: one
    of the two keyed it wrongly (or the routing answer)."""
    seen = {q.code for entry in entries for q in answer_rules.shown(questionnaire, entry)}
    return [q.code for q in questionnaire.questions if q.code in seen]


def differences(
    questionnaire: Questionnaire, first: Mapping[str, Any], second: Mapping[str, Any]
) -> list[str]:
    """The questions whose two entries disagree, in questionnaire order."""
    return [
        code
        for code in fields(questionnaire, first, second)
        if _same(first.get(code)) != _same(second.get(code))
    ]


def _same(value: Any) -> Any:
    """A value as compared: the order of ticked boxes does not matter."""
    return sorted(value) if isinstance(value, list) else value
