"""The suite's own questionnaires: small YAML files, each built for what its tests check.

They are read by the loader `flask fieldwork check` uses, against the shipped
segments file, and the session's app stores them beside the shipped ones, so a test
walks, submits and reviews them like any questionnaire. Their wording is the suite's:
rewording the shipped questionnaire breaks no test that uses these.

Each file has a module of the same name next to it holding one complete set of
answers, as a `Survey`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict

from fieldwork.config import ROOT
from fieldwork.definitions.reading import read_folder
from fieldwork.questionnaire.loader import SEGMENTS_FILE, Catalog, read_segments
from fieldwork.questionnaire.model import Questionnaire

FOLDER = Path(__file__).resolve().parent

Fields = Mapping[str, str | list[str]]
"""The form fields answering one question: field name -> value (a list for checkboxes)."""


def read() -> Catalog:
    """The test questionnaires, checked as `flask fieldwork check` checks a folder, their
    segments against the shipped segments file."""
    catalog = read_folder(FOLDER)
    raws = {q.id: q.definition for q in catalog.questionnaires.values()}
    catalog.segments, problems = read_segments(ROOT / "questionnaires" / SEGMENTS_FILE, raws)
    catalog.problems += problems
    return catalog


@dataclass(frozen=True)
class Survey:
    """A questionnaire the suite stores, with one complete set of answers as form fields
    (question code -> fields), as a respondent posts them."""

    id: str
    complete: Mapping[str, Fields]

    @property
    def start(self) -> str:
        """The start page's URL."""
        return f"/s/{self.id}/"

    def url(self, path: str) -> str:
        """A URL of this survey, `path` after its start page's."""
        return f"/s/{self.id}/{path}"

    def answers(self, **changed: Fields) -> dict[str, Fields]:
        """The complete answers with some questions answered otherwise."""
        return {**self.complete, **changed}

    def fields(self, answers: Mapping[str, Fields] | None = None) -> list[tuple[str, str]]:
        """Every field of the answers as (name, value) pairs, as one form posts them."""
        pairs = []
        for parts in (answers or self.complete).values():
            for name, value in parts.items():
                pairs += [(name, v) for v in (value if isinstance(value, list) else [value])]
        return pairs

    def values(self, questionnaire: Questionnaire) -> dict[str, Any]:
        """The complete answers as stored values, parsed by the same rules as the web form."""
        from fieldwork import answers
        from fieldwork.web.fields import BUILDERS

        form = MultiDict(self.fields())
        raw = {q.code: BUILDERS[q.type].read(q, form) for q in questionnaire.questions}
        values, issues = answers.parse(questionnaire.questions, raw)
        assert not issues, issues
        return values
