"""The online questionnaire: start, question pages, check answers, submit, confirmation, resume.

Views parse the request, call the answers rules and the responses service, and
render or redirect. Answers live in a server-side draft; the cookie only
points at it, so no timeout loses them. A draft is stored by its first answer:
until then the signed cookie holds what starting it knew (see `_keep_start`), so
a start that is never answered stores nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _

from fieldwork import answers as answer_rules
from fieldwork import catalog, clock, db, i18n, modes
from fieldwork.attempts import service as attempts
from fieldwork.config import LANGUAGES
from fieldwork.questionnaire import timing
from fieldwork.questionnaire.model import Questionnaire, Section
from fieldwork.questionnaire.problems import Issue
from fieldwork.responses import codes, entry, service
from fieldwork.responses.models import Draft
from fieldwork.web import fields, pages
from fieldwork.web.errors import ClientError
from fieldwork.web.messages import resume_code_message
from fieldwork.web.paradata import browser_family, ip_hash
from fieldwork.web.preferences import SIZES, apply_link_display, current_display, restore_display
from fieldwork.web.redirects import see_other
from fieldwork.web.throttling import address_key

bp = Blueprint("survey", __name__)

LINK_VALUE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
INVALID = 422  # the page again, with what was wrong and the answers given


def _questionnaire(qid: str) -> Questionnaire:
    """The current version of a questionnaire anyone may answer online; 404 for any other."""
    questionnaire = catalog.versions().current(db.session(), qid) if len(qid) <= 64 else None
    if questionnaire is None or not modes.is_public(questionnaire.kind):
        raise ClientError(404, _("There is no questionnaire at this address."))
    return questionnaire


def _draft(qid: str) -> tuple[Draft, Questionnaire] | None:
    """This browser's draft of a questionnaire, with the version it started on: the stored
    one, or the one it started and has not answered yet."""
    draft = service.get_draft(db.session(), (session.get("drafts") or {}).get(qid))
    if draft is None:
        return _started(qid)
    questionnaire = catalog.versions().by_hash(db.session(), draft.version_hash)
    return (draft, questionnaire) if questionnaire else None


def _remember_draft(qid: str, draft: Draft) -> None:
    drafts = dict(session.get("drafts") or {})
    drafts[qid] = draft.id
    session["drafts"] = drafts
    session["starts"] = {k: v for k, v in (session.get("starts") or {}).items() if k != qid}
    session.permanent = True


def _keep_start(qid: str, draft: Draft) -> None:
    """Keep a draft not stored yet in the cookie, as `_started` makes it again: the version,
    the invitation's presets, the start time (a response's duration counts from it, not
    from the first answer), the submission id and the time on pages that stored nothing.
    The submission id is unique among stored drafts, so a replayed cookie never stores a
    second draft with this start time (`service.store_draft`)."""
    starts = dict(session.get("starts") or {})
    starts[qid] = {
        "version": draft.version_hash,
        "preset": {k: v for k, v in draft.preset.items() if k != "display"},
        "at": draft.started_at.timestamp(),
        "submission": draft.submission_id,
        "seconds": draft.page_seconds,
    }
    session["starts"] = starts
    session["drafts"] = {k: v for k, v in (session.get("drafts") or {}).items() if k != qid}
    session.permanent = True


def _started(qid: str) -> tuple[Draft, Questionnaire] | None:
    """The draft this browser started and has not answered, with the display shown now
    (stored with it by its first answer); none once older than a resume code lives."""
    start = (session.get("starts") or {}).get(qid)
    if not isinstance(start, dict):
        return None
    started_at = dt.datetime.fromtimestamp(start["at"], dt.UTC)
    if started_at < clock.now() - dt.timedelta(days=current_app.config["RESUME_DAYS"]):
        return None
    questionnaire = catalog.versions().by_hash(db.session(), start["version"])
    if questionnaire is None:
        return None
    preset = {**start["preset"], "display": current_display().stored()}
    draft = service.start_draft(
        questionnaire, preset, started_at, start["submission"], start["seconds"]
    )
    return draft, questionnaire


def _settle(qid: str, draft: Draft) -> Draft:
    """After a request on a draft not stored yet: the stored draft, remembered, if this
    request (or another of this start's) stored it; else the start kept with its page times."""
    stored = service.draft_of_submission(db.session(), draft.submission_id)
    if stored is None:
        _keep_start(qid, draft)
        return draft
    _remember_draft(qid, stored)
    return stored


def _pages(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[pages.Page]:
    return pages.paginate(questionnaire, answers, one_per_page=current_display().large)


def _home() -> str:
    return url_for(".home")


@bp.get("/")
def home() -> str:
    ids = catalog.versions().ids(db.session())
    found = [catalog.versions().current(db.session(), qid) for qid in ids]
    public = [q for q in found if q and modes.is_public(q.kind)]
    return render_template("survey/home.html", questionnaires=public)


@bp.get("/s/<qid>/")
def start(qid: str) -> str:
    questionnaire = _questionnaire(qid)
    if request.args:
        _apply_invitation(questionnaire)
    return render_template(
        "survey/start.html", q=questionnaire, error=None, back=_home(), **_promise(questionnaire)
    )


def _promise(questionnaire: Questionnaire) -> dict[str, int]:
    """What the start page promises: the most pages in this display, and the minutes."""
    return {
        "pages": pages.most(questionnaire, {}, one_per_page=current_display().large),
        "minutes": timing.estimated_minutes(questionnaire),
    }


def _apply_invitation(questionnaire: Questionnaire) -> None:
    """Presets from an invitation link: campaign, wave, assisted, segment, language, display."""
    args = request.args
    invite: dict[str, str | bool] = {}
    for key in ("campaign", "wave"):
        if key in args:
            if not LINK_VALUE.match(args[key]):
                raise ClientError(400, _("This invitation link is not valid."))
            invite[key] = args[key]
    assisted = args.get("assisted")
    if assisted is not None:  # a community worker's or fieldworker's session
        if assisted != "1":
            raise ClientError(400, _("This invitation link is not valid."))
        invite["assisted"] = True
    segment = args.get("segment")
    if segment is not None:
        known = catalog.segment(segment)
        if known is None or segment not in questionnaire.segments:
            raise ClientError(400, _("This invitation link is not valid."))
        invite["segment"] = segment
        defaults = known.default_display
        apply_link_display(defaults.get("text_size"), defaults.get("contrast"))
    lang, size, contrast = args.get("lang"), args.get("size"), args.get("contrast")
    if (
        (lang and lang not in LANGUAGES)
        or (size and size not in SIZES)
        or (contrast and contrast not in ("on", "off"))
    ):
        raise ClientError(400, _("This invitation link is not valid."))
    if lang:
        session["link_lang"] = lang
    apply_link_display(size, contrast)
    invites = dict(session.get("invites") or {})
    invites[questionnaire.id] = invite
    session["invites"] = invites
    session.permanent = True


@bp.post("/s/<qid>/start")
def begin(qid: str) -> Response | tuple[str, int]:
    questionnaire = _questionnaire(qid)
    if request.form.get("consent") != "yes":
        error = _("Tick the box to say you agree to take part")
        page = render_template(
            "survey/start.html",
            q=questionnaire,
            error=error,
            back=_home(),
            **_promise(questionnaire),
        )
        return page, INVALID
    preset = (session.get("invites") or {}).get(qid) or {}
    _keep_start(qid, service.start_draft(questionnaire, preset))
    first = _pages(questionnaire, {})[0]
    return see_other(url_for(".page", qid=qid, key=first.key))


def _require_draft(qid: str) -> tuple[Draft, Questionnaire]:
    found = _draft(qid)
    if found is None:
        _questionnaire(qid)  # 404 for an unknown questionnaire, not a redirect
        raise ClientError(
            409,
            _(
                "We could not find your answers in this browser. "
                "Start again, or use your resume code."
            ),
            links=[
                (url_for(".start", qid=qid), _("Start the questionnaire")),
                (url_for(".resume"), _("Continue with a resume code")),
            ],
        )
    return found


@bp.route("/s/<qid>/q/<key>", methods=["GET", "POST"])
def page(qid: str, key: str) -> Any:
    draft, questionnaire = _require_draft(qid)
    if draft.response_id is not None:
        return see_other(url_for(".done", qid=qid, submission_id=draft.submission_id))
    all_pages = _pages(questionnaire, draft.answers)
    index = pages.find(all_pages, key)
    if index is None:
        return see_other(url_for(".check", qid=qid))
    current = all_pages[index]
    changing = request.args.get("change") == "1"
    back = (
        url_for(".check", qid=qid)
        if changing
        else url_for(".page", qid=qid, key=all_pages[index - 1].key)
        if index
        else url_for(".start", qid=qid)
    )
    if request.method == "GET":
        session["shown"] = {"key": key, "at": clock.now().timestamp()}
        values = {
            q.code: fields.builder(q).raw(q, draft.answers.get(q.code)) for q in current.questions
        }
        total = _most(questionnaire, draft.answers, current)
        return _render_page(questionnaire, current, index, total, values, [], back)

    raw = fields.read_form(current.questions, request.form)
    seconds = _seconds_on(key)
    stored = service.is_stored(draft)
    try:
        if request.form.get("action") == "save":
            entry.save_for_later(
                db.session(), draft, current.questions, raw, key, seconds, address_key()
            )
            _settle(qid, draft)
            return see_other(url_for(".saved", qid=qid))
        issues = entry.answer_page(
            db.session(), draft, current.questions, raw, key, seconds, address_key()
        )
    except attempts.TooManyAttempts as refused:
        total = _most(questionnaire, draft.answers, current)
        notice = _(
            "Too many questionnaires were started from this connection in the last hour. "
            "Wait %(minutes)s minutes, then send this page again: your answers on it are "
            "kept here.",
            minutes=refused.minutes,
        )
        page = _render_page(questionnaire, current, index, total, raw, [], back, notice)
        return page, 429
    if not stored:
        draft = _settle(qid, draft)
    if issues:
        total = _most(questionnaire, draft.answers, current)
        return _render_page(questionnaire, current, index, total, raw, issues, back), INVALID
    return see_other(_after(questionnaire, draft, key, changing))


def _most(questionnaire: Questionnaire, answers: dict[str, Any], current: pages.Page) -> int:
    """The "about" of "Page X of about Y": never more than the start page promised, and
    never growing as the person answers on (see `pages.most`)."""
    return pages.most(questionnaire, answers, current_display().large, before=current.key)


def _seconds_on(key: str) -> float | None:
    shown = session.pop("shown", None)
    if isinstance(shown, dict) and shown.get("key") == key:
        return max(0.0, clock.now().timestamp() - float(shown.get("at", 0)))
    return None


def _after(questionnaire: Questionnaire, draft: Draft, key: str, changing: bool) -> str:
    """Where to go after a page: the next page, or back to check answers after a change
    unless the change brought up questions still to answer."""
    all_pages = _pages(questionnaire, draft.answers)
    index = pages.find(all_pages, key)
    following = all_pages[index + 1 :] if index is not None else all_pages
    if changing:
        following = [p for p in following if any(draft.answers.get(c) is None for c in p.codes)]
        following = [p for p in following if answer_rules.check(p.questions, draft.answers)]
    if following:
        extra: dict[str, Any] = {"change": "1"} if changing else {}
        return url_for(".page", qid=questionnaire.id, key=following[0].key, **extra)
    return url_for(".check", qid=questionnaire.id)


def _render_page(
    questionnaire: Questionnaire,
    current: pages.Page,
    index: int,
    total: int,
    values: dict[str, Any],
    issues: list[Issue],
    back: str,
    notice: str | None = None,
) -> str:
    """A question page; `notice`, if given, is what kept the page from being saved at all,
    shown in the error summary with a link to its first question."""
    errors = fields.errors(current.questions, issues)
    linked: list[tuple[str, str | fields.FieldError]] = [
        (fields.builder(q).first_id(q), errors[q.code])
        for q in current.questions
        if q.code in errors
    ]
    if notice:
        first = current.questions[0]
        linked.insert(0, (fields.builder(first).first_id(first), notice))
    return render_template(
        "survey/page.html",
        errors_linked=linked,
        q=questionnaire,
        page=current,
        number=index + 1,
        total=total,
        values=values,
        errors=errors,
        back=back,
        title_prefix=_("Error: ") if linked else "",
    )


def _by_section(
    questionnaire: Questionnaire, rows: list[dict[str, Any]]
) -> list[tuple[Section, list[dict[str, Any]]]]:
    """Check answers' rows under their sections' headings, in questionnaire order."""
    grouped = [
        (s, [r for r in rows if r["question"].section == s.code]) for s in questionnaire.sections
    ]
    return [(section, found) for section, found in grouped if found]


def _rows(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[dict[str, Any]]:
    all_pages = _pages(questionnaire, answers)
    rows = []
    for question in answer_rules.shown(questionnaire, answers):
        value = answers.get(question.code)
        owner = pages.page_with(all_pages, question.code)
        rows.append(
            {
                "question": question,
                "answer": fields.builder(question).show(question, value)
                if value is not None
                else "",
                "change": url_for(".page", qid=questionnaire.id, key=owner.key, change="1")
                if owner
                else "",
                "hidden": fields.builder(question).raw(question, value),
            }
        )
    return rows


@bp.get("/s/<qid>/check")
def check(qid: str) -> Any:
    draft, questionnaire = _require_draft(qid)
    if draft.response_id is not None:
        return see_other(url_for(".done", qid=qid, submission_id=draft.submission_id))
    answers, issues = entry.whole(questionnaire, draft.answers)
    if issues:
        owner = pages.page_with(_pages(questionnaire, answers), issues[0].question)
        if owner is not None:
            return see_other(url_for(".page", qid=qid, key=owner.key))
    rows = _rows(questionnaire, answers)
    return render_template(
        "survey/check.html",
        q=questionnaire,
        rows=rows,
        sections=_by_section(questionnaire, rows),
        draft=draft,
        errors={},
        errors_linked=[],
        back=url_for(".page", qid=qid, key=_pages(questionnaire, answers)[-1].key),
    )


@bp.post("/s/<qid>/submit")
def submit(qid: str) -> Any:
    submission_id = service.parse_submission_id(request.form.get("submission_id", ""))
    if submission_id is None:
        raise ClientError(
            400, _("This form is damaged: its submission number is missing or wrong.")
        )
    found = _draft(qid)
    draft = found[0] if found and found[0].submission_id == submission_id else None
    questionnaire = found[1] if draft and found else _questionnaire(qid)
    unstored = draft is not None and not service.is_stored(draft)  # nothing was answered
    try:
        outcome = entry.submit(
            db.session(),
            questionnaire,
            fields.read_form(questionnaire.questions, request.form),
            _origin(qid),
            submission_id,
            draft=draft,
            current=catalog.versions().current(db.session(), qid),
            fallback_segment=catalog.segments()[-1].code,
            screen=catalog.screener(),
        )
    except service.SubmissionConflict:
        raise ClientError(
            409,
            _(
                "These answers were already sent once with different content, "
                "so they were not saved again."
            ),
        ) from None
    except service.SegmentMissing:  # the link's group is one this version no longer offers
        raise ClientError(400, _("This invitation link is not valid.")) from None
    if outcome.issues:
        answers = answer_rules.clean(questionnaire, outcome.answers)
        errors = fields.errors(questionnaire.questions, outcome.issues)
        rows = _rows(questionnaire, answers)
        return render_template(
            "survey/check.html",
            q=questionnaire,
            rows=rows,
            sections=_by_section(questionnaire, rows),
            draft=draft,
            submission_id=submission_id,
            back=url_for(".start", qid=qid),
            errors=errors,
            errors_linked=[(code, str(error)) for code, error in errors.items()],
        ), INVALID
    if unstored and draft is not None:  # submitting stored it, marked submitted
        _settle(qid, draft)
    return see_other(url_for(".done", qid=qid, submission_id=submission_id))


def _origin(qid: str) -> entry.Origin:
    """An online response: from anyone with the link, with the browser's paradata."""
    display = current_display()
    return entry.Origin(
        mode=modes.ONLINE.code,
        creator=modes.RESPONDENT,
        locale=i18n.current(),
        preset=(session.get("invites") or {}).get(qid) or {},
        ip_hash=ip_hash(),
        paradata={
            "locale": i18n.current(),
            "text_size": display.size,
            "contrast": "high" if display.contrast else "standard",
            "browser": browser_family(),
        },
    )


@bp.get("/s/<qid>/done/<submission_id>")
def done(qid: str, submission_id: str) -> str:
    questionnaire = _questionnaire(qid)
    canonical = service.parse_submission_id(submission_id)
    stored = service.by_submission_id(db.session(), canonical) if canonical else None
    if stored is None or stored.questionnaire_id != qid:
        raise ClientError(404, _("We could not find a response with this number."))
    return render_template(
        "survey/done.html",
        q=questionnaire,
        reference=codes.format_reference(stored.reference),
        submitted=format_datetime(stored.submitted_at, "medium"),
    )


@bp.get("/s/<qid>/saved")
def saved(qid: str) -> str | Response:
    draft, questionnaire = _require_draft(qid)
    if not draft.resume_code:
        return see_other(url_for(".check", qid=qid))
    return render_template(
        "survey/saved.html",
        q=questionnaire,
        code=codes.format_resume_code(draft.resume_code),
        days=current_app.config["RESUME_DAYS"],
        back=url_for(".check", qid=qid),
    )


@bp.route("/resume", methods=["GET", "POST"])
def resume() -> Any:
    if request.method == "GET":
        return render_template("survey/resume.html", error=None, code="", back=_home())
    entered = request.form.get("code", "")[:64]
    code = codes.normalise_resume_code(entered)
    if code is None:  # never looked up, so not counted as a guess
        error = resume_code_message(codes.resume_code_problem(entered))
        return render_template(
            "survey/resume.html", error=error, code=entered, back=_home()
        ), INVALID
    try:
        draft = service.resume(db.session(), code, current_app.config["RESUME_DAYS"], address_key())
    except attempts.TooManyAttempts as refused:
        error = _(
            "Too many codes that match no saved answers were tried from this connection. "
            "Wait %(minutes)s minutes and try again, or start the questionnaire again.",
            minutes=refused.minutes,
        )
        page = render_template("survey/resume.html", error=error, code=entered, back=_home())
        return page, 429
    if draft is None:
        error = _(
            "No saved answers match this code. A code works for %(days)s days; "
            "after that, start the questionnaire again.",
            days=current_app.config["RESUME_DAYS"],
        )
        return render_template("survey/resume.html", error=error, code=entered, back=_home()), 404
    _remember_draft(draft.questionnaire_id, draft)
    restore_display(draft.preset.get("display"))
    if draft.response_id is not None:
        return see_other(
            url_for(".done", qid=draft.questionnaire_id, submission_id=draft.submission_id)
        )
    return see_other(_resume_target(draft))


def _resume_target(draft: Draft) -> str:
    questionnaire = catalog.versions().by_hash(db.session(), draft.version_hash)
    assert questionnaire is not None
    for current in _pages(questionnaire, draft.answers):
        if any(draft.answers.get(code) is None for code in current.codes):
            return url_for(".page", qid=questionnaire.id, key=current.key)
    return url_for(".check", qid=questionnaire.id)
