"""Heads-down entry pages: a fieldworker types (or scans) a sheet id, then keys the sheet
one section per page, each question one text field per keyed part with the printed codes
beside it; the page's script moves on when a code is complete and on Enter, and greys out
the questions the answers route past. Without the script it is a plain form that the
server reads the same way (`fieldwork.paper.entry`).

The pages parse the request, call the entry service and word its codes; they show the
questionnaire in the sheet's language (the keyer reads the sheet) and everything else in
the keyer's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from fieldwork import catalog, clock, date_parts, db
from fieldwork.accounts.models import StaffUser
from fieldwork.paper import entry as keyed
from fieldwork.paper import ids, keying
from fieldwork.paper import service as paper
from fieldwork.paper.models import KEYED_ONCE, KEYED_TWICE, RECONCILED, PaperEntry, PrintRun
from fieldwork.questionnaire.model import Question, Questionnaire, Section
from fieldwork.questionnaire.problems import Issue
from fieldwork.responses.entry import Storing
from fieldwork.web.errors import ClientError
from fieldwork.web.fields import field_name
from fieldwork.web.messages import SPECIAL_LABELS, message
from fieldwork.web.paper import sheet_problem
from fieldwork.web.redirects import see_other
from fieldwork.web.staff import current_user, role_required

bp = Blueprint("entry", __name__, url_prefix="/staff/entry")

SHOWN_LIMIT = 5000
"""The most characters of a field sent back to fix: a 1 MB paste is not shown again."""
PART_LABELS = {
    "hours": _l("Hours"),
    "minutes": _l("Minutes"),
    **{part: _l(name) for part, name in date_parts.NAMES.items()},  # ids marked with N_
}
OUTCOMES = {
    KEYED_ONCE: _l("Sheet %(sheet)s is typed in. Another fieldworker will type it in again."),
    KEYED_TWICE: _l(
        "Sheet %(sheet)s is typed in. The two entries differ, so a supervisor will settle them."
    ),
    RECONCILED: _l("Sheet %(sheet)s is typed in and stored as a response."),
}


def _keyer() -> StaffUser:
    user = current_user()
    assert user is not None  # role_required
    return user


@bp.get("/")
@role_required(*keyed.KEYERS)
def index() -> tuple[str, int]:
    return _index()


def _index(
    typed: str = "", errors: Sequence[tuple[str, str]] = (), status: int = 200
) -> tuple[str, int]:
    """The sheet id field, the keyer's entries to resume, and what their last sheet became."""
    keyer = _keyer()
    notice = _outcome(request.args.get("done", ""), request.args.get("state", ""))
    page = render_template(
        "entry/index.html",
        typed=typed[: ids.TYPED_LIMIT],
        errors=list(errors),
        notice=notice,
        resumable=[(e, ids.shown(e.sheet_id)) for e in keyed.unfinished(db.session(), keyer)],
    )
    return page, status


def _outcome(done: str, state: str) -> str:
    """What the keyer's last sheet became, from the address finishing sent them to: only
    for a real sheet id, so a made-up link cannot put words on the page."""
    try:
        sheet_id = ids.parse(done)
    except ids.IdError:
        return ""
    return str(OUTCOMES[state]) % {"sheet": ids.shown(sheet_id)} if state in OUTCOMES else ""


@bp.post("/")
@role_required(*keyed.KEYERS)
def start() -> Any:
    typed = request.form.get("sheet", "")
    try:
        found = keyed.start(db.session(), typed, _keyer())
    except paper.SheetError as error:
        status = 409 if error.code in (keyed.IN_HAND, keyed.KEYED_ALREADY) else 400
        return _index(typed, [("sheet", sheet_problem(error))], status)
    return see_other(_next_url(found))


def _next_url(found: PaperEntry) -> str:
    questionnaire = _questionnaire(_run(found))
    chosen = keyed.next_section(questionnaire, found)
    if chosen is None:
        return url_for(".finishing", entry_id=found.id)
    return url_for(".page", entry_id=found.id, code=chosen.code)


def _run(found: PaperEntry) -> PrintRun:
    return keyed.run_of(db.session(), found)


def _questionnaire(run: PrintRun) -> Questionnaire:
    found = catalog.versions().by_hash(db.session(), run.version_hash)
    if found is None:  # a version is never deleted while sheets print it
        raise ClientError(404, _("The questionnaire of this sheet is not loaded."))
    return found


