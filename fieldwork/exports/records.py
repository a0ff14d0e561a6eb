"""What the writers read: plain records built by the service from stored responses.

Nothing here knows the database. Only what may leave the system is carried:
no IP hash, browser, page timings or staff identity, so no writer can leak one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from typing import Any, NamedTuple

NO_PROVENANCE: Mapping[str, str | None] = MappingProxyType({})
"""An online response's provenance: nothing beyond its link (one shared empty mapping)."""


class Missing(IntEnum):
    """Why a question column holds no answer. The codes stay distinct in every file; the
    paper ones appear in the files of batches holding paper responses only."""

    NOT_SHOWN = -96  # hidden by its show_if given the other answers
    NOT_APPLICABLE = -97  # the respondent chose "not applicable"
    DONT_KNOW = -98  # the respondent chose "don't know"
    NOT_ANSWERED = -99  # shown, but left without an answer
    # A paper sheet's (modes.PAPER.missing), as its keyer recorded them:
    BLANK = -95  # left blank on the sheet
    ILLEGIBLE = -94  # written, but cannot be read
    SEVERAL_TICKED = -93  # more than one box ticked where one answer was asked for
    # A shadow test's measures (exports.measures), in the files of batches holding them:
    NOT_MEASURED = -92  # the indicator does not measure tests of this scenario or channel
    NOT_REACHED = -91  # the events the measure reads were never logged (an interval fails)

    @property
    def text(self) -> MissingText:
        """The code as text columns hold it: "-96", marked as the export's own."""
        return MissingText(int(self))


class MissingText(str):
    """A missing code in a text column ("-96").

    A str to every writer, but told apart from an answer that reads "-96": the
    answer is neutralised in spreadsheets ("'-96"), the code is not.
    """

    __slots__ = ()


class ExportRecord(NamedTuple):
    """One response in a batch, as exported. A named tuple: a batch makes a million of
    them, and a tuple is built several times faster than a frozen dataclass."""

    id: int
    questionnaire_id: str
    version: str  # the questionnaire's version label, e.g. "2026.1"
    version_hash: str  # the content hash of the definition it answered
    mode: str
    segment: str
    segment_source: str
    locale: str
    text_size: str | None
    contrast: str | None
    started_at: dt.datetime | None  # aware, UTC
    submitted_at: dt.datetime  # aware, UTC
    answers: Mapping[str, Any]
    # Review outcome, for the caller's bookkeeping: data files never show it (a
    # batch holds approved responses); excluded ones go to the log as `Excluded`.
    status: str = "approved"
    flag_codes: tuple[str, ...] = ()
    # The mode's provenance columns (fieldwork.modes): a sheet, a platform, and the staff
    # member who entered it by a pseudonym of the batch's own, never by name or id.
    provenance: Mapping[str, str | None] = NO_PROVENANCE
    # A shadow response's frozen test, as far as it may leave: the plan's day, whether it
    # spans days, and its events (`files.shadow_test`); never the tester, nor event ids.
    shadow: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Excluded:
    """A response the batch's filters considered but left out: one cleaning log row."""

    response_id: int
    status: str
    flag_codes: tuple[str, ...] = ()
    mode: str = "online"
    sheet_id: str | None = None  # a paper response's sheet, to find the paper by


class ExportError(ValueError):
    """A record the export cannot write as documented (a corrupt answer, a naive time)."""
