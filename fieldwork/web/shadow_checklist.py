"""The tester's checklist page after a contact: the definition's items (yes / no / not
applicable, and a note each) with the same field macros as every questionnaire, and the
screenshots and photos behind them.

Files are sent by their own form (`POST …/evidence`, one file and the item it backs) and
come back as a list only: what was stored, when, how large, its fingerprint. The image
itself is never served to the tester; reviewers and admins see it on their pages.
Submitting the checklist makes the test a response (`fieldwork.shadow.submission`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import LazyString, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from fieldwork import catalog, clock, db, i18n
from fieldwork.i18n import text
from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.questionnaire.problems import Issue
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.responses import service
from fieldwork.responses.entry import Storing
from fieldwork.shadow import evidence, submission
from fieldwork.shadow.models import SUBMITTED, Evidence, ShadowTest
from fieldwork.web import fields
from fieldwork.web.errors import ClientError, render_error, takes_files
from fieldwork.web.redirects import see_other
from fieldwork.web.shadow_tests import LOGGERS, own_test
from fieldwork.web.staff import current_user, role_required

bp = Blueprint("shadow_checklist", __name__, url_prefix="/staff/shadow")

INVALID = 422
MEGABYTES = evidence.MAX_BYTES // (1024 * 1024)
KINDS = {
    "gif": _l("a GIF animation"),
    "pdf": _l("a PDF document"),
    "zip": _l("a zip archive"),
    "gzip": _l("a compressed archive"),
    "heic": _l("a HEIC photo"),
    "video": _l("a video"),
    "tiff": _l("a TIFF image"),
    "bmp": _l("a BMP image"),
    "svg": _l("an SVG drawing"),
    "html": _l("a web page"),
    "program": _l("a program"),
    "png": _l("a PNG image"),
    "jpeg": _l("a JPEG photo"),
    "webp": _l("a WebP image"),
}
"""What a refused file really is, by `image_files` kind, for the refusal's words."""
REFUSED: Mapping[str, LazyString] = {
    evidence.EMPTY: _l("Choose a screenshot or photo to attach."),
    evidence.TOO_LARGE: _l(
        "The file is larger than %(megabytes)s MB. Attach a screenshot, or a photo taken "
        "at a lower resolution."
    ),
    evidence.UNKNOWN_TYPE: _l(
        "The file is not an image. Attach a screenshot or photo (PNG, JPEG or WebP)."
    ),
    evidence.WRONG_TYPE: _l(
        "The file is %(kind)s, not a screenshot or photo. Attach a PNG, JPEG or WebP image."
    ),
    evidence.TOO_MANY_PIXELS: _l(
        "The image has more than %(megapixels)s million pixels. Attach a screenshot, or a "
        "photo taken at a lower resolution."
    ),
    evidence.DAMAGED: _l("The file is damaged or not a whole image. Take the screenshot again."),
    evidence.TRAILING: _l(
        "The file holds something more after the picture (another file, or a motion "
        "photo's video), so it cannot be used. Take a plain screenshot or photo."
    ),
    evidence.ALREADY_HERE: _l("This file is attached to this test already."),
    evidence.UNKNOWN_ITEM: _l("Choose an item of this checklist, or none."),
    evidence.CLOSED: _l("This test is submitted or void: it takes no more files."),
    evidence.NOT_FOUND: _l("This file is not attached to this test."),
}
"""Why a file was refused (`fieldwork.shadow.evidence`), for the tester."""
ITEM_FIELD, FILE_FIELD = "item", "file"


def _tester_test(test_id: int) -> tuple[ShadowTest, ShadowDefinition, Questionnaire]:
    test, definition = own_test(test_id)
    checklist = catalog.versions().by_hash(db.session(), test.version_hash)
    if checklist is None:  # a test is planned against a stored definition
        raise ClientError(404, _("This test's definition is not loaded."))
    return test, definition, checklist


