"""Staff pages for planning shadow tests: a tester's own assignments, the admin's plan
(the grid form, the list of tests, coverage gaps), one test with its assign and void
forms and its history, and the rates rolled up per platform × channel.

The pages parse the request, call `fieldwork.shadow.plans` or `.rates` and word their
codes; `coverage` gives the grid. The logger and checklist pages are other blueprints':
this one links to them by path (`test_paths`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import (
    Blueprint,
    flash,
    get_flashed_messages,
    render_template,
    request,
    url_for,
)
from flask_babel import format_number, format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from fieldwork import catalog, db
from fieldwork.accounts.models import StaffUser
from fieldwork.i18n import text
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import coverage, plans, rates
from fieldwork.shadow.models import LOGGING, PLANNED, STATES, SUBMITTED, VOID, ShadowTest
from fieldwork.web import labels
from fieldwork.web.errors import ClientError
from fieldwork.web.redirects import see_other
from fieldwork.web.staff import current_user, role_required

bp = Blueprint("shadow_plans", __name__, url_prefix="/staff/shadow")

VIEWERS = ("tester", "admin", "reviewer")
"""Roles that open the shadow-test home: testers their assignments, the others links."""
RATE_READERS = ("admin", "reviewer")
PER_PAGE = 50
MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL; a larger number names no test."""
NOTICE = "shadow-plans"
"""The category of this blueprint's messages after a redirect."""

STATE_LABELS = {
    PLANNED: _l("Planned"),
    LOGGING: _l("Being logged"),
    SUBMITTED: _l("Submitted"),
    VOID: _l("Void"),
}

# Placeholders are the problems' own params, worded by `_listed`.
PLAN_PROBLEMS = {
    plans.UNKNOWN_PLATFORM: _l("There is no platform “%(code)s”. Choose from the list."),
    plans.UNKNOWN_CHANNEL: _l("There is no channel “%(code)s”. Choose from the list."),
    plans.NOT_OFFERED: _l(
        "%(platforms)s: none of these offers %(channel)s. Choose another channel or platform."
    ),
    plans.UNKNOWN_SCENARIO: _l("This definition has no scenario “%(code)s”."),
    plans.UNKNOWN_SLOT: _l("There is no time slot “%(code)s”. Choose from the list."),
    plans.UNKNOWN_SEGMENT: _l("Choose a persona from the list: %(segments)s."),
    plans.NOT_A_TESTER: _l("Choose a tester from the list."),
    plans.BAD_DATE: _l("Enter a real date as year-month-day, such as 2026-11-03."),
    plans.BAD_LABEL: _l(
        "Use up to 64 letters, digits, dots, hyphens or underscores, or leave it empty."
    ),
    plans.COUNT_NOT_A_NUMBER: _l(
        "Enter the number of tests per cell as a whole number, such as 1."
    ),
    plans.COUNT_OUT_OF_RANGE: _l("Enter a number of tests per cell from 1 to %(most)s."),
    plans.TOO_MANY: _l(
        "This plan makes %(count)s tests: plan at most %(most)s at a time. "
        "Choose fewer boxes or fewer tests per cell."
    ),
    plans.NOT_ALLOWED: _l("Only administrators plan tests."),
}
NONE_CHOSEN = {
    "platforms": _l("Choose at least one platform."),
    "channels": _l("Choose at least one channel."),
    "scenarios": _l("Choose at least one scenario."),
    "slots": _l("Choose at least one time slot."),
}
TEST_PROBLEMS = {
    plans.UNKNOWN_TEST: _l("There is no such test."),
    plans.CLOSED: _l("This test is “%(state)s”: it can no longer be assigned or made void."),
    plans.CHANGED: _l("Someone changed this test since you opened it. Look at it again."),
    plans.NO_REASON: _l("Say why the test is void."),
    plans.REASON_TOO_LONG: _l("Shorten the reason to %(most)s characters or fewer."),
    plans.NOT_A_TESTER: _l("Choose a tester from the list."),
    plans.NOT_ALLOWED: _l("Only administrators assign tests and make them void."),
}
GAP_WORDS = {
    coverage.NEVER_PLANNED: _l("%(pair)s: no test planned for %(slots)s."),
    coverage.NONE_SUBMITTED: _l("%(pair)s: tests planned but none submitted for %(slots)s."),
}
NEVER_TESTED = _l("%(pair)s: never tested in any time slot.")
AUDIT_ACTIONS = {
    plans.ASSIGN_ACTION: _l("Assigned"),
    plans.VOID_ACTION: _l("Made void"),
}
PLAN_FIELDS = (
    "platforms",
    "channels",
    "scenarios",
    "slots",
    "count",
    "campaign",
    "wave",
    "planned_on",
    "segment",
    "tester",
    "actor",
)
"""The plan form's fields, in the order its problems are listed."""
LIMIT = 200
"""The most characters of a field kept to fill a form in again."""


