"""Shadow-test definitions (`kind: shadow`): what a covert tester may meet and log.

A definition names the scenarios a tester acts out (a return request, a refund
chase…), the events the logger offers (contacted, bot replied, line dropped…), the
indicators read off a timeline of those events, each with its threshold and the
dimension of the evaluation scheme it belongs to, and the checklist answered after the
contact. It is not a questionnaire of sections and questions: `build` gives a
`ShadowDefinition`, and `fieldwork.shadow.definitions` turns its indicators and items
into the timeline and checklist cores' objects.

Pure: imports neither Flask nor SQLModel.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from fieldwork.questionnaire.model import (
    STAFF,
    Choice,
    Question,
    Questionnaire,
    Section,
    Segmentation,
    Text,
)

SHADOW = "shadow"
"""The `kind` of a shadow-test definition."""

DIMENSIONS = ("response", "resolution", "experience", "compliance")
"""The evaluation scheme's four dimensions, which every indicator belongs to one of."""

INTERVAL, COUNT, OCCURS, FOLLOWED = "interval", "count", "occurs", "followed"
MEASURES = (INTERVAL, COUNT, OCCURS, FOLLOWED)
"""How an indicator reads a timeline: the key under the indicator that says so."""

Found = tuple[str, str, str]
"""(location, check code, message) for one problem."""


@dataclass(frozen=True)
class Scenario:
    code: str
    name: Text


@dataclass(frozen=True)
class EventType:
    """One button of the logger: the code stored with each tap, and its label."""

    code: str
    label: Text


@dataclass(frozen=True)
class Indicator:
    """One indicator read off a timeline. `measure` says which fields count:
    interval: `start` → `end` within `limit` seconds; count: `events` at most `limit`
    times; occurs: `events` (one) happens; followed: each `events` (one) followed by one
    of `end` before any of `unless`."""

    code: str
    dimension: str
    name: Text
    measure: str
    start: tuple[str, ...] = ()
    end: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    limit: float | None = None
    scenarios: tuple[str, ...] = ()  # measured on tests of these scenarios only; () all
    channels: tuple[str, ...] = ()  # measured on tests of these channels only; () all
    rate_at_least: float | None = None  # percent of a platform × channel's tests passing

    def applies(self, scenario: str, channel: str) -> bool:
        """Whether a test of this scenario over this channel is measured by it: a
        pickup time means nothing to a complaint, nor a bot's reply to a phone call."""
        return (not self.scenarios or scenario in self.scenarios) and (
            not self.channels or channel in self.channels
        )


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    text: Text
    weight: float
    critical: bool = False  # answered "no", it caps the whole checklist's score
    evidence: bool = False  # a "yes" or "no" needs a screenshot or photo behind it
    not_applicable: bool = True  # the tester may answer "not applicable"


@dataclass(frozen=True)
class ShadowDefinition:
    id: str
    version: str
    languages: tuple[str, ...]
    title: Text
    description: Text
    scenarios: tuple[Scenario, ...]
    events: tuple[EventType, ...]
    indicators: tuple[Indicator, ...]
    items: tuple[ChecklistItem, ...]
    cap: float  # the most a checklist with a failed critical item scores, out of 100
    content_hash: str
    definition: Mapping[str, Any]

    kind = SHADOW

    def indicators_for(self, scenario: str, channel: str) -> tuple[Indicator, ...]:
        """The indicators measured on a test of this scenario over this channel."""
        return tuple(i for i in self.indicators if i.applies(scenario, channel))

    def event(self, code: str) -> EventType | None:
        return next((e for e in self.events if e.code == code), None)

    def scenario(self, code: str) -> Scenario | None:
        return next((s for s in self.scenarios if s.code == code), None)

    @cached_property
    def questionnaire(self) -> Questionnaire:
        """The checklist as a questionnaire of kind shadow: what a tester answers after the
        contact goes through the same validation, storage, review and export as any
        response. Each item is a required choice of yes, no and (where the item allows
        it) not applicable, followed by an optional note; the segment is the test's
        persona, set by whoever planned it (any segment of segments.yaml)."""
        questions: list[Question] = []
        for item in self.items:
            questions += [_item_question(item, self.languages), _note_question(item.code)]
        return Questionnaire(
            id=self.id,
            version=self.version,
            kind=SHADOW,
            languages=self.languages,
            title=self.title,
            description=self.description,
            segmentation=Segmentation(STAFF),
            sections=(Section(CHECKLIST_SECTION, self.title, tuple(questions)),),
            content_hash=self.content_hash,
            definition=self.definition,
        )


