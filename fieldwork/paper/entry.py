"""Heads-down entry of paper sheets: a keyer opens a sheet by its id, keys it one section
at a time, and finishes it; what happens next follows the run's verification policy.

An entry (`PaperEntry`) is one keyer's pass over one sheet, stored section by section so
a keyer can stop and resume. Starting one is an insert that two unique constraints judge
(one entry per pass of a sheet, never two by one keyer): nothing is looked up first, so
two people opening one sheet at once cannot both get the same pass, and nobody keys a
sheet twice. What was typed is read with `paper.keying` into the raw parts every mode
hands to `fieldwork.answers`, with paper's missing values: the same rules as the web form.
A question the answers route past takes no answer (the page greys it out; here it is
refused), and an answer that cannot be read (blank, illegible, several ticked) decides
no route, as `answers.shown` says.

Finishing pass 1 moves the sheet to "keyed once"; `verification.keyed_twice` then says
whether a second, blind entry is wanted. If not, the sheet becomes a response at once.
After pass 2 the two entries are compared field by field: if they agree the sheet becomes
a response, otherwise it waits for a supervisor (`paper.reconciliation`). A response is
stored through `responses.entry.submit` with a submission id drawn from the sheet id, so a
sheet becomes at most one response however often this is retried.

Refusals are codes (`service.SheetError`, answer `Issue`s) that the web words.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from fieldwork import answers as answer_rules
from fieldwork import modes
from fieldwork.accounts.models import StaffUser
from fieldwork.clock import now
from fieldwork.paper import ids, keying, verification
from fieldwork.paper import service as sheets
from fieldwork.paper.models import (
    ISSUED,
    KEYED_ONCE,
    KEYED_TWICE,
    RECONCILED,
    PaperEntry,
    PaperSheet,
    PrintRun,
)
from fieldwork.questionnaire.model import ILLEGIBLE, Question, Questionnaire, Section
from fieldwork.questionnaire.problems import Issue
from fieldwork.questionnaire.segments import SHEET
from fieldwork.questionnaire.types import RawAnswer
from fieldwork.responses import entry as responses
from fieldwork.responses import service as response_service
from fieldwork.responses.entry import Storing

KEYERS = modes.PAPER.creators
"""Roles that key sheets in."""
KEYED_ALREADY, IN_HAND, NOT_A_KEYER, NOT_YOURS, DONE = (
    "keyed-already",
    "in-hand",
    "not-a-keyer",
    "not-yours",
    "entry-finished",
)
"""Why a keyer cannot key a sheet or an entry, beside `service.SHEET_CODES`."""
ENTRY_CODES = (KEYED_ALREADY, IN_HAND, NOT_A_KEYER, NOT_YOURS, DONE)
ROUTED_PAST = "routed-past"
"""The issue of an answer typed for a question the sheet's answers route past."""
ONE_CODE = "one-code"
"""The issue of several codes typed where one box is ticked ("*" says several were)."""
SEVERAL_CODES = frozenset({"multiple_choice"})
"""Types whose one field takes several codes."""
KEYED_ACTION, RECONCILED_ACTION = "sheet-keyed", "sheet-reconciled"
"""What the audit log calls a finished entry and a sheet settled into a response."""
PAGE_SECONDS_LIMIT = 1800.0
"""The most seconds one section counts for: a page left open over lunch is not keying."""
KEYSTROKES_LIMIT = 100_000
"""The most keystrokes a page's script may report for one section."""

Typed = Mapping[str, Mapping[str, str]]
"""What was typed on a page: by question code, by field (`keying.Typed`)."""


@dataclass(frozen=True)
class Finished:
    """What finishing an entry led to: the sheet's new state and the response, if any."""

    state: str
    response_id: int | None = None
    differences: tuple[str, ...] = ()


# ---------------------------------------------------------------- starting and resuming