# Words for codes.


def platform_name(code: str) -> str:
    found = catalog.platforms().platform(code)
    return text(found.name) if found else code


def channel_name(code: str) -> str:
    found = catalog.platforms().channel(code)
    return text(found.name) if found else code


def pair_name(platform: str, channel: str) -> str:
    return str(
        _(
            "%(platform)s · %(channel)s",
            platform=platform_name(platform),
            channel=channel_name(channel),
        )
    )


def scenario_name(definition: ShadowDefinition | None, code: str) -> str:
    found = definition.scenario(code) if definition else None
    return text(found.name) if found else code


def _listed(key: str, value: Any) -> Any:
    if key == "platforms":
        return ", ".join(platform_name(code) for code in value)
    if key == "channel":
        return channel_name(value)
    if key == "segments":
        return ", ".join(labels.segment_label(code) for code in value)
    if key == "state":
        return str(STATE_LABELS.get(value, value))
    if key in ("count", "most"):
        return format_number(int(value))
    return value


def _words(message: Any, params: Mapping[str, Any]) -> str:
    shown = {key: _listed(key, value) for key, value in params.items()}
    return str(message) % shown if shown else str(message)


def plan_problem(problem: plans.Problem) -> str:
    if problem.code == plans.NONE_CHOSEN:
        return str(NONE_CHOSEN[problem.field])
    return _words(PLAN_PROBLEMS[problem.code], problem.params)


def test_problem(error: plans.TestError) -> str:
    return _words(TEST_PROBLEMS[error.code], error.params)


def gap_sentence(gap: coverage.Gap) -> str:
    pair = pair_name(gap.platform, gap.channel)
    if gap.kind == coverage.NEVER_PLANNED and gap.everywhere:
        return _words(NEVER_TESTED, {"pair": pair})
    slots = ", ".join(str(labels.SLOTS[slot]) for slot in gap.slots)
    return _words(GAP_WORDS[gap.kind], {"pair": pair, "slots": slots})


def test_paths(test_id: int) -> dict[str, str]:
    """Where a tester logs a test and answers its checklist: pages of other blueprints,
    named by path so this one does not depend on them."""
    root = f"{request.script_root}/staff/shadow/tests/{test_id}"
    return {"log": f"{root}/log", "checklist": f"{root}/checklist"}


def _notices() -> list[str]:
    return [str(m) for m in get_flashed_messages(category_filter=[NOTICE])]


# The definitions tests are planned against.


def definitions() -> list[ShadowDefinition]:
    """The current version of every stored shadow definition, by id."""
    session, versions = db.session(), catalog.versions()
    found = []
    for definition_id in versions.ids(session):
        current = versions.current(session, definition_id)
        shadow = versions.shadow(session, current.content_hash) if current else None
        if shadow is not None:
            found.append(shadow)
    return found


def _chosen_definition(code: str | None) -> tuple[ShadowDefinition | None, list[ShadowDefinition]]:
    known = definitions()
    chosen = next((d for d in known if d.id == code), known[0] if known else None)
    return chosen, known


# A tester's home: their assignments.


