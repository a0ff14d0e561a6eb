"""Planning shadow tests and handing them to testers.

A test is planned against one version of a shadow definition, for a platform and one
of the channels it offers, a scenario and a time slot. Testers see and log only the
tests assigned to them; admins plan, assign and see all.

An admin plans a grid at once (platforms × channels × scenarios × slots, a few tests
each): it is checked against the platforms file, the definition and the segments file,
every problem returned as a code (`Problem`), and stored in one transaction or not at
all. Assigning and voiding move a test with an UPDATE that names the state it was read
in, and leave a row in the audit log under the test's number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, func, select

from fieldwork.accounts.models import StaffUser
from fieldwork.audit import log
from fieldwork.audit.models import AuditEntry
from fieldwork.clock import now
from fieldwork.questionnaire.platforms import Platforms
from fieldwork.questionnaire.shadow import ShadowDefinition
from fieldwork.shadow import coverage
from fieldwork.shadow.models import LOGGING, PLANNED, SLOTS, VOID, ShadowTest


@dataclass(frozen=True)
class Plan:
    """One planned contact, as the plan form or the command line gives it."""

    platform: str
    channel: str
    scenario: str
    slot: str
    campaign: str | None = None
    wave: str | None = None
    planned_on: dt.date | None = None
    segment: str | None = None
    spans_days: bool = False
    tester_id: int | None = None


class NotFound(LookupError):
    """No such test, or not one the asking tester may see."""


def plan(
    session: Session, definition: ShadowDefinition, chosen: Plan, actor: StaffUser | None
) -> ShadowTest:
    """Store one planned test. The caller has checked the plan (platform, channel,
    scenario and slot known and the channel offered by the platform)."""
    if chosen.slot not in SLOTS:
        raise ValueError(f"unknown slot {chosen.slot}")
    test = ShadowTest(
        definition_id=definition.id,
        version_hash=definition.content_hash,
        campaign=chosen.campaign,
        wave=chosen.wave,
        platform=chosen.platform,
        channel=chosen.channel,
        scenario=chosen.scenario,
        slot=chosen.slot,
        planned_on=chosen.planned_on,
        segment=chosen.segment,
        spans_days=chosen.spans_days,
        tester_id=chosen.tester_id,
        created_by=actor.id if actor is not None else None,
        created_at=now(),
    )
    session.add(test)
    session.commit()
    session.refresh(test)
    return test


def assigned(session: Session, tester: StaffUser) -> list[ShadowTest]:
    """A tester's tests that are not void, the most recently planned first."""
    query = (
        select(ShadowTest)
        .where(col(ShadowTest.tester_id) == tester.id, col(ShadowTest.state) != VOID)
        .order_by(col(ShadowTest.id).desc())
    )
    return list(session.exec(query))


def for_tester(session: Session, test_id: int, tester: StaffUser) -> ShadowTest:
    """A test the tester may log: one assigned to them. NotFound otherwise, the same for
    a test that does not exist and one of someone else's, so numbers cannot be probed."""
    test = session.get(ShadowTest, test_id)
    if test is None or test.tester_id != tester.id:
        raise NotFound(test_id)
    return test


# Planning many tests at once, and checking what an admin chose against the catalog.

MAX_TESTS = 2000
"""The most tests one request plans: one transaction, one page of them to look through."""
LABEL = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
"""A campaign or wave, as invitation links and print runs carry them."""
REASON_LIMIT = 2000
"""The most characters of a reason for voiding a test (the audit log's comment)."""
PLANNERS = frozenset({"admin"})
"""Roles that plan, assign and void tests."""
TESTER_ROLES = frozenset({"tester", "admin"})
"""Roles a test can be assigned to: testers, and admins trying the logger out."""
ASSIGN_ACTION, VOID_ACTION = "test-assigned", "test-void"
"""What the audit log calls assigning (or reassigning) a test and voiding it."""
COMMAND_LINE = "command-line"
"""The audit log's actor for a change made from the command line by no one named."""

