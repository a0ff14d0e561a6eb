"""Skip logic in words, in a sheet's language: the condition printed above a question
("Answer only if you answered 1 “Yes” to S2.") and the jump printed beside a box
("→ go to Q7").

A sheet's language is not the reader's of the page that prints it, so the words are
made with the catalog of the sheet's language, handed in as `gettext`. Choices read as
they are printed, their code then their label; `in` and `not_in` read as "answered …"
and "did not answer …", several values joined with "or", and `all`/`any` as lists
joined with "and"/"or" in the language's own way (Babel's list patterns).
"""

from __future__ import annotations

from collections.abc import Callable

from babel.lists import format_list

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
QUOTED = N_("“%(label)s”")
SPECIAL = {DONT_KNOW: N_("Don't know"), NOT_APPLICABLE: N_("Not applicable")}
"""The special answers' labels, as the web form words them."""
GO_TO = N_("→ go to %(question)s")
END = N_("→ end of the questionnaire")


def only_if(
    questionnaire: Questionnaire, condition: Condition, language: str, gettext: Gettext
) -> str:
    """The sentence printed above a question shown only when `condition` holds."""
    said = _Words(questionnaire, language, gettext)
    return gettext(ONLY_IF) % {"condition": said.condition(condition)}


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
        if value in SPECIAL:
            return self.gettext(QUOTED) % {"label": self.gettext(SPECIAL[value])}
        asked = self.questionnaire.question(question)
        choice = asked.choice(value) if isinstance(value, str) else None
        if choice is None:  # a number (a rating's value): as it reads
            return str(value)
        label = choice.label.get(self.language) or next(iter(choice.label.values()))
        return self.gettext(CHOICE) % {"code": choice.code, "label": label}
