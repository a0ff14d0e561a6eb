"""Each mode's metadata columns, as the mode registry declares them: a batch carries those
of the modes its responses came in, and staff appear only as the batch's pseudonyms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fieldwork.exports.layout import FIXED, HEAD, TAIL, Layout, metadata
from fieldwork.exports.phrases import PHRASES
from fieldwork.exports.records import ExportRecord
from fieldwork.modes import MODES
from fieldwork.questionnaire.model import Questionnaire


def names(columns: Any) -> list[str]:
    return [c.name for c in columns]


def test_an_online_batch_keeps_the_columns_every_earlier_batch_had() -> None:
    assert (
        names(metadata())
        == names(FIXED)
        == [
            *names(HEAD),
            "text_size",
            "contrast",
            *names(TAIL),
        ]
    )


def test_modes_add_their_columns_in_registry_order_whatever_order_they_are_named() -> None:
    assert names(metadata(["shadow", "paper", "online"]))[len(HEAD) : -len(TAIL)] == [
        "text_size",
        "contrast",
        "sheet_id",
        "entry_pass",
        "double_entered",
        "keyer",
        "tester",
        "test",
        "platform",
        "channel",
        "scenario",
        "slot",
    ]
    paper = names(metadata(["paper"]))[len(HEAD) : -len(TAIL)]
    assert paper == ["sheet_id", "entry_pass", "double_entered", "keyer"]


def test_every_column_a_mode_exports_is_described_in_the_codebook() -> None:
    for mode in MODES.values():
        for column in mode.export_columns:
            assert set(PHRASES[column]) >= {"en", "zh-Hans", "zh-Hant"}, column


def test_a_paper_record_fills_its_columns_and_leaves_the_online_ones_empty(
    mini: Questionnaire, record: Callable[..., ExportRecord]
) -> None:
    layout = Layout(mini, modes=["online", "paper"])
    paper = record(
        mode="paper",
        text_size=None,
        contrast=None,
        provenance={
            "sheet_id": "S-000042-3",
            "entry_pass": "2",
            "double_entered": "yes",
            "keyer": "S01",
        },
    )
    cells = dict(zip(layout.names, layout.row(paper), strict=True))
    shown = ("text_size", "contrast", "sheet_id", "entry_pass", "double_entered", "keyer")
    assert [cells[n] for n in shown] == [None, None, "S-000042-3", "2", "yes", "S01"]
    online = dict(zip(layout.names, layout.row(record()), strict=True))
    assert (online["sheet_id"], online["keyer"]) == (None, None)