def _entry(entry_id: int) -> PaperEntry:
    try:
        return keyed.open_entry(db.session(), entry_id, _keyer())
    except paper.SheetError as error:
        raise ClientError(404, sheet_problem(error)) from None


def _section(entry_id: int, code: str) -> tuple[PaperEntry, PrintRun, Questionnaire, Section]:
    """The keyer's own entry, its run, the questionnaire printed and the section named."""
    found = _entry(entry_id)
    run = _run(found)
    questionnaire = _questionnaire(run)
    chosen = keyed.section(questionnaire, code)
    if chosen is None:
        raise ClientError(404, _("The questionnaire has no such section."))
    return found, run, questionnaire, chosen


@bp.get("/<int:entry_id>/s/<code>")
@role_required(*keyed.KEYERS)
def page(entry_id: int, code: str) -> Any:
    found, run, questionnaire, chosen = _section(entry_id, code)
    if chosen not in keyed.sections(questionnaire, found.answers):
        return see_other(_next_url(found))  # the answers route past the whole section
    session["entry_shown"] = {"entry": found.id, "section": code, "at": clock.now().timestamp()}
    before = keyed.earlier(questionnaire, found, code)
    skipped = keyed.read_page(questionnaire, chosen, before, {}, run.language).skipped
    return _render(found, run, questionnaire, chosen, found.typed, skipped, [])


@bp.post("/<int:entry_id>/s/<code>")
@role_required(*keyed.KEYERS)
def save(entry_id: int, code: str) -> Any:
    found, run, questionnaire, chosen = _section(entry_id, code)
    typed = _typed(chosen, run.language)
    issues = keyed.save_page(
        db.session(),
        questionnaire,
        found,
        chosen,
        typed,
        _keystrokes(),
        _seconds(found, code),
        run.language,
    )
    if issues:
        before = keyed.earlier(questionnaire, found, code)
        skipped = keyed.read_page(questionnaire, chosen, before, typed, run.language).skipped
        return _render(found, run, questionnaire, chosen, typed, skipped, issues, 422)
    if keyed.next_section(questionnaire, found) is not None:
        return see_other(_next_url(found))
    return _finish(found, questionnaire)


def _finish(found: PaperEntry, questionnaire: Questionnaire) -> Any:
    try:
        finished = keyed.finish(db.session(), questionnaire, found, _keyer(), _storing(found))
    except paper.SheetError as error:
        db.session().rollback()
        return _index(errors=[("sheet", sheet_problem(error))], status=409)
    shown = ids.shown(found.sheet_id)
    return see_other(url_for(".index", done=shown, state=finished.state))


def _storing(found: PaperEntry) -> Storing:
    return Storing(
        current=catalog.versions().current(db.session(), _run(found).questionnaire_id),
        fallback_segment=catalog.segments()[-1].code,
        screen=catalog.screener(),
    )


@bp.get("/<int:entry_id>/finish")
@role_required(*keyed.KEYERS)
def finishing(entry_id: int) -> Any:
    """Where an entry all of whose sections are keyed, but not finished, is finished."""
    found = _entry(entry_id)
    questionnaire = _questionnaire(_run(found))
    if keyed.next_section(questionnaire, found) is not None:
        return see_other(_next_url(found))
    return render_template("entry/finish.html", entry=found, shown=ids.shown(found.sheet_id))


@bp.post("/<int:entry_id>/finish")
@role_required(*keyed.KEYERS)
def finish(entry_id: int) -> Any:
    found = _entry(entry_id)
    questionnaire = _questionnaire(_run(found))
    if keyed.next_section(questionnaire, found) is not None:
        return see_other(_next_url(found))
    return _finish(found, questionnaire)


def _typed(chosen: Section, language: str) -> dict[str, dict[str, str]]:
    """What was typed into each field of the section's questions, by question and part."""
    return {
        q.code: {
            part: request.form.get(field_name(q, part), "")
            for part in keying.keyer(q).fields(q, language)
        }
        for q in chosen.questions
    }


def _keystrokes() -> int | None:
    """Keys counted by the page's script; None without it (the service works them out)."""
    sent = request.form.get("keystrokes", "")
    return int(sent) if sent.isdecimal() and len(sent) <= 6 else None


def _seconds(found: PaperEntry, code: str) -> float:
    shown = session.pop("entry_shown", None)
    if isinstance(shown, dict) and (shown.get("entry"), shown.get("section")) == (found.id, code):
        return max(0.0, clock.now().timestamp() - float(shown.get("at", 0)))
    return 0.0


