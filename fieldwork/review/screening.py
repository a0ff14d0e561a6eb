"""Levels 1 and 2 of the review: the quality rules run on every response, with what follows.

At submit, `Screener` evaluates the row about to be stored against the stored
responses (a few indexed queries) and decides: a reject-severity flag rejects
it (level 1), a review-severity flag leaves it pending in the queue (level 2),
a clean response is approved. Both automatic decisions can be turned off
(`FIELDWORK_AUTO_REJECT=0`, `FIELDWORK_AUTO_APPROVE=0`).

`run` re-evaluates a whole questionnaire in two streaming passes (see
`quality.BulkIndex`). It writes only what changed, audits every change, and
never changes the status of a response a person has decided.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Connection,
    Text,
    bindparam,
    cast,
    func,
    literal,
    select,
    tuple_,
    union_all,
    update,
)
from sqlmodel import Session, col

from fieldwork import parallel, quality
from fieldwork.clock import now
from fieldwork.quality import contacts
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.responses import documents
from fieldwork.responses.models import (
    APPROVED,
    BANDS,
    PENDING,
    REJECTED,
    Response,
    as_stored,
)
from fieldwork.responses.service import Screened
from fieldwork.review import rating_norms, shadow_neighbours
from fieldwork.review.service import COMMENT_LIMIT, Change, audit, audit_many

AUTO_REJECT, AUTO_APPROVE = "auto-reject-flag", "auto-clean"


def median_lifetime(count: int) -> float:
    """Seconds a process reuses a median of `count` times at submit: a median over many
    responses moves slowly and costs a sort to find; one over few changes fast and is cheap."""
    return 60.0 if count < 10_000 else 3600.0


CHUNK = 5000


@dataclass(frozen=True)
class Policy:
    """Which automatic decisions are made, and the staff's zone, in which a shadow test's
    planned slot is read (`BABEL_DEFAULT_TIMEZONE`)."""

    auto_reject: bool = True
    auto_approve: bool = True
    zone: str = contacts.DEFAULT_ZONE

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Policy:
        def switch(name: str) -> bool:
            value = config.get(name, True)
            if isinstance(value, str):
                return value.strip().lower() not in ("0", "false", "no", "off")
            return bool(value)

        zone = str(config.get("BABEL_DEFAULT_TIMEZONE") or contacts.DEFAULT_ZONE)
        return cls(switch("AUTO_REJECT"), switch("AUTO_APPROVE"), zone)

    def outcome(self, flags: Sequence[quality.Flag]) -> tuple[str, str | None]:
        """The status and reason code the flags lead to."""
        severities = {flag.severity for flag in flags}
        if self.auto_reject and "reject" in severities:
            return REJECTED, AUTO_REJECT
        if severities & {"reject", "review"} or not self.auto_approve:
            return PENDING, None
        return APPROVED, AUTO_APPROVE


_SETTINGS: dict[str, quality.Settings] = {}


def settings(questionnaire: Questionnaire) -> quality.Settings:
    """The rule settings of a questionnaire version (checked when it was loaded)."""
    found = _SETTINGS.get(questionnaire.content_hash)
    if found is None:
        found = _SETTINGS[questionnaire.content_hash] = quality.settings_of(
            questionnaire.definition
        )
    return found


_VERSIONS: dict[str, str] = {}


def rules_version(questionnaire: Questionnaire) -> str:
    """The rules version of a questionnaire version's settings."""
    found = _VERSIONS.get(questionnaire.content_hash)
    if found is None:
        found = _VERSIONS[questionnaire.content_hash] = quality.rules_version(
            settings(questionnaire)
        )
    return found


def subject(row: Mapping[str, Any]) -> quality.Subject:
    """What the rules see of a stored (or about to be stored) response row."""
    paradata = row.get("paradata") or {}
    return quality.Subject(
        id=row.get("id") or 0,
        questionnaire_id=row["questionnaire_id"],
        mode=row["mode"],
        answers=row["answers"],
        submitted_at=row["submitted_at"],
        started_at=row.get("started_at"),
        page_seconds=paradata.get("page_seconds") or {},
        ip_hash=row.get("ip_hash"),
        recorded=row.get("flags") or (),
        assisted=paradata.get("assisted") is True,
        shadow=contacts.frozen(paradata),
    )