# Why a plan cannot be made: codes with the field they are about; web/ words each.
UNKNOWN_PLATFORM, UNKNOWN_CHANNEL = "unknown-platform", "unknown-channel"
NOT_OFFERED, UNKNOWN_SCENARIO, UNKNOWN_SLOT = "not-offered", "unknown-scenario", "unknown-slot"
NONE_CHOSEN, UNKNOWN_SEGMENT, NOT_A_TESTER = "none-chosen", "unknown-segment", "not-a-tester"
BAD_DATE, BAD_LABEL = "bad-date", "bad-label"
COUNT_NOT_A_NUMBER, COUNT_OUT_OF_RANGE, TOO_MANY = "count-not-a-number", "count-range", "too-many"
NOT_ALLOWED = "not-allowed"
PLAN_CODES = (
    UNKNOWN_PLATFORM,
    UNKNOWN_CHANNEL,
    NOT_OFFERED,
    UNKNOWN_SCENARIO,
    UNKNOWN_SLOT,
    NONE_CHOSEN,
    UNKNOWN_SEGMENT,
    NOT_A_TESTER,
    BAD_DATE,
    BAD_LABEL,
    COUNT_NOT_A_NUMBER,
    COUNT_OUT_OF_RANGE,
    TOO_MANY,
    NOT_ALLOWED,
)
"""Every `Problem` code of a plan; `web/shadow_plans.py` words each."""

