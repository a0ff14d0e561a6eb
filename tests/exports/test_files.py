"""Stored responses made into records: a chunk's answers are decoded together."""

from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

import pytest

from fieldwork.exports import files

from .conftest import STARTED, SUBMITTED

HASH = "c0ffee"
LABELS = {HASH: "1"}


class StoredRow(NamedTuple):
    """A row of `service.EXPORTED` as the database hands it back (times naive UTC)."""

    id: int
    questionnaire_id: str
    version_hash: str
    mode: str
    segment: str
    segment_source: str
    locale: str
    started_at: dt.datetime | None
    submitted_at: dt.datetime
    answers: str
    text_size: str | None
    contrast: str | None


def stored(response_id: int, answers: str) -> StoredRow:
    naive = {"tzinfo": None}
    return StoredRow(
        response_id,
        "mini",
        HASH,
        "online",
        "general",
        "answers",
        "en",
        STARTED.replace(**naive),
        SUBMITTED.replace(**naive),
        answers,
        "standard",
        None,
    )


def test_each_record_gets_its_own_rows_answers() -> None:
    texts = ['{"A1": "yes", "A2": ["chat"], "A5": "\\u9000\\u8d27"}', '{"A1": "no"}', "{}"]
    rows = [stored(n, text) for n, text in enumerate(texts, 1)]
    made = files.records(rows, LABELS)
    assert [r.answers for r in made] == [json.loads(text) for text in texts]
    assert [r.id for r in made] == [1, 2, 3]
    assert made[0].submitted_at == SUBMITTED


@pytest.mark.parametrize("bad", ['{"A1": "yes"}, {"A1": "no"}', "", '{"A1": "yes"'])
def test_a_text_that_is_not_one_json_value_fails_instead_of_shifting_answers(bad: str) -> None:
    rows = [stored(1, '{"A1": "yes"}'), stored(2, bad), stored(3, '{"A1": "no"}')]
    with pytest.raises(json.JSONDecodeError):
        files.records(rows, LABELS)


def test_what_the_fast_decoder_refuses_is_read_as_json_reads_it() -> None:
    # json.dumps writes NaN and integers of any size; orjson refuses both.
    texts = ['{"A6": NaN}', '{"A5": 123456789012345678901234567890}', '{"A1": "yes"}']
    made = files.records([stored(n, text) for n, text in enumerate(texts, 1)], LABELS)
    assert made[0].answers["A6"] != made[0].answers["A6"]  # NaN
    assert made[1].answers == {"A5": 123456789012345678901234567890}
    assert made[2].answers == {"A1": "yes"}
