"""Skip logic in words, in a sheet's language: the condition printed above a question
("Answer only if you answered 1 “Yes” to S2.") and the jump printed beside a box
("→ go to Q7").

Where `all` and `any` nest, one sentence could only be read one way with brackets, which
nobody says; `conditions` then prints a lead ("Answer only if all of these are true:")
and one condition per line, a nested part as a lead with lines of its own.

A sheet's language is not the reader's of the page that prints it, so the words are
made with the catalog of the sheet's language, handed in as `gettext`. Choices read as
they are printed, their code then their label; `in` and `not_in` read as "answered …"
and "did not answer …", several values joined with "or", and `all`/`any` as lists
joined with "and"/"or" in the language's own way (Babel's list patterns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from babel.lists import format_list

from fieldwork.paper.keying import special_code
from fieldwork.paper.routing import Jump
from fieldwork.quality.flags import N_
from fieldwork.questionnaire.conditions import Answered, Combine, Compare, Condition
from fieldwork.questionnaire.model import DONT_KNOW, NOT_APPLICABLE, Questionnaire

Gettext = Callable[[str], str]

ONLY_IF = N_("Answer only if %(condition)s.")
CHOSE = N_("you answered %(choices)s to %(question)s")
DID_NOT_CHOOSE = N_("you did not answer %(choices)s to %(question)s")
AT_LEAST = N_("your answer to %(question)s is %(number)s or more")
AT_MOST = N_("your answer to %(question)s is %(number)s or less")
GAVE = N_("you answered %(question)s")
LEFT_BLANK = N_("you left %(question)s blank")
NOT_SO = N_("it is not so that %(condition)s")
CHOICE = N_("%(code)s “%(label)s”")
SPECIAL = {DONT_KNOW: N_("Don't know"), NOT_APPLICABLE: N_("Not applicable")}
"""The special answers' labels, as the web form words them."""
GO_TO = N_("→ go to %(question)s")
END = N_("→ end of the questionnaire")
ALL_OF = N_("Answer only if all of these are true:")
ANY_OF = N_("Answer only if at least one of these is true:")
ALL_OF_PART = N_("all of these are true:")
ANY_OF_PART = N_("at least one of these is true:")
LEADS = {"all": (ALL_OF, ALL_OF_PART), "any": (ANY_OF, ANY_OF_PART)}
"""The lead of a condition printed one part per line: at the top, and as a nested part."""
FLIPPED = {"all": "any", "any": "all"}
"""`not` moved onto the parts turns "all" into "any" and back (De Morgan)."""


@dataclass(frozen=True)
class Listed:
    """A condition printed one part per line: the lead, then each part, a part that nests
    further being a `Listed` of its own."""

    lead: str
    lines: tuple[str | Listed, ...]


def only_if(
    questionnaire: Questionnaire, condition: Condition, language: str, gettext: Gettext
) -> str:
    """The sentence printed above a question shown only when `condition` holds."""
    said = _Words(questionnaire, language, gettext)
    return gettext(ONLY_IF) % {"condition": said.condition(condition)}


def conditions(
    questionnaire: Questionnaire, condition: Condition, language: str, gettext: Gettext
) -> str | Listed:
    """What a sheet prints above a question shown only when `condition` holds: one
    sentence as `only_if` says it (`not` read onto the answers, `all` in `all` as one
    list), or one part per line where `all` and `any` nest."""
    said = _Words(questionnaire, language, gettext)
    listed = said.listed(condition, negated=False, top=True)
    if isinstance(listed, Listed):
        return listed
    return gettext(ONLY_IF) % {"condition": listed}


def jump(jump: Jump, gettext: Gettext) -> str:
    """The words printed beside a box that skips ahead (see `routing.jumps`)."""
    if jump.target is None:
        return gettext(END)
    return gettext(GO_TO) % {"question": jump.target}


class _Words:
    def __init__(self, questionnaire: Questionnaire, language: str, gettext: Gettext) -> None:
        self.questionnaire = questionnaire
        self.language = language
        self.locale = language.replace("-", "_")  # a Babel locale id: zh-Hans -> zh_Hans
        self.gettext = gettext

    def condition(self, condition: Condition, negated: bool = False) -> str:
        if isinstance(condition, Compare):
            return self._compare(condition, negated)
        if isinstance(condition, Answered):
            given = condition.expected != negated
            return self.gettext(GAVE if given else LEFT_BLANK) % {"question": condition.question}
        if isinstance(condition, Combine) and condition.op == "not":
            return self.condition(condition.parts[0], not negated)
        said = self._combine(condition)
        return self.gettext(NOT_SO) % {"condition": said} if negated else said

    def listed(self, condition: Condition, negated: bool, top: bool) -> str | Listed:
        """A condition as lines where its `all` and `any` nest, else as one clause."""
        op, parts = self._parts(condition, negated)
        nested = [part for part in parts if self._parts(*part)[0] is not None]
        if op is None or not nested:
            return self._clause(op, parts)
        lead = self.gettext(LEADS[op][0 if top else 1])
        return Listed(lead, tuple(self.listed(part, sign, top=False) for part, sign in parts))

    def _parts(
        self, condition: Condition, negated: bool
    ) -> tuple[str | None, list[tuple[Condition, bool]]]:
        """The `all`/`any` a condition comes to (None for one answer's test) and its parts,
        `not` moved onto them, parts of the same kind merged: all(a, all(b, c)) is all(a, b, c)."""
        if not isinstance(condition, Combine):
            return None, [(condition, negated)]
        if condition.op == "not":
            return self._parts(condition.parts[0], not negated)
        op = FLIPPED[condition.op] if negated else condition.op
        merged: list[tuple[Condition, bool]] = []
        for part in condition.parts:
            inner, inner_parts = self._parts(part, negated)
            merged += inner_parts if inner in (None, op) else [(part, negated)]
        return op, merged

    def _clause(self, op: str | None, parts: list[tuple[Condition, bool]]) -> str:
        said = [self.condition(part, sign) for part, sign in parts]
        if op is None:
            return said[0]
        return format_list(said, style="standard" if op == "all" else "or", locale=self.locale)

    def _combine(self, condition: Combine) -> str:
        parts = [self.condition(part) for part in condition.parts]
        if condition.op == "all":
            return format_list(parts, style="standard", locale=self.locale)
        return format_list(parts, style="or", locale=self.locale)

    def _compare(self, condition: Compare, negated: bool) -> str:
        question = condition.question
        if condition.op in ("at_least", "at_most"):
            message = AT_LEAST if condition.op == "at_least" else AT_MOST
            said = self.gettext(message) % {"question": question, "number": condition.values[0]}
            return self.gettext(NOT_SO) % {"condition": said} if negated else said
        chose = (condition.op == "not_in") == negated
        choices = format_list(
            [self._choice(question, value) for value in condition.values],
            style="or",
            locale=self.locale,
        )
        message = CHOSE if chose else DID_NOT_CHOOSE
        return self.gettext(message) % {"choices": choices, "question": question}

    def _choice(self, question: str, value: object) -> str:
        """A value as the sheet prints its box: the code, then the label."""
        asked = self.questionnaire.question(question)
        if value in SPECIAL:
            code = special_code(asked, str(value))
            return self.gettext(CHOICE) % {"code": code, "label": self.gettext(SPECIAL[value])}
        choice = asked.choice(value) if isinstance(value, str) else None
        if choice is None:  # a number (a rating's value): as it reads
            return str(value)
        label = choice.label.get(self.language) or next(iter(choice.label.values()))
        return self.gettext(CHOICE) % {"code": choice.code, "label": label}
