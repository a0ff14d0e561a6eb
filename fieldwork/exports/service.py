"""Batches: choose responses by filters, preview the counts, freeze, and read them back.

Freezing copies the chosen response ids, their status and flags into
`batch_item` with one INSERT … SELECT, so a million responses freeze in one
statement and nothing decided later changes what the batch holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, cast, func, insert, literal, select
from sqlmodel import Session, col

from fieldwork.accounts.models import StaffUser
from fieldwork.clock import now
from fieldwork.exports.models import Batch, BatchItem
from fieldwork.modes import MODES
from fieldwork.responses.filters import Filter
from fieldwork.responses.models import APPROVED, Response, as_stored


class BatchError(ValueError):
    """Filters that cannot make a batch; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Preview:
    considered: int = 0
    included: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_segment_mode: dict[tuple[str, str], int] = field(default_factory=dict)  # included only


def preview(session: Session, filters: Filter) -> Preview:
    """What freezing these filters now would give."""
    result = Preview()
    status = col(Response.status)
    for value, count in session.execute(
        filters.where(select(status, func.count())).group_by(status)
    ):
        result.by_status[value] = count
        result.considered += count
    result.included = result.by_status.get(APPROVED, 0)
    keys = col(Response.segment), col(Response.mode)
    query = filters.where(select(*keys, func.count())).where(status == APPROVED).group_by(*keys)
    for segment, mode, count in session.execute(query):
        result.by_segment_mode[(segment, mode)] = count
    return result


def freeze(
    session: Session, name: str, filters: Filter, rules_version: str, creator: StaffUser
) -> Batch:
    """Create the batch: its ids, statuses and flags fixed from now on."""
    name = name.strip()
    if not name or len(name) > 120:
        raise BatchError("bad-name")
    if not filters.questionnaire_id:  # a batch is of one questionnaire: its columns
        raise BatchError("no-questionnaire")
    counts = preview(session, filters)
    if counts.included == 0:
        raise BatchError("empty")
    assert creator.id is not None
    batch = Batch(
        name=name,
        questionnaire_id=filters.questionnaire_id,
        filters=filters.as_json(),
        rules_version=rules_version,
        created_by=creator.id,
        created_at=now(),
    )
    session.add(batch)
    session.flush()
    chosen = filters.where(
        select(
            literal(batch.id),
            col(Response.id),
            col(Response.status) == APPROVED,
            col(Response.status),
            col(Response.flags),
        )
    )
    session.execute(
        insert(BatchItem).from_select(
            ["batch_id", "response_id", "included", "status", "flags"], chosen
        )
    )
    batch.size = _count(session, batch.id, included=True)
    batch.excluded = _count(session, batch.id, included=False)
    batch.version_hashes = _version_hashes(session, batch.id)
    batch.modes = _modes(session, batch.id)
    session.add(batch)
    session.commit()
    return batch


def _count(session: Session, batch_id: int | None, included: bool) -> int:
    query = select(func.count()).where(
        col(BatchItem.batch_id) == batch_id, col(BatchItem.included) == included
    )
    return int(session.execute(query).scalar_one())


def _version_hashes(session: Session, batch_id: int | None) -> list[str]:
    """Which questionnaire versions the batch's responses answered, included or not."""
    query = (
        select(col(Response.version_hash))
        .join(BatchItem, col(BatchItem.response_id) == col(Response.id))
        .where(col(BatchItem.batch_id) == batch_id)
        .distinct()
    )
    return sorted(session.execute(query).scalars())


def _modes(session: Session, batch_id: int | None) -> list[str]:
    """The modes of the batch's included responses, in the order exports list their columns."""
    query = (
        select(col(Response.mode))
        .join(BatchItem, col(BatchItem.response_id) == col(Response.id))
        .where(col(BatchItem.batch_id) == batch_id, col(BatchItem.included).is_(True))
        .distinct()
    )
    found = set(session.execute(query).scalars())
    return [mode for mode in MODES if mode in found]


def batches(session: Session) -> Sequence[Batch]:
    return session.execute(select(Batch).order_by(col(Batch.id).desc())).scalars().all()