_TABLE = Response.__table__  # type: ignore[attr-defined]
# Built once: what a submission needs to know of the stored responses, in one statement of
# four index lookups (ix_response_ip_questionnaire_submitted serves three of them,
# ix_response_same_answers the last), so a submission pays for one round trip and no query
# building, and no more when many respondents share a network address.
_SAME_IP = (_TABLE.c.ip_hash == bindparam("ip"), _TABLE.c.questionnaire_id == bindparam("qid"))
_IN_WINDOW = _TABLE.c.submitted_at >= bindparam("since")
_LATEST_FIRST = (_TABLE.c.submitted_at.desc(), _TABLE.c.id.desc())


def _latest_same_ip(column: Any) -> Any:
    return (
        select(column).where(*_SAME_IP, _IN_WINDOW).order_by(*_LATEST_FIRST).limit(1)
    ).scalar_subquery()


_NEIGHBOURS = select(
    _latest_same_ip(_TABLE.c.id).label("latest_id"),
    _latest_same_ip(_TABLE.c.submitted_at).label("latest_at"),
    select(func.count())
    .select_from(
        select(_TABLE.c.id).where(*_SAME_IP, _IN_WINDOW).limit(quality.SAME_IP_COUNTED).subquery()
    )
    .scalar_subquery()
    .label("same_ip_count"),
    # A NULL fingerprint (no closed answers) matches nothing.
    select(_TABLE.c.id)
    .where(*_SAME_IP, _TABLE.c.fingerprint == bindparam("fingerprint"))
    .order_by(_TABLE.c.submitted_at, _TABLE.c.id)
    .limit(1)
    .scalar_subquery()
    .label("first_same"),
)


# Candidates for near-duplicates, in a second statement: the latest responses from the
# same address within the window (kind 0), and per band of the signature the latest
# within click-farm's window sharing it (kind 1…3), each a bounded seek on its index.
_CANDIDATE = (_TABLE.c.submitted_at, _TABLE.c.id, _TABLE.c.ip_hash, _TABLE.c.answer_signature)
_QID = _TABLE.c.questionnaire_id == bindparam("qid")


def _candidates(kind: int, *where: Any, limit: int) -> Any:
    query = select(literal(kind).label("kind"), *_CANDIDATE).where(*where)
    return select(query.order_by(*_LATEST_FIRST).limit(limit).subquery())


_NEAR = union_all(
    _candidates(0, *_SAME_IP, _IN_WINDOW, limit=quality.SAME_IP_COUNTED),
    *(
        _candidates(
            number,
            _TABLE.c[band] == bindparam(band),
            _QID,
            _TABLE.c.submitted_at >= bindparam("farm_since"),
            limit=quality.FARM_CANDIDATES,
        )
        for number, band in enumerate(BANDS, 1)
    ),
)


Current = Callable[[Session, str], Questionnaire | None]
"""The current version of a questionnaire id, or None."""