@bp.get("/tests/<int:test_id>/checklist")
@role_required(*LOGGERS)
def checklist(test_id: int) -> Any:
    test, definition, questionnaire = _tester_test(test_id)
    if not submission.takes_checklist(test):
        return _closed(test)
    return _render(test, definition, questionnaire, notice=_notice())


@bp.post("/tests/<int:test_id>/checklist")
@role_required(*LOGGERS)
def submit(test_id: int) -> Any:
    test, definition, questionnaire = _tester_test(test_id)
    if not submission.takes_checklist(test):
        return _closed(test)
    raw = fields.read_form(questionnaire.questions, request.form)
    missing = _without_evidence(test, definition, raw)
    if missing and request.form.get("confirm") != "1":
        return _render(test, definition, questionnaire, raw, missing=missing)
    try:
        outcome = submission.submit(
            db.session(), test, questionnaire, raw, i18n.current(), _storing(test)
        )
    except submission.NotOpen:
        return _closed(test)
    except service.SubmissionConflict:
        raise ClientError(409, _("This test was submitted already with other answers.")) from None
    if outcome.issues:
        return _render(test, definition, questionnaire, raw, outcome.issues), INVALID
    return see_other(url_for(".checklist", test_id=test.id))


def _storing(test: ShadowTest) -> Storing:
    return Storing(
        current=catalog.versions().current(db.session(), test.definition_id),
        fallback_segment=catalog.segments()[-1].code,
        screen=catalog.screener(),
    )


def _without_evidence(
    test: ShadowTest, definition: ShadowDefinition, raw: Mapping[str, Any]
) -> list[str]:
    """Items needing evidence, answered yes or no, with no file behind them: the quality
    rules will flag them, so the tester is told before submitting (not stopped)."""
    backed = {e.item for e in submission.evidence_of(db.session(), test)}
    return [
        i.code
        for i in definition.items
        if i.evidence and i.code not in backed and _answer(raw, i.code) in ("yes", "no")
    ]


def _answer(raw: Mapping[str, Any], code: str) -> str:
    sent = raw.get(code, {}).get("", [])
    return sent[0] if sent else ""


def _closed(test: ShadowTest) -> tuple[str, int]:
    status = 200 if test.state == SUBMITTED else 409
    return render_template("shadow/checklist_closed.html", test=test), status


# ---------------------------------------------------------------- evidence


@bp.post("/tests/<int:test_id>/evidence")
@takes_files(evidence.MAX_BYTES)
@role_required(*LOGGERS)
def upload(test_id: int) -> Any:
    test, definition, questionnaire = _tester_test(test_id)
    if not submission.takes_checklist(test):
        return _closed(test)
    item = request.form.get(ITEM_FIELD, "")[:64] or None
    sent = request.files.get(FILE_FIELD)
    # The name the browser sent is never read: the bytes are all that count.
    data = sent.stream.read(evidence.MAX_BYTES + 1) if sent else b""
    user = current_user()
    assert user is not None  # role_required
    folder = current_app.config["EVIDENCE_DIR"]
    taken = evidence.accept(db.session(), test, definition, item, data, user, folder, clock.now())
    if isinstance(taken, evidence.Refused):
        return _render(test, definition, questionnaire, refusal=taken, item=item), INVALID
    return see_other(url_for(".checklist", test_id=test.id, added=taken.evidence.id) + "#evidence")


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """A file over the limit, refused before it is read: said in words, with a way back."""
    test_id = (request.view_args or {}).get("test_id")
    links = [(url_for(".checklist", test_id=test_id), _("Back to the checklist"))]
    return render_error(413, refusal_words(evidence.Refused(evidence.TOO_LARGE)), links)


