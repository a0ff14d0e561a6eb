"""Where a plan of shadow tests leaves gaps: per platform × channel × time slot, how
many tests are planned and how many submitted, and the cells an admin should fill.

A cell with no test at all is a gap ("Taobao's phone hotline was never tested on a
weekend evening"); so is a cell with tests planned but none submitted yet, which is a
gap until a tester closes it. Only the pairs platforms.yaml offers are cells: a
platform without a hotline has no hotline gap.

Pure: takes plain rows (counted by `plans.coverage_rows`) and imports neither Flask nor
SQLModel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fieldwork.shadow.models import SLOTS, SUBMITTED, VOID

NEVER_PLANNED, NONE_SUBMITTED = "never-planned", "none-submitted"
"""The two kinds of gap: no test in a cell, and tests in it but none submitted."""
GAPS = (NEVER_PLANNED, NONE_SUBMITTED)


@dataclass(frozen=True)
class Row:
    """Tests of one state counted in one cell, as a GROUP BY gives them."""

    platform: str
    channel: str
    slot: str
    state: str
    count: int


@dataclass(frozen=True)
class Cell:
    """One platform × channel × slot: tests planned (in any state but void), and of them
    submitted."""

    platform: str
    channel: str
    slot: str
    planned: int
    submitted: int

    @property
    def gap(self) -> str | None:
        if self.planned == 0:
            return NEVER_PLANNED
        return NONE_SUBMITTED if self.submitted == 0 else None


@dataclass(frozen=True)
class Line:
    """One platform × channel: its cells in `SLOTS` order."""

    platform: str
    channel: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Gap:
    """A pair's slots with one kind of gap, in `SLOTS` order: one sentence for the admin."""

    platform: str
    channel: str
    kind: str
    slots: tuple[str, ...]

    @property
    def everywhere(self) -> bool:
        """Whether the gap covers every slot: a pair never tested at all."""
        return len(self.slots) == len(SLOTS)


@dataclass(frozen=True)
class Coverage:
    lines: tuple[Line, ...]
    gaps: tuple[Gap, ...]


def grid(pairs: Sequence[tuple[str, str]], rows: Iterable[Row]) -> Coverage:
    """The coverage of the offered (platform, channel) pairs, in the order given, by the
    counted rows; rows of pairs not offered (a channel since dropped) are left out, as
    void tests are."""
    planned: dict[tuple[str, str, str], int] = {}
    submitted: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if row.state == VOID:
            continue
        key = (row.platform, row.channel, row.slot)
        planned[key] = planned.get(key, 0) + row.count
        if row.state == SUBMITTED:
            submitted[key] = submitted.get(key, 0) + row.count
    lines = tuple(
        Line(
            platform,
            channel,
            tuple(
                Cell(
                    platform,
                    channel,
                    slot,
                    planned.get((platform, channel, slot), 0),
                    submitted.get((platform, channel, slot), 0),
                )
                for slot in SLOTS
            ),
        )
        for platform, channel in dict.fromkeys(pairs)
    )
    return Coverage(lines, tuple(gap for line in lines for gap in gaps(line)))


def gaps(line: Line) -> list[Gap]:
    """A pair's gaps, one per kind that it has, never planned first."""
    found = []
    for kind in GAPS:
        slots = tuple(cell.slot for cell in line.cells if cell.gap == kind)
        if slots:
            found.append(Gap(line.platform, line.channel, kind, slots))
    return found