class Screener:
    """The `Screen` the response service calls before it stores a response.

    Given `current` (the current version of a questionnaire id), it judges with that
    version's thresholds, as the bulk run does, also a response to an older version (a
    draft begun before a new one was loaded); without, with those of the version answered.
    """

    def __init__(self, policy: Policy, current: Current | None = None) -> None:
        self.policy = policy
        self.current = current
        self._medians: dict[str, tuple[float, float | None, int]] = {}
        self._norms = rating_norms.NormsCache()

    def __call__(
        self, session: Session, questionnaire: Questionnaire, row: Mapping[str, Any]
    ) -> Screened:
        latest = self.current(session, questionnaire.id) if self.current else None
        governing = latest or questionnaire
        chosen = settings(governing)
        fingerprint = quality.fingerprint(questionnaire, row["answers"]) or ""
        signature = quality.answer_signature(questionnaire, row["answers"])
        found = subject(row)
        around = self.neighbours(session, chosen, found, fingerprint, signature)
        around = replace(around, norms=self._norms.get(session, governing))
        if found.shadow:
            facts = shadow_neighbours.facts(session.connection(), found, self.policy.zone)
            around = replace(around, shadow=facts)
        flags = quality.evaluate(questionnaire, chosen, found, around, now())
        status, reason = self.policy.outcome(flags)
        return Screened(
            flags=[flag.as_json() for flag in flags],
            status=status,
            reason=reason,
            fingerprint=fingerprint,
            rules_version=rules_version(governing),
            signature=signature,
            # Indexed only where the rules compare: responses with a network address.
            bands=quality.bands(signature) if found.ip_hash else quality.NO_BANDS,
        )

    def neighbours(
        self,
        session: Session,
        chosen: quality.Settings,
        found: quality.Subject,
        fingerprint: str | None,
        signature: str | None = None,
    ) -> quality.Neighbours:
        """What the stored responses tell the rules about a new one: all of them are earlier."""
        median, timed = self._median(session, found.questionnaire_id)
        if found.seconds is not None:
            timed += 1
        if found.ip_hash is None:
            return quality.Neighbours(median_seconds=median, duration_count=timed)
        window = dt.timedelta(hours=chosen.number("duplicate-ip", "window_hours"))
        keys = {
            "ip": found.ip_hash,
            "qid": found.questionnaire_id,
            "since": found.submitted_at - window,
            "fingerprint": fingerprint or None,
        }
        near = session.connection().execute(_NEIGHBOURS, keys).one()
        alike = self._alike(session, chosen, found, signature) if signature else {}
        return quality.Neighbours(
            median_seconds=median,
            duration_count=timed,
            same_ip_latest=(
                quality.Earlier(near.latest_id, near.latest_at) if near.latest_id else None
            ),
            same_ip_count=near.same_ip_count,
            same_answers_first=near.first_same,
            **alike,
        )

    def _alike(
        self,
        session: Session,
        chosen: quality.Settings,
        found: quality.Subject,
        signature: str,
    ) -> dict[str, Any]:
        """The near-duplicate fields of Neighbours, from the bounded candidate seeks."""
        window = dt.timedelta(hours=chosen.number("duplicate-ip", "window_hours"))
        farm_window = dt.timedelta(hours=chosen.number("click-farm", "window_hours"))
        keys = {
            "ip": found.ip_hash,
            "qid": found.questionnaire_id,
            "since": found.submitted_at - window,
            "farm_since": found.submitted_at - farm_window,
            **dict(zip(BANDS, quality.bands(signature), strict=True)),
        }
        same_ip: list[quality.Candidate] = []
        others: list[quality.Candidate] = []
        for row in session.connection().execute(_NEAR, keys):
            theirs = bytes.fromhex(row.answer_signature) if row.answer_signature else None
            at = quality.as_utc(row.submitted_at)
            (others if row.kind else same_ip).append((at, row.id, row.ip_hash, theirs))
        mine = bytes.fromhex(signature)
        same_ip.sort(reverse=True)  # latest first, as the bulk run looks back
        near = quality.nearest_same_address(
            mine, same_ip, int(chosen.number("duplicate-answers", "max_different"))
        )
        addresses, latest = quality.farm(
            mine, found.ip_hash, others, int(chosen.number("click-farm", "max_different"))
        )
        return {
            "near_answers": near[0] if near else None,
            "near_different": near[1] if near else 0,
            "farm_addresses": addresses,
            "farm_latest": latest,
        }

    def _median(self, session: Session, questionnaire_id: str) -> tuple[float | None, int]:
        """The median answering time of the stored responses and how many have one."""
        kept = self._medians.get(questionnaire_id)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1], kept[2]
        seconds = col(Response.active_seconds)
        timed = select(seconds).where(
            col(Response.questionnaire_id) == questionnaire_id, seconds.is_not(None)
        )
        count = int(
            session.execute(select(func.count()).select_from(timed.subquery())).scalar_one()
        )
        median = None
        if count:
            middle = session.execute(
                timed.order_by(seconds).offset((count - 1) // 2).limit(2 - count % 2)
            ).scalars()
            values = list(middle)
            median = sum(values) / len(values)
        expires = time.monotonic() + median_lifetime(count)
        self._medians[questionnaire_id] = (expires, median, count)
        return median, count


@dataclass
class RunSummary:
    responses: int = 0
    flags_changed: int = 0
    status_changed: int = 0
    skipped: int = 0  # decided by a reviewer while the run went on: left alone
    rules_versions: tuple[str, ...] = ()


Progress = Callable[[int], None]
"""Told how many more responses were handled; the CLI draws its bar with it."""


# The stored answering time, not the page times: the median needs only that, and no JSON
# is read per response. The rules version, for `_audit_thresholds`. `run` unpacks the
# columns in this order.
_LEAN = (
    col(Response.id),
    as_stored(col(Response.submitted_at)),
    col(Response.active_seconds),
    col(Response.ip_hash),
    col(Response.fingerprint),
    col(Response.rules_version),
    col(Response.answer_signature),
    *(col(getattr(Response, band)) for band in BANDS),
)
# JSON as text, decoded by `_decoded`: the driver's per-value JSON handling cost more than
# reading the rows. Of the paradata only what the rules read.
_FULL = (
    col(Response.id),
    col(Response.questionnaire_id),
    col(Response.version_hash),
    col(Response.mode),
    cast(col(Response.answers), Text).label("answers"),
    cast(col(Response.paradata)["page_seconds"], Text).label("page_seconds"),
    cast(col(Response.paradata)["assisted"], Text).label("assisted"),
    as_stored(col(Response.submitted_at)),
    as_stored(col(Response.started_at)),
    col(Response.ip_hash),
    cast(col(Response.flags), Text).label("flags"),
    col(Response.status),
    col(Response.reviewed_by),
    col(Response.fingerprint),
    col(Response.rules_version),
    col(Response.row_version),
)


_FULL_NAMES = (*select(*_FULL).selected_columns.keys(), "shadow")


def _full(kind: str) -> tuple[Any, ...]:
    """_FULL for a questionnaire of `kind`, with its frozen shadow test last. Only a shadow
    checklist's responses have one: for any other kind the column is a constant, so a bulk
    run does not look for the key in every one of 50,000 paradata documents."""
    if kind == "shadow":
        return (*_FULL, cast(col(Response.paradata)[contacts.PARADATA], Text).label("shadow"))
    return (*_FULL, literal(None, Text).label("shadow"))


def _decoded(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of _FULL as `subject` and `_change` read them.

    The answers and page times of all the rows are decoded together (`documents.loads_all`):
    one call for an array takes a third less time than one per document.
    """
    answers = documents.loads_all([row.answers for row in rows])
    # SQLite gives "null" for a missing key, PostgreSQL NULL.
    pages = documents.loads_all([row.page_seconds or "null" for row in rows])
    flags = documents.loads_all([row.flags for row in rows])
    decoded = []
    for row, answered, page_seconds, flagged in zip(rows, answers, pages, flags, strict=True):
        values = dict(zip(_FULL_NAMES, row, strict=True))  # Row._asdict costs twice as much
        values["answers"] = answered
        values["paradata"] = {"page_seconds": page_seconds, "assisted": row.assisted == "true"}
        if row.shadow and row.shadow != "null":  # only shadow responses have one: few
            values["paradata"]["shadow"] = json.loads(row.shadow)
        values["flags"] = flagged
        decoded.append(values)
    return decoded


_key = tuple_(col(Response.submitted_at), col(Response.id))
"""The order both passes read responses in, along ix_response_questionnaire_submitted."""


def _key_of(point: tuple[dt.datetime, int]) -> Any:
    """A (submitted_at, id) read back, as a value to compare `_key` with."""
    return tuple_(quality.as_utc(point[0]), point[1])


def run(
    session: Session,
    current: Questionnaire,
    versions: Mapping[str, Questionnaire],
    policy: Policy,
    progress: Progress = lambda n: None,
) -> RunSummary:
    """Re-evaluate every response of `current`'s questionnaire; write and audit what changed.

    `versions` maps content hashes to every stored version: each response is
    judged on its own version's questions with the current version's thresholds,
    so a threshold changed in the file and loaded reaches every stored response.
    Calls `progress` twice per response (two passes).
    """
    moment = now()
    index = quality.BulkIndex(current, settings(current), rating_norms.sample(session, current))
    summary = RunSummary()
    starts, count = _chunks(session, current.id)
    in_workers = parallel.worthwhile(count)
    judged_by: set[str | None] = set()  # the rules versions stored responses were judged by
    first = _first_pass(session, current.id, starts, in_workers)
    for bounds, found in zip(_ranges(starts), first, strict=True):
        if found is None:  # stored without signatures: filled here, where the writes are
            columns = _fill_fingerprints(session, _lean(session, current.id, bounds), versions)
            found = _noted(columns)
        part, by_rules = found
        index.add(part)
        judged_by.update(by_rules)
        progress(part.count)
    index.finish()
    chosen = settings(current)
    judge = _Judge(
        checkers={key: quality.Checker(v, chosen) for key, v in versions.items()},
        rules_version=rules_version(current),
        index=index,
        policy=policy,
        moment=moment,
    )
    _audit_thresholds(session, judged_by, chosen, versions.values())
    session.commit()  # the thresholds entry stays if a chunk is undone (`_write`)
    if in_workers:
        judged = _judged_by_workers(session, current, starts, judge)
    else:
        judged = (
            judge(_rows(session, _full(current.kind), current.id, bounds), session.connection())
            for bounds in _ranges(starts)
        )
    for count, writes in judged:
        summary.responses += count
        _write(session, writes, summary)
        progress(count)
    summary.rules_versions = (judge.rules_version,)
    return summary


@dataclass(frozen=True)
class _Judge:
    """The second pass's work on a chunk of _FULL rows: their new flags and status."""

    checkers: Mapping[str, quality.Checker]  # by content hash, all with the same settings
    rules_version: str
    index: quality.BulkIndex
    policy: Policy
    moment: dt.datetime

    def __call__(self, rows: Sequence[Any], connection: Connection) -> tuple[int, list[_Write]]:
        writes = []
        for row, decoded in zip(rows, _decoded(rows), strict=True):
            found = subject(decoded)
            checker = self.checkers[row.version_hash]
            around = self.index.neighbours(found)
            if found.shadow:  # what other tests tell, from the shadow tables' indexes
                shadowed = shadow_neighbours.facts(connection, found, self.policy.zone)
                around = replace(around, shadow=shadowed)
            flags = checker.evaluate(found, around, self.moment)
            write = _change(decoded, flags, self.rules_version, self.policy)
            if write is not None:
                writes.append(write)
        return len(rows), writes


Key = tuple[dt.datetime, int]
Bounds = tuple[Key, Key | None]
"""A chunk: from its first (submitted_at, id) up to the next chunk's first, or the end."""


def _chunks(session: Session, questionnaire_id: str) -> tuple[list[Key], int]:
    """Where each chunk of CHUNK responses starts, in (submitted_at, id) order, and how many
    responses there are: numbered in the database along the index, in one query."""
    numbered = (
        select(
            as_stored(col(Response.submitted_at)),
            col(Response.id),
            func.row_number().over(order_by=_key.clauses).label("n"),
            func.count().over().label("total"),
        )
        .where(col(Response.questionnaire_id) == questionnaire_id)
        .subquery()
    )
    query = (
        select(numbered.c.submitted_at, numbered.c.id, numbered.c.total)
        .where((numbered.c.n - 1) % CHUNK == 0)
        .order_by(numbered.c.n)
    )
    rows = session.connection().execute(query).all()
    return [(row.submitted_at, row.id) for row in rows], rows[0].total if rows else 0


def _ranges(starts: Sequence[Key]) -> Iterator[Bounds]:
    ends: list[Key | None] = [*starts[1:], None]
    return zip(starts, ends, strict=True)


def _between(columns: Sequence[Any], questionnaire_id: str, bounds: Bounds) -> Any:
    """The query for one chunk's rows, in (submitted_at, id) order."""
    start, end = bounds
    query = select(*columns).where(
        col(Response.questionnaire_id) == questionnaire_id, _key >= _key_of(start)
    )
    if end is not None:
        query = query.where(_key < _key_of(end))
    return query.order_by(*_key.clauses)


FirstPass = tuple[quality.Noted, set[str | None]]
"""A chunk's first pass: what the index keeps of it, and the rules versions it was judged by."""


def _first_pass(
    session: Session, questionnaire_id: str, starts: Sequence[Key], in_workers: bool
) -> Iterator[FirstPass | None]:
    """Each chunk's first pass, in order, made in worker processes when `in_workers`; None
    for a chunk holding responses stored without their answer signature (`_fill_fingerprints`
    writes them, which only this process does)."""
    if in_workers:
        bind = session.get_bind()
        return parallel.in_workers(bind, _note_chunk, _ranges(starts), questionnaire_id)
    return (_unless_missing(_lean(session, questionnaire_id, bounds)) for bounds in _ranges(starts))


def _note_chunk(bounds: Bounds) -> FirstPass | None:
    """In a worker: the first pass of one chunk."""
    with parallel.connection() as connection:
        rows = connection.execute(_between(_LEAN, parallel.shared(), bounds)).all()
    return _unless_missing(list(zip(*rows, strict=True)))


def _rows(
    session: Session, columns: Sequence[Any], questionnaire_id: str, bounds: Bounds
) -> Sequence[Any]:
    """One chunk's rows, on the connection: plain rows, without the ORM's bookkeeping."""
    return session.connection().execute(_between(columns, questionnaire_id, bounds)).all()


def _lean(session: Session, questionnaire_id: str, bounds: Bounds) -> list[Sequence[Any]]:
    """One chunk's _LEAN rows, as columns."""
    return list(zip(*_rows(session, _LEAN, questionnaire_id, bounds), strict=True))


def _unless_missing(columns: list[Sequence[Any]]) -> FirstPass | None:
    if _missing(columns):
        return None
    return _noted(columns)


def _noted(columns: list[Sequence[Any]]) -> FirstPass:
    """Column by column (see quality.noted): as many rows, many times faster."""
    ids, submitted, seconds, ips, fingerprints, by_rules, signatures, *banded = columns
    noted = quality.noted(ids, submitted, seconds, ips, fingerprints, signatures, banded)
    return noted, set(by_rules)


def _judged_by_workers(
    session: Session,
    current: Questionnaire,
    starts: Sequence[Key],
    judge: _Judge,
) -> Iterator[tuple[int, list[_Write]]]:
    """The chunks from `starts` judged in worker processes, in order; this process writes."""
    bind = session.get_bind()
    shared = (current.id, current.kind, judge)
    return parallel.in_workers(bind, _judge_chunk, _ranges(starts), shared)


def _judge_chunk(bounds: Bounds) -> tuple[int, list[_Write]]:
    """In a worker: judge the responses from one chunk's start up to the next one's."""
    questionnaire_id, kind, judge = parallel.shared()
    with parallel.connection() as connection:
        rows = connection.execute(_between(_full(kind), questionnaire_id, bounds)).all()
        found: tuple[int, list[_Write]] = judge(rows, connection)
    return found


_FILL = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("b_id"))
    .values(
        fingerprint=bindparam("b_fingerprint"),
        answer_signature=bindparam("b_signature"),
        **{band: bindparam(f"b_{band}") for band in BANDS},
    )
)


