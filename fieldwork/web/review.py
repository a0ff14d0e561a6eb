"""Reviewer pages: the queue with filters, one response with its evidence, decisions.

The queue opens on pending responses, with a tab per status. A response page shows the
evidence (flags, answers, times) before the decision form, whose "save and next" decides
and moves on to the next response of the same queue, its filters kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from fieldwork import answers as answer_rules
from fieldwork import catalog, db
from fieldwork.audit.models import AuditEntry
from fieldwork.quality import FLAG_CODES
from fieldwork.responses import filters
from fieldwork.responses.models import APPROVED, ON_HOLD, PENDING, REJECTED, Response
from fieldwork.review import queue as review_queue
from fieldwork.review import service as review
from fieldwork.review.models import REASONS
from fieldwork.web import fields, labels, shadow_review, staff_filters
from fieldwork.web.errors import MESSAGES, ClientError
from fieldwork.web.explain import declared_checks, explain_flag, in_order, places
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


FILTER_PREFIX = "filter-"
"""The bulk form carries the queue's filters under this prefix: its own `status` is the
decision, and must never be read as a filter (or the other way round)."""
MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL; a larger number cannot name a response."""


def _is_id(text: str) -> bool:
    """Whether a form's or a link's text names an id: ASCII digits ("²".isdigit() holds
    but int() refuses it: a 500) and no more than an id column holds."""
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID


TABS = (PENDING, ON_HOLD, APPROVED, REJECTED)
"""The queue's status tabs, in the order a reviewer works through them."""
NEXT = "next"
"""The value of the decision form's `then` when the reviewer goes on to the next response."""


def _chosen(args: MultiDict[str, str], prefix: str = "") -> MultiDict[str, str]:
    """The queue's filter fields as sent (under `prefix`), a field left out given its
    default (pending responses): to read and to show again."""
    sent = {name: args.getlist(prefix + name) for name in filters.QUEUE.names}
    given = filters.QUEUE.with_defaults(sent)
    return MultiDict([(name, value) for name in filters.QUEUE.names for value in given[name]])


def _parsed(chosen: MultiDict[str, str]) -> filters.Parsed:
    return filters.parse(
        chosen.to_dict(flat=False), catalog.filter_values(db.session()), filters.QUEUE
    )


def _filter(args: MultiDict[str, str], prefix: str = "") -> filters.Filter:
    """The filters a link or a hidden field carries; refused as a whole if they are not
    what the queue made (only an edited address or a page from before a change is)."""
    found = _parsed(_chosen(args, prefix)).filter
    if found is None:
        raise ClientError(400, str(MESSAGES[400]), [(url_for(".queue"), _("Back to the queue"))])
    return found


@bp.get("/")
@role_required("admin", "reviewer")
def queue() -> tuple[str, int]:
    chosen = _chosen(request.args)
    parsed = _parsed(chosen)
    if parsed.filter is None:
        problems = staff_filters.field_errors(parsed.problems, "f-")
        return _queue_page(chosen, rows=[], total=None, filter_errors=problems), 400
    page = request.args.get("page", 1, type=int) or 1
    return _queue_list(chosen, parsed.filter, page), 200


def _queue_list(
    chosen: MultiDict[str, str],
    found: filters.Filter,
    page: int,
    mistake: tuple[str, str] | None = None,
) -> str:
    """One page of the responses the filters choose, and the bulk form under them; after
    a bulk decision the form cannot make, with the mistake next to its field and the
    reviewer's ticks and choices kept."""
    session = db.session()
    seen = review.watermark(session)  # before reading: what changes later is not seen
    counts = review_queue.counts(session, found)
    chosen_statuses = found.statuses or tuple(counts)
    total = sum(counts.get(status, 0) for status in chosen_statuses)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    rows = review_queue.page(session, found, (page - 1) * PER_PAGE, PER_PAGE)
    return _queue_page(
        chosen,
        rows=rows,
        total=total,
        tabs=_tabs(found, counts),
        saved=_saved(),
        page=page,
        pages=pages,
        reasons_by_status=REASONS,
        query_args=found.as_args(filters.QUEUE),
        filter_prefix=FILTER_PREFIX,
        seen=seen,
        filter_errors=[],
        errors=[mistake] if mistake else [],
        decision=request.form if mistake else {},
        ticked=request.form.getlist("pick") if mistake else [],
        scope=request.form.get("scope", "picked") if mistake else "picked",
    )


def _queue_page(chosen: MultiDict[str, str], **shown: Any) -> str:
    """The queue with its filter form: what the filters can offer, and `shown`."""
    return render_template(
        "review/queue.html", chosen=chosen, choices=_choices(), any_value=filters.ANY, **shown
    )