@bp.post("/tests/<int:test_id>/evidence/<int:evidence_id>/remove")
@role_required(*LOGGERS)
def remove(test_id: int, evidence_id: int) -> Any:
    test, definition, questionnaire = _tester_test(test_id)
    gone = evidence.remove(db.session(), test, evidence_id, clock.now())
    if isinstance(gone, evidence.Refused):
        if gone.code == evidence.CLOSED:
            return _closed(test)
        return _render(test, definition, questionnaire, refusal=gone), 404
    return see_other(url_for(".checklist", test_id=test.id, removed=gone.id) + "#evidence")


def refusal_words(refused: evidence.Refused) -> str:
    """A refusal in the tester's words, naming what the file really is where known."""
    kind = KINDS.get(refused.kind or "", "")
    return str(REFUSED[refused.code]) % {
        "megabytes": MEGABYTES,
        "megapixels": evidence.MAX_PIXELS // 1_000_000,
        "kind": kind,
    }


def _notice() -> str:
    """What the last upload or removal did, from the address it sent the tester to: only
    a fixed sentence, so a made-up link cannot put words on the page."""
    if request.args.get("added", "").isdecimal():
        return str(_("The file is attached."))
    if request.args.get("removed", "").isdecimal():
        return str(_("The file is taken off this test."))
    return ""


# ---------------------------------------------------------------- the page


def _render(
    test: ShadowTest,
    definition: ShadowDefinition,
    questionnaire: Questionnaire,
    values: Mapping[str, Any] | None = None,
    issues: Sequence[Issue] = (),
    *,
    refusal: evidence.Refused | None = None,
    item: str | None = None,
    missing: Sequence[str] = (),
    notice: str = "",
) -> str:
    files = submission.evidence_of(db.session(), test)
    reused = evidence.elsewhere(db.session(), test, files)
    errors = fields.errors(questionnaire.questions, issues)
    linked = [
        (fields.builder(q).first_id(q), str(errors[q.code]))
        for q in questionnaire.questions
        if q.code in errors
    ]
    if refusal is not None:
        linked.append((FILE_FIELD, refusal_words(refusal)))
    labels = {i.code: text(i.text) for i in definition.items}
    return render_template(
        "shadow/checklist.html",
        test=test,
        heading=_heading(test, definition),
        questions=[_hinted(q, files) for q in questionnaire.questions],
        values=values or {},
        errors=errors,
        errors_linked=linked,
        file_error=refusal_words(refusal) if refusal else "",
        chosen_item=item,
        items=[(i.code, labels[i.code], i.evidence) for i in definition.items],
        files=[_listed(f, labels, reused.get(f.id or 0, 0)) for f in files],
        missing=[labels.get(code, code) for code in missing],
        notice=notice,
        megabytes=MEGABYTES,
    )


def _heading(test: ShadowTest, definition: ShadowDefinition) -> dict[str, str]:
    known = catalog.platforms()
    platform, channel = known.platform(test.platform), known.channel(test.channel)
    scenario = definition.scenario(test.scenario)
    return {
        "platform": text(platform.name) if platform else test.platform,
        "channel": text(channel.name) if channel else test.channel,
        "scenario": text(scenario.name) if scenario else test.scenario,
    }


def _hinted(question: Question, files: Sequence[Evidence]) -> Question:
    """An item that needs evidence says so in its hint, with how many files back it."""
    if not question.options.get("evidence"):
        return question
    count = sum(1 for f in files if f.item == question.code)
    words = (
        _("Needs a screenshot or photo.")
        + " "
        + _("Files attached: %(count)s.", count=format_decimal(count))
    )
    return dataclasses.replace(question, hint={i18n.current(): words})


def _listed(row: Evidence, labels: Mapping[str, str], elsewhere: int) -> dict[str, Any]:
    return {
        "id": row.id,
        "item": labels.get(row.item or "", _("No item")),
        "received": format_datetime(row.received_at, "medium"),
        "size": _("%(size)s KB", size=format_decimal(round(row.size / 1024, 1))),
        "sha": row.sha256[:12],
        "elsewhere": elsewhere,
    }
