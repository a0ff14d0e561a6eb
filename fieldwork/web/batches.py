"""Staff pages for batches: choose filters, preview counts, freeze, list and download.

A small batch's files are written inside the download request. A large one's are written
in the background (`exports.jobs`), started when it is frozen or first downloaded, and its
downloads lead to a progress page until they are ready.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from fieldwork import catalog, db, quality
from fieldwork.exports import files, jobs
from fieldwork.exports import service as exports
from fieldwork.exports.models import Batch
from fieldwork.responses import filters
from fieldwork.review import screening
from fieldwork.web import staff_filters
from fieldwork.web.errors import ClientError
from fieldwork.web.redirects import see_other
from fieldwork.web.staff import current_user, role_required

bp = Blueprint("batches", __name__, url_prefix="/staff/batches")

# Lazy: worded in the language of the request that needs them, not at import.
BATCH_ERRORS = {
    "bad-name": _l("Give the batch a name of up to 120 characters."),
    "empty": _l("No approved response matches these filters, so there is nothing to freeze."),
    "no-questionnaire": _l("Choose a questionnaire."),
}
BUILD_STAGES = {
    "starting": _l("Getting ready to write the files."),
    "writing": _l("Writing the responses into the files."),
    "packing": _l("Packing the files into one zip file."),
}
BUILD_ERRORS = {
    "no-space": _l(
        "The files could not be written: the server has no disk space left. "
        "Ask an administrator to free some, then try again."
    ),
    "failed": _l(
        "The files could not be written because of an error on the server. "
        "Try again; if it fails again, tell an administrator."
    ),
}
MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL; a larger number cannot name a batch."""


def _parsed(args: MultiDict[str, str]) -> filters.Parsed:
    """The batch filters of a query string or form, or what is wrong with them."""
    data = {name: args.getlist(name) for name in filters.BATCH.names}
    return filters.parse(data, catalog.filter_values(db.session()), filters.BATCH)


@bp.get("/")
@role_required("admin", "reviewer")
def index() -> tuple[str, int]:
    return _index(MultiDict())


def _index(
    chosen: MultiDict[str, str], problems: Sequence[filters.Problem] = ()
) -> tuple[str, int]:
    """The batches and the form for a new one; filled in with `chosen` when it comes back
    with filters to fix, each problem next to its field."""
    session = db.session()
    questionnaires = catalog.versions().ids(session)
    return render_template(
        "batches/index.html",
        batches=exports.batches(session),
        questionnaires=questionnaires,
        versions=[v for qid in questionnaires for v in catalog.versions().of(session, qid)],
        segments=catalog.segments(),
        chosen=chosen,
        filter_errors=staff_filters.field_errors(problems, "b-"),
    ), 400 if problems else 200


def _preview(chosen: filters.Filter, error: str | None = None) -> tuple[str, int]:
    page = render_template(
        "batches/preview.html",
        filters=chosen,
        counts=exports.preview(db.session(), chosen),
        args=[(key, value) for key, values in chosen.as_args().items() for value in values],
        error=error,
        name=request.form.get("name", ""),
        back=url_for(".index"),
    )
    return page, 400 if error else 200


@bp.get("/preview")
@role_required("admin", "reviewer")
def preview() -> tuple[str, int]:
    parsed = _parsed(request.args)
    if parsed.filter is None:
        return _index(request.args, parsed.problems)
    return _preview(parsed.filter)


@bp.post("/")
@role_required("admin", "reviewer")
def freeze() -> Any:
    creator = current_user()
    assert creator is not None
    parsed = _parsed(request.form)
    if parsed.filter is None:  # hidden fields from a page before a change, or edited
        return _index(request.form, parsed.problems)
    chosen, session = parsed.filter, db.session()
    current = catalog.versions().current(session, chosen.questionnaire_id or "")
    assert current is not None  # BATCH filters name a stored questionnaire
    try:
        batch = exports.freeze(
            session,
            request.form.get("name", ""),
            chosen,
            quality.rules_version(screening.settings(current)),
            creator,
        )
    except exports.BatchError as error:
        # The preview again, with what went wrong next to the name (or the counts).
        return _preview(chosen, str(BATCH_ERRORS.get(error.code, error.code)))
    if not _inline(batch):  # started now, the files are usually ready when someone wants them
        jobs.start(db.engine(), batch, _exports_dir(), bom=False)
    return see_other(url_for(".show", batch_id=batch.id))