def _fill_fingerprints(
    session: Session, columns: list[Sequence[Any]], versions: Mapping[str, Questionnaire]
) -> list[Sequence[Any]]:
    """The columns of a chunk of the first pass (_LEAN), with the closed-answer fingerprint,
    signature and bands filled in where a same-IP candidate was stored without them (before
    the answer signature existed); they are stored too, so later runs and submissions read
    them instead of the answers. Found in the first pass: a query of its own for them walked
    every response of the questionnaire when none was missing, a tenth of a run of 50,000."""
    missing = _missing(columns)
    if not missing:
        return columns
    query = select(col(Response.id), col(Response.version_hash), col(Response.answers)).where(
        col(Response.id).in_(missing)
    )
    filled: dict[int, tuple[str, str | None, quality.similarity.Bands]] = {}
    writes = []
    for row in session.execute(query).all():
        questionnaire = versions[row.version_hash]
        # "" marks "no closed answer": not NULL, so each row is filled once.
        value = quality.fingerprint(questionnaire, row.answers) or ""
        signature = quality.answer_signature(questionnaire, row.answers) or ""
        bands = quality.bands(signature)
        writes.append(
            {"b_id": row.id, "b_fingerprint": value, "b_signature": signature}
            | {f"b_{band}": number for band, number in zip(BANDS, bands, strict=True)}
        )
        filled[row.id] = (value, signature or None, bands)
    # One statement for the chunk: after the upgrade, the first run fills every response.
    session.connection().execute(_FILL, writes)
    session.commit()
    rows = [
        (*row[:4], found[0], row[5], found[1], *found[2]) if (found := filled.get(row[0])) else row
        for row in zip(*columns, strict=True)
    ]
    return list(zip(*rows, strict=True))