CHECKLIST_SECTION = "checklist"
ANSWER_CODES = {"yes": 1, "no": 2, "not_applicable": 3}
"""A checklist item's answers (`fieldwork.shadow.checklist.ANSWERS`) and their codes."""
NOTE_SUFFIX = "_note"
"""A checklist item's note is the question `<item code>_note`."""
NOTE_LENGTH = 500


def _item_question(item: ChecklistItem, languages: tuple[str, ...]) -> Question:
    offered = [a for a in ANSWER_CODES if a != "not_applicable" or item.not_applicable]
    return Question(
        code=item.code,
        type="single_choice",
        text=item.text,
        section=CHECKLIST_SECTION,
        required=True,
        tags={"critical": "yes"} if item.critical else {},
        choices=tuple(
            Choice(value, _ANSWER_LABELS[value], ANSWER_CODES[value]) for value in offered
        ),
        options={"evidence": item.evidence, "weight": item.weight},
    )


def _note_question(code: str) -> Question:
    return Question(
        code=code + NOTE_SUFFIX,
        type="short_text",
        text=_NOTE_TEXT,
        section=CHECKLIST_SECTION,
        options={"max_length": NOTE_LENGTH},
    )


# Answer labels of every checklist, in the languages definitions are written in: the
# pages word them from the UI catalog; these are what exports and codebooks label with.
_ANSWER_LABELS: Mapping[str, Text] = {
    "yes": {"zh-Hans": "是", "zh-Hant": "是", "en": "Yes"},
    "no": {"zh-Hans": "否", "zh-Hant": "否", "en": "No"},
    "not_applicable": {"zh-Hans": "不适用", "zh-Hant": "不適用", "en": "Not applicable"},
}
_NOTE_TEXT: Text = {"zh-Hans": "备注", "zh-Hant": "備註", "en": "Note"}


def build(raw: Mapping[str, Any], content_hash: str) -> ShadowDefinition:
    """The frozen model of a shadow definition that passed every check."""
    checklist = raw["checklist"]
    return ShadowDefinition(
        id=raw["id"],
        version=str(raw["version"]),
        languages=tuple(raw["languages"]),
        title=raw["title"],
        description=raw.get("description") or raw["title"],
        scenarios=tuple(Scenario(s["code"], s["name"]) for s in raw["scenarios"]),
        events=tuple(EventType(e["code"], e["label"]) for e in raw["events"]),
        indicators=tuple(_indicator(i) for i in raw["indicators"]),
        items=tuple(
            ChecklistItem(
                code=i["code"],
                text=i["text"],
                weight=float(i["weight"]),
                critical=bool(i.get("critical", False)),
                evidence=bool(i.get("evidence", False)),
                not_applicable=bool(i.get("not_applicable", True)),
            )
            for i in checklist["items"]
        ),
        cap=float(checklist["cap"]),
        content_hash=content_hash,
        definition=json.loads(json.dumps(raw, default=str)),
    )


def _indicator(raw: Mapping[str, Any]) -> Indicator:
    measure = next(key for key in MEASURES if key in raw)
    spec = raw[measure]
    common = {
        "code": raw["code"],
        "dimension": raw["dimension"],
        "name": raw["name"],
        "scenarios": tuple(raw.get("scenarios") or ()),
        "channels": tuple(raw.get("channels") or ()),
        "rate_at_least": raw.get("rate_at_least"),
    }
    if measure == INTERVAL:
        return Indicator(
            **common,
            measure=measure,
            start=tuple(spec["from"]),
            end=tuple(spec["to"]),
            limit=float(spec["at_most_seconds"]),
        )
    if measure == COUNT:
        return Indicator(
            **common, measure=measure, events=tuple(spec["events"]), limit=spec["at_most"]
        )
    if measure == OCCURS:
        return Indicator(**common, measure=measure, events=(spec["event"],))
    return Indicator(
        **common,
        measure=measure,
        events=(spec["event"],),
        end=tuple(spec["by"]),
        unless=tuple(spec.get("unless") or ()),
    )


# Meaning checks: the schema vouches for shapes where it can; these read what they mean.