@bp.get("/")
@role_required(*VIEWERS)
def index() -> str:
    user = current_user()
    assert user is not None
    session = db.session()
    mine = plans.assigned(session, user) if user.role in plans.TESTER_ROLES else []
    stored = {t.version_hash for t in mine}
    shown = {h: catalog.versions().shadow(session, h) for h in stored}
    rows = [
        {
            "test": test,
            "pair": pair_name(test.platform, test.channel),
            "scenario": scenario_name(shown.get(test.version_hash), test.scenario),
            "paths": test_paths(test.id or 0),
        }
        for test in mine
    ]
    return render_template(
        "shadow/assignments.html",
        rows=rows,
        user=user,
        may_plan=user.role in plans.PLANNERS,
        may_read_rates=user.role in RATE_READERS,
        may_log=user.role in plans.TESTER_ROLES,
        states=STATE_LABELS,
        slots=labels.SLOTS,
    )


# The admin's plan.


def _filters(args: MultiDict[str, str]) -> plans.Filters:
    """The list's filters from the query; a value no test can have filters nothing."""
    state = args.get("state", "")
    tester = args.get("tester", "")
    return plans.Filters(
        state=state if state in STATES else None,
        tester_id=int(tester) if tester.isdecimal() and len(tester) <= 9 else None,
        platform=args.get("platform", "")[:64] or None,
        campaign=args.get("campaign", "")[:64] or None,
        wave=args.get("wave", "")[:64] or None,
    )


def _page(args: MultiDict[str, str]) -> int:
    typed = args.get("page", "1")
    return int(typed) if typed.isdecimal() and 0 < len(typed) <= 6 and int(typed) > 0 else 1