def _missing(columns: list[Sequence[Any]]) -> list[int]:
    """The ids of the same-IP candidates among a chunk's _LEAN columns stored without their
    fingerprint or signature."""
    ids, _, _, ips, fingerprints, _, signatures, *_ = columns
    return [
        response_id
        for response_id, ip, fingerprint, signature in zip(
            ids, ips, fingerprints, signatures, strict=True
        )
        if ip is not None and (fingerprint is None or signature is None)
    ]


@dataclass(frozen=True)
class _Write:
    """What the bulk run writes to one response, and the audit rows that go with it."""

    values: dict[str, Any]  # the parameters of _UPDATE
    changes: tuple[Change, ...]


# One statement for every response a chunk changes, run with executemany. Flags, rules
# version and status are always set (to their stored values when unchanged): the
# row_version match guarantees they are still the ones read.
_UPDATE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.row_version == bindparam("b_seen"))
    .values(
        flags=bindparam("b_flags"),
        rules_version=bindparam("b_rules_version"),
        status=bindparam("b_status"),
        row_version=bindparam("b_seen") + 1,
    )
)


def _change(
    row: Mapping[str, Any], flags: list[quality.Flag], rules_version: str, policy: Policy
) -> _Write | None:
    """What to write to one response for its new flags (and automatic status), if anything."""
    stored = [flag.as_json() for flag in flags]
    changes = []
    if stored != row["flags"]:
        changes.append(Change(row["id"], "flags", row["flags"], stored))
    status, reason = policy.outcome(flags)
    if row["reviewed_by"] is None and status != row["status"]:
        changes.append(Change(row["id"], "status", row["status"], status, reason=reason))
    else:
        status = row["status"]
    if not changes and rules_version == row["rules_version"]:
        return None
    values = {
        "b_id": row["id"],
        "b_seen": row["row_version"],
        "b_flags": stored,
        "b_rules_version": rules_version,
        "b_status": status,
    }
    return _Write(values, tuple(changes))