# Why a planned test cannot change.
UNKNOWN_TEST, CLOSED, CHANGED = "unknown-test", "closed", "changed"
NO_REASON, REASON_TOO_LONG = "no-reason", "reason-too-long"
TEST_CODES = (UNKNOWN_TEST, CLOSED, CHANGED, NO_REASON, REASON_TOO_LONG, NOT_A_TESTER, NOT_ALLOWED)
"""Every `TestError` code; `web/shadow_plans.py` words each."""
UNKNOWN_SHOWN = 3
"""The most unknown codes of one field reported."""
OPEN = (PLANNED, LOGGING)
"""States in which a test can still be assigned or voided."""


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of a plan; `params` what to say with it."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class PlanRefused(ValueError):
    """A plan that cannot be made; every problem with it, at once. Nothing was stored."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(", ".join(f"{p.field}: {p.code}" for p in problems))
        self.problems = tuple(problems)


class TestError(ValueError):
    """A test cannot be assigned or voided; `code` says why, `params` what to say with it."""

    __test__ = False  # not a pytest class, for all its name

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Grid:
    """What an admin chose on the plan form or the command line: every platform ×
    channel (that the platform offers) × scenario × slot, `count` tests each. Values as
    given: `count` None when not a whole number, `planned_on` as typed (ISO 8601),
    `tester` a username or none."""

    platforms: tuple[str, ...]
    channels: tuple[str, ...]
    scenarios: tuple[str, ...]
    slots: tuple[str, ...]
    count: int | None = 1
    campaign: str | None = None
    wave: str | None = None
    planned_on: str | None = None
    segment: str | None = None
    spans_days: bool = False
    tester: str | None = None


@dataclass(frozen=True)
class Checked:
    """A grid that passed its checks: the plans it makes, and the platform/channel pairs
    chosen that are skipped because the platform does not offer that channel."""

    plans: tuple[Plan, ...]
    skipped: tuple[tuple[str, str], ...]
    tester: StaffUser | None


def count_from(text: str) -> int | None:
    """A count as typed: a whole number of a few digits, or None."""
    text = text.strip()
    return int(text) if text.isdecimal() and len(text) <= 7 else None


def date_from(text: str | None) -> dt.date | None:
    """A day typed as YYYY-MM-DD; None if it is not a real one (2026-02-30)."""
    try:
        return dt.date.fromisoformat(text.strip()) if text and len(text) <= 10 else None
    except ValueError:
        return None


def testers(session: Session) -> list[StaffUser]:
    """Active staff a test can be assigned to, by username."""
    query = (
        select(StaffUser)
        .where(col(StaffUser.role).in_(TESTER_ROLES), col(StaffUser.active).is_(True))
        .order_by(col(StaffUser.username))
    )
    return list(session.exec(query))


def _tester(session: Session, username: str) -> StaffUser | None:
    found = session.exec(select(StaffUser).where(col(StaffUser.username) == username)).first()
    return found if found and found.role in TESTER_ROLES and found.active else None


def check(
    session: Session,
    definition: ShadowDefinition,
    platforms: Platforms,
    segments: Collection[str],
    grid: Grid,
) -> tuple[list[Problem], Checked]:
    """Every problem with a grid, checked against the platforms file, the definition and
    the segments file, and the plans it makes when there are none."""
    problems = list(_choice_problems(definition, platforms, grid))
    planned_on = date_from(grid.planned_on)
    if grid.planned_on and planned_on is None:
        problems.append(Problem("planned_on", BAD_DATE))
    for name, value in (("campaign", grid.campaign), ("wave", grid.wave)):
        if value is not None and not LABEL.fullmatch(value):
            problems.append(Problem(name, BAD_LABEL))
    if grid.segment is not None and grid.segment not in segments:
        problems.append(Problem("segment", UNKNOWN_SEGMENT, {"segments": tuple(segments)}))
    tester = _tester(session, grid.tester) if grid.tester else None
    if grid.tester and tester is None:
        problems.append(Problem("tester", NOT_A_TESTER))
    if grid.count is None:
        problems.append(Problem("count", COUNT_NOT_A_NUMBER))
    elif not 1 <= grid.count <= MAX_TESTS:
        problems.append(Problem("count", COUNT_OUT_OF_RANGE, {"most": MAX_TESTS}))
    pairs, skipped = _pairs(platforms, grid)
    cells = len(pairs) * len(set(grid.scenarios)) * len(set(grid.slots))
    if not problems and cells * (grid.count or 0) > MAX_TESTS:
        problems.append(
            Problem("count", TOO_MANY, {"count": cells * (grid.count or 0), "most": MAX_TESTS})
        )
    if problems:
        return problems, Checked((), tuple(skipped), tester)
    made = tuple(
        Plan(
            platform,
            channel,
            scenario,
            slot,
            campaign=grid.campaign,
            wave=grid.wave,
            planned_on=planned_on,
            segment=grid.segment,
            spans_days=grid.spans_days,
            tester_id=tester.id if tester else None,
        )
        for platform, channel in pairs
        for scenario in dict.fromkeys(grid.scenarios)
        for slot in dict.fromkeys(grid.slots)
        for _ in range(grid.count or 0)
    )
    return [], Checked(made, tuple(skipped), tester)


def _choice_problems(
    definition: ShadowDefinition, platforms: Platforms, grid: Grid
) -> Iterator[Problem]:
    """Unknown codes among the boxes ticked, none ticked, and channels no chosen platform
    offers (a hotline of a platform that has none)."""
    chosen = (
        ("platforms", grid.platforms, UNKNOWN_PLATFORM, lambda c: platforms.platform(c)),
        ("channels", grid.channels, UNKNOWN_CHANNEL, lambda c: platforms.channel(c)),
        ("scenarios", grid.scenarios, UNKNOWN_SCENARIO, lambda c: definition.scenario(c)),
        ("slots", grid.slots, UNKNOWN_SLOT, lambda c: c if c in SLOTS else None),
    )
    known_all = True
    for field_name, codes, unknown, find in chosen:
        if not codes:
            yield Problem(field_name, NONE_CHOSEN)
            known_all = False
        # A few unknown codes say what is wrong; a form stuffed with thousands is not
        # worth a message each.
        strange = [code for code in dict.fromkeys(codes) if find(code) is None]
        for code in strange[:UNKNOWN_SHOWN]:
            yield Problem(field_name, unknown, {"code": code[:64]})
        known_all = known_all and not strange
    if not known_all:
        return
    for channel in dict.fromkeys(grid.channels):
        offering = [p for p in grid.platforms if channel in _offered(platforms, p)]
        if not offering:
            yield Problem(
                "channels", NOT_OFFERED, {"channel": channel, "platforms": tuple(grid.platforms)}
            )


def _offered(platforms: Platforms, code: str) -> tuple[str, ...]:
    found = platforms.platform(code)
    return found.channels if found else ()


def _pairs(platforms: Platforms, grid: Grid) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(pairs to plan, pairs skipped) of the platforms and channels chosen."""
    pairs: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for platform in dict.fromkeys(grid.platforms):
        for channel in dict.fromkeys(grid.channels):
            (pairs if channel in _offered(platforms, platform) else skipped).append(
                (platform, channel)
            )
    return pairs, skipped