def _plan_page(
    chosen: Mapping[str, Any] | None = None,
    errors: Sequence[tuple[str, str]] = (),
    status: int = 200,
) -> tuple[str, int]:
    """The plan: the grid form (filled in with what was sent when it comes back with
    `errors`, each next to its field), the list of tests, and the coverage grid."""
    session = db.session()
    chosen = chosen or {}
    definition, known = _chosen_definition(
        chosen.get("definition") or request.args.get("definition")
    )
    filters = _filters(request.args)
    page = _page(request.args)
    found = plans.listed(session, filters, page, PER_PAGE)
    platforms = catalog.platforms()
    pairs = [(p.code, c) for p in platforms.platforms for c in p.channels]
    if filters.platform:
        pairs = [pair for pair in pairs if pair[0] == filters.platform]
    shown = coverage.grid(pairs, plans.coverage_rows(session, filters))
    testers = plans.testers(session)
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    page_html = render_template(
        "shadow/plan.html",
        definition=definition,
        definition_options=[(d.id, text(d.title)) for d in known],
        platform_options=[(p.code, text(p.name)) for p in platforms.platforms],
        channel_options=[(c.code, text(c.name)) for c in platforms.channels],
        scenario_options=[(s.code, text(s.name)) for s in definition.scenarios]
        if definition
        else [],
        slot_options=list(labels.SLOTS.items()),
        segment_options=[(s.code, labels.segment_label(s.code)) for s in catalog.segments()],
        tester_options=[(u.username, u.username) for u in testers],
        filter_tester_options=[(str(u.id), u.username) for u in testers],
        state_options=list(STATE_LABELS.items()),
        **_label_options(session),
        chosen=chosen,
        errors=list(errors),
        notices=_notices(),
        filters=filters,
        rows=[
            {"test": test, "tester": name, "pair": pair_name(test.platform, test.channel)}
            for test, name in found.rows
        ],
        total=found.total,
        page=page,
        pages=max(1, -(-found.total // PER_PAGE)),
        query=query,
        coverage=shown,
        gaps=[gap_sentence(gap) for gap in shown.gaps],
        pair_name=pair_name,
        scenario_name=lambda code: scenario_name(definition, code),
        states=STATE_LABELS,
        slots=labels.SLOTS,
        most=plans.MAX_TESTS,
    )
    return page_html, status


@bp.get("/plan")
@role_required(*plans.PLANNERS)
def plan() -> tuple[str, int]:
    return _plan_page()


def _grid(form: MultiDict[str, str]) -> plans.Grid:
    """The grid a form gives; an empty optional field is none."""

    def optional(name: str) -> str | None:
        return form.get(name, "").strip() or None

    def ticked(name: str) -> tuple[str, ...]:
        return tuple(value[:LIMIT] for value in form.getlist(name)[:LIMIT])

    return plans.Grid(
        platforms=ticked("platforms"),
        channels=ticked("channels"),
        scenarios=ticked("scenarios"),
        slots=ticked("slots"),
        count=plans.count_from(form.get("count", "1") or "1"),
        campaign=optional("campaign"),
        wave=optional("wave"),
        planned_on=optional("planned_on"),
        segment=optional("segment"),
        spans_days=form.get("spans_days") == "yes",
        tester=optional("tester"),
    )


def _kept(form: MultiDict[str, str]) -> dict[str, Any]:
    """What was sent, to fill the form in again (never more than a field holds)."""
    kept: dict[str, Any] = {
        name: form.get(name, "")[:LIMIT]
        for name in ("definition", "count", "campaign", "wave", "planned_on", "segment", "tester")
    }
    for name in ("platforms", "channels", "scenarios", "slots"):
        kept[name] = [value[:LIMIT] for value in form.getlist(name)[:LIMIT]]
    kept["spans_days"] = form.get("spans_days") == "yes"
    kept["sent"] = True
    return kept


def _plan_errors(problems: Iterable[plans.Problem]) -> list[tuple[str, str]]:
    """(field id, message) of each problem, in the form's order."""
    order = {name: place for place, name in enumerate(PLAN_FIELDS)}
    listed = sorted(problems, key=lambda p: order.get(p.field, len(order)))
    return [(f"p-{p.field}", plan_problem(p)) for p in listed]


@bp.post("/plan")
@role_required(*plans.PLANNERS)
def plan_grid() -> Any:
    form = request.form
    definition, _known = _chosen_definition(form.get("definition", ""))
    if definition is None or definition.id != form.get("definition"):
        raise ClientError(400, _("Choose a shadow-test definition."))
    session = db.session()
    segments = [s.code for s in catalog.segments()]
    try:
        checked = plans.plan_grid(
            session, definition, catalog.platforms(), segments, _grid(form), current_user()
        )
    except plans.PlanRefused as refused:
        return _plan_page(_kept(form), _plan_errors(refused.problems), status=400)
    count = len(checked.plans)
    flash(
        ngettext(
            "%(count)s test planned.", "%(count)s tests planned.", count, count=format_number(count)
        ),
        NOTICE,
    )
    if checked.skipped:
        skipped = ", ".join(pair_name(p, c) for p, c in checked.skipped)
        flash(
            _("Not planned, as the platform does not offer the channel: %(pairs)s.", pairs=skipped),
            NOTICE,
        )
    return see_other(url_for(".plan", definition=definition.id))


# One test: its plan, history, and the forms to assign and void it.


def _test(test_id: int) -> ShadowTest:
    found = db.session().get(ShadowTest, test_id) if test_id <= MAX_ID else None
    if found is None:
        raise ClientError(404, _("There is no such test."))
    return found


def _test_page(
    test: ShadowTest,
    errors: Sequence[tuple[str, str]] = (),
    sent: Mapping[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = db.session()
    assert test.id is not None
    definition = catalog.versions().shadow(session, test.version_hash)
    tester = session.get(StaffUser, test.tester_id) if test.tester_id else None
    history = [
        {
            "at": entry.at,
            "who": entry.actor
            if entry.actor_id is not None
            else str(labels.ACTORS.get(entry.actor, entry.actor)),
            "what": str(AUDIT_ACTIONS.get(entry.action, entry.action)),
            "tester": (entry.new or {}).get("tester") if isinstance(entry.new, dict) else None,
            "why": entry.comment or "",
        }
        for entry in plans.history(session, test.id)
    ]
    page = render_template(
        "shadow/test.html",
        test=test,
        tester=tester.username if tester else None,
        pair=pair_name(test.platform, test.channel),
        scenario=scenario_name(definition, test.scenario),
        history=history,
        open=test.state in plans.OPEN,
        tester_options=[(u.username, u.username) for u in plans.testers(session)],
        errors=list(errors),
        notices=_notices(),
        sent=sent or {},
        states=STATE_LABELS,
        slots=labels.SLOTS,
        reason_limit=plans.REASON_LIMIT,
        back=url_for(".plan"),
    )
    return page, status


@bp.get("/plan/tests/<int:test_id>")
@role_required(*plans.PLANNERS)
def test(test_id: int) -> tuple[str, int]:
    return _test_page(_test(test_id))


@bp.post("/plan/tests/<int:test_id>/assign")
@role_required(*plans.PLANNERS)
def assign(test_id: int) -> Any:
    found = _test(test_id)
    username = request.form.get("tester", "")[:LIMIT]
    try:
        plans.assign(db.session(), test_id, username, current_user())
    except plans.TestError as error:
        db.session().expire_all()
        status = 409 if error.code in (plans.CHANGED, plans.CLOSED) else 400
        return _test_page(_test(found.id or 0), [("a-tester", test_problem(error))], {}, status)
    flash(_("Test %(id)s is assigned to %(tester)s.", id=test_id, tester=username), NOTICE)
    return see_other(url_for(".test", test_id=test_id))


@bp.post("/plan/tests/<int:test_id>/void")
@role_required(*plans.PLANNERS)
def void(test_id: int) -> Any:
    found = _test(test_id)
    reason = request.form.get("reason", "")
    sent = {"reason": reason[: plans.REASON_LIMIT + 1]}
    try:
        plans.void(db.session(), test_id, reason, current_user())
    except plans.TestError as error:
        db.session().expire_all()
        status = 409 if error.code in (plans.CHANGED, plans.CLOSED) else 400
        return _test_page(_test(found.id or 0), [("v-reason", test_problem(error))], sent, status)
    flash(_("Test %(id)s is void.", id=test_id), NOTICE)
    return see_other(url_for(".test", test_id=test_id))


def _label_options(session: Any) -> dict[str, list[tuple[str, str]]]:
    """The campaigns and waves tests were planned for, as (value, label) options."""
    found = plans.campaigns(session)
    return {
        "campaign_options": [(c, c) for c in sorted({c for c, _w in found if c})],
        "wave_options": [(w, w) for w in sorted({w for _c, w in found if w})],
    }


# Rates rolled up per platform × channel.


@bp.get("/rates")
@role_required(*RATE_READERS)
def rates_page() -> str:
    session = db.session()
    definition, known = _chosen_definition(request.args.get("definition"))
    filters = rates.Filters(
        campaign=request.args.get("campaign", "")[:64] or None,
        wave=request.args.get("wave", "")[:64] or None,
    )
    versions = catalog.versions()
    found = (
        rates.roll_up(
            session,
            definition,
            lambda content_hash: versions.shadow(session, content_hash),
            filters,
        )
        if definition
        else {}
    )
    platforms = catalog.platforms()
    order = [(p.code, c) for p in platforms.platforms for c in p.channels]
    keys = [pair for pair in order if pair in found] + [pair for pair in found if pair not in order]
    rows = [
        {
            "pair": pair_name(*pair),
            "indicator": text(figure.indicator.name),
            "passed": figure.passed,
            "tests": figure.tests,
            "share": format_percent(figure.share, "#,##0.#%"),
            "threshold": format_percent(figure.threshold, "#,##0.#%"),
            "meets": figure.meets,
        }
        for pair in keys
        for figure in found[pair].figures
    ]
    return render_template(
        "shadow/rates.html",
        definition=definition,
        definition_options=[(d.id, text(d.title)) for d in known],
        **_label_options(session),
        filters=filters,
        rows=rows,
    )