def start(session: Session, typed: str, keyer: StaffUser) -> PaperEntry:
    """The keyer's entry of the sheet whose id they typed: theirs if they started it, a new
    one otherwise (pass 1 of an issued sheet, pass 2 of one keyed once). SheetError if the
    id is refused (`service.find_for_entry`), the keyer keyed the sheet already, or someone
    else is keying this pass."""
    if keyer.role not in KEYERS or keyer.id is None:
        raise sheets.SheetError(NOT_A_KEYER)
    sheet = sheets.find_for_entry(session, typed)
    entry_pass = 1 if sheet.state == ISSUED else 2
    inserted = _insert(session, sheet.id, entry_pass, keyer.id)
    if inserted is not None:
        session.commit()
        found = session.get(PaperEntry, inserted)
        assert found is not None
        return found
    session.rollback()
    return _held(session, sheet, keyer.id)


_ENTRIES = PaperEntry.__table__  # type: ignore[attr-defined]
_DIALECTS = {"sqlite": sqlite, "postgresql": postgresql}


def _insert(session: Session, sheet_id: str, entry_pass: int, keyer_id: int) -> int | None:
    """Insert an entry unless a unique constraint holds another; its id, or None."""
    connection = session.connection()
    dialect = _DIALECTS[connection.dialect.name]
    statement = (
        dialect.insert(_ENTRIES)
        .values(
            sheet_id=sheet_id,
            entry_pass=entry_pass,
            keyer_id=keyer_id,
            typed={},
            answers={},
            sections=[],
            started_at=now(),
            keystrokes=0,
            seconds=0.0,
        )
        .on_conflict_do_nothing()
        .returning(_ENTRIES.c.id)
    )
    found: int | None = connection.execute(statement).scalar_one_or_none()
    return found


def _held(session: Session, sheet: PaperSheet, keyer_id: int) -> PaperEntry:
    """After the insert found a constraint in the way: the keyer's own unfinished entry,
    or why the sheet is not theirs to key."""
    own = session.exec(
        select(PaperEntry).where(
            col(PaperEntry.sheet_id) == sheet.id, col(PaperEntry.keyer_id) == keyer_id
        )
    ).first()
    shown = ids.shown(sheet.id)
    if own is None:
        raise sheets.SheetError(IN_HAND, sheet=shown)
    if own.finished_at is not None:
        raise sheets.SheetError(KEYED_ALREADY, sheet=shown)
    return own


def open_entry(session: Session, entry_id: int, keyer: StaffUser) -> PaperEntry:
    """The keyer's own unfinished entry by its id; SheetError otherwise (`not-yours` for one
    that is not there or not theirs, so ids of others' entries say nothing)."""
    found = session.get(PaperEntry, entry_id)
    if found is None or found.keyer_id != keyer.id:
        raise sheets.SheetError(NOT_YOURS)
    if found.finished_at is not None:
        raise sheets.SheetError(DONE, sheet=ids.shown(found.sheet_id))
    return found


def unfinished(session: Session, keyer: StaffUser) -> list[PaperEntry]:
    """The keyer's entries started and not finished, oldest first: to resume."""
    query = (
        select(PaperEntry)
        .where(col(PaperEntry.keyer_id) == keyer.id, col(PaperEntry.finished_at).is_(None))
        .order_by(col(PaperEntry.id))
    )
    return list(session.exec(query))


def run_of(session: Session, entry: PaperEntry) -> PrintRun:
    """The print run of the entry's sheet: its questionnaire version, language, presets."""
    sheet = session.get(PaperSheet, entry.sheet_id)
    assert sheet is not None  # a foreign key
    run = session.get(PrintRun, sheet.run_id)
    assert run is not None
    return run


# ---------------------------------------------------------------- sections


