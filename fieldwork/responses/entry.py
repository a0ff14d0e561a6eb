"""What every mode's pages call to take answers: a page at a time, saved for later, and
submitted once.

The pages of a mode (online questionnaire, paper entry screen, shadow logger) read
their request into plain data: the raw parts each question's fields gave, and an
`Origin` saying who enters the response, how, and with what provenance. Everything
after that is here, the same for every mode: parsing, checking, saving drafts, the
segment, building the submission and storing it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from fieldwork import answers as answer_rules
from fieldwork import modes, quality
from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.questionnaire.problems import Issue
from fieldwork.questionnaire.segments import LINK
from fieldwork.questionnaire.types import RawAnswer
from fieldwork.responses import service
from fieldwork.responses.models import Draft

Raw = Mapping[str, RawAnswer]
"""The raw input parts of some questions, by question code, as their fields read them."""


@dataclass(frozen=True)
class Origin:
    """Who enters a response and how: what its mode's pages know besides the answers."""

    mode: str
    creator: str  # modes.RESPONDENT, or the staff role of whoever enters it
    locale: str
    preset: Mapping[str, Any] = field(default_factory=dict)  # campaign, wave, segment
    preset_source: str = LINK  # where a preset segment came from: link, sheet or staff
    ip_hash: str | None = None  # keyed hash, never the address itself
    entered_by: int | None = None  # the staff user who typed it in
    source: Mapping[str, str] = field(default_factory=dict)  # the mode's provenance fields
    paradata: Mapping[str, Any] = field(default_factory=dict)


def read(questions: Sequence[Question], raw: Raw) -> tuple[dict[str, Any], list[Issue]]:
    """The values of some questions' raw parts, and every issue with them: parts that do not
    parse first, then required and value checks on the rest."""
    values, issues = answer_rules.parse(questions, raw)
    failed = {issue.question for issue in issues}
    issues += [i for i in answer_rules.check(questions, values) if i.question not in failed]
    return values, issues


def whole(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Issue]]:
    """A draft's answers as they would be submitted (those to hidden questions dropped), and
    every issue the whole set has: what a "check your answers" page shows or sends back to."""
    cleaned = answer_rules.clean(questionnaire, answers)
    return cleaned, answer_rules.validate(questionnaire, cleaned)


def answer_page(
    session: Session,
    draft: Draft,
    questions: Sequence[Question],
    raw: Raw,
    page: str,
    seconds: float | None,
    counted: str = "",
) -> list[Issue]:
    """Check one page's answers and, if they pass, keep them in the draft (storing a draft
    not stored yet if they hold an answer, counted under `counted`: see
    `service.store_draft`)."""
    values, issues = read(questions, raw)
    if not issues:
        codes = [q.code for q in questions]
        service.save_page(session, draft, codes, values, page, seconds, counted)
    return issues


def save_for_later(
    session: Session,
    draft: Draft,
    questions: Sequence[Question],
    raw: Raw,
    page: str,
    seconds: float | None,
    counted: str = "",
) -> str:
    """Keep whatever of a page parses, unchecked, and give the draft its resume code. A
    draft not stored yet is stored even with no answer: the code keeps the start's
    invitation (campaign, segment) for another device."""
    values, _issues = answer_rules.parse(questions, raw)
    draft = service.store_draft(session, draft, counted)
    service.save_page(session, draft, [q.code for q in questions], values, page, seconds)
    return service.issue_resume_code(session, draft)


@dataclass(frozen=True)
class Storing:
    """What storing a response entered by staff needs beside its answers: the current version of
    its questionnaire (whose segment rules govern), the fallback segment and the review's
    screen (`responses.service.Screen`)."""

    current: Questionnaire | None
    fallback_segment: str
    screen: service.Screen | None = None


@dataclass(frozen=True)
class Outcome:
    """What submitting gave: the stored response, or the issues and the answers as read."""

    stored: service.Stored | None
    issues: list[Issue]
    answers: dict[str, Any]


def submit(
    session: Session,
    questionnaire: Questionnaire,
    raw: Raw,
    origin: Origin,
    submission_id: str,
    *,
    draft: Draft | None = None,
    current: Questionnaire | None = None,
    fallback_segment: str,
    screen: service.Screen | None = None,
) -> Outcome:
    """Validate, screen and store a complete response once, from any mode.

    `draft`, if the answers were given page by page, lends its start time, page times
    and preset, and is marked submitted. `current` is the questionnaire's current version
    (whose segment rules apply to a version stored without any). Raises modes.ModeError if
    the mode cannot take this questionnaire from this creator with this provenance,
    service.SegmentMissing if a segment staff must assign is missing, and
    service.SubmissionConflict if the id was used for other answers.
    """
    mode = modes.check(origin.mode, origin.creator, questionnaire.kind, origin.source)
    given, issues = answer_rules.parse(questionnaire.questions, raw, mode.missing)
    if issues:
        return Outcome(None, issues, given)
    preset = draft.preset if draft is not None else origin.preset
    page_seconds = dict(draft.page_seconds) if draft is not None else {}
    # Online answers should have come through the pages, which saved them in the draft.
    walked = origin.mode != modes.ONLINE.code
    recorded = [] if walked else quality.unwalked(given, draft.answers if draft else {})
    submission = service.Submission(
        submission_id=submission_id,
        questionnaire=questionnaire,
        answers=given,
        locale=origin.locale,
        paradata={"page_seconds": page_seconds, **_assisted(preset), **origin.paradata},
        mode=origin.mode,
        preset_segment=preset.get("segment"),
        preset_source=origin.preset_source,
        segmentation=service.governing_segmentation(questionnaire, current, fallback_segment),
        campaign=preset.get("campaign"),
        wave=preset.get("wave"),
        started_at=draft.started_at if draft is not None else None,
        ip_hash=origin.ip_hash,
        entered_by=origin.entered_by,
        source=origin.source,
        recorded=recorded,
    )
    stored, issues = service.submit(session, submission, screen)
    if stored is not None and draft is not None and draft.response_id is None:
        service.mark_submitted(session, draft, stored.id)
    return Outcome(stored, issues, given)


def _assisted(preset: Mapping[str, Any]) -> dict[str, bool]:
    """{"assisted": True} when the invitation said someone helps the respondent on a shared
    device: the quality rules then expect the address to be shared (`quality.Subject`)."""
    return {"assisted": True} if preset.get("assisted") is True else {}
