"""How a questionnaire is split into pages for the web.

Standard text: a section per page. Large text: one question per page. A
question whose condition reads an answer on the same page starts a new page,
so the server always knows what to show without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fieldwork import answers as answer_rules
from fieldwork.questionnaire.model import Question, Questionnaire, Section


@dataclass(frozen=True)
class Page:
    section: Section
    questions: tuple[Question, ...]

    @property
    def key(self) -> str:
        """The first question's code: stable however earlier answers change the numbering."""
        return self.questions[0].code

    @property
    def codes(self) -> list[str]:
        return [q.code for q in self.questions]


def paginate(
    questionnaire: Questionnaire, answers: Mapping[str, Any], one_per_page: bool
) -> list[Page]:
    return _split(questionnaire, answer_rules.shown(questionnaire, answers), one_per_page)


def most(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    one_per_page: bool,
    before: str | None = None,
) -> int:
    """How many pages a person may be shown in all: the pages of every question that may
    still show (`answers.may_show`), those before the page keyed `before` passed.

    Splitting fewer questions never makes more pages (a page of questions stays a valid
    page without one of them), so this is never less than the pages shown, and as a
    person answers on it only shrinks, to the pages shown once nothing is left to decide.
    """
    codes = questionnaire.codes()
    passed = codes[: codes.index(before)] if before in codes else []
    possible = answer_rules.may_show(questionnaire, answers, passed)
    return len(_split(questionnaire, possible, one_per_page))


def _split(
    questionnaire: Questionnaire, questions: list[Question], one_per_page: bool
) -> list[Page]:
    sections = {s.code: s for s in questionnaire.sections}
    pages: list[Page] = []
    group: list[Question] = []

    def close() -> None:
        if group:
            pages.append(Page(sections[group[0].section], tuple(group)))
            group.clear()

    for question in questions:
        depends = question.show_if is not None and any(
            code in {q.code for q in group} for code, _ in question.show_if.references()
        )
        if one_per_page or depends or (group and group[0].section != question.section):
            close()
        group.append(question)
    close()
    return pages


def find(pages: list[Page], key: str) -> int | None:
    return next((i for i, page in enumerate(pages) if page.key == key), None)


def page_with(pages: list[Page], code: str) -> Page | None:
    """The page that asks a question: where a "change" link goes."""
    return next((page for page in pages if code in page.codes), None)
