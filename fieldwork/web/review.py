"""Reviewer pages: the queue with filters, one response with its evidence, decisions."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, select
from sqlmodel import col

from fieldwork import answers as answer_rules
from fieldwork import catalog, db
from fieldwork.exports.service import midnight
from fieldwork.quality import RULES
from fieldwork.responses.models import STATUSES, Response
from fieldwork.review import service as review
from fieldwork.review.models import REASONS
from fieldwork.web import dates, fields
from fieldwork.web.errors import MESSAGES, ClientError
from fieldwork.web.explain import explain_flag
from fieldwork.web.labels import MODES
from fieldwork.web.redirects import see_other
from fieldwork.web.staff import current_user, role_required

bp = Blueprint("review", __name__, url_prefix="/staff/review")

PER_PAGE = 50
BULK_LIMIT = 10_000
DECISION_ERRORS = {
    "changed": (
        409,
        _l(
            "Someone else changed this response since you opened it. "
            "Nothing was saved: look at it again and decide."
        ),
    ),
    "own-entry": (
        403,
        _l("You entered this response yourself, so another reviewer must decide it."),
    ),
    "not-a-reviewer": (403, _l("Only reviewers and admins can decide responses.")),
    "unknown-status": (400, _l("Choose a decision.")),
    "unknown-reason": (400, _l("Choose a reason that fits the decision.")),
    "comment-too-long": (400, _l("Shorten the comment to 2,000 characters or fewer.")),
    "not-found": (404, _l("There is no response with this number.")),
}


FILTERS = ("questionnaire", "flag", "segment", "mode", "status", "from", "to")
FILTER_PREFIX = "filter-"
"""The bulk form carries the queue's filters under this prefix: its own `status` is the
decision, and must never be read as a filter (or the other way round)."""
MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL; a larger number cannot name a response."""


def _filters(args: Any = None, prefix: str = "") -> dict[str, str]:
    """The queue's filters from a query string or a form; refuses values no row can have."""
    args = request.args if args is None else args
    chosen = {key: str(args.get(prefix + key, "")).strip()[:64] for key in FILTERS}
    known: dict[str, Any] = {
        "questionnaire": catalog.versions().ids(db.session()),
        "flag": RULES,
        "segment": {s.code for s in catalog.segments()},
        "mode": MODES,
        "status": STATUSES,
    }
    for key, values in known.items():
        if chosen[key] and chosen[key] not in values:
            # Only an edited address or a page from before a change sends one of these.
            raise ClientError(
                400, str(MESSAGES[400]), [(url_for(".queue"), _("Back to the queue"))]
            )
    return chosen


def _query(chosen: dict[str, Any]) -> Any:
    query = select(Response)
    for key, column in (
        ("questionnaire", Response.questionnaire_id),
        ("segment", Response.segment),
        ("mode", Response.mode),
        ("status", Response.status),
    ):
        if chosen[key]:
            query = query.where(col(column) == chosen[key])
    if chosen["flag"]:
        # Flags are a JSON list of {"code": …}; this text match works on SQLite and PostgreSQL.
        pattern = f'%"code": "{chosen["flag"]}"%'
        query = query.where(cast(col(Response.flags), String).like(pattern))
    start, end = dates.day_range(chosen["from"], chosen["to"])
    if start:
        query = query.where(col(Response.submitted_at) >= midnight(start, dates.zone()))
    if end:
        limit = midnight(end + dt.timedelta(days=1), dates.zone())
        query = query.where(col(Response.submitted_at) < limit)
    return query


def _query_args(chosen: dict[str, str]) -> dict[str, Any]:
    return {key: value for key, value in chosen.items() if value}


@bp.get("/")
@role_required("admin", "reviewer")
def queue() -> tuple[str, int]:
    chosen = _filters()
    date_errors = dates.field_errors(chosen["from"], chosen["to"], "f-")
    if date_errors:
        return _queue_page(chosen, rows=[], total=None, date_errors=date_errors), 400
    return _queue_list(chosen, request.args.get("page", 1, type=int) or 1), 200