_TESTS = ShadowTest.__table__  # type: ignore[attr-defined]


def plan_grid(
    session: Session,
    definition: ShadowDefinition,
    platforms: Platforms,
    segments: Collection[str],
    grid: Grid,
    actor: StaffUser | None,
) -> Checked:
    """Plan every test a grid makes, in one transaction, with an audit row per test
    assigned; `actor` None is the command line. PlanRefused, storing nothing, if the grid
    cannot be planned."""
    problems, checked = check(session, definition, platforms, segments, grid)
    if actor is not None and actor.role not in PLANNERS:
        problems.append(Problem("actor", NOT_ALLOWED))
    if problems:
        raise PlanRefused(problems)
    at = now()
    rows = [
        {
            "definition_id": definition.id,
            "version_hash": definition.content_hash,
            "campaign": chosen.campaign,
            "wave": chosen.wave,
            "platform": chosen.platform,
            "channel": chosen.channel,
            "scenario": chosen.scenario,
            "slot": chosen.slot,
            "planned_on": chosen.planned_on,
            "segment": chosen.segment,
            "spans_days": chosen.spans_days,
            "tester_id": chosen.tester_id,
            "state": PLANNED,
            "created_by": actor.id if actor else None,
            "created_at": at,
        }
        for chosen in checked.plans
    ]
    try:
        ids = [
            row_id
            for (row_id,) in session.connection().execute(
                insert(_TESTS).returning(_TESTS.c.id, sort_by_parameter_order=True), rows
            )
        ]
        if checked.tester is not None:
            assigned = {"tester": checked.tester.username}
            log.write(session, [_entry(actor, i, ASSIGN_ACTION, None, assigned) for i in ids])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return checked


def assign(session: Session, test_id: int, username: str, actor: StaffUser | None) -> ShadowTest:
    """Assign a test to a tester, or to another one; refused (TestError) once it is
    submitted or void. The change and who made it go into the audit log."""
    if actor is not None and actor.role not in PLANNERS:
        raise TestError(NOT_ALLOWED)
    test = _open_test(session, test_id)
    tester = _tester(session, username)
    if tester is None:
        raise TestError(NOT_A_TESTER)
    old = session.get(StaffUser, test.tester_id) if test.tester_id else None
    change = {"tester": tester.username}
    _change(session, test, {"tester_id": tester.id}, actor, ASSIGN_ACTION, change, old=old)
    return test


def void(session: Session, test_id: int, reason: str, actor: StaffUser | None) -> ShadowTest:
    """Void a test that was planned in error or cannot be done, with the reason in the
    audit log; refused (TestError) once it is submitted or void."""
    if actor is not None and actor.role not in PLANNERS:
        raise TestError(NOT_ALLOWED)
    reason = reason.strip()
    if not reason:
        raise TestError(NO_REASON)
    if len(reason) > REASON_LIMIT:
        raise TestError(REASON_TOO_LONG, most=str(REASON_LIMIT))
    test = _open_test(session, test_id)
    change = {"state": VOID}
    _change(session, test, {"state": VOID}, actor, VOID_ACTION, change, reason=reason)
    return test


def _open_test(session: Session, test_id: int) -> ShadowTest:
    test = session.get(ShadowTest, test_id)
    if test is None:
        raise TestError(UNKNOWN_TEST)
    if test.state not in OPEN:
        raise TestError(CLOSED, state=test.state)
    return test


