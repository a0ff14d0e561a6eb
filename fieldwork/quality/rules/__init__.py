"""The rule registry: every quality rule by its stable code, in the order they are listed."""

from __future__ import annotations

from collections.abc import Mapping

from fieldwork.quality.rules.base import Rule
from fieldwork.quality.rules.contradiction import Contradiction
from fieldwork.quality.rules.duplicates import ClickFarm, DuplicateAnswers, DuplicateIp
from fieldwork.quality.rules.open_answers import OpenEmpty, OpenMash, OpenSameText
from fieldwork.quality.rules.person_fit import RandomAnswering
from fieldwork.quality.rules.segment_conflict import SegmentConflict
from fieldwork.quality.rules.shadow import (
    ContactsOverlap,
    EvidenceMissing,
    EvidenceReused,
    ShadowTimeline,
)
from fieldwork.quality.rules.straight_lining import AnswerPattern, StraightLining
from fieldwork.quality.rules.timing import ImpossibleParadata, NotWalked, Speeder

RULES: Mapping[str, Rule] = {
    rule.code: rule
    for rule in (
        Speeder(),
        ImpossibleParadata(),
        NotWalked(),
        DuplicateIp(),
        DuplicateAnswers(),
        ClickFarm(),
        StraightLining(),
        AnswerPattern(),
        RandomAnswering(),
        SegmentConflict(),
        Contradiction(),
        OpenSameText(),
        OpenMash(),
        OpenEmpty(),
        ShadowTimeline(),
        EvidenceMissing(),
        EvidenceReused(),
        ContactsOverlap(),
    )
}
"""Every rule by code. Settings, evaluation and the rules version all iterate this."""

__all__ = ["RULES", "Rule"]