def texts(raw: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """Every text of a shadow definition beyond its title: (location, what, the text)."""
    for key, what, text_key in (
        ("scenarios", "scenario name", "name"),
        ("events", "event label", "label"),
        ("indicators", "indicator name", "name"),
    ):
        for entry in _entries(raw.get(key)):
            yield str(entry.get("code") or "?"), what, entry.get(text_key)
    for item in _entries(_mapping(raw.get("checklist")).get("items")):
        yield str(item.get("code") or "?"), "checklist item text", item.get("text")


SHADOW_PARTS = ("scenarios", "events", "indicators", "checklist")
"""Top-level parts only a shadow definition has."""
QUESTIONNAIRE_PARTS = ("sections", "segments", "consistency", "quality")
"""Top-level parts of a questionnaire that a shadow definition does not have."""


def check(raw: Mapping[str, Any]) -> Iterator[Found]:
    """Problems of a shadow definition's own parts, and parts of one kind in the other."""
    is_shadow = raw.get("kind") == SHADOW
    kind = str(raw.get("kind"))
    for key in QUESTIONNAIRE_PARTS if is_shadow else SHADOW_PARTS:
        if key in raw:
            yield "-", "foreign-part", f"a definition of kind {kind} has no {key}"
    if not is_shadow:
        return
    yield from _duplicates(raw)
    yield from _indicator_problems(raw)
    yield from _checklist_problems(_mapping(raw.get("checklist")))


def _duplicates(raw: Mapping[str, Any]) -> Iterator[Found]:
    lists = (
        ("scenario", raw.get("scenarios")),
        ("event", raw.get("events")),
        ("indicator", raw.get("indicators")),
        ("checklist item", _mapping(raw.get("checklist")).get("items")),
    )
    for what, entries in lists:
        codes = _strings([e.get("code") for e in _entries(entries)])
        for code in dict.fromkeys(c for c in codes if codes.count(c) > 1):
            yield code, "duplicate-code", f"{what} code {code} is used twice"


def _indicator_problems(raw: Mapping[str, Any]) -> Iterator[Found]:
    known = {e.get("code") for e in _entries(raw.get("events"))}
    scenarios = {s.get("code") for s in _entries(raw.get("scenarios"))}
    for indicator in _entries(raw.get("indicators")):
        where = str(indicator.get("code") or "?")
        for code in _strings(indicator.get("scenarios")):
            if code not in scenarios:
                yield where, "unknown-scenario", f"indicator {where} names unknown scenario {code}"
        rate = _number(indicator.get("rate_at_least"))
        if rate is not None and not 0 <= rate <= 100:
            yield where, "rate-range", f"indicator {where}: rate_at_least {rate:g} is not 0–100"
        measures = [key for key in MEASURES if key in indicator]
        if len(measures) != 1:
            yield where, "indicator-measure", f"name exactly one of {', '.join(MEASURES)}"
            continue
        spec = _mapping(indicator[measures[0]])
        for code in _named_events(spec):
            if code not in known:
                yield where, "unknown-event", f"indicator {where} names unknown event {code}"
        limit = _number(spec.get("at_most_seconds", spec.get("at_most")))
        if limit is not None and limit < 0:
            yield where, "threshold-negative", f"indicator {where} has a negative threshold"


def _named_events(spec: Mapping[str, Any]) -> list[str]:
    named: list[Any] = []
    for key in ("from", "to", "events", "by", "unless"):
        value = spec.get(key)
        named += value if isinstance(value, list) else []
    named += [spec["event"]] if "event" in spec else []
    return [code for code in dict.fromkeys(named) if isinstance(code, str)]


def _checklist_problems(checklist: Mapping[str, Any]) -> Iterator[Found]:
    cap = _number(checklist.get("cap"))
    if cap is not None and not 0 <= cap <= 100:
        yield "checklist", "cap-range", f"the cap {cap:g} is not between 0 and 100"
    for item in _entries(checklist.get("items")):
        weight = _number(item.get("weight"))
        if weight is not None and weight <= 0:
            where = str(item.get("code") or "?")
            yield where, "weight-not-positive", f"item {where} has weight {weight:g}: not above 0"


def channel_codes(raw: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(indicator, channel) for every channel a shadow definition's indicators name: the
    loader checks them against platforms.yaml, which this file cannot see."""
    return [
        (str(indicator.get("code") or "?"), code)
        for indicator in _entries(raw.get("indicators"))
        for code in _strings(indicator.get("channels"))
    ]


def _number(value: Any) -> float | None:
    """A number from the file, or None for anything else (the schema reports that)."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if numeric else None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _entries(value: Any) -> list[Mapping[str, Any]]:
    return [e for e in value if isinstance(e, Mapping)] if isinstance(value, list) else []