def _tabs(found: filters.Filter, counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """A link per status to the queue as it is but for the status, with its count, then
    one to every status: the reviewer's one click to what is not pending."""
    others: dict[str, Any] = found.as_args(filters.QUEUE)
    tabs = [
        {
            "label": str(labels.STATUSES[status]),
            "count": counts.get(status, 0),
            "url": url_for(".queue", **(others | {"status": [status]})),
            "current": found.statuses == (status,),
        }
        for status in TABS
    ]
    every = {
        "label": _("All statuses"),
        "count": sum(counts.values()),
        "url": url_for(".queue", **(others | {"status": [filters.ANY]})),
        "current": not found.statuses,
    }
    return [*tabs, every]


def _saved() -> dict[str, Any] | None:
    """What the reviewer's last decision saved, when a page after it says so (`saved`
    names the response): its id and the audited status, reason and comment."""
    saved = request.args.get("saved", "")
    reviewer = current_user()
    if not _is_id(saved) or reviewer is None or reviewer.id is None:
        return None
    entry: AuditEntry | None = review.last_decision(db.session(), int(saved), reviewer.id)
    if entry is None:
        return None
    return {"id": int(saved), "entry": entry, "end": request.args.get("end") == "1"}


def _choices() -> dict[str, list[tuple[str, str]]]:
    """(value, label) of each option of each filter list."""
    questionnaires = catalog.versions().ids(db.session())
    return {
        "questionnaire": [(qid, qid) for qid in questionnaires],
        "status": [(code, str(label)) for code, label in labels.STATUSES.items()],
        "flag": [(code, labels.flag_label(code)) for code in FLAG_CODES],
        "segment": [(s.code, labels.segment_label(s.code)) for s in catalog.segments()],
        "mode": [(code, str(label)) for code, label in labels.MODES.items()],
    }


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
    order = places(questionnaire)  # lists of questions and pages follow it, not string order
    checks = declared_checks(questionnaire)  # a contradiction's checks, in the reader's words
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
    query_args: dict[str, Any] = _filter(request.args).as_args(filters.QUEUE)
    page_seconds = found.paradata.get("page_seconds") or {}
    return render_template(
        "review/response.html",
        item=found,
        q=questionnaire,
        rows=rows,
        flags=[explain_flag(flag, order, checks) for flag in found.flags],
        page_seconds=[(page, page_seconds[page]) for page in in_order(page_seconds, order)],
        saved=None if errors else _saved(),
        next_value=NEXT,
        history=review.history(session, found.id or 0),
        reasons_by_status=REASONS,
        own=_entered_by_me(found),
        shadow=shadow_review.of(found),
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
    if not row_version or not _is_id(row_version):
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
    chosen = _filter(request.args)  # before deciding: an edited address refused saves nothing
    decision = _decision(response_id, request.form.get("row_version"))
    try:
        review.decide(db.session(), decision, reviewer)
    except review.DecisionError as error:
        raise _refuse(error) from None
    query_args: dict[str, Any] = chosen.as_args(filters.QUEUE)
    saved: dict[str, Any] = {"saved": response_id, **query_args}
    if request.form.get("then") != NEXT:
        return see_other(url_for(".response", response_id=response_id, **saved))
    following = review_queue.next_after(db.session(), chosen, found, reviewer.id)
    if following is None:  # the end of the queue: back to it, to see what is left
        return see_other(url_for(".queue", end="1", **saved))
    return see_other(url_for(".response", response_id=following, **saved))


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
        query = _filter(request.form, FILTER_PREFIX).where(select(Response))
        unchanged, stale, more = review.seen_and_changed(db.session(), query, seen, BULK_LIMIT)
        return [(i, str(version)) for i, version in unchanged], stale, more
    picked = []
    ticked = request.form.getlist("pick")
    for item in ticked[:BULK_LIMIT]:
        response_id, _sep, version = item.partition(":")
        if not _is_id(response_id):
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
        chosen = _chosen(request.form, FILTER_PREFIX)
        page = request.form.get("page", 1, type=int) or 1
        return _queue_list(chosen, _filter(request.form, FILTER_PREFIX), page, mistake), 400
    back = _queue_url(_filter(request.form, FILTER_PREFIX))  # before deciding, as `decide`
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
        back=back,
    )


def _queue_url(found: filters.Filter) -> str:
    """The queue with these filters, as the reviewer left it."""
    query_args: dict[str, Any] = found.as_args(filters.QUEUE)
    return url_for(".queue", **query_args)
