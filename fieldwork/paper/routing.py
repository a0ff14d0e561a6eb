"""Where a printed answer sends the respondent: the skip logic of `show_if`, read per answer.

On paper nobody hides a question, and a person told far from the box to skip ahead
often answers what they should have skipped. So the sheet prints the instruction right
beside the answer that routes ("2 No → go to Q7"): `jumps` works out, for each box of a
one-answer question, which question comes next when that box is ticked, if it is not the
question printed after it.

Only what the ticked answer decides on its own is printed beside it. A later question
whose `show_if` also reads another answer (or none of this one) stops the jump there: the
respondent goes to it, and its own condition decides. A question the jump passes over is
known to stay unanswered, so a condition on it decides too ("if you phoned" after a
question skipped is false).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fieldwork.questionnaire.model import Question, Questionnaire

ROUTED_TYPES = frozenset({"single_choice"})
"""One box ticked per question: each box can send the respondent somewhere of its own.
Several boxes ticked ("tick all that apply") or a number written give no single route."""


@dataclass(frozen=True)
class Jump:
    """Ticking `value` (a choice, or a special answer such as "don't know") skips ahead to
    `target`, or to the end of the questionnaire when it is None."""

    value: str
    target: str | None


def jumps(questionnaire: Questionnaire, code: str) -> tuple[Jump, ...]:
    """The jumps beside the boxes of question `code`, in the order its boxes are printed
    (choices, then special answers); none for a question of another type, or for boxes
    that lead to the question printed next."""
    questions = questionnaire.questions
    position = next(i for i, q in enumerate(questions) if q.code == code)
    question = questions[position]
    if question.type not in ROUTED_TYPES:
        return ()
    later = questions[position + 1 :]
    following = later[0].code if later else None
    others = frozenset(q.code for q in questions) - {code}
    found = []
    for value in (*(choice.value for choice in question.choices), *question.allow):
        target = _next(later, {code: value}, others)
        if target != following:
            found.append(Jump(value, target))
    return tuple(found)


def _next(
    later: Sequence[Question], answers: dict[str, str], unknown: frozenset[str]
) -> str | None:
    """The first of `later` the respondent must look at, knowing only `answers`: one
    shown whatever, or whose condition holds or depends on an answer not known here."""
    open_ = set(unknown)
    for question in later:
        if question.show_if is None or question.show_if.outcome(answers, open_) is not False:
            return question.code
        open_.discard(question.code)  # skipped: known to stay unanswered
    return None