def _change(
    session: Session,
    test: ShadowTest,
    values: Mapping[str, Any],
    actor: StaffUser | None,
    action: str,
    new: Mapping[str, Any],
    old: StaffUser | None = None,
    reason: str | None = None,
) -> None:
    """Change an open test with an UPDATE that names the state it was read in: of two
    admins (or an admin and the tester submitting) at once, one wins and the other is
    told (`changed`). The audit row goes in the same transaction."""
    before = {"state": test.state, "tester": old.username if old else None}
    try:
        result = session.execute(
            update(ShadowTest)
            .where(col(ShadowTest.id) == test.id, col(ShadowTest.state) == test.state)
            .values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise TestError(CHANGED)
        assert test.id is not None
        log.write(session, [_entry(actor, test.id, action, before, dict(new), reason)])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.refresh(test)


def _entry(
    actor: StaffUser | None,
    test_id: int,
    action: str,
    old: Any,
    new: Any,
    reason: str | None = None,
) -> dict[str, Any]:
    """An audit row about a planned test; a void's reason is its comment."""
    return log.entry(
        actor, action, old, new, unattended=COMMAND_LINE, test_id=test_id, comment=reason
    )


def history(session: Session, test_id: int) -> list[AuditEntry]:
    """Every audited change of a test, the first first."""
    query = (
        select(AuditEntry).where(col(AuditEntry.test_id) == test_id).order_by(col(AuditEntry.id))
    )
    return list(session.exec(query))


# Lists of tests, and the counts the coverage grid is made of.


@dataclass(frozen=True)
class Filters:
    """What the list of tests is narrowed to; None: any."""

    state: str | None = None
    tester_id: int | None = None
    platform: str | None = None
    campaign: str | None = None
    wave: str | None = None


@dataclass(frozen=True)
class Listed:
    """One page of tests, each with its tester's username, and how many match in all."""

    rows: tuple[tuple[ShadowTest, str | None], ...]
    total: int


def listed(session: Session, filters: Filters, page: int = 1, per_page: int = 50) -> Listed:
    """Tests matching the filters, the most recently planned first, one page of them."""
    conditions = _conditions(filters)
    if filters.state is not None:
        conditions.append(col(ShadowTest.state) == filters.state)
    if filters.tester_id is not None:
        conditions.append(col(ShadowTest.tester_id) == filters.tester_id)
    if filters.platform is not None:
        conditions.append(col(ShadowTest.platform) == filters.platform)
    total = session.exec(select(func.count()).select_from(ShadowTest).where(*conditions)).one()
    query = (
        select(ShadowTest, col(StaffUser.username))
        .outerjoin(StaffUser, col(StaffUser.id) == col(ShadowTest.tester_id))
        .where(*conditions)
        .order_by(col(ShadowTest.id).desc())
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    )
    return Listed(tuple((test, name) for test, name in session.exec(query)), int(total))


def _conditions(filters: Filters) -> list[Any]:
    conditions: list[Any] = []
    if filters.campaign is not None:
        conditions.append(col(ShadowTest.campaign) == filters.campaign)
    if filters.wave is not None:
        conditions.append(col(ShadowTest.wave) == filters.wave)
    return conditions


def coverage_rows(session: Session, filters: Filters) -> list[coverage.Row]:
    """Tests that are not void counted per platform, channel, slot and state, for a
    campaign and wave if given: what `coverage.grid` is made of."""
    query = (
        select_columns(
            col(ShadowTest.platform),
            col(ShadowTest.channel),
            col(ShadowTest.slot),
            col(ShadowTest.state),
            func.count(),
        )
        .where(col(ShadowTest.state) != VOID, *_conditions(filters))
        .group_by(
            col(ShadowTest.platform),
            col(ShadowTest.channel),
            col(ShadowTest.slot),
            col(ShadowTest.state),
        )
    )
    return [coverage.Row(p, c, s, state, int(n)) for p, c, s, state, n in session.execute(query)]


def campaigns(session: Session) -> list[tuple[str | None, str | None]]:
    """The campaigns and waves tests were planned for, as filters can name them."""
    query = select(col(ShadowTest.campaign), col(ShadowTest.wave)).distinct()
    return sorted(session.exec(query), key=lambda pair: (pair[0] or "", pair[1] or ""))
