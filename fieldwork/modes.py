"""Collection modes: online, paper and shadow, each an entry in one registry.

A mode says who may create its responses, which kinds of questionnaire it takes,
the provenance a response of it carries, and the metadata columns its responses
add to an export. Pages of every mode hand their answers to the same submission
service (`responses.entry`); what differs between modes is here, not in copies of
a flow. Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fieldwork.questionnaire.model import PAPER_MISSING

RESPONDENT, FIELDWORKER, TESTER, ADMIN = "respondent", "fieldworker", "tester", "admin"
"""Who creates a response: anyone with the public link, or a staff role."""

PUBLIC_KINDS = frozenset({"survey"})
"""Questionnaire kinds anyone may open at /s/<id>/; a tester's checklist is not one."""


@dataclass(frozen=True)
class Field:
    """One provenance field: its name, its most characters, and whether it must be given.
    `column` fields are stored in their own indexed column, since staff filter on them."""

    name: str
    max_length: int = 64
    required: bool = False
    column: bool = False


@dataclass(frozen=True)
class Mode:
    code: str
    creators: frozenset[str]
    kinds: frozenset[str]
    provenance: tuple[Field, ...] = ()
    export_columns: tuple[str, ...] = ()
    """Response metadata columns a batch holding this mode's responses adds, in order."""
    staff_column: str | None = None
    """The export column that names, by a pseudonym, the staff member who entered it."""
    missing: tuple[str, ...] = ()
    """Values standing for a missing answer that any question of this mode's responses may
    hold, beside the special answers a definition offers (paper: blank, illegible…)."""

    def field(self, name: str) -> Field | None:
        return next((f for f in self.provenance if f.name == name), None)


ONLINE = Mode(
    "online",
    creators=frozenset({RESPONDENT}),
    kinds=frozenset({"survey"}),
    export_columns=("text_size", "contrast"),
)
PAPER = Mode(
    "paper",
    creators=frozenset({FIELDWORKER, ADMIN}),
    kinds=frozenset({"survey"}),
    provenance=(
        Field("sheet_id", 32, required=True, column=True),
        Field("entry_pass", 8, required=True),
        Field("double_entered", 8),  # "yes": keyed twice, blind, and compared
    ),
    export_columns=("sheet_id", "entry_pass", "double_entered", "keyer"),
    staff_column="keyer",
    missing=PAPER_MISSING,
)
SHADOW = Mode(
    "shadow",
    creators=frozenset({TESTER, ADMIN}),
    kinds=frozenset({"checklist", "shadow"}),
    provenance=(
        Field("platform", required=True, column=True),
        Field("channel", 32, required=True, column=True),
        Field("scenario", 64),
        Field("slot", 32),
        Field("test", 16),  # the planned test's number (fieldwork.shadow.models)
    ),
    export_columns=("tester", "test", "platform", "channel", "scenario", "slot"),
    staff_column="tester",
)

MODES: Mapping[str, Mode] = {mode.code: mode for mode in (ONLINE, PAPER, SHADOW)}
"""Every mode by code, in the order exports list their columns."""

SOURCE_COLUMNS = tuple(
    dict.fromkeys(f.name for mode in MODES.values() for f in mode.provenance if f.column)
)
"""Provenance fields with a column of their own on the response table."""


class ModeError(ValueError):
    """A response a mode cannot take; `code` says why (for the UI to word)."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def check(mode: str, creator: str, kind: str, source: Mapping[str, str]) -> Mode:
    """The mode, if `creator` may create a response of it to a questionnaire of `kind`
    with this provenance; ModeError otherwise."""
    found = MODES.get(mode)
    if found is None:
        raise ModeError("unknown-mode", mode=mode)
    if creator not in found.creators:
        raise ModeError("not-a-creator", mode=mode, creator=creator)
    if kind not in found.kinds:
        raise ModeError("wrong-kind", mode=mode, kind=kind)
    for name, value in source.items():
        field = found.field(name)
        if field is None:
            raise ModeError("unknown-field", mode=mode, field=name)
        if not isinstance(value, str) or len(value) > field.max_length:
            raise ModeError("field-too-long", mode=mode, field=name)
    for field in found.provenance:
        if field.required and not source.get(field.name):
            raise ModeError("field-missing", mode=mode, field=field.name)
    return found


def is_public(kind: str) -> bool:
    """Whether a questionnaire of this kind may be served to anyone at /s/<id>/."""
    return kind in PUBLIC_KINDS
