"""Keyer statistics: how fast and how accurately each keyer types sheets in, per campaign.

Speed comes from every finished entry (keystrokes and seconds on the entry pages). Accuracy
comes only from entries compared with their sheet's final answers (`PaperEntry.compared`,
`errors`, `wrong`): a field where the keyer's value differs from the final one is that
keyer's error. A sheet keyed once and never verified counts for speed, not accuracy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from fieldwork.accounts.models import StaffUser
from fieldwork.paper.models import PaperEntry, PaperSheet, PrintRun

MOST_MISKEYED = 5
"""How many of a keyer's most mis-keyed questions are listed."""


@dataclass
class Row:
    """One keyer in one campaign (None: sheets issued without a campaign)."""

    keyer: str
    campaign: str | None
    sheets: int = 0
    fields: int = 0  # answers keyed, blanks and unreadable ones included
    keystrokes: int = 0
    seconds: float = 0.0
    compared: int = 0  # fields checked against the final answers
    errors: int = 0
    verified_keystrokes: int = 0  # keystrokes of the entries that were checked
    miskeyed: Counter[str] = field(default_factory=Counter)

    @property
    def keystrokes_per_hour(self) -> float | None:
        return self.keystrokes / self.seconds * 3600 if self.seconds else None

    @property
    def errors_per_thousand_keystrokes(self) -> float | None:
        if not self.verified_keystrokes:
            return None
        return self.errors / self.verified_keystrokes * 1000

    @property
    def error_rate(self) -> float | None:
        """Errors per field compared."""
        return self.errors / self.compared if self.compared else None

    def most_miskeyed(self) -> list[tuple[str, int]]:
        return self.miskeyed.most_common(MOST_MISKEYED)


def rows(session: Session, campaign: str | None = None) -> list[Row]:
    """Every keyer's row per campaign (only `campaign`'s if given), by campaign then keyer."""
    query = (
        select(PaperEntry, col(StaffUser.username), col(PrintRun.campaign))
        .join(StaffUser, col(StaffUser.id) == col(PaperEntry.keyer_id))
        .join(PaperSheet, col(PaperSheet.id) == col(PaperEntry.sheet_id))
        .join(PrintRun, col(PrintRun.id) == col(PaperSheet.run_id))
        .where(col(PaperEntry.finished_at).is_not(None))
    )
    if campaign is not None:
        query = query.where(col(PrintRun.campaign) == campaign)
    return _gathered(session.exec(query))


def _gathered(found: Iterable[tuple[PaperEntry, str, str | None]]) -> list[Row]:
    by_key: dict[tuple[str, str], Row] = {}
    for entry, keyer, campaign in found:
        row = by_key.setdefault((campaign or "", keyer), Row(keyer, campaign))
        row.sheets += 1
        row.fields += len(entry.answers)
        row.keystrokes += entry.keystrokes
        row.seconds += entry.seconds
        if entry.compared is not None:
            row.compared += entry.compared
            row.errors += entry.errors or 0
            row.verified_keystrokes += entry.keystrokes
            row.miskeyed.update(entry.wrong or [])
    return [by_key[key] for key in sorted(by_key)]


COLUMNS = (
    "campaign",
    "keyer",
    "sheets",
    "fields",
    "keystrokes",
    "hours",
    "keystrokes_per_hour",
    "fields_compared",
    "errors",
    "errors_per_1000_keystrokes",
    "error_rate_per_field",
    "most_miskeyed",
)
"""The columns of the keyer statistics file, in order."""


def table(found: Iterable[Row]) -> list[list[str]]:
    """The statistics as the rows of a CSV file, header first: plain numbers, a dot for
    decimals, empty where a rate has nothing to divide by."""
    lines = [list(COLUMNS)]
    for row in found:
        lines.append(
            [
                row.campaign or "",
                row.keyer,
                str(row.sheets),
                str(row.fields),
                str(row.keystrokes),
                f"{row.seconds / 3600:.3f}",
                _number(row.keystrokes_per_hour, 0),
                str(row.compared),
                str(row.errors),
                _number(row.errors_per_thousand_keystrokes, 2),
                _number(row.error_rate, 4),
                " ".join(f"{code}:{n}" for code, n in row.most_miskeyed()),
            ]
        )
    return lines


def _number(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"
