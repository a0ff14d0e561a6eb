"""Rules on open answers: one text pasted everywhere, keyboard mash, answers that say nothing.

Open answers are the text questions (types that are not closed). Each rule
gives at most one flag per response, naming the questions concerned. The
answers are normalised once per response (`Case.open_answers`) for all three.
"""

from __future__ import annotations

from collections.abc import Mapping
from difflib import SequenceMatcher
from typing import Any, ClassVar

from fieldwork.quality.flags import N_, Severity
from fieldwork.quality.layout import Layout
from fieldwork.quality.open_text import READ_LIMIT, OpenAnswer, empty_key, mash_sign
from fieldwork.quality.rules.base import Case, Check, Evidence, Number, Param, Rule, Words


class OpenSameText(Rule):
    """The same non-trivial text given to every open question answered (two or more)."""

    code = "open-same-text"
    modes = frozenset({"online", "paper", "shadow"})
    severity: ClassVar[Severity] = "review"
    params: ClassVar[Mapping[str, Param]] = {
        "min_answers": Number(2, minimum=2, integer=True),
        # A common honest phrase ("希望更好", "all good") may well be written twice.
        "min_letters": Number(8, minimum=1, integer=True),
    }
    explanation = N_(
        "The same text was given to all %(count)s open questions answered (%(questions)s)."
    )

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        fewest = params["min_answers"]
        shortest = params["min_letters"]
        if len(layout.open) < fewest:
            return None

        def check(case: Case) -> Evidence | None:
            answers = case.open_answers
            if len(answers) < fewest or len({a.text for a in answers}) != 1:
                return None
            if answers[0].says_nothing() or len(answers[0].letters) < shortest:
                return None  # "无" everywhere is open-empty's to note
            return {"questions": tuple(a.code for a in answers), "count": len(answers)}

        return check


class OpenMash(Rule):
    """Keyboard mash in an open answer: asdfasdfjkl, jjjjjjjj, qwertyuiop and the like."""

    code = "open-mash"
    modes = frozenset({"online", "paper", "shadow"})
    severity: ClassVar[Severity] = "review"
    params: ClassVar[Mapping[str, Param]] = {
        "min_letters": Number(5, minimum=3, integer=True),
    }
    explanation = N_("The answers to %(questions)s look like random typing.")
    # Signs (evidence "signs", one per question): see open_text.mash_sign, and
    # "question-text" for an answer that is its question pasted back.

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        shortest = params["min_letters"]
        if not layout.open:
            return None

        prompts = _prompts(layout)
        # The same answer to the same question gets the same sign: worked out once each.
        signs: dict[OpenAnswer, str | None] = {}

        def sign_of(answer: OpenAnswer) -> str | None:
            if answer not in signs:
                if len(signs) >= READ_LIMIT:
                    signs.clear()
                sign = _mashed(answer, shortest, prompts)
                signs[answer] = sign if sign and not answer.says_nothing() else None
            return signs[answer]

        def check(case: Case) -> Evidence | None:
            mashed = [
                (answer.code, sign) for answer in case.open_answers if (sign := sign_of(answer))
            ]
            if not mashed:
                return None
            return {
                "questions": tuple(code for code, _ in mashed),
                "signs": tuple(sign for _, sign in mashed),
            }

        return check


Prompts = Mapping[str, tuple[int, tuple[tuple[str, frozenset[str]], ...]]]
"""Per open question, the length an answer needs to be judged against its prompts (four
fifths of the shortest), and its prompts (`Layout.prompts`) long enough to judge, each with
its characters."""


def _prompts(layout: Layout) -> Prompts:
    found = {}
    for code, texts in layout.prompts.items():
        judged = tuple((prompt, frozenset(prompt)) for prompt in texts if len(prompt) >= 6)
        if judged:
            found[code] = (min(4 * len(p) // 5 for p, _ in judged), judged)
    return found


def _mashed(answer: OpenAnswer, shortest: int, prompts: Prompts) -> str | None:
    return mash_sign(answer.text, shortest, answer.letters) or _pasted(answer, prompts)


def _pasted(answer: OpenAnswer, prompts: Prompts) -> str | None:
    """ "question-text" when an answer is its question (or hint) pasted back, in any of the
    questionnaire's languages, give or take a character or two.

    A 0.9 match ratio leaves lengths within a fifth of each other and at most a fifth of
    the answer's letters outside the prompt's characters: most answers stop at those
    checks, before the matcher's quadratic work (the bulk run reads a million responses).
    """
    letters = answer.letters
    shortest, judged = prompts.get(answer.code, (0, ()))
    if len(letters) < max(6, shortest):  # most answers: shorter than any prompt
        return None
    distinct: set[str] | None = None
    for prompt, characters in judged:
        if len(letters) > 2 * len(prompt):
            continue
        if prompt in letters:
            return "question-text"
        if 5 * min(len(letters), len(prompt)) < 4 * max(len(letters), len(prompt)):
            continue
        distinct = set(letters) if distinct is None else distinct
        if len(distinct - characters) > len(letters) / 5:
            continue
        if SequenceMatcher(None, letters, prompt, autojunk=False).ratio() >= 0.9:
            return "question-text"
    return None


class OpenEmpty(Rule):
    """Answers that say nothing ("无", "没有", "n/a", "-", "111"): noted, not held against."""

    code = "open-empty"
    modes = frozenset({"online", "paper", "shadow"})
    severity: ClassVar[Severity] = "note"
    params: ClassVar[Mapping[str, Param]] = {"extra_words": Words()}
    explanation = N_("The answers to %(questions)s say nothing (such as “none”, “n/a” or “-”).")

    def prepare(self, layout: Layout, params: Mapping[str, Any]) -> Check | None:
        extra = frozenset(empty_key(word) for word in params["extra_words"])
        if not layout.open:
            return None

        def check(case: Case) -> Evidence | None:
            empty = tuple(a.code for a in case.open_answers if a.says_nothing(extra))
            return {"questions": empty} if empty else None

        return check
