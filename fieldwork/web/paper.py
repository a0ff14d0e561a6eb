"""Staff pages for paper sheets: print runs and the form to issue one, a run's printable
list of sheets, "go to sheet" by its id, and a sheet with its history and a void button.

Admins issue runs and void sheets; reviewers and fieldworkers look sheets up. The pages
parse the request, call `fieldwork.paper.service` and word its codes; a run's PDF comes
from `fieldwork.paper.printing`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from fieldwork import catalog, db
from fieldwork.audit.models import AuditEntry
from fieldwork.modes import PAPER
from fieldwork.paper import entry, ids, keyers, printing, reconciliation
from fieldwork.paper import service as paper
from fieldwork.paper.models import SIZES, VOID, PaperSheet, PrintRun
from fieldwork.paper.verification import ADAPTIVE, ALL, NONE, SAMPLE
from fieldwork.web import labels
from fieldwork.web.errors import ClientError
from fieldwork.web.redirects import see_other
from fieldwork.web.staff import current_user, role_required

bp = Blueprint("paper", __name__, url_prefix="/staff/paper")

VIEWERS = ("admin", "reviewer", "fieldworker")
"""Roles that look runs and sheets up; only `paper.ISSUERS` issue and void."""
REVIEWERS = ("admin", "reviewer")
"""Roles that open the response a sheet became (the review pages)."""
MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL; a larger number cannot name a run."""

STATES = {
    "issued": _l("Issued"),
    "keyed_once": _l("Typed in once"),
    "keyed_twice": _l("Typed in twice"),
    "reconciled": _l("Reconciled"),
    "void": _l("Void"),
}
SIZE_LABELS = {"standard": _l("Standard print"), "large": _l("Large print")}
VERIFICATIONS = {
    ADAPTIVE: _l("Adaptive: every sheet of a new keyer, then a share once they key well"),
    SAMPLE: _l("A random share of the sheets"),
    ALL: _l("Every sheet"),
    NONE: _l("None: each sheet is typed in once"),
}
"""How a run's sheets are checked by a second, blind entry (`paper.verification`)."""

# Lazy: worded in the language of the request that needs them. Placeholders are the
# problems' own params, listed by `_words`.
RUN_PROBLEMS = {
    "unknown-questionnaire": _l("Choose a questionnaire."),
    "not-for-paper": _l("This questionnaire is not a survey, so it is not printed on paper."),
    "unknown-language": _l("Choose one of the questionnaire's languages: %(languages)s."),
    "unknown-size": _l("Choose standard or large print."),
    "count-not-a-number": _l("Enter the number of sheets as a whole number, such as 50."),
    "count-out-of-range": _l("Enter a number of sheets from 1 to %(most)s."),
    "bad-label": _l(
        "Use up to 64 letters, digits, dots, hyphens or underscores, or leave it empty."
    ),
    "unknown-segment": _l("Choose a segment this questionnaire serves: %(segments)s."),
    "not-a-fieldworker": _l("Choose the fieldworker the sheets are handed to."),
    "not-allowed": _l("Only administrators issue print runs."),
    "unknown-verification": _l("Choose how the sheets are checked."),
    "share-out-of-range": _l("Enter a percentage from 0 to 100, such as 10."),
}
SHEET_PROBLEMS = {
    ids.WRONG_LENGTH: _l("A sheet id has 9 characters, such as K7QM-3XWD-R. Check the sheet."),
    ids.BAD_CHARACTER: _l(
        "“%(character)s” is not used in sheet ids. Check the sheet: ids have no 0, 1, O, I, L, "
        "U or Z."
    ),
    ids.CHECK_FAILS: _l(
        "This is not a sheet id: a character is mistyped. Check it against the sheet."
    ),
    paper.UNKNOWN: _l("No sheet has the id %(sheet)s. Check it against the sheet."),
    paper.VOIDED: _l("Sheet %(sheet)s is void: it cannot be typed in."),
    paper.FINISHED: _l("Sheet %(sheet)s has been typed in already: it needs no more entry."),
    paper.ILLEGAL: _l("A sheet that is “%(old)s” cannot be made “%(new)s”."),
    paper.CHANGED: _l("Someone changed this sheet since you opened it. Look at it again."),
    paper.NOT_ALLOWED: _l("Only administrators void sheets."),
    paper.NO_REASON: _l("Say why the sheet is void."),
    paper.REASON_TOO_LONG: _l("Shorten the reason to %(most)s characters or fewer."),
    entry.KEYED_ALREADY: _l(
        "You typed in sheet %(sheet)s already. Another fieldworker types in its second entry."
    ),
    entry.IN_HAND: _l("Another fieldworker is typing in sheet %(sheet)s now."),
    entry.NOT_A_KEYER: _l("Only fieldworkers and administrators type in sheets."),
    entry.NOT_YOURS: _l("This is not an entry of yours. Type the sheet id to start one."),
    entry.DONE: _l("You have finished typing in sheet %(sheet)s."),
    reconciliation.NOT_A_SUPERVISOR: _l("Only administrators and reviewers reconcile sheets."),
    reconciliation.OWN_ENTRY: _l(
        "You typed in sheet %(sheet)s yourself, so another supervisor reconciles it."
    ),
    reconciliation.NOTHING_TO_RECONCILE: _l(
        "Sheet %(sheet)s has nothing to reconcile: it was reconciled already, or it is not "
        "typed in twice."
    ),
}
NOT_CONFIRMED = _l("Tick the box to confirm that this sheet is void.")
RUN_FIELDS = (
    "questionnaire",
    "language",
    "size",
    "count",
    "campaign",
    "wave",
    "segment",
    "issued_to",
    "verification",
    "share",
)
"""The issue form's fields, in the order its problems are listed."""


