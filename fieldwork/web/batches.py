"""Staff pages for batches: choose filters, preview counts, freeze, list and download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from fieldwork import db, quality
from fieldwork.exports import files
from fieldwork.exports import service as exports
from fieldwork.exports.models import Batch
from fieldwork.review import screening
from fieldwork.web import catalog
from fieldwork.web.errors import MESSAGES, ClientError
from fieldwork.web.labels import MODES
from fieldwork.web.staff import current_user, role_required

bp = Blueprint("batches", __name__, url_prefix="/staff/batches")

FILTER_FIELDS = ("questionnaire", "version", "campaign", "wave", "from", "to", "segment", "mode")

# Lazy: worded in the language of the request that needs them, not at import.
BATCH_ERRORS = {
    "bad-name": _l("Give the batch a name of up to 120 characters."),
    "empty": _l("No approved response matches these filters, so there is nothing to freeze."),
}
MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL; a larger number cannot name a batch."""


def _filters(args: MultiDict[str, str]) -> exports.Filters:
    """The batch filters of a query string or form; refuses what no form offers."""
    qid = args.get("questionnaire", "")
    if qid not in catalog.versions().ids(db.session()):
        raise ClientError(400, _("Choose a questionnaire."))
    try:
        start = dt.date.fromisoformat(args["from"]) if args.get("from") else None
        end = dt.date.fromisoformat(args["to"]) if args.get("to") else None
    except ValueError:
        raise ClientError(400, _("Enter dates like 2026-11-22.")) from None
    segments = tuple(dict.fromkeys(s for s in args.getlist("segment") if s))
    modes = tuple(dict.fromkeys(m for m in args.getlist("mode") if m))
    known_segments = {s.code for s in catalog.segments()}
    if not set(segments) <= known_segments or not set(modes) <= set(MODES):
        raise ClientError(400, str(MESSAGES[400]), [(url_for(".index"), _("Batches"))])
    return exports.Filters(
        questionnaire_id=qid,
        versions=tuple(v for v in args.getlist("version") if v)[:20],
        campaign=args.get("campaign", "").strip()[:64] or None,
        wave=args.get("wave", "").strip()[:64] or None,
        submitted_from=start,
        submitted_to=end,
        segments=segments,
        modes=modes,
    )


@bp.get("/")
@role_required("admin", "reviewer")
def index() -> str:
    session = db.session()
    return render_template(
        "batches/index.html",
        batches=exports.batches(session),
        questionnaires=catalog.versions().ids(session),
        segments=catalog.segments(),
    )


def _preview(filters: exports.Filters, error: str | None = None) -> tuple[str, int]:
    form_args = [(k, v) for k, v in request.values.items(multi=True) if k in FILTER_FIELDS]
    page = render_template(
        "batches/preview.html",
        filters=filters,
        counts=exports.preview(db.session(), filters),
        args=form_args,
        error=error,
        name=request.form.get("name", ""),
        back=url_for(".index"),
    )
    return page, 400 if error else 200


@bp.get("/preview")
@role_required("admin", "reviewer")
def preview() -> tuple[str, int]:
    return _preview(_filters(request.args))


@bp.post("/")
@role_required("admin", "reviewer")
def freeze() -> Any:
    creator = current_user()
    assert creator is not None
    filters = _filters(request.form)
    session = db.session()
    current = catalog.versions().current(session, filters.questionnaire_id)
    assert current is not None  # _filters accepts only stored questionnaires
    try:
        batch = exports.freeze(
            session,
            request.form.get("name", ""),
            filters,
            quality.rules_version(screening.settings(current)),
            creator,
        )
    except exports.BatchError as error:
        # The preview again, with what went wrong next to the name (or the counts).
        return _preview(filters, str(BATCH_ERRORS.get(error.code, error.code)))
    return redirect(url_for(".show", batch_id=batch.id), 303)


def _batch(batch_id: int) -> Batch:
    batch = db.session().get(Batch, batch_id) if batch_id <= MAX_ID else None
    if batch is None:
        raise ClientError(404, _("There is no batch with this number."))
    return batch


@bp.get("/<int:batch_id>")
@role_required("admin", "reviewer")
def show(batch_id: int) -> str:
    batch = _batch(batch_id)
    return render_template(
        "batches/show.html", batch=batch, files=files.names(batch)[1:], back=url_for(".index")
    )


@bp.get("/<int:batch_id>/<name>")
@role_required("admin", "reviewer")
def download(batch_id: int, name: str) -> Any:
    batch = _batch(batch_id)
    bom = request.args.get("bom") == "1"
    written = files.files_of(
        db.session(), batch, current_app.config["EXPORTS_DIR"], bom=bom, versions=catalog.versions()
    )
    if name not in written:
        raise ClientError(404, _("This batch has no file of that name."))
    return send_file(written[name], as_attachment=True, download_name=f"batch-{batch.id}-{name}")
