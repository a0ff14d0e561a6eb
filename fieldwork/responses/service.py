"""Start and save drafts, resume them by code, and submit a response exactly once.

Exactly once is the database's job: the client's UUID is unique, the insert
is "insert or do nothing", and whoever loses the race reads the winner's row.
There is no check-then-insert anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from fieldwork import answers as answer_rules
from fieldwork import modes, quality, writers
from fieldwork.attempts import service as attempts
from fieldwork.audit.models import SYSTEM, AuditEntry
from fieldwork.clock import now
from fieldwork.questionnaire import segments
from fieldwork.questionnaire.model import ANSWERS, STAFF, Questionnaire, Segmentation, SegmentRule
from fieldwork.questionnaire.problems import Issue
from fieldwork.questionnaire.segments import LINK
from fieldwork.responses import codes
from fieldwork.responses.models import BANDS, PENDING, Draft, Response


class SubmissionConflict(Exception):
    """The same submission id was already used for different answers."""


def parse_submission_id(text: str) -> str | None:
    """The canonical form of a client-made UUID, or None if it is not one."""
    try:
        return str(uuid.UUID(text.strip()))
    except (ValueError, AttributeError):
        return None


NEW_DRAFTS = attempts.locked("draft-address", 300, dt.timedelta(hours=1))
"""New drafts stored per network in an hour. Starting stores nothing (see `start_draft`),
so only a flood that answers counts here; 30 elderly respondents on a community centre's
Wi-Fi, each starting a few times, stay far below it."""


def start_draft(
    questionnaire: Questionnaire,
    preset: Mapping[str, Any],
    started_at: dt.datetime | None = None,
    submission_id: str | None = None,
    page_seconds: Mapping[str, float] | None = None,
) -> Draft:
    """A new draft, not stored: the first page that gives an answer stores it (`save_page`),
    so a start nobody answers costs the database nothing. Until then the caller keeps what
    it was started with (its start time above all: a response's duration is counted from
    it) and makes it again from that. `preset` holds what an invitation link set
    (campaign, wave, segment…) and the display it is answered in (see `keep_display`)."""
    moment = started_at or now()
    return Draft(
        id=secrets.token_urlsafe(32),
        submission_id=submission_id or str(uuid.uuid4()),
        questionnaire_id=questionnaire.id,
        version_hash=questionnaire.content_hash,
        preset=dict(preset),
        page_seconds=dict(page_seconds or {}),
        started_at=moment,
        updated_at=moment,
    )


def is_stored(draft: Draft) -> bool:
    """Whether the draft has a row: False for one `start_draft` made and nothing stored."""
    return not inspect(draft).transient


def get_draft(session: Session, draft_id: str | None) -> Draft | None:
    return session.get(Draft, draft_id) if draft_id else None


def draft_of_submission(session: Session, submission_id: str) -> Draft | None:
    return session.exec(select(Draft).where(col(Draft.submission_id) == submission_id)).first()


def save_page(
    session: Session,
    draft: Draft,
    codes_on_page: Sequence[str],
    values: Mapping[str, Any],
    page: str,
    seconds: float | None,
    counted: str = "",
) -> None:
    """Replace the draft's answers to one page's questions and add the time spent on it.

    A draft not stored yet is stored by the first page that gives an answer (see
    `store_draft`; `counted` is the client's network); until then the time is kept only
    in `draft`, for the caller to keep with the rest of the start."""
    if not is_stored(draft):
        if not values:
            _add_seconds(draft, page, seconds)
            return
        draft = store_draft(session, draft, counted)
    kept = {code: value for code, value in draft.answers.items() if code not in codes_on_page}
    kept.update(values)
    draft.answers = kept
    _add_seconds(draft, page, seconds)
    draft.updated_at = now()
    session.add(draft)
    session.commit()


def _add_seconds(draft: Draft, page: str, seconds: float | None) -> None:
    if seconds is not None:
        times = dict(draft.page_seconds)
        times[page] = round(times.get(page, 0.0) + seconds, 1)
        draft.page_seconds = times


def store_draft(session: Session, draft: Draft, counted: str) -> Draft:
    """Store a draft `start_draft` made, counted per network under NEW_DRAFTS (raises
    attempts.TooManyAttempts past it, storing nothing). Its submission id is unique, so
    one start is stored once: a second tab, a double click or a replayed cookie gets the
    draft stored first, never a second row."""
    if is_stored(draft):
        return draft
    checks = [(NEW_DRAFTS, counted)]
    attempts.reserve(session, checks)
    session.add(draft)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        stored = draft_of_submission(session, draft.submission_id)
        if stored is None:  # not a second storing of this start: a real fault
            raise
        attempts.release(session, checks)  # stored once, counted once
        return stored
    return draft


def keep_display(session: Session, draft_ids: Sequence[str], display: Mapping[str, str]) -> None:
    """Keep the display (text size, contrast) with those of the drafts still open, so one
    resumed anywhere is shown as it was left. Not a change to the answers: `updated_at`,
    which their keeping is counted from, stays."""
    open_drafts = select(Draft).where(
        col(Draft.id).in_(draft_ids), col(Draft.response_id).is_(None)
    )
    for draft in session.exec(open_drafts):
        draft.preset = {**draft.preset, "display": dict(display)}
        session.add(draft)
    session.commit()


def issue_resume_code(session: Session, draft: Draft) -> str:
    """Give the draft a resume code (once); the unique constraint settles any collision."""
    if draft.resume_code:
        return draft.resume_code
    for _ in range(5):
        draft.resume_code = codes.new_resume_code()
        session.add(draft)
        try:
            session.commit()
            return draft.resume_code
        except IntegrityError:
            session.rollback()
    raise RuntimeError("could not find a free resume code")


def resume(session: Session, code: str, max_age_days: int, address: str) -> Draft | None:
    """The draft a well-formed, unexpired resume code points to.

    Codes are short enough to read over the phone, so unknown ones are counted per
    address (a key for the client's network) and raise TooManyAttempts past the limit.
    """
    checks = [(attempts.RESUME_ADDRESS, address)]
    attempts.reserve(session, checks)
    draft = session.exec(select(Draft).where(col(Draft.resume_code) == code)).first()
    if draft is None or draft.updated_at < now() - dt.timedelta(days=max_age_days):
        return None
    attempts.release(session, checks)  # a code that works is not a guess that failed
    return draft


@dataclass
class SegmentChoice:
    segment: str
    source: str
    flags: list[dict[str, Any]] = field(default_factory=list)


class SegmentMissing(ValueError):
    """No segment could be found, or a preset one is not among those the questionnaire
    offers: staff must assign one it offers, or it names none and no fallback was given
    (see `governing_segmentation`)."""


def segment_of(
    segmentation: Segmentation,
    preset: str | None,
    answers: Mapping[str, Any],
    preset_source: str = LINK,
) -> SegmentChoice:
    """The preset segment if there is one, else derived; a contradiction is flagged, not
    fixed. Staff-assigned questionnaires must be given one of the segments they offer."""
    offered = segmentation.offered
    # Staff who offer no list choose among every segment (a shadow test's persona).
    anything = segmentation.method == STAFF and not offered
    if preset is not None and preset not in offered and not anything:
        raise SegmentMissing(preset)
    if segmentation.method == STAFF:
        if preset is None:
            raise SegmentMissing("")
        return SegmentChoice(preset, preset_source)
    derived = segments.derived(segmentation, answers) or (offered[-1] if offered else None)
    if preset is None:
        if derived is None:  # a definition that names no segment, given no fallback
            raise SegmentMissing("")
        return SegmentChoice(derived, ANSWERS)
    flags = []
    if segments.conflicting(segmentation, preset, answers):
        conflict: dict[str, Any] = {"code": "segment-conflict", "link": preset, "answers": derived}
        if preset_source != LINK:
            conflict["source"] = preset_source
        flags.append(conflict)
    return SegmentChoice(preset, preset_source, flags)


def governing_segmentation(
    questionnaire: Questionnaire, current: Questionnaire | None, fallback: str
) -> Segmentation:
    """How a response to `questionnaire` finds its segment. A version stored before
    questionnaires declared their rules has none: the current version's apply. One that
    names no segment puts every response in `fallback`, the last of segments.yaml."""
    own = questionnaire.segmentation
    if own.rules or own.method != ANSWERS:
        return own
    if current is not None and current.segmentation.rules:
        return Segmentation(ANSWERS, current.segmentation.rules, own.offered)
    return Segmentation(ANSWERS, (SegmentRule(fallback),), own.offered or (fallback,))


def answers_hash(version_hash: str, answers: Mapping[str, Any]) -> str:
    document = json.dumps([version_hash, answers], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


@dataclass
class Submission:
    """What a mode hands over to be stored: everything but the reference and the time."""

    submission_id: str
    questionnaire: Questionnaire
    answers: Mapping[str, Any]
    locale: str
    paradata: Mapping[str, Any]
    mode: str = modes.ONLINE.code
    preset_segment: str | None = None  # from a link, a sheet or staff: see preset_source
    preset_source: str = LINK
    segmentation: Segmentation | None = None  # the questionnaire's own, unless given
    campaign: str | None = None
    wave: str | None = None
    started_at: dt.datetime | None = None
    ip_hash: str | None = None  # keyed hash, never the address itself
    entered_by: int | None = None  # the staff user who typed it in, for paper
    source: Mapping[str, str] = field(default_factory=dict)  # the mode's provenance fields
    recorded: Sequence[Mapping[str, Any]] = ()  # findings for the rules, as segment conflicts


@dataclass(frozen=True)
class Screened:
    """What the automatic review (levels 1 and 2) found before the response is stored."""

    flags: list[dict[str, Any]]
    status: str
    reason: str | None
    fingerprint: str | None
    rules_version: str | None
    signature: str | None = None  # quality.similarity: the closed answers, compared
    bands: tuple[int | None, ...] = (None, None, None)  # the signature's, when indexed


Screen = Callable[[Session, Questionnaire, Mapping[str, Any]], Screened]
"""Runs the quality rules on a row about to be stored (see `review.screening`)."""


@dataclass(frozen=True)
class Stored:
    id: int
    created: bool  # False when the same submission had been stored before


def submit(
    session: Session, submission: Submission, screen: Screen | None = None
) -> tuple[Stored | None, list[Issue]]:
    """Validate, screen and store once. Returns the stored row's id (new or earlier) or the
    issues. An automatic decision is audited in the same transaction as the insert.

    Raises SubmissionConflict if the id was already used with other answers.
    """
    questionnaire = submission.questionnaire
    cleaned = answer_rules.clean(questionnaire, submission.answers)
    issues = answer_rules.validate(questionnaire, cleaned, modes.MODES[submission.mode].missing)
    if issues:
        return None, issues
    segmentation = segment_of(
        submission.segmentation or questionnaire.segmentation,
        submission.preset_segment,
        cleaned,
        submission.preset_source,
    )
    digest = answers_hash(questionnaire.content_hash, cleaned)
    submitted = now()
    paradata = dict(submission.paradata)
    paradata["submitted_at"] = submitted.isoformat()
    if submission.started_at:
        paradata["started_at"] = submission.started_at.isoformat()
    row = {
        "submission_id": submission.submission_id,
        "questionnaire_id": questionnaire.id,
        "version_hash": questionnaire.content_hash,
        "mode": submission.mode,
        "segment": segmentation.segment,
        "segment_source": segmentation.source,
        "campaign": submission.campaign,
        "wave": submission.wave,
        "locale": submission.locale,
        "status": PENDING,
        "flags": [*segmentation.flags, *(dict(entry) for entry in submission.recorded)],
        "answers": cleaned,
        "paradata": paradata,
        "answers_hash": digest,
        "started_at": submission.started_at,
        "submitted_at": submitted,
        "ip_hash": submission.ip_hash,
        "entered_by": submission.entered_by,
        "source": {k: v for k, v in submission.source.items() if k not in modes.SOURCE_COLUMNS},
        **{name: submission.source.get(name) for name in modes.SOURCE_COLUMNS},
        "duration_seconds": (
            (submitted - submission.started_at).total_seconds() if submission.started_at else None
        ),
        "active_seconds": quality.active_seconds(paradata.get("page_seconds") or {}),
        "row_version": 1,
    }
    decided = None
    if screen is not None:
        screened = screen(session, questionnaire, row)
        row["flags"] = screened.flags
        row["status"] = screened.status
        row["fingerprint"] = screened.fingerprint
        row["answer_signature"] = screened.signature
        row.update(zip(BANDS, screened.bands, strict=True))
        row["rules_version"] = screened.rules_version
        if screened.status != PENDING:
            decided = {
                "at": submitted,
                "actor": SYSTEM,
                "action": "status",
                "old": PENDING,
                "new": screened.status,
                "reason": screened.reason,
            }
    new_id = _insert_once(session, row, decided)
    if new_id is not None:
        return Stored(new_id, created=True), []
    earlier = session.execute(
        select(col(Response.id), col(Response.answers_hash)).where(
            col(Response.submission_id) == submission.submission_id
        )
    ).one()
    if earlier.answers_hash != digest:
        raise SubmissionConflict(submission.submission_id)
    return Stored(earlier.id, created=False), []


_TABLE = Response.__table__  # type: ignore[attr-defined]
# Built once: "insert unless this submission id exists", giving the new id back.
_INSERT_ONCE = {
    name: dialect.insert(_TABLE)
    .on_conflict_do_nothing(index_elements=["submission_id"])
    .returning(_TABLE.c.id)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}


_AUDIT = AuditEntry.__table__.insert()  # type: ignore[attr-defined]


def _insert_once(
    session: Session, row: dict[str, Any], decided: dict[str, Any] | None = None
) -> int | None:
    """The new row's id, or None if the submission id was already stored. `decided`, if
    given, is the audit row of the automatic decision, written only with a new row."""
    bind = session.get_bind()
    statement = _INSERT_ONCE[bind.dialect.name]
    for _ in range(5):  # a new reference if the random one is taken
        try:
            with writers.turn(bind):
                # On the session's connection: a core statement needs none of the ORM's work.
                connection = session.connection()
                result = connection.execute(statement, {**row, "reference": codes.new_reference()})
                found = result.scalar_one_or_none()
                if found is not None and decided is not None:
                    connection.execute(_AUDIT, {**decided, "response_id": found})
                session.commit()
            return found
        except IntegrityError:
            session.rollback()
    raise RuntimeError("could not find a free reference code")


def mark_submitted(session: Session, draft: Draft, response_id: int) -> None:
    draft.response_id = response_id
    draft.updated_at = now()
    session.add(draft)
    session.commit()


def by_submission_id(session: Session, submission_id: str) -> Response | None:
    return session.exec(
        select(Response).where(col(Response.submission_id) == submission_id)
    ).first()
