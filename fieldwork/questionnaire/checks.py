"""Meaning checks on a parsed definition file: one function per check, problems as data.

They run on the raw mapping (after the JSON Schema has vouched for its shape
where it could) so that every problem in a file is reported in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fieldwork.questionnaire import conditions, satisfiable, shadow
from fieldwork.questionnaire.types import TYPES, QuestionType

Found = tuple[str, str, str]
"""(location, check code, message) for one problem."""

CONSISTENCY = "consistency"
"""The top-level key of consistency checks: answers that cannot all be true together."""
COMMON_KEYS = frozenset({"code", "type", "text", "hint", "required", "allow", "show_if", "tags"})


def items(value: Any) -> list[Any]:
    """A list from the file, or no items when it is not one (the schema reports that)."""
    return value if isinstance(value, list) else []


def iter_questions(raw: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for section in items(raw.get("sections")):
        if isinstance(section, Mapping):
            for question in items(section.get("questions")):
                if isinstance(question, Mapping):
                    yield question


def _where(question: Mapping[str, Any]) -> str:
    return str(question.get("code") or "?")


def texts(raw: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """Every text in the file: (location, what it is, the text)."""
    yield "-", "title", raw.get("title")
    if "description" in raw:  # optional: the title stands in for it
        yield "-", "description", raw["description"]
    for section in items(raw.get("sections")):
        if isinstance(section, Mapping):
            yield str(section.get("code") or "?"), "section title", section.get("title")
    for question in iter_questions(raw):
        where = _where(question)
        yield where, "text", question.get("text")
        if "hint" in question:
            yield where, "hint", question["hint"]
        if "unit" in question:
            yield where, "unit", question["unit"]
        labels = question.get("labels")
        if isinstance(labels, Mapping):
            for end in ("min", "max"):
                yield where, f"{end} label", labels.get(end)
        for choice in items(question.get("choices")):
            if isinstance(choice, Mapping):
                yield where, f"label of choice '{choice.get('value')}'", choice.get("label")
    for check in items(raw.get(CONSISTENCY)):
        if isinstance(check, Mapping):
            yield CONSISTENCY, f"explanation of {check.get('code')}", check.get("explanation")
    yield from shadow.texts(raw)


def check_languages(raw: Mapping[str, Any]) -> Iterator[Found]:
    languages = [lang for lang in items(raw.get("languages")) if isinstance(lang, str)]
    for where, what, text in texts(raw):
        if not isinstance(text, Mapping):
            yield where, "missing-text", f"{what} is missing or not a text per language"
            continue
        for lang in languages:
            value = text.get(lang)
            if not isinstance(value, str) or not value.strip():
                yield where, "missing-translation", f"{what} has no {lang} text"
        for lang in set(text) - set(languages):
            yield where, "undeclared-language", f"{what} has text in undeclared language {lang}"


def check_unique_codes(raw: Mapping[str, Any]) -> Iterator[Found]:
    seen: set[str] = set()
    for question in iter_questions(raw):
        code = question.get("code")
        if not isinstance(code, str):
            continue  # the schema reports a missing or malformed code
        if code in seen:
            yield _where(question), "duplicate-code", f"question code {code} is used twice"
        seen.add(code)
    sections: set[str] = set()
    for section in items(raw.get("sections")):
        code = section.get("code") if isinstance(section, Mapping) else None
        if not isinstance(code, str):
            continue
        if code in sections:
            yield code, "duplicate-section", f"section code {code} is used twice"
        sections.add(code)


def check_types(raw: Mapping[str, Any]) -> Iterator[Found]:
    for question in iter_questions(raw):
        where, name = _where(question), question.get("type")
        qtype = TYPES.get(name) if isinstance(name, str) else None
        if qtype is None:
            known = ", ".join(sorted(TYPES))
            yield where, "unknown-type", f"unknown type '{name}' (known: {known})"
            continue
        for key in sorted(set(question) - COMMON_KEYS - qtype.options):
            yield where, "foreign-option", f"option '{key}' does not belong to type {name}"
        if qtype.has_choices:
            yield from _check_choices(where, question.get("choices"))
        if question.get("allow") and not qtype.closed:
            yield where, "foreign-option", f"type {name} cannot offer 'don't know' answers"
        for code, message in qtype.check(question):
            yield where, code, message


def _check_choices(where: str, choices: Any) -> Iterator[Found]:
    if not isinstance(choices, list) or len(choices) < 2:
        yield where, "choices", "a choice question needs at least two choices"
        return
    values: set[str] = set()
    codes: set[int] = set()
    for position, choice in enumerate(choices, start=1):
        if not isinstance(choice, Mapping):
            continue
        value, code = choice.get("value"), choice.get("code", position)
        # Values and codes of the wrong kind are reported by the schema.
        if isinstance(value, str):
            if value in values:
                yield where, "duplicate-choice", f"choice value '{value}' is used twice"
            if value.startswith("_"):
                yield where, "reserved-value", f"choice value '{value}' may not start with '_'"
            values.add(value)
        if isinstance(code, int):
            if code in codes:
                yield where, "duplicate-choice", f"printed choice code {code} is used twice"
            codes.add(code)


def check_conditions(raw: Mapping[str, Any]) -> Iterator[Found]:
    earlier: dict[str, Mapping[str, Any]] = {}
    every = {str(q.get("code")) for q in iter_questions(raw)}
    for question in iter_questions(raw):
        where = _where(question)
        if "show_if" in question:
            yield from condition_problems(where, question["show_if"], earlier, every)
        earlier[str(question.get("code"))] = question


def condition_problems(
    where: str,
    data: Any,
    earlier: Mapping[str, Mapping[str, Any]],
    every: set[Any] | None = None,
    key: str = "show_if",
) -> Iterator[Found]:
    """Problems of one condition (under `key`) that may name only questions in `earlier`."""
    try:
        condition = conditions.parse(data)
    except conditions.ConditionError as error:
        yield where, "condition", f"{key}: {error}"
        return
    for test in conditions.tests(condition):
        code = test.question
        target = earlier.get(code)
        if target is None:
            if every is not None and code in every:
                yield where, "condition-later", f"{key} names {code}, which is not earlier"
            else:
                yield where, "condition-unknown", f"{key} names unknown question {code}"
            continue
        qtype = TYPES.get(target["type"]) if isinstance(target.get("type"), str) else None
        if qtype is not None and isinstance(test, conditions.Compare):
            for check, message in _compare_problems(test, target, qtype):
                yield where, check, f"{key}: {message}"


def _compare_problems(
    test: conditions.Compare, target: Mapping[str, Any], qtype: QuestionType
) -> Iterator[tuple[str, str]]:
    """A comparison that the question's answers can never meet: a value it does not
    offer, a number against a question that stores none, a limit beyond its bounds."""
    code, specials = test.question, {f"_{name}" for name in items(target.get("allow"))}
    if test.op in conditions.NUMBER_OPS:
        if not qtype.numeric:
            yield "condition-number", f"{code} is a {qtype.name}, not a number: no {test.op}"
            return
        low, high = qtype.bounds(satisfiable.as_question(target))
        end = high if test.op == "at_least" else low
        (limit,) = test.values
        if type(end) in (int, float) and (limit > end if test.op == "at_least" else limit < end):
            yield "condition-never", f"{code} is never {test.op} {limit}: its answers stop at {end}"
        return
    if qtype.has_choices:
        choices = items(target.get("choices"))
        known = {
            c["value"]
            for c in choices
            if isinstance(c, Mapping) and isinstance(c.get("value"), str)
        }
        for value in test.values:
            if value not in known | specials:
                yield "condition-value", f"{code} has no choice '{value}'"
    elif qtype.numeric:
        for value in test.values:
            if isinstance(value, str) and value not in specials:
                yield "condition-value", f"{code} takes numbers, not '{value}'"


def check_consistency(raw: Mapping[str, Any]) -> Iterator[Found]:
    """Each check under `consistency:` has a code of its own and conditions over any
    questions of the file that some answers can meet: one none can never finds anything."""
    every = {str(q.get("code")): q for q in iter_questions(raw)}
    seen: set[str] = set()
    for check in items(raw.get(CONSISTENCY)):
        if not isinstance(check, Mapping):
            continue  # the schema reports it
        code, parts = str(check.get("code")), items(check.get("cannot_all_hold"))
        if code in seen:
            yield CONSISTENCY, "duplicate-code", f"consistency check {code} is declared twice"
        seen.add(code)
        found = [
            (problem, message)
            for part in parts
            for _, problem, message in condition_problems(code, part, every, key="cannot_all_hold")
        ]
        for problem, message in found:
            yield CONSISTENCY, problem, f"{code}: {message}"
        if parts and not found:
            met = satisfiable.satisfiable([conditions.parse(part) for part in parts], every)
            if met is False:
                yield (
                    CONSISTENCY,
                    "condition-never",
                    f"{code}: no answers meet every condition of cannot_all_hold,"
                    " so the check never finds anything",
                )


def segment_codes(raw: Mapping[str, Any]) -> list[str]:
    """Every segment code a definition names under `segments:`, in its order."""
    declared = raw.get("segments")
    if not isinstance(declared, Mapping):
        return [code for code in items(declared) if isinstance(code, str)]
    named = items(declared.get("offer")) + [
        rule.get("segment") for rule in items(declared.get("rules")) if isinstance(rule, Mapping)
    ]
    return [code for code in dict.fromkeys(named) if isinstance(code, str)]


def check_segments(raw: Mapping[str, Any]) -> Iterator[Found]:
    """`segments:` says how a response's segment is found: rules over this questionnaire's
    own answers, the last one the fallback, or a list staff choose from."""
    declared = raw.get("segments")
    if not isinstance(declared, Mapping):
        return  # absent (no segments) or malformed (the schema says so)
    method, rules = declared.get("from"), items(declared.get("rules"))
    if method == "answers":
        if "offer" in declared or not rules:
            yield "segments", "segments", "from: answers takes rules (and no offer)"
        every = {str(q.get("code")): q for q in iter_questions(raw)}
        for position, rule in enumerate(rules, start=1):
            if not isinstance(rule, Mapping):
                continue
            last = position == len(rules)
            if last == ("if" in rule):
                yield "segments", "segments", "every rule but the last has an if; the last has none"
            if "if" in rule:
                where = str(rule.get("segment"))
                for _, code, message in condition_problems(where, rule["if"], every):
                    yield "segments", code, f"{where}: {message.replace('show_if', 'if')}"
    elif method == "staff" and ("rules" in declared or not items(declared.get("offer"))):
        yield "segments", "segments", "from: staff takes offer, a list of segments (and no rules)"
    named = items(declared.get("offer")) or [
        rule.get("segment") for rule in rules if isinstance(rule, Mapping)
    ]
    for code in sorted({c for c in named if isinstance(c, str) and named.count(c) > 1}):
        yield "segments", "duplicate-code", f"segment {code} is named twice"


RETIRED = {
    "estimated_minutes": "estimated_minutes is no longer read: the start page works out the "
    "time from the questions (docs/questionnaire-format.md); remove it",
}
"""Top-level keys the format once had: named, so a file still holding one is told why."""


def check_retired_keys(raw: Mapping[str, Any]) -> Iterator[Found]:
    for key, message in RETIRED.items():
        if key in raw:
            yield "-", "retired", message


CHECKS: tuple[Callable[[Mapping[str, Any]], Iterator[Found]], ...] = (
    check_languages,
    check_unique_codes,
    check_types,
    check_conditions,
    check_segments,
    check_consistency,
    check_retired_keys,
    shadow.check,
)


def run(raw: Mapping[str, Any]) -> list[Found]:
    return [found for check in CHECKS for found in check(raw)]
