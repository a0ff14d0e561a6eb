"""Print runs and paper sheets: issue a run, void a sheet, the legal changes of a sheet's
state, finding a sheet by the id a person typed, and a sheet's history.

Ids are drawn at random and inserted with "do nothing on a clash": the primary key
decides, and a clashing id is drawn again. Nothing is looked up first, so two runs
issued at once can never hand out one id twice. A run of up to `MAX_COUNT` sheets is
one transaction: its sheets and their audit rows are stored together or not at all.

A state only moves along `TRANSITIONS`, with an UPDATE that names the state it moves
from: of two people moving one sheet at once, one wins and the other is told.
Refusals are codes (`Problem`, `SheetError`) that the web words.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from fieldwork.accounts.models import StaffUser
from fieldwork.audit import log
from fieldwork.audit.models import AuditEntry
from fieldwork.clock import now
from fieldwork.modes import PAPER
from fieldwork.paper import ids
from fieldwork.paper.models import (
    ISSUED,
    KEYED_ONCE,
    KEYED_TWICE,
    RECONCILED,
    SIZES,
    VOID,
    PaperSheet,
    PrintRun,
)
from fieldwork.paper.verification import ADAPTIVE, POLICIES, Verification
from fieldwork.questionnaire.model import Questionnaire

MAX_COUNT = 1000
"""The most sheets one run issues: one transaction, one PDF."""
LABEL = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
"""A campaign or wave, as invitation links carry them."""
REASON_LIMIT = 2000
"""The most characters of a reason for voiding (the audit log's comment)."""
ISSUE_ACTION, VOID_ACTION = "sheet-issued", "sheet-void"
"""What the audit log calls issuing a sheet and voiding it."""
COMMAND_LINE = "command-line"
"""The audit log's actor for a run issued with `flask fieldwork paper issue` by no one named."""
ISSUERS = frozenset({"admin"})
"""Roles that issue runs and void sheets."""
DRAWS = 8
"""Rounds of drawing ids again for those that clashed, before giving up: at 29**8 ids,
even one clash in a run is rare, eight in a row means the source is broken."""

TRANSITIONS: Mapping[str, frozenset[str]] = {
    ISSUED: frozenset({KEYED_ONCE, VOID}),
    # Once, then finished when the campaign does not ask for a second entry, or twice.
    KEYED_ONCE: frozenset({KEYED_TWICE, RECONCILED, VOID}),
    KEYED_TWICE: frozenset({RECONCILED, VOID}),
    RECONCILED: frozenset(),  # it is a response now: changes to it are the review's
    VOID: frozenset(),
}
"""The state changes a sheet may make, and no others."""
KEYABLE = frozenset({ISSUED, KEYED_ONCE})
"""States in which a sheet can still be typed in."""

# Why a typed id finds no sheet to key, after the reasons `ids.parse` gives.
UNKNOWN, VOIDED, FINISHED = "unknown", "void", "finished"
# Why a sheet cannot change.
ILLEGAL, CHANGED, NOT_ALLOWED = "illegal-transition", "changed", "not-allowed"
NO_REASON, REASON_TOO_LONG = "no-reason", "reason-too-long"
SHEET_CODES = (
    *ids.CODES,
    UNKNOWN,
    VOIDED,
    FINISHED,
    ILLEGAL,
    CHANGED,
    NOT_ALLOWED,
    NO_REASON,
    REASON_TOO_LONG,
)
"""Every `SheetError` code; `web/paper.py` words each."""

RUN_CODES = (
    "unknown-questionnaire",
    "not-for-paper",
    "unknown-language",
    "unknown-size",
    "count-not-a-number",
    "count-out-of-range",
    "bad-label",
    "unknown-segment",
    "not-a-fieldworker",
    "not-allowed",
    "unknown-verification",
    "share-out-of-range",
)
"""Every `Problem` code of an order for a run; `web/paper.py` words each."""


class SheetError(ValueError):
    """A sheet cannot be found or changed; `code` says why, `params` what to say with it."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of an order for a run."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class RunRefused(ValueError):
    """An order for a run that cannot be issued; every problem with it, at once."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(", ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Order:
    """What a run is to be: as a form or the command line gave it. `count` is None when
    what was given is not a whole number."""

    language: str
    size: str
    count: int | None
    issued_to: str  # the fieldworker's username
    campaign: str | None = None
    wave: str | None = None
    segment: str | None = None
    verification: str = ADAPTIVE  # which sheets are keyed twice
    share: float | None = Verification().share  # None: not a number from 0 to 1


def share_from(text: str) -> float | None:
    """A share typed as a percentage ("10", "12.5", "10 %"), as a fraction; None if it is not
    a number from 0 to 100."""
    text = text.strip().rstrip("%％").strip()
    try:
        percent = float(text) if 0 < len(text) <= 8 else -1.0
    except ValueError:
        return None
    return percent / 100 if 0 <= percent <= 100 else None


def count_from(text: str) -> int | None:
    """A count as typed: a whole number of a few digits, or None."""
    text = text.strip()
    return int(text) if text.isdecimal() and len(text) <= 6 else None


def fieldworkers(session: Session) -> list[StaffUser]:
    """Active fieldworkers, who can be handed a run, by username."""
    query = (
        select(StaffUser)
        .where(col(StaffUser.role) == "fieldworker", col(StaffUser.active).is_(True))
        .order_by(col(StaffUser.username))
    )
    return list(session.exec(query))


def _fieldworker(session: Session, username: str) -> StaffUser | None:
    query = select(StaffUser).where(col(StaffUser.username) == username)
    found = session.exec(query).first()
    return found if found and found.role == "fieldworker" and found.active else None


def check_order(
    session: Session, questionnaire: Questionnaire | None, order: Order
) -> tuple[list[Problem], StaffUser | None]:
    """Every problem with an order, and the fieldworker it hands the run to."""
    problems = []
    if questionnaire is None:
        problems.append(Problem("questionnaire", "unknown-questionnaire"))
    elif questionnaire.kind not in PAPER.kinds:
        problems.append(Problem("questionnaire", "not-for-paper"))
    elif order.language not in questionnaire.languages:
        problems.append(
            Problem("language", "unknown-language", {"languages": questionnaire.languages})
        )
    if order.size not in SIZES:
        problems.append(Problem("size", "unknown-size"))
    if order.count is None:
        problems.append(Problem("count", "count-not-a-number"))
    elif not 1 <= order.count <= MAX_COUNT:
        problems.append(Problem("count", "count-out-of-range", {"most": MAX_COUNT}))
    for name, value in (("campaign", order.campaign), ("wave", order.wave)):
        if value is not None and not LABEL.fullmatch(value):
            problems.append(Problem(name, "bad-label"))
    offered = questionnaire.segments if questionnaire else ()
    if order.segment is not None and questionnaire and order.segment not in offered:
        problems.append(Problem("segment", "unknown-segment", {"segments": offered}))
    worker = _fieldworker(session, order.issued_to)
    if worker is None:
        problems.append(Problem("issued_to", "not-a-fieldworker"))
    if order.verification not in POLICIES:
        problems.append(Problem("verification", "unknown-verification"))
    if order.share is None or not 0 <= order.share <= 1:
        problems.append(Problem("share", "share-out-of-range"))
    return problems, worker


def issue(
    session: Session,
    questionnaire: Questionnaire | None,
    order: Order,
    creator: StaffUser | None,
    draw: Callable[[], str] = ids.draw,
) -> PrintRun:
    """Issue a run of numbered sheets to a fieldworker, in one transaction, with an audit
    row per sheet; `creator` None is the command line. RunRefused, storing nothing, if
    the order cannot be."""
    problems, worker = check_order(session, questionnaire, order)
    if creator is not None and creator.role not in ISSUERS:
        problems.append(Problem("creator", NOT_ALLOWED))
    if problems:
        raise RunRefused(problems)
    assert questionnaire is not None and order.count is not None
    assert worker is not None and worker.id is not None and order.share is not None
    run = PrintRun(
        questionnaire_id=questionnaire.id,
        version_hash=questionnaire.content_hash,
        language=order.language,
        size=order.size,
        campaign=order.campaign,
        wave=order.wave,
        segment=order.segment,
        count=order.count,
        issued_to=worker.id,
        created_by=creator.id if creator else None,
        created_at=now(),
        verification=order.verification,
        share=order.share,
    )
    try:
        session.add(run)
        session.flush()
        assert run.id is not None
        placed = _place(session, run.id, order.count, draw)
        log.write(
            session,
            [
                _entry(creator, sheet_id, ISSUE_ACTION, None, ISSUED, run=run.id, number=number)
                for number, sheet_id in sorted(placed.items())
            ],
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(run)
    return run


_SHEETS = PaperSheet.__table__  # type: ignore[attr-defined]
_DIALECTS = {"sqlite": sqlite, "postgresql": postgresql}


def _place(session: Session, run_id: int, count: int, draw: Callable[[], str]) -> dict[int, str]:
    """Insert sheets 1 … count of a run, each with an id drawn at random; an id another
    sheet holds is skipped by the insert and drawn again. Returns the ids by number."""
    connection = session.connection()
    dialect = _DIALECTS[connection.dialect.name]
    placed: dict[int, str] = {}
    missing = list(range(1, count + 1))
    for _ in range(DRAWS):
        rows = [{"id": draw(), "run_id": run_id, "number": n, "state": ISSUED} for n in missing]
        statement = (
            dialect.insert(_SHEETS)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(_SHEETS.c.number, _SHEETS.c.id)
        )
        placed.update({number: sheet_id for number, sheet_id in connection.execute(statement)})
        missing = [n for n in missing if n not in placed]
        if not missing:
            return placed
    raise RuntimeError("the id source keeps giving ids that are taken")


def _entry(
    actor: StaffUser | None,
    sheet_id: str,
    action: str,
    old: Any,
    new: str,
    comment: str | None = None,
    **more: Any,
) -> dict[str, Any]:
    """An audit row about a sheet: `new` is the state it moves to, with `more` (the run,
    the number) beside it."""
    moved = {"state": new, **more} if more else new
    return log.entry(
        actor, action, old, moved, unattended=COMMAND_LINE, sheet_id=sheet_id, comment=comment
    )


def audit(
    session: Session,
    actor: StaffUser | None,
    sheet_id: str,
    action: str,
    old: Any,
    new: str,
    **more: Any,
) -> None:
    """Write one audit row about a sheet in the caller's transaction (entry, reconciliation:
    `paper.entry`); `new` is the state it moves to, `more` what goes with it."""
    log.write(session, [_entry(actor, sheet_id, action, old, new, **more)])


def check_transition(old: str, new: str) -> None:
    """Refuse a state change `TRANSITIONS` does not allow, with the code `illegal-transition`."""
    if new not in TRANSITIONS.get(old, frozenset()):
        raise SheetError(ILLEGAL, old=old, new=new)


def move(session: Session, sheet_id: str, old: str, new: str) -> None:
    """Move a sheet from `old` to `new` in the caller's transaction (the caller commits and
    audits): SheetError `illegal-transition` for a change not allowed, `changed` if the
    sheet is no longer in `old` (someone moved it meanwhile)."""
    check_transition(old, new)
    result = session.execute(
        update(PaperSheet)
        .where(col(PaperSheet.id) == sheet_id, col(PaperSheet.state) == old)
        .values(state=new)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise SheetError(CHANGED)


def void(session: Session, sheet_id: str, reason: str, actor: StaffUser | None) -> PaperSheet:
    """Void a sheet (lost, spoiled, printed twice), with the reason in the audit log;
    `actor` None is the command line. SheetError if it cannot be."""
    if actor is not None and actor.role not in ISSUERS:
        raise SheetError(NOT_ALLOWED)
    reason = reason.strip()
    if not reason:
        raise SheetError(NO_REASON)
    if len(reason) > REASON_LIMIT:
        raise SheetError(REASON_TOO_LONG, most=str(REASON_LIMIT))
    sheet = session.get(PaperSheet, sheet_id)
    if sheet is None:
        raise SheetError(UNKNOWN)
    old = sheet.state
    try:
        move(session, sheet_id, old, VOID)
        log.write(session, [_entry(actor, sheet_id, VOID_ACTION, old, VOID, comment=reason)])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(sheet)
    return sheet


def find(session: Session, typed: str) -> PaperSheet:
    """The sheet whose id a person typed, in any state; SheetError if there is none."""
    try:
        sheet_id = ids.parse(typed)
    except ids.IdError as error:
        raise SheetError(error.code, character=error.character) from None
    sheet = session.get(PaperSheet, sheet_id)
    if sheet is None:
        raise SheetError(UNKNOWN, sheet=ids.shown(sheet_id))
    return sheet


def find_for_entry(session: Session, typed: str) -> PaperSheet:
    """The sheet to type in, by the id a person typed: refused (SheetError) if the id is
    malformed or its check character wrong, if no sheet has it, if it is void, or if it
    needs no more entry."""
    sheet = find(session, typed)
    if sheet.state == VOID:
        raise SheetError(VOIDED, sheet=ids.shown(sheet.id))
    if sheet.state not in KEYABLE:
        raise SheetError(FINISHED, sheet=ids.shown(sheet.id), state=sheet.state)
    return sheet


def history(session: Session, sheet_id: str) -> list[AuditEntry]:
    """Every audited change of a sheet, the first first."""
    query = (
        select(AuditEntry).where(col(AuditEntry.sheet_id) == sheet_id).order_by(col(AuditEntry.id))
    )
    return list(session.exec(query))


@dataclass(frozen=True)
class RunRow:
    """A run as lists show it: who has its sheets, who made it, how many are finished."""

    run: PrintRun
    issued_to: str
    created_by: str | None
    states: Mapping[str, int]


def runs(session: Session, limit: int = 200) -> list[RunRow]:
    """The latest runs, newest first, with their sheets counted by state."""
    worker, creator = aliased(StaffUser), aliased(StaffUser)
    query = (
        select(PrintRun, col(worker.username), col(creator.username))
        .join(worker, col(worker.id) == col(PrintRun.issued_to))
        .outerjoin(creator, col(creator.id) == col(PrintRun.created_by))
        .order_by(col(PrintRun.id).desc())
        .limit(limit)
    )
    found = session.exec(query).all()
    counts = _states(session, [run.id for run, _w, _c in found if run.id is not None])
    return [RunRow(run, w, c, counts.get(run.id or 0, {})) for run, w, c in found]


def _states(session: Session, run_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    if not run_ids:
        return {}
    query = (
        select(col(PaperSheet.run_id), col(PaperSheet.state), func.count())
        .where(col(PaperSheet.run_id).in_(run_ids))
        .group_by(col(PaperSheet.run_id), col(PaperSheet.state))
    )
    counts: dict[int, dict[str, int]] = {}
    for run_id, state, count in session.exec(query):
        counts.setdefault(run_id, {})[state] = count
    return counts


def run_row(session: Session, run_id: int) -> RunRow | None:
    """One run as lists show it, or None."""
    run = session.get(PrintRun, run_id)
    if run is None or run.id is None:
        return None
    worker = session.get(StaffUser, run.issued_to)
    creator = session.get(StaffUser, run.created_by) if run.created_by else None
    return RunRow(
        run,
        worker.username if worker else "",
        creator.username if creator else None,
        _states(session, [run.id]).get(run.id, {}),
    )


def sheets(session: Session, run_id: int) -> list[PaperSheet]:
    """A run's sheets in their printed order."""
    query = (
        select(PaperSheet).where(col(PaperSheet.run_id) == run_id).order_by(col(PaperSheet.number))
    )
    return list(session.exec(query))
