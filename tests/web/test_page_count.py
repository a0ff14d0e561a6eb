"""The "about" of "Page X of about Y" on every path through the suite's questionnaires.

Each walk answers page by page as the survey does (the next page is the one after this
one, given the answers so far) and reads the two numbers the caption would show. Every
combination of answers is walked, in both page layouts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from fieldwork import answers as answer_rules
from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.web import pages
from tests import questionnaires

CATALOG = questionnaires.read().questionnaires
LAYOUTS = {"a section a page": False, "a question a page": True}


def candidates(question: Question) -> list[Any]:
    """A few answers that lead different ways: every choice, or written and left blank."""
    if question.type == "single_choice":
        return [c.value for c in question.choices]
    if question.type == "multiple_choice":
        return [[c.value] for c in question.choices if c.exclusive] + [[question.choices[0].value]]
    if question.type in ("short_text", "long_text"):
        return ["text", None] if not question.required else ["text"]
    return [{"rating": 3, "scale_0_10": 5, "number": 1, "duration": 20}.get(question.type, "x")]


def paths(questionnaire: Questionnaire) -> Iterator[dict[str, Any]]:
    options = [candidates(q) for q in questionnaire.questions]
    for chosen in itertools.product(*options):
        yield {q.code: value for q, value in zip(questionnaire.questions, chosen, strict=True)}


def walk(questionnaire: Questionnaire, path: dict[str, Any], large: bool) -> list[tuple[int, int]]:
    """(X, Y) of each page's caption along the path, as `survey.page` works them out."""
    answers: dict[str, Any] = {}
    shown = pages.paginate(questionnaire, answers, large)
    current: pages.Page | None = shown[0]
    captions = []
    while current is not None:
        index = pages.find(shown, current.key)
        assert index is not None
        captions.append((index + 1, pages.most(questionnaire, answers, large, current.key)))
        answers.update({c: path[c] for c in current.codes if path[c] is not None})
        shown = pages.paginate(questionnaire, answers, large)
        index = pages.find(shown, current.key)
        assert index is not None
        current = shown[index + 1] if index + 1 < len(shown) else None
    return captions


def decides_later(questionnaire: Questionnaire, codes: list[str]) -> bool:
    """Whether a later condition reads one of these questions."""
    return any(
        code in codes
        for q in questionnaire.questions
        if q.show_if
        for code, _ in q.show_if.references()
    )


@pytest.mark.parametrize("large", LAYOUTS.values(), ids=LAYOUTS.keys())
@pytest.mark.parametrize("qid", sorted(CATALOG))
def test_the_count_never_grows_and_ends_at_the_pages_shown(qid: str, large: bool) -> None:
    questionnaire = CATALOG[qid]
    promised = pages.most(questionnaire, {}, large)
    lengths = set()
    for path in paths(questionnaire):
        captions = walk(questionnaire, path, large)
        numbers = [x for x, _ in captions]
        counts = [y for _, y in captions]
        lengths.add(len(captions))
        assert numbers == list(range(1, len(captions) + 1)), path
        assert counts[0] == promised, path  # what the start page says
        assert counts == sorted(counts, reverse=True), (path, counts)  # never grows
        assert min(counts) >= len(captions), (path, counts)  # never fewer than shown
        last = pages.paginate(questionnaire, answer_rules.clean(questionnaire, path), large)[-1]
        if not decides_later(questionnaire, last.codes):
            assert counts[-1] == len(captions), (path, counts)
    # The promise counts every question: no path is longer (here exclusive conditions make
    # the longest path a page shorter, one question a page).
    assert max(lengths) <= promised


def test_the_branching_survey_has_paths_of_different_lengths() -> None:
    """What makes the test above worth running: the count has something to do."""
    questionnaire = CATALOG["branching"]
    lengths = {len(walk(questionnaire, path, False)) for path in paths(questionnaire)}
    assert min(lengths) < max(lengths) == 7