def _write(session: Session, writes: Sequence[_Write], summary: RunSummary) -> None:
    """Write a chunk's changes, then its audit rows, with one statement each; commit.

    A response changed since it was read (a reviewer decided it) does not match the
    UPDATE, and the count shows it: the chunk is then undone and written again one
    response at a time, so that exactly those are left alone, unaudited and counted.
    """
    written = writes
    if writes and session.connection().execute(
        _UPDATE, [write.values for write in writes]
    ).rowcount != len(writes):
        session.rollback()
        written = [
            write
            for write in writes
            if session.connection().execute(_UPDATE, write.values).rowcount == 1
        ]
        summary.skipped += len(writes) - len(written)
    changes = [change for write in written for change in write.changes]
    audit_many(session, changes)
    summary.flags_changed += sum(change.action == "flags" for change in changes)
    summary.status_changed += sum(change.action == "status" for change in changes)
    session.commit()


def _audit_thresholds(
    session: Session,
    judged_by: Iterable[str | None],
    chosen: quality.Settings,
    versions: Iterable[Questionnaire],
) -> None:
    """Log once that the rules changed, if stored responses were judged by other ones
    (`judged_by`, their rules versions as the first pass read them): old and new rules
    versions, and in the comment which thresholds changed (where the old ones are a
    stored version's)."""
    now_used = quality.rules_version(chosen)
    before = {version for version in judged_by if version is not None}
    if not before or before == {now_used}:
        return
    known = {rules_version(v): settings(v) for v in versions}
    changed = dict.fromkeys(
        line
        for version in sorted(before)
        if version in known
        for line in _differences(known[version], chosen)
    )
    comment = "; ".join(changed)[:COMMENT_LIMIT] or None
    audit(session, None, "thresholds", sorted(before), [now_used], comment=comment)


def _differences(old: quality.Settings, new: quality.Settings) -> Iterator[str]:
    """Every setting that differs, worded "rule setting: old → new", e.g.
    "speeder min_seconds: 120 → 150"."""
    before, after = old.as_json(), new.as_json()
    for code, settings_now in after.items():
        settings_then = before.get(code, {})
        for name in sorted(settings_now.keys() | settings_then.keys()):
            then, now_ = settings_then.get(name), settings_now.get(name)
            if then != now_:
                yield f"{code} {name}: {_shown(then)} → {_shown(now_)}"


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