EXPORTED = (
    col(Response.id),
    col(Response.questionnaire_id),
    col(Response.version_hash),
    col(Response.mode),
    col(Response.segment),
    col(Response.segment_source),
    col(Response.locale),
    as_stored(col(Response.started_at)),  # `files.record` makes them aware
    as_stored(col(Response.submitted_at)),
    # As JSON text, decoded by the caller: the driver's per-value JSON handling cost more
    # than the rest of reading a response.
    cast(col(Response.answers), Text).label("answers"),
    col(Response.paradata)["text_size"].as_string().label("text_size"),
    col(Response.paradata)["contrast"].as_string().label("contrast"),
)
"""What an export reads of a response: no ORM objects, the answers as JSON text, and of
the paradata only the display settings (the rest never leaves the system). In this
order: `files.record` unpacks a row by position."""

PROVENANCE = (
    col(Response.sheet_id),
    col(Response.platform),
    col(Response.channel),
    cast(col(Response.source), Text).label("source"),
    col(Response.entered_by),
)
"""What an export of a batch holding paper or shadow responses also reads, after EXPORTED:
their provenance, and who entered them (made a pseudonym before it leaves)."""


SHADOW_TEST = (col(Response.paradata)["shadow"].as_string().label("shadow"),)
"""What an export of a batch of shadow tests also reads, after PROVENANCE: each response's
frozen test as JSON text (`shadow.submission.frozen`), of which `files` keeps what may
leave."""


def exported(provenance: bool, shadow: bool = False) -> tuple[Any, ...]:
    """The columns an export reads: EXPORTED, PROVENANCE if its layout shows any, and
    SHADOW_TEST if it has shadow tests' measures (which have provenance too)."""
    if not provenance:
        return EXPORTED
    return (*EXPORTED, *PROVENANCE, *(SHADOW_TEST if shadow else ()))


def included_responses(
    session: Session,
    batch_id: int,
    chunk: int = 5000,
    *,
    provenance: bool = False,
    shadow: bool = False,
) -> Iterator[Any]:
    """Rows of `exported(provenance, shadow)` for the batch's responses in id order, a
    chunk at a time."""
    query = select(*exported(provenance, shadow), col(BatchItem.response_id).label("item_id")).join(
        BatchItem, col(BatchItem.response_id) == col(Response.id)
    )
    return _items(session, query, batch_id, included=True, chunk=chunk)


def staff_pseudonyms(session: Session, batch_id: int) -> dict[int, str]:
    """A name for each staff member who entered one of the batch's responses, the same in
    every file of the batch and telling nothing of who they are: S01, S02… by id."""
    query = (
        select(col(Response.entered_by))
        .join(BatchItem, col(BatchItem.response_id) == col(Response.id))
        .where(col(BatchItem.batch_id) == batch_id, col(BatchItem.included).is_(True))
        .where(col(Response.entered_by).is_not(None))
        .distinct()
    )
    ids = sorted(session.execute(query).scalars())
    return {staff_id: f"S{number:02d}" for number, staff_id in enumerate(ids, start=1)}


def considered_modes(session: Session, batch: Batch) -> set[str]:
    """The modes of every response the batch considered: its included responses' (recorded
    at freeze), and those of the ones it left out."""
    query = (
        select(col(Response.mode))
        .join(BatchItem, col(BatchItem.response_id) == col(Response.id))
        .where(col(BatchItem.batch_id) == batch.id, col(BatchItem.included).is_(False))
        .distinct()
    )
    return set(batch.modes) | set(session.connection().execute(query).scalars())


def excluded_items(session: Session, batch_id: int, chunk: int = 5000) -> Iterator[Any]:
    """(response_id, status, flags, mode, sheet_id) of the batch's excluded responses in id
    order; flags as JSON text, mostly "[]" (a reviewer's rejection carries none)."""
    query: Any = select(  # typed Any: the cast leaves mypy a Select of Never
        col(BatchItem.response_id).label("item_id"),
        col(BatchItem.response_id),
        col(BatchItem.status),
        cast(col(BatchItem.flags), Text).label("flags"),
        col(Response.mode),
        col(Response.sheet_id),
    ).join(Response, col(Response.id) == col(BatchItem.response_id))
    return _items(session, query, batch_id, included=False, chunk=chunk)


def _items(
    session: Session, query: Any, batch_id: int, *, included: bool, chunk: int
) -> Iterator[Any]:
    """Plain rows (none stays in the session while an export goes on), paged along
    batch_item's primary key: ordering by response.id instead makes SQLite sort every
    remaining row of the batch for each chunk."""
    item = col(BatchItem.response_id)
    query = (
        query.where(col(BatchItem.batch_id) == batch_id, col(BatchItem.included) == included)
        .order_by(item)
        .limit(chunk)
    )
    last = -1
    while rows := session.connection().execute(query.where(item > last)).all():
        yield from rows
        last = rows[-1].item_id