def _words(message: Any, params: Mapping[str, Any]) -> str:
    """A problem's message with its params: lists as the page's language names them."""
    shown = {key: _listed(key, value) for key, value in params.items()}
    return str(message) % shown if shown else str(message)


def _listed(key: str, value: Any) -> Any:
    if key == "languages":
        return ", ".join(labels.LANGUAGE_NAMES.get(tag, tag) for tag in value)
    if key == "segments":
        return ", ".join(labels.segment_label(code) for code in value)
    if key in ("old", "new"):
        return str(STATES.get(value, value))
    return value


def sheet_problem(error: paper.SheetError) -> str:
    """A refused sheet, in the reader's words (the entry pages say it the same way)."""
    return _words(SHEET_PROBLEMS[error.code], error.params)


def _questionnaires() -> list[str]:
    """The questionnaires that are printed on paper."""
    session, versions = db.session(), catalog.versions()
    found = []
    for qid in versions.ids(session):
        current = versions.current(session, qid)
        if current is not None and current.kind in PAPER.kinds:
            found.append(qid)
    return found


def _index(
    chosen: Mapping[str, str] | None = None,
    errors: Sequence[tuple[str, str]] = (),
    go: Mapping[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The runs, "go to sheet", and for admins the form to issue a run: filled in with
    what was sent when it comes back with `errors`, each next to its field."""
    session = db.session()
    user = current_user()
    workers = [u.username for u in paper.fieldworkers(session)]
    page = render_template(
        "paper/index.html",
        runs=paper.runs(session),
        may_issue=user is not None and user.role in paper.ISSUERS,
        questionnaire_options=[(qid, qid) for qid in _questionnaires()],
        language_options=list(labels.LANGUAGE_NAMES.items()),
        size_options=[(size, SIZE_LABELS[size]) for size in SIZES],
        verification_options=list(VERIFICATIONS.items()),
        segment_options=[(s.code, labels.segment_label(s.code)) for s in catalog.segments()],
        fieldworkers=workers,
        fieldworker_options=[(name, name) for name in workers],
        most=paper.MAX_COUNT,
        chosen=chosen or {},
        errors=list(errors),
        go=go or {},
        states=STATES,
        size_labels=SIZE_LABELS,
    )
    return page, status


@bp.get("/")
@role_required(*VIEWERS)
def index() -> tuple[str, int]:
    return _index()


def _order(form: MultiDict[str, str]) -> paper.Order:
    """The order a form gives; an empty optional field is none."""

    def optional(name: str) -> str | None:
        return form.get(name, "").strip() or None

    return paper.Order(
        language=form.get("language", ""),
        size=form.get("size", ""),
        count=paper.count_from(form.get("count", "")),
        issued_to=form.get("issued_to", ""),
        campaign=optional("campaign"),
        wave=optional("wave"),
        segment=optional("segment"),
        verification=form.get("verification", ADAPTIVE),
        share=paper.share_from(form.get("share", "10")),
    )


@bp.post("/runs")
@role_required(*paper.ISSUERS)
def issue() -> Any:
    form = request.form
    session = db.session()
    questionnaire = catalog.versions().current(session, form.get("questionnaire", ""))
    try:
        run = paper.issue(session, questionnaire, _order(form), current_user())
    except paper.RunRefused as refused:
        return _index(_kept(form), _run_errors(refused.problems), status=400)
    return see_other(url_for(".run", run_id=run.id))


def _kept(form: MultiDict[str, str]) -> dict[str, str]:
    """What was sent, to fill the form in again (never more than a field holds)."""
    return {name: form.get(name, "")[:200] for name in RUN_FIELDS}


def _run_errors(problems: Iterable[paper.Problem]) -> list[tuple[str, str]]:
    """(field id, message) of each problem, in the form's order."""
    order = {name: place for place, name in enumerate(RUN_FIELDS)}
    listed = sorted(problems, key=lambda p: order.get(p.field, len(order)))
    return [(f"r-{p.field}", _words(RUN_PROBLEMS[p.code], p.params)) for p in listed]


@bp.get("/runs/<int:run_id>")
@role_required(*VIEWERS)
def run(run_id: int) -> str:
    session = db.session()
    found = paper.run_row(session, run_id) if run_id <= MAX_ID else None
    if found is None:
        raise ClientError(404, _("There is no print run with this number."))
    return render_template(
        "paper/run.html",
        row=found,
        sheets=paper.sheets(session, run_id),
        shown=ids.shown,
        states=STATES,
        size_labels=SIZE_LABELS,
        back=url_for(".index"),
    )


@bp.get("/runs/<int:run_id>/sheets.pdf")
@role_required(*VIEWERS)
def run_pdf(run_id: int) -> Response:
    """The run's sheets to print: one PDF, each page stamped with its sheet's id."""
    session = db.session()
    found = session.get(PrintRun, run_id) if run_id <= MAX_ID else None
    if found is None:
        raise ClientError(404, _("There is no print run with this number."))
    questionnaire = catalog.versions().by_hash(session, found.version_hash)
    if questionnaire is None:
        raise ClientError(404, _("The questionnaire version of this print run is gone."))
    segments = {segment.code: segment.label for segment in catalog.segments()}
    cache = Path(current_app.config["PAPER_FONTS_DIR"])
    document = printing.run_pdf(session, found, questionnaire, segments, cache)
    response = Response(document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename={printing.file_name(found)}"
    return response


@bp.get("/sheet")
@role_required(*VIEWERS)
def go() -> Any:
    """Go to a sheet by the id a person typed, however they typed it."""
    typed = request.args.get("id", "")
    try:
        sheet = paper.find(db.session(), typed)
    except paper.SheetError as error:
        kept = {"id": typed[: ids.TYPED_LIMIT]}
        return _index(go=kept, errors=[("go-id", sheet_problem(error))], status=400)
    return see_other(url_for(".sheet", sheet_id=sheet.id))


def _sheet(sheet_id: str) -> PaperSheet:
    try:
        return paper.find(db.session(), sheet_id)
    except paper.SheetError as error:
        raise ClientError(404, sheet_problem(error)) from None


def _history(entries: Sequence[AuditEntry]) -> list[dict[str, Any]]:
    """Each audited change as the page shows it: the states in words."""
    return [
        {
            "at": entry.at,
            "who": entry.actor
            if entry.actor_id is not None
            else str(labels.ACTORS.get(entry.actor, entry.actor)),
            "what": str(labels.AUDIT_ACTIONS.get(entry.action, entry.action)),
            "old": _state_of(entry.old),
            "new": _state_of(entry.new),
            "why": entry.comment or "",
        }
        for entry in entries
    ]


def _state_of(value: Any) -> str:
    state = value.get("state") if isinstance(value, dict) else value
    return str(STATES.get(state, state)) if isinstance(state, str) else "–"


def _sheet_page(
    sheet: PaperSheet,
    errors: Sequence[tuple[str, str]] = (),
    sent: Mapping[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = db.session()
    row = paper.run_row(session, sheet.run_id)
    assert row is not None  # a sheet's run is a foreign key
    user = current_user()
    page = render_template(
        "paper/sheet.html",
        sheet=sheet,
        shown=ids.shown(sheet.id),
        row=row,
        history=_history(paper.history(session, sheet.id)),
        may_void=user is not None
        and user.role in paper.ISSUERS
        and VOID in paper.TRANSITIONS[sheet.state],
        may_review=user is not None and user.role in REVIEWERS,
        entries=entry.with_keyers(session, sheet.id)
        if user is not None and user.role in REVIEWERS
        else [],
        errors=list(errors),
        sent=sent or {},
        states=STATES,
        size_labels=SIZE_LABELS,
        reason_limit=paper.REASON_LIMIT,
        back=url_for(".run", run_id=sheet.run_id),
    )
    return page, status


@bp.get("/sheets/<sheet_id>")
@role_required(*VIEWERS)
def sheet(sheet_id: str) -> Any:
    found = _sheet(sheet_id)
    if found.id != sheet_id:  # typed by hand into the address: the one address of a sheet
        return see_other(url_for(".sheet", sheet_id=found.id))
    return _sheet_page(found)


@bp.post("/sheets/<sheet_id>/void")
@role_required(*paper.ISSUERS)
def void(sheet_id: str) -> Any:
    found = _sheet(sheet_id)
    reason = request.form.get("reason", "")
    sent = {"reason": reason[: paper.REASON_LIMIT + 1]}
    if request.form.get("confirm") != "yes":
        return _sheet_page(found, [("v-confirm", str(NOT_CONFIRMED))], sent, 400)
    try:
        paper.void(db.session(), found.id, reason, current_user())
    except paper.SheetError as error:
        field = "v-reason" if error.code in (paper.NO_REASON, paper.REASON_TOO_LONG) else "void"
        status = 409 if error.code == paper.CHANGED else 400
        db.session().expire_all()
        return _sheet_page(_sheet(sheet_id), [(field, sheet_problem(error))], sent, status)
    return see_other(url_for(".sheet", sheet_id=found.id))


@bp.get("/keyers")
@role_required(*REVIEWERS)
def keyer_statistics() -> str:
    """Each keyer's speed and accuracy per campaign, and the questions they mis-key most."""
    campaign = request.args.get("campaign", "").strip()[:64] or None
    return render_template(
        "paper/keyers.html",
        rows=keyers.rows(db.session(), campaign),
        campaign=campaign or "",
        back=url_for(".index"),
    )


@bp.get("/keyers.csv")
@role_required(*REVIEWERS)
def keyer_statistics_file() -> Response:
    """The keyer statistics as a CSV file (UTF-8 with a byte order mark, for spreadsheets)."""
    campaign = request.args.get("campaign", "").strip()[:64] or None
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        keyers.table(keyers.rows(db.session(), campaign))
    )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="keyer-statistics.csv"'},
    )