def _queue_list(chosen: dict[str, str], page: int, mistake: tuple[str, str] | None = None) -> str:
    """One page of the responses the filters choose, and the bulk form under them; after
    a bulk decision the form cannot make, with the mistake next to its field and the
    reviewer's ticks and choices kept."""
    session = db.session()
    query = _query(chosen)
    seen = review.watermark(session)  # before reading: what changes later is not seen
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    rows = (
        session.execute(
            query.order_by(col(Response.submitted_at).desc(), col(Response.id).desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        )
        .scalars()
        .all()
    )
    return _queue_page(
        chosen,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        reasons_by_status=REASONS,
        query_args=_query_args(chosen),
        filter_prefix=FILTER_PREFIX,
        seen=seen,
        date_errors=[],
        errors=[mistake] if mistake else [],
        decision=request.form if mistake else {},
        ticked=request.form.getlist("pick") if mistake else [],
        scope=request.form.get("scope", "picked") if mistake else "picked",
    )


def _queue_page(chosen: dict[str, str], **shown: Any) -> str:
    """The queue with its filter form: what the filters can offer, and `shown`."""
    return render_template(
        "review/queue.html",
        chosen=chosen,
        flag_codes=list(RULES),
        segments=catalog.segments(),
        questionnaires=catalog.versions().ids(db.session()),
        **shown,
    )


def _found(response_id: int) -> Response:
    found = db.session().get(Response, response_id) if response_id <= MAX_ID else None
    if found is None:
        raise ClientError(404, str(DECISION_ERRORS["not-found"][1]))
    return found


@bp.get("/<int:response_id>")
@role_required("admin", "reviewer")
def response(response_id: int) -> str:
    return _response_page(_found(response_id))


def _response_page(
    found: Response, errors: list[tuple[str, str]] | None = None, form: Any = None
) -> str:
    """One response with its evidence; after a refused decision, with what to fix next
    to its field and the reviewer's choices kept.

    The queue's filters ride along in the address, so that the way back (and the way
    back after deciding) leads to the queue as the reviewer left it.
    """
    session = db.session()
    questionnaire = catalog.versions().by_hash(session, found.version_hash)
    assert questionnaire is not None  # a foreign key keeps every answered version
    shown = {q.code for q in answer_rules.shown(questionnaire, found.answers)}
    rows = [
        {
            "question": q,
            "shown": q.code in shown,
            "answer": fields.builder(q).show(q, found.answers[q.code])
            if q.code in found.answers
            else "",
        }
        for q in questionnaire.questions
    ]
    query_args = _query_args(_filters())
    return render_template(
        "review/response.html",
        item=found,
        q=questionnaire,
        rows=rows,
        flags=[explain_flag(flag) for flag in found.flags],
        history=review.history(session, found.id or 0),
        reasons_by_status=REASONS,
        own=_entered_by_me(found),
        query_args=query_args,
        errors=errors or [],
        decision=form or {},
        back=url_for(".queue", **query_args),
    )


def _entered_by_me(found: Response) -> bool:
    user = current_user()
    return user is not None and found.entered_by is not None and found.entered_by == user.id


def _damaged() -> ClientError:
    return ClientError(400, _("This form is damaged: reload the page and try again."))


def _decision(response_id: int, row_version: str | None) -> review.Decision:
    """The decision the form asks for on one response; refuses a form that cannot be one.

    Status, reason and comment are checked here too (the service checks them again),
    so that a bulk decision with a bad reason is refused as a whole, not row by row.
    """
    form = request.form
    if not row_version or not row_version.isdigit() or int(row_version) > MAX_ID:
        raise _damaged()
    status, reason = form.get("status", ""), form.get("reason", "")
    comment = form.get("comment", "").strip() or None
    try:
        review.check_form(status, reason, comment)
    except review.DecisionError as error:
        raise _refuse(error) from None
    return review.Decision(response_id, int(row_version), status, reason, comment)


def _refuse(error: review.DecisionError) -> ClientError:
    status, words = DECISION_ERRORS.get(error.code, (400, _l("This decision cannot be made.")))
    links = (
        [(url_for(".response", response_id=error.response_id), _("Open the response again"))]
        if error.response_id
        else []
    )
    return ClientError(status, str(words), links)


@bp.post("/<int:response_id>")
@role_required("admin", "reviewer")
def decide(response_id: int) -> Any:
    reviewer = current_user()
    assert reviewer is not None
    found = _found(response_id)
    mistake = _form_mistake()
    if mistake:
        return _response_page(found, [mistake], request.form), 400
    decision = _decision(response_id, request.form.get("row_version"))
    try:
        review.decide(db.session(), decision, reviewer)
    except review.DecisionError as error:
        raise _refuse(error) from None
    query_args = _query_args(_filters())
    return see_other(url_for(".response", response_id=response_id, decided="1", **query_args))


FORM_FIELDS = {
    "unknown-status": "status",
    "unknown-reason": "reason",
    "comment-too-long": "comment",
}
"""The field each of the decision form's own mistakes is shown next to."""


def _form_mistake() -> tuple[str, str] | None:
    """(field id, words) for a decision the form cannot make as filled in: a reason that
    does not fit the decision is an easy slip, fixed on the form with the choices kept."""
    form = request.form
    comment = form.get("comment", "").strip() or None
    try:
        review.check_form(form.get("status", ""), form.get("reason", ""), comment)
    except review.DecisionError as error:
        return FORM_FIELDS[error.code], str(DECISION_ERRORS[error.code][1])
    return None


def _picked() -> tuple[list[tuple[int, str]], list[int], bool]:
    """(response id, row version) of each response the bulk form names, the ids of those
    it names that changed after the reviewer saw them, and whether it names more than one
    request decides (BULK_LIMIT)."""
    if request.form.get("scope") == "filter":
        # What the filters matched when the queue was shown, as it was then: a response
        # decided or re-flagged since, the reviewer has not seen, and one stored since
        # they never saw at all.
        seen = review.Watermark.parse(request.form.get("seen", ""))
        if seen is None:
            raise _damaged()
        query = _query(_filters(request.form, FILTER_PREFIX))
        unchanged, stale, more = review.seen_and_changed(db.session(), query, seen, BULK_LIMIT)
        return [(i, str(version)) for i, version in unchanged], stale, more
    picked = []
    ticked = request.form.getlist("pick")
    for item in ticked[:BULK_LIMIT]:
        response_id, _sep, version = item.partition(":")
        if not response_id.isdigit() or int(response_id) > MAX_ID:
            raise _damaged()
        picked.append((int(response_id), version))
    return picked, [], len(ticked) > BULK_LIMIT


@bp.post("/bulk")
@role_required("admin", "reviewer")
def bulk() -> Any:
    reviewer = current_user()
    assert reviewer is not None
    mistake = _form_mistake()
    if mistake:
        chosen = _filters(request.form, FILTER_PREFIX)
        return _queue_list(chosen, request.form.get("page", 1, type=int) or 1, mistake), 400
    picked, stale, more = _picked()
    decisions = [_decision(response_id, version) for response_id, version in picked]
    if not decisions and not stale:
        raise ClientError(400, _("Tick at least one response."))
    done, errors = review.decide_many(db.session(), decisions, reviewer)
    errors = sorted(
        [*errors, *(review.DecisionError("changed", i) for i in stale)],
        key=lambda error: error.response_id or 0,
    )
    return render_template(
        "review/bulk_done.html",
        done=done,
        more=more,
        limit=BULK_LIMIT,
        errors=[(e.response_id, str(DECISION_ERRORS.get(e.code, (0, e.code))[1])) for e in errors],
        back=url_for(".queue", **_query_args(_filters(request.form, FILTER_PREFIX))),
    )