# ---------------------------------------------------------------- the page


def _render(
    found: PaperEntry,
    run: PrintRun,
    questionnaire: Questionnaire,
    chosen: Section,
    typed: Mapping[str, Mapping[str, str]],
    skipped: Sequence[str],
    issues: Sequence[Issue],
    status: int = 200,
) -> tuple[str, int]:
    language = run.language
    by_code = {q.code: q for q in chosen.questions}
    problems = {i.question: message(i, by_code.get(i.question)) for i in issues}
    questions = [
        _question(q, language, typed.get(q.code, {}), q.code in skipped, problems.get(q.code))
        for q in chosen.questions
    ]
    todo = keyed.sections(questionnaire, found.answers)
    place = todo.index(chosen) if chosen in todo else 0
    summary = [(f"f-{q['fields'][0]['name']}", q["problem"]) for q in questions if q["problem"]]
    page = render_template(
        "entry/page.html",
        entry=found,
        shown=ids.shown(found.sheet_id),
        language=language,
        section=chosen,
        section_title=chosen.title.get(language, ""),
        questions=questions,
        errors=summary,
        number=place + 1,
        total=len(todo),
        routes=json.dumps(_routes(questionnaire, chosen, found, language), ensure_ascii=False),
        back=url_for(".page", entry_id=found.id, code=todo[place - 1].code) if place else None,
    )
    return page, status


def _question(
    question: Question, language: str, typed: Mapping[str, str], skipped: bool, problem: str | None
) -> dict[str, Any]:
    """One question as the entry page shows it: its fields, the boxes' codes as a reminder."""
    chosen = keying.keyer(question)
    boxes = [
        (box.code, _box_label(question, box.value, language)) for box in chosen.boxes(question)
    ]
    parts = chosen.fields(question, language)
    return {
        "code": question.code,
        "text": question.text.get(language, ""),
        "skipped": skipped,
        "problem": problem,
        "boxes": boxes,
        "several": question.type in keyed.SEVERAL_CODES,
        "fields": [
            {
                "name": field_name(question, part),
                "label": str(PART_LABELS[part]) if part else "",
                "value": typed.get(part, "")[:SHOWN_LIMIT],
                "most": _most(question, part),
                "long": question.type == "long_text",
            }
            for part in parts
        ],
    }


def _box_label(question: Question, value: str | int, language: str) -> str:
    choice = question.choice(str(value)) if question.choices else None
    if choice is not None:
        return choice.label.get(language, "")
    if isinstance(value, str):
        return str(SPECIAL_LABELS.get(value, value))
    return ""


def _most(question: Question, part: str) -> int | None:
    """The largest number a numeric field takes, for moving on once no digit can follow."""
    if question.type == "date":
        return {"year": 9999, "month": 12, "day": 31}[part]
    if question.type == "duration":
        top = question.options.get("max")
        return 59 if part == "minutes" else (int(top) // 60 if isinstance(top, int) else None)
    if question.type == "number":
        top = question.options.get("max")
        return int(top) if isinstance(top, int) and not isinstance(top, bool) else None
    return None


def _routes(
    questionnaire: Questionnaire, chosen: Section, found: PaperEntry, language: str
) -> dict[str, Any]:
    """What the page's script needs to grey out what the keys route past: each question's
    condition as defined, the values its boxes stand for, and the answers before."""
    conditions = _conditions(questionnaire)
    before = keyed.earlier(questionnaire, found, chosen.code)
    return {
        "known": {c: v for c, v in before.items() if v not in keying.MISSING_KEYS.values()},
        "unread": [c for c, v in before.items() if v in keying.MISSING_KEYS.values()],
        "questions": [
            {
                "code": q.code,
                "type": q.type,
                "show_if": conditions.get(q.code),
                "boxes": {str(b.code): b.value for b in keying.keyer(q).boxes(q)},
                "specials": {str(keying.special_code(q, value)): value for value in q.allow},
                "parts": {p: field_name(q, p) for p in keying.keyer(q).fields(q, language)},
            }
            for q in chosen.questions
        ],
    }


def _conditions(questionnaire: Questionnaire) -> dict[str, Any]:
    """Each question's `show_if` as the definition gives it: plain data the script reads."""
    found: dict[str, Any] = {}
    for each in questionnaire.definition.get("sections", []):
        for question in each.get("questions", []):
            if "show_if" in question:
                found[question["code"]] = question["show_if"]
    return found
