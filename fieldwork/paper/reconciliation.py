"""Reconciling a sheet whose two blind entries differ: a supervisor sees both values of
each field that differs, side by side and without who typed which, and picks one or
types the final value; the sheet then becomes its response (`entry.settle`).

A supervisor is an admin or a reviewer who keyed neither entry. Two supervisors settling
one sheet at once: the response's submission id is one per sheet and the state change
names the state it leaves, so one wins and the other gets `changed`, and nothing of
theirs is stored. Refusals are codes the web words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from fieldwork import answers as answer_rules
from fieldwork import modes
from fieldwork.accounts.models import StaffUser
from fieldwork.paper import entry as keyed
from fieldwork.paper import ids, keying, verification
from fieldwork.paper import service as sheets
from fieldwork.paper.models import KEYED_TWICE, PaperEntry, PaperSheet, PrintRun
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.problems import Issue
from fieldwork.responses.entry import Storing

SUPERVISORS = frozenset({"admin", "reviewer"})
"""Roles that reconcile sheets."""
NOT_A_SUPERVISOR, OWN_ENTRY, NOTHING_TO_RECONCILE = (
    "not-a-supervisor",
    "own-entry",
    "nothing-to-reconcile",
)
CODES = (NOT_A_SUPERVISOR, OWN_ENTRY, NOTHING_TO_RECONCILE)
"""Why a person cannot reconcile a sheet, beside `service.SHEET_CODES`."""
FIRST, SECOND, TYPED = "1", "2", "typed"
"""A supervisor's pick for a field: one entry's value, or the value they type."""
NO_PICK = "no-pick"
"""The issue of a differing field left without a pick."""


@dataclass(frozen=True)
class Field:
    """One field the two entries disagree on: each entry's keys and what they stand for."""

    code: str
    typed: tuple[Mapping[str, str], Mapping[str, str]]
    values: tuple[Any, Any]


@dataclass(frozen=True)
class Case:
    """A sheet to reconcile: its run, its two entries and the fields they disagree on."""

    sheet: PaperSheet
    run: PrintRun
    entries: tuple[PaperEntry, PaperEntry]
    fields: tuple[Field, ...]


def waiting(session: Session, limit: int = 500) -> list[PaperSheet]:
    """Sheets keyed twice and not yet reconciled, in the order of their runs."""
    query = (
        select(PaperSheet)
        .where(col(PaperSheet.state) == KEYED_TWICE)
        .order_by(col(PaperSheet.run_id), col(PaperSheet.number))
        .limit(limit)
    )
    return list(session.exec(query))


def case(
    session: Session, questionnaire: Questionnaire, sheet_id: str, supervisor: StaffUser
) -> Case:
    """The sheet as its reconciliation page shows it; SheetError if the person may not
    reconcile it or it has nothing to reconcile."""
    if supervisor.role not in SUPERVISORS:
        raise sheets.SheetError(NOT_A_SUPERVISOR)
    sheet = sheets.find(session, sheet_id)
    if sheet.state != KEYED_TWICE:
        raise sheets.SheetError(NOTHING_TO_RECONCILE, sheet=ids.shown(sheet.id))
    first, second = keyed.entries(session, sheet.id)
    if supervisor.id in (first.keyer_id, second.keyer_id):
        raise sheets.SheetError(OWN_ENTRY, sheet=ids.shown(sheet.id))
    run = session.get(PrintRun, sheet.run_id)
    assert run is not None
    differ = verification.differences(questionnaire, first.answers, second.answers)
    fields = tuple(
        Field(
            code,
            (first.typed.get(code, {}), second.typed.get(code, {})),
            (first.answers.get(code), second.answers.get(code)),
        )
        for code in differ
    )
    return Case(sheet, run, (first, second), fields)


def final_keys(
    questionnaire: Questionnaire,
    found: Case,
    picks: Mapping[str, str],
    typed: Mapping[str, Mapping[str, str]],
) -> tuple[dict[str, dict[str, str]], list[Issue]]:
    """The sheet's final keys: what the entries agree on, and for each field they differ
    on the supervisor's pick (`FIRST`, `SECOND`, or `TYPED` with the keys in `typed`);
    every issue with them, read as entry reads keys."""
    second = found.entries[1]
    final = {code: dict(keys) for code, keys in second.typed.items()}
    issues: list[Issue] = []
    for field in found.fields:
        pick = picks.get(field.code)
        if pick == FIRST:
            chosen: Mapping[str, str] = field.typed[0]
        elif pick == SECOND:
            chosen = field.typed[1]
        elif pick == TYPED:
            chosen = typed.get(field.code, {})
        else:
            issues.append(Issue.of(field.code, NO_PICK))
            continue
        final[field.code] = dict(chosen)
    unpicked = {issue.question for issue in issues}
    found_issues = _issues(questionnaire, final, found.run.language)
    issues += [i for i in found_issues if i.question not in unpicked]
    order = {code: place for place, code in enumerate(questionnaire.codes())}
    return final, sorted(issues, key=lambda i: order.get(i.question, len(order)))


def _issues(questionnaire: Questionnaire, final: keyed.Typed, language: str) -> list[Issue]:
    """Every issue of the final keys of a whole sheet, as entry reads them."""
    issues: list[Issue] = []
    for question in questionnaire.questions:
        if question.code in final:
            fields = keyed.fields_typed(question, final, language)
            _raw, issue = keying.read(question, fields)
            if issue is not None:
                issues.append(issue)
    if issues:
        return issues
    raws = keyed.raw_answers(questionnaire, final, language)
    values, issues = answer_rules.parse(questionnaire.questions, raws, modes.PAPER.missing)
    if issues:
        return issues
    cleaned = answer_rules.clean(questionnaire, values)
    return answer_rules.validate(questionnaire, cleaned, modes.PAPER.missing)


def reconcile(
    session: Session,
    questionnaire: Questionnaire,
    found: Case,
    picks: Mapping[str, str],
    typed: Mapping[str, Mapping[str, str]],
    supervisor: StaffUser,
    storing: Storing,
) -> tuple[keyed.Finished | None, list[Issue]]:
    """Settle a sheet with the supervisor's picks: the response stored and the sheet
    reconciled, or the issues, storing nothing. SheetError `changed` if another
    supervisor settled it first."""
    final, issues = final_keys(questionnaire, found, picks, typed)
    if issues:
        return None, issues
    finished = keyed.settle(
        session,
        questionnaire,
        found.sheet.id,
        final,
        found.entries,
        supervisor,
        storing,
        KEYED_TWICE,
    )
    return finished, []