def _batch(batch_id: int) -> Batch:
    batch = db.session().get(Batch, batch_id) if batch_id <= MAX_ID else None
    if batch is None:
        raise ClientError(404, _("There is no batch with this number."))
    return batch


@bp.get("/<int:batch_id>")
@role_required("admin", "reviewer")
def show(batch_id: int) -> str:
    batch = _batch(batch_id)
    build = None if _inline(batch) else jobs.status(db.engine(), batch, _exports_dir(), bom=False)
    return render_template(
        "batches/show.html",
        batch=batch,
        filters=filters.Filter.from_json(batch.filters),
        files=files.names(batch)[1:],
        build=build,
        back=url_for(".index"),
    )


def _exports_dir() -> str:
    folder: str = current_app.config["EXPORTS_DIR"]
    return folder


def _inline(batch: Batch) -> bool:
    """Whether the batch is small enough to write its files inside a request."""
    return batch.size <= int(current_app.config["EXPORT_INLINE_LIMIT"])


def _bom(values: MultiDict[str, str]) -> bool:
    """Whether the CSV files asked for start with a byte order mark (for Excel)."""
    return values.get("bom") == "1"


def _progress_url(batch: Batch, bom: bool, endpoint: str = ".progress") -> str:
    return url_for(endpoint, batch_id=batch.id, bom="1" if bom else None)


@bp.get("/<int:batch_id>/<name>")
@role_required("admin", "reviewer")
def download(batch_id: int, name: str) -> Any:
    batch = _batch(batch_id)
    if name not in files.names(batch):
        raise ClientError(404, _("This batch has no file of that name."))
    bom = _bom(request.args)
    if not _inline(batch):
        found = jobs.ensure(db.engine(), batch, _exports_dir(), bom=bom)
        if found.state != jobs.READY:
            return see_other(_progress_url(batch, bom))
    written = files.files_of(
        db.session(), batch, _exports_dir(), bom=bom, versions=catalog.versions()
    )
    return send_file(written[name], as_attachment=True, download_name=f"batch-{batch.id}-{name}")


def _build_words(found: jobs.Status) -> dict[str, str]:
    """The sentence that says where the files stand, and while writing, how far."""
    if found.state == jobs.READY:
        return {"message": _("The files are ready to download.")}
    if found.state == jobs.FAILED:
        return {"message": str(BUILD_ERRORS.get(found.error or "", BUILD_ERRORS["failed"]))}
    count = _(
        "%(done)s of %(total)s responses written",
        done=format_decimal(found.done),
        total=format_decimal(found.total),
    )
    return {"message": str(BUILD_STAGES[found.stage]), "count": count}


def _fresh(response: Response) -> Response:
    # The page and its status change by the second: never show a stored copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:batch_id>/progress")
@role_required("admin", "reviewer")
def progress(batch_id: int) -> Response:
    """Where the files stand; starts their build if no live one is writing them."""
    batch = _batch(batch_id)
    bom = _bom(request.args)
    found = jobs.ensure(db.engine(), batch, _exports_dir(), bom=bom)
    page = render_template(
        "batches/progress.html",
        batch=batch,
        bom=bom,
        status=found,
        words=_build_words(found),
        files=files.names(batch)[1:],
        status_url=_progress_url(batch, bom, ".progress_status"),
        back=url_for(".show", batch_id=batch.id),
    )
    return _fresh(current_app.make_response(page))


@bp.get("/<int:batch_id>/progress.json")
@role_required("admin", "reviewer")
def progress_status(batch_id: int) -> Response:
    """The progress page's status for its script to poll."""
    batch = _batch(batch_id)
    found = jobs.ensure(db.engine(), batch, _exports_dir(), bom=_bom(request.args))
    return _fresh(jsonify(state=found.state, percent=found.percent, **_build_words(found)))


@bp.post("/<int:batch_id>/progress")
@role_required("admin", "reviewer")
def retry(batch_id: int) -> Any:
    """Write the files again after a failed build."""
    batch = _batch(batch_id)
    bom = _bom(request.form)
    jobs.start(db.engine(), batch, _exports_dir(), bom=bom, retry=True)
    return see_other(_progress_url(batch, bom))
