"""Reconciliation pages: the sheets whose two entries differ, and for one sheet each field
that differs with both values side by side (as "entry A" and "entry B", never by who
typed them) and a third choice to type the final value from the paper. Admins and
reviewers who keyed neither entry settle sheets (`fieldwork.paper.reconciliation`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from fieldwork import catalog, db
from fieldwork.paper import ids, keying
from fieldwork.paper import reconciliation as settling
from fieldwork.paper import service as paper
from fieldwork.paper.models import PaperSheet, PrintRun
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.problems import Issue
from fieldwork.responses.entry import Storing
from fieldwork.web.entry import PART_LABELS, SHOWN_LIMIT
from fieldwork.web.errors import ClientError
from fieldwork.web.fields import BUILDERS, field_name
from fieldwork.web.messages import message
from fieldwork.web.paper import sheet_problem
from fieldwork.web.redirects import see_other
from fieldwork.web.staff import current_user, role_required

bp = Blueprint("reconcile", __name__, url_prefix="/staff/paper/reconcile")


def _supervisor() -> Any:
    user = current_user()
    assert user is not None  # role_required
    return user


@bp.get("/")
@role_required(*settling.SUPERVISORS)
def index() -> str:
    session = db.session()
    waiting = [(s, ids.shown(s.id)) for s in settling.waiting(session)]
    done = request.args.get("done", "")[: ids.TYPED_LIMIT]
    return render_template("reconcile/index.html", waiting=waiting, done=done)


def _questionnaire(sheet: PaperSheet) -> tuple[PrintRun, Questionnaire]:
    session = db.session()
    run = session.get(PrintRun, sheet.run_id)
    assert run is not None
    found = catalog.versions().by_hash(session, run.version_hash)
    if found is None:
        raise ClientError(404, _("The questionnaire of this sheet is not loaded."))
    return run, found


def _case(sheet_id: str) -> tuple[settling.Case, Questionnaire]:
    session = db.session()
    try:
        sheet = paper.find(session, sheet_id)
        _run, questionnaire = _questionnaire(sheet)
        return settling.case(session, questionnaire, sheet.id, _supervisor()), questionnaire
    except paper.SheetError as error:
        status = 404 if error.code in (*ids.CODES, paper.UNKNOWN) else 409
        if error.code == settling.OWN_ENTRY:
            status = 403
        raise ClientError(status, sheet_problem(error)) from None


@bp.get("/<sheet_id>")
@role_required(*settling.SUPERVISORS)
def sheet(sheet_id: str) -> tuple[str, int]:
    found, questionnaire = _case(sheet_id)
    return _render(found, questionnaire, {}, {}, [])


@bp.post("/<sheet_id>")
@role_required(*settling.SUPERVISORS)
def settle(sheet_id: str) -> Any:
    found, questionnaire = _case(sheet_id)
    picks = {f.code: request.form.get(f"pick-{f.code}", "") for f in found.fields}
    typed = _typed(questionnaire, found)
    storing = Storing(
        current=catalog.versions().current(db.session(), found.run.questionnaire_id),
        fallback_segment=catalog.segments()[-1].code,
        screen=catalog.screener(),
    )
    try:
        _finished, issues = settling.reconcile(
            db.session(), questionnaire, found, picks, typed, _supervisor(), storing
        )
    except paper.SheetError as error:
        db.session().rollback()
        return _render(found, questionnaire, picks, typed, [], sheet_problem(error), 409)
    if issues:
        return _render(found, questionnaire, picks, typed, issues, status=422)
    return see_other(url_for(".index", done=ids.shown(found.sheet.id)))


def _typed(questionnaire: Questionnaire, found: settling.Case) -> dict[str, dict[str, str]]:
    """The final values the supervisor typed, by question and field, as entry reads them."""
    language = found.run.language
    typed = {}
    for field in found.fields:
        question = questionnaire.question(field.code)
        parts = keying.keyer(question).fields(question, language)
        typed[field.code] = {
            part: request.form.get("t-" + field_name(question, part), "") for part in parts
        }
    return typed


def _render(
    found: settling.Case,
    questionnaire: Questionnaire,
    picks: Mapping[str, str],
    typed: Mapping[str, Mapping[str, str]],
    issues: Sequence[Issue],
    problem: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    language = found.run.language
    words = {
        i.question: str(_("Choose the value on the paper, or type it"))
        if i.code == settling.NO_PICK
        else message(i, questionnaire.question(i.question))
        for i in issues
    }
    rows = [_row(questionnaire, f, language, picks, typed, words.get(f.code)) for f in found.fields]
    errors = [(f"pick-{row['code']}-1", row["problem"]) for row in rows if row["problem"]]
    if problem:
        errors.insert(0, ("settle", problem))
    page = render_template(
        "reconcile/sheet.html",
        case=found,
        shown=ids.shown(found.sheet.id),
        language=language,
        rows=rows,
        errors=errors,
        back=url_for(".index"),
    )
    return page, status


def _row(
    questionnaire: Questionnaire,
    field: settling.Field,
    language: str,
    picks: Mapping[str, str],
    typed: Mapping[str, Mapping[str, str]],
    problem: str | None,
) -> dict[str, Any]:
    question = questionnaire.question(field.code)
    parts = keying.keyer(question).fields(question, language)
    given = typed.get(field.code, {})
    return {
        "code": field.code,
        "text": question.text.get(language, ""),
        "entries": [
            {"keys": _keys(keys, parts), "meaning": _meaning(question.type, question, value)}
            for keys, value in zip(field.typed, field.values, strict=True)
        ],
        "pick": picks.get(field.code, ""),
        "fields": [
            {
                "name": "t-" + field_name(question, part),
                "label": str(PART_LABELS[part]) if part else "",
                "value": given.get(part, "")[:SHOWN_LIMIT],
            }
            for part in parts
        ],
        "problem": problem,
    }


def _keys(keys: Mapping[str, str], parts: Sequence[str]) -> str:
    """An entry's keys as typed, its fields in the sheet's order (Enter alone: nothing)."""
    return " / ".join(keys.get(part, "") for part in parts if keys.get(part, ""))


def _meaning(kind: str, question: Any, value: Any) -> str:
    if value is None:
        return str(_("Not keyed: the entry's answers route past it"))
    return BUILDERS[kind].show(question, value)