def sections(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[Section]:
    """The sections with a question to key, given the answers so far: a section all of
    whose questions the answers route past is not keyed at all."""
    shown = {q.code for q in answer_rules.shown(questionnaire, answers)}
    return [s for s in questionnaire.sections if any(q.code in shown for q in s.questions)]


def next_section(questionnaire: Questionnaire, entry: PaperEntry) -> Section | None:
    """The first section still to key, or None when every one is keyed."""
    done = set(entry.sections)
    todo = [s for s in sections(questionnaire, entry.answers) if s.code not in done]
    return todo[0] if todo else None


def section(questionnaire: Questionnaire, code: str) -> Section | None:
    return next((s for s in questionnaire.sections if s.code == code), None)


def earlier(questionnaire: Questionnaire, entry: PaperEntry, code: str) -> dict[str, Any]:
    """The entry's answers to the questions before a section: what routes into it."""
    before: list[str] = []
    for each in questionnaire.sections:
        if each.code == code:
            break
        before.extend(q.code for q in each.questions)
    return {c: entry.answers[c] for c in before if c in entry.answers}


# ---------------------------------------------------------------- reading a page


@dataclass(frozen=True)
class Page:
    """A section as read from what was typed: the values of the questions asked, the
    questions the answers route past, and every issue."""

    values: dict[str, Any]
    skipped: tuple[str, ...]
    issues: list[Issue]


def read_page(
    questionnaire: Questionnaire,
    chosen: Section,
    before: Mapping[str, Any],
    typed: Typed,
    language: str,
) -> Page:
    """Read one section's keys: `keying.read` then `answers.parse` and `check` with paper's
    missing values. An answer that fails to parse counts as unreadable for routing, so a
    mistake in a routing question never makes later questions look skipped."""
    raws: dict[str, RawAnswer] = {}
    issues: list[Issue] = []
    for question in chosen.questions:
        raw, issue = keying.read(question, fields_typed(question, typed, language))
        if issue is None and question.type not in SEVERAL_CODES and len(raw.get("", [])) > 1:
            issue = Issue.of(question.code, ONE_CODE)
        if issue is not None:
            issues.append(issue)
        else:
            raws[question.code] = raw
    parsed_ok = [q for q in chosen.questions if q.code in raws]
    values, parse_issues = answer_rules.parse(parsed_ok, raws, modes.PAPER.missing)
    issues += parse_issues
    failed = {issue.question for issue in issues}
    routing = {**before, **values, **{code: ILLEGIBLE for code in failed}}
    shown = {q.code for q in answer_rules.shown(questionnaire, routing)}
    skipped = tuple(q.code for q in chosen.questions if q.code not in shown)
    issues = [i for i in issues if i.question in shown]
    issues += [
        Issue.of(code, ROUTED_PAST) for code in skipped if any(_fields_of(typed, code).values())
    ]
    asked = [q for q in chosen.questions if q.code in shown and q.code not in failed]
    issues += answer_rules.check(asked, values, modes.PAPER.missing)
    kept = {code: value for code, value in values.items() if code in shown}
    order = {q.code: place for place, q in enumerate(chosen.questions)}
    issues.sort(key=lambda issue: order.get(issue.question, len(order)))
    return Page(kept, skipped, issues)


def _fields_of(typed: Typed, code: str) -> dict[str, str]:
    found = typed.get(code, {})
    return {part: text.strip() for part, text in found.items()}


def fields_typed(question: Question, typed: Typed, language: str) -> dict[str, str]:
    """The question's fields in the order the sheet prints them, each as typed ("" when
    not sent): a missing key is typed into the first."""
    given = typed.get(question.code, {})
    return {part: given.get(part, "") for part in keying.keyer(question).fields(question, language)}


def raw_answers(questionnaire: Questionnaire, typed: Typed, language: str) -> dict[str, RawAnswer]:
    """Stored keys as the raw parts `responses.entry.submit` parses: only keys that read
    (every stored page passed `read_page`)."""
    raws: dict[str, RawAnswer] = {}
    for question in questionnaire.questions:
        if question.code in typed:
            raw, issue = keying.read(question, fields_typed(question, typed, language))
            if issue is None:
                raws[question.code] = raw
    return raws


def computed_keystrokes(
    questionnaire: Questionnaire, values: Mapping[str, Any], language: str
) -> int:
    """The keys a section's answers take (`keying.keystrokes`) and the Enter that sends
    it: what a page without its script reports."""
    by_code = {q.code: q for q in questionnaire.questions}
    keys = sum(keying.keystrokes(by_code[c], v, language) for c, v in values.items())
    return keys + 1


def save_page(
    session: Session,
    questionnaire: Questionnaire,
    entry: PaperEntry,
    chosen: Section,
    typed: Typed,
    keystrokes: int | None,
    seconds: float,
    language: str,
) -> list[Issue]:
    """Read a section and, if it has no issues, store it in the entry (typed keys, values,
    time, keystrokes: `keystrokes` None is worked out from the answers); the issues else,
    storing nothing."""
    before = earlier(questionnaire, entry, chosen.code)
    page = read_page(questionnaire, chosen, before, typed, language)
    if page.issues:
        return page.issues
    codes = {q.code for q in chosen.questions}
    kept = {c: dict(_fields_of(typed, c)) for c in page.values}
    entry.typed = {**{c: v for c, v in entry.typed.items() if c not in codes}, **kept}
    answers = {c: v for c, v in entry.answers.items() if c not in codes}
    entry.answers = answer_rules.clean(questionnaire, {**answers, **page.values})
    entry.sections = [*[s for s in entry.sections if s != chosen.code], chosen.code]
    if keystrokes is None or not 0 <= keystrokes <= KEYSTROKES_LIMIT:
        keystrokes = computed_keystrokes(questionnaire, page.values, language)
    entry.keystrokes += keystrokes
    entry.seconds += min(max(seconds, 0.0), PAGE_SECONDS_LIMIT)
    session.add(entry)
    session.commit()
    return []


# ---------------------------------------------------------------- finishing


def finish(
    session: Session,
    questionnaire: Questionnaire,
    entry: PaperEntry,
    keyer: StaffUser,
    storing: Storing,
) -> Finished:
    """Finish a fully keyed entry: move its sheet on, and store the response where no
    (more) entry is wanted and the entries agree. SheetError `changed` if the sheet moved
    meanwhile (it was voided, or finished by another), storing nothing."""
    run = run_of(session, entry)
    sheet = session.get(PaperSheet, entry.sheet_id)
    assert sheet is not None
    old = ISSUED if entry.entry_pass == 1 else KEYED_ONCE
    new = KEYED_ONCE if entry.entry_pass == 1 else KEYED_TWICE
    try:
        sheets.move(session, sheet.id, old, new)
        entry.finished_at = now()
        entry.answers = answer_rules.clean(questionnaire, entry.answers)
        session.add(entry)
        sheets.audit(session, keyer, sheet.id, KEYED_ACTION, old, new, entry_pass=entry.entry_pass)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if entry.entry_pass == 1:
        policy = verification.Verification(policy=run.verification, share=run.share)
        if verification.keyed_twice(policy, sheet.id, record(session, entry.keyer_id)):
            return Finished(KEYED_ONCE)
        return settle(
            session, questionnaire, sheet.id, entry.typed, (entry,), None, storing, KEYED_ONCE
        )
    first = _pass(session, sheet.id, 1)
    differ = verification.differences(questionnaire, first.answers, entry.answers)
    if differ:
        return Finished(KEYED_TWICE, differences=tuple(differ))
    keyed = (first, entry)
    return settle(session, questionnaire, sheet.id, entry.typed, keyed, None, storing, KEYED_TWICE)


def _pass(session: Session, sheet_id: str, entry_pass: int) -> PaperEntry:
    found = session.exec(
        select(PaperEntry).where(
            col(PaperEntry.sheet_id) == sheet_id, col(PaperEntry.entry_pass) == entry_pass
        )
    ).first()
    assert found is not None
    return found


def entries(session: Session, sheet_id: str) -> list[PaperEntry]:
    """A sheet's entries, pass 1 first."""
    query = (
        select(PaperEntry)
        .where(col(PaperEntry.sheet_id) == sheet_id)
        .order_by(col(PaperEntry.entry_pass))
    )
    return list(session.exec(query))


def with_keyers(session: Session, sheet_id: str) -> list[tuple[PaperEntry, str]]:
    """A sheet's entries, pass 1 first, each with its keyer's username: for supervisors."""
    query = (
        select(PaperEntry, col(StaffUser.username))
        .join(StaffUser, col(StaffUser.id) == col(PaperEntry.keyer_id))
        .where(col(PaperEntry.sheet_id) == sheet_id)
        .order_by(col(PaperEntry.entry_pass))
    )
    return [(found, username) for found, username in session.exec(query)]


def record(session: Session, keyer_id: int) -> verification.Record:
    """A keyer's verified work so far: fields compared with final answers, errors among them."""
    fields, errors = session.exec(
        select(
            func.coalesce(func.sum(col(PaperEntry.compared)), 0),
            func.coalesce(func.sum(col(PaperEntry.errors)), 0),
        ).where(col(PaperEntry.keyer_id) == keyer_id, col(PaperEntry.compared).is_not(None))
    ).one()
    return verification.Record(int(fields or 0), int(errors or 0))


def submission_id(sheet_id: str) -> str:
    """The submission id of the response a sheet becomes: one per sheet, ever."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"fieldwork:paper-sheet:{sheet_id}"))


def settle(
    session: Session,
    questionnaire: Questionnaire,
    sheet_id: str,
    final: Typed,
    keyed: Sequence[PaperEntry],
    supervisor: StaffUser | None,
    storing: Storing,
    old: str,
) -> Finished:
    """Store a sheet's final answers (as keyed: `final`) as its response, then mark the
    sheet reconciled from `old` with each entry's errors against the final answers.
    `supervisor` None: the entries agreed, or one entry was all the sheet needed.
    SheetError `changed` if someone settled the sheet first. A response stored by an
    attempt that stopped before the sheet moved is found again by its submission id (the
    same answers store nothing twice), and the sheet then moves."""
    sheet = session.get(PaperSheet, sheet_id)
    assert sheet is not None
    run = session.get(PrintRun, sheet.run_id)
    assert run is not None
    last = keyed[-1]
    origin = responses.Origin(
        mode=modes.PAPER.code,
        creator=modes.FIELDWORKER,
        locale=run.language,
        preset={"campaign": run.campaign, "wave": run.wave, "segment": run.segment},
        preset_source=SHEET,
        entered_by=last.keyer_id,
        source={
            "sheet_id": sheet_id,
            "entry_pass": str(len(keyed)),
            "double_entered": "yes" if len(keyed) > 1 else "no",
        },
        paradata={
            "entry_seconds": round(sum(e.seconds for e in keyed), 1),
            "keystrokes": sum(e.keystrokes for e in keyed),
            "double_entered": len(keyed) > 1,
        },
    )
    try:
        # The response's submission id, one per sheet, is the constraint one of two people
        # settling a sheet at once wins by: the other's answers conflict with it (or, the
        # same, store nothing), and the state change below tells them.
        outcome = responses.submit(
            session,
            questionnaire,
            raw_answers(questionnaire, final, run.language),
            origin,
            submission_id(sheet_id),
            current=storing.current,
            fallback_segment=storing.fallback_segment,
            screen=storing.screen,
        )
    except response_service.SubmissionConflict:
        session.rollback()
        raise sheets.SheetError(sheets.CHANGED) from None
    except BaseException:
        session.rollback()
        raise
    if outcome.stored is None:
        session.rollback()
        raise ValueError(f"the final answers of sheet {sheet_id} do not validate: {outcome.issues}")
    answers = answer_rules.clean(questionnaire, outcome.answers)
    try:
        sheets.move(session, sheet_id, old, RECONCILED)
        sheet.response_id = outcome.stored.id
        session.add(sheet)
        # Errors only where a second entry checked the first: a sheet keyed once has
        # nothing to measure a keyer by, and counting it as faultless would earn trust.
        for each in keyed if len(keyed) > 1 else ():
            wrong = verification.differences(questionnaire, each.answers, answers)
            each.compared = len(verification.fields(questionnaire, each.answers, answers))
            each.errors = len(wrong)
            each.wrong = wrong
            session.add(each)
        sheets.audit(
            session,
            supervisor,
            sheet_id,
            RECONCILED_ACTION,
            old,
            RECONCILED,
            response=outcome.stored.id,
            entries=len(keyed),
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return Finished(RECONCILED, outcome.stored.id)
