"""Read definition files: YAML → shape (JSON Schema) → meaning (checks) → frozen model.

Every step reports problems instead of raising, so `flask fieldwork check`
lists all of them at once. A file with any problem yields no questionnaire.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from fieldwork.questionnaire import checks, conditions, shadow
from fieldwork.questionnaire.model import (
    ANSWERS,
    SPECIAL_ANSWERS,
    Choice,
    Consistency,
    Question,
    Questionnaire,
    Section,
    Segmentation,
    SegmentRule,
)
from fieldwork.questionnaire.platforms import Platforms, platforms_of
from fieldwork.questionnaire.problems import Problem
from fieldwork.questionnaire.segments import Segment
from fieldwork.questionnaire.types import TYPES

SCHEMA_FILE = "schema.json"
# The format is the code's: every folder is checked against the shipped schema. A folder
# may hold a copy for editors, but one missing or out of date changes nothing.
SCHEMA = Path(__file__).resolve().parents[2] / "questionnaires" / SCHEMA_FILE
SEGMENTS_FILE = "segments.yaml"
PLATFORMS_FILE = "platforms.yaml"
CATALOGUES = (SEGMENTS_FILE, PLATFORMS_FILE)
"""Files of the folder that are catalogues, not definitions."""
MAX_FILE_BYTES = 2 * 1024 * 1024
# Aliases let a file of a few hundred bytes stand for a billion values (and one alias
# inside its own anchor, for an endless one), which checking then tried to walk for ever.
# Limits on the document as written out in full: the shipped questionnaire has about
# 1,700 values, nested 9 deep.
MAX_NODES = 200_000
MAX_DEPTH = 64

DefinitionCheck = Callable[[Mapping[str, Any]], list[tuple[str, str, str]]]
"""A check of a whole definition that this package does not own (the quality rules'
settings): (where, check code, message) for each problem. The caller passes them in,
so the questionnaire core depends on nothing that depends on it."""


@dataclass
class Catalog:
    """What a folder of definitions holds: questionnaires and shadow-test definitions by
    id, segments, platforms and their channels, and problems."""

    questionnaires: dict[str, Questionnaire] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    shadows: dict[str, shadow.ShadowDefinition] = field(default_factory=dict)
    platforms: Platforms = field(default_factory=Platforms)

    def segment(self, code: str) -> Segment | None:
        return next((s for s in self.segments if s.code == code), None)

    def stored(self) -> list[Questionnaire]:
        """What `flask fieldwork load` stores as versions: the questionnaires, and each
        shadow definition as its checklist, which shadow tests' responses answer."""
        return [*self.questionnaires.values(), *(d.questionnaire for d in self.shadows.values())]


def load_directory(directory: Path, extra_checks: Sequence[DefinitionCheck] = ()) -> Catalog:
    """Load every questionnaire, shadow definition, the segments and the platforms in
    `directory`, checking each, also with `extra_checks`."""
    catalog = Catalog()
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    raws: dict[str, Mapping[str, Any]] = {}
    files: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name in CATALOGUES:
            continue
        raw, problems = read_definition(path, schema, extra_checks)
        catalog.problems += problems
        if raw is None:
            continue
        if raw["id"] in raws:
            catalog.problems.append(
                Problem(
                    path.name, "-", "duplicate-id", f"questionnaire id {raw['id']} is used twice"
                )
            )
            continue
        raws[raw["id"]] = raw
        files[raw["id"]] = path.name
        if problems:
            continue
        if raw.get("kind") == shadow.SHADOW:
            catalog.shadows[raw["id"]] = shadow.build(raw, content_hash(raw))
        else:
            catalog.questionnaires[raw["id"]] = build(raw)
    segments_path = directory / SEGMENTS_FILE
    if segments_path.exists():
        catalog.segments, problems = read_segments(segments_path, raws)
        catalog.problems += problems
    platforms_path = directory / PLATFORMS_FILE
    if platforms_path.exists():
        catalog.platforms, problems = read_platforms(platforms_path)
        catalog.problems += problems
        for qid, raw in raws.items():
            unknown = _unknown_channels(files[qid], raw, catalog.platforms)
            if unknown:
                catalog.problems += unknown
                catalog.shadows.pop(qid, None)
    return catalog


def read_definition(
    path: Path, schema: Mapping[str, Any], extra_checks: Sequence[DefinitionCheck] = ()
) -> tuple[Mapping[str, Any] | None, list[Problem]]:
    """Parse and check one questionnaire file; the raw mapping is returned if it parsed."""
    raw, problem = read_yaml(path)
    if raw is None:
        return None, [problem] if problem else []
    problems = [
        Problem(
            path.name, _locate(raw, list(error.absolute_path)), "schema", _schema_message(error)
        )
        for error in Draft202012Validator(schema).iter_errors(raw)
        if not _is_type_error(raw, list(error.absolute_path))
    ]
    if not isinstance(raw.get("id"), str):
        return None, problems or [Problem(path.name, "-", "schema", "the file has no id")]
    problems += [Problem(path.name, where, code, msg) for where, code, msg in checks.run(raw)]
    for extra in extra_checks:
        problems += [Problem(path.name, where, code, msg) for where, code, msg in extra(raw)]
    return raw, _unique(problems)


def read_yaml(path: Path) -> tuple[dict[str, Any] | None, Problem | None]:
    name = path.name
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        return None, Problem(name, "-", "too-big", f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        raw = yaml.load(data.decode("utf-8"), Loader=_BoundedLoader)  # noqa: S506 (a SafeLoader)
    except UnicodeDecodeError:
        return None, Problem(name, "-", "encoding", "file is not valid UTF-8")
    except _TooBig as error:
        return None, Problem(name, "-", "too-big", str(error))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        return None, Problem(name, "-", "yaml", f"not valid YAML{line}: {error}")
    if not isinstance(raw, dict):
        return None, Problem(name, "-", "yaml", "the file must hold a mapping")
    return raw, None


class _TooBig(Exception):
    """The document, written out in full, is larger or deeper than any definition needs."""


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a document too deep or too large once its aliases
    are expanded, before anything walks it."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        # Composing is recursive: a few thousand nested brackets overflowed Python's stack.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooBig(f"values are nested more than {MAX_DEPTH} deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> Any:
        node = super().get_single_node()
        if node is not None:
            _check_expanded(node)
        return node


def _check_expanded(root: yaml.Node) -> None:
    """Refuse a node graph that, with every alias written out, has more than MAX_NODES
    values, is nested more than MAX_DEPTH deep, or contains itself."""
    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) in full
    open_nodes: set[int] = set()  # on the path being walked: meeting one again is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        children = _children(node)
        if children_done:
            size = 1 + sum(measured[id(child)][0] for child in children)
            depth = 1 + max((measured[id(child)][1] for child in children), default=0)
            if size > MAX_NODES:
                raise _TooBig(f"the file stands for more than {MAX_NODES} values")
            if depth > MAX_DEPTH:
                raise _TooBig(f"values are nested more than {MAX_DEPTH} deep")
            measured[id(node)] = (size, depth)
            open_nodes.discard(id(node))
            continue
        if id(node) in measured:
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise _TooBig("an alias refers to a value that contains it")
            if id(child) not in measured:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _locate(raw: Mapping[str, Any], path: list[Any]) -> str:
    """The question (or section) code a schema error sits in, "segments", "quality" or
    "consistency" for those blocks, or "-"."""
    if path[:1] in (["segments"], ["quality"], ["consistency"]):
        return str(path[0])
    try:
        if path[:1] == ["sections"] and len(path) >= 2:
            section = raw["sections"][path[1]]
            if path[2:3] == ["questions"] and len(path) >= 4:
                return str(section["questions"][path[3]].get("code", "?"))
            return str(section.get("code", "?"))
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return "-"


def _is_type_error(raw: Mapping[str, Any], path: list[Any]) -> bool:
    """Errors under a question whose type is unknown: the checks report that better."""
    if len(path) < 4 or path[0] != "sections" or path[2] != "questions":
        return False
    try:
        question = raw["sections"][path[1]]["questions"][path[3]]
        return question.get("type") not in TYPES
    except (KeyError, IndexError, TypeError, AttributeError):
        return False


def _schema_message(error: Any) -> str:
    where = "/".join(str(p) for p in error.absolute_path if not isinstance(p, int))
    return f"{where}: {error.message}" if where else str(error.message)


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def content_hash(raw: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build(raw: Mapping[str, Any]) -> Questionnaire:
    """The frozen model of a definition that passed every check: a shadow definition's
    is its checklist (`ShadowDefinition.questionnaire`)."""
    if raw.get("kind") == shadow.SHADOW:
        return shadow.build(raw, content_hash(raw)).questionnaire
    sections = tuple(
        Section(
            code=s["code"],
            title=s["title"],
            questions=tuple(_question(q, s["code"]) for q in s["questions"]),
        )
        for s in raw["sections"]
    )
    return Questionnaire(
        id=raw["id"],
        version=str(raw["version"]),
        kind=raw.get("kind", "survey"),
        languages=tuple(raw["languages"]),
        title=raw["title"],
        description=raw.get("description") or raw["title"],
        segmentation=segmentation(raw.get("segments")),
        sections=sections,
        content_hash=content_hash(raw),
        definition=json.loads(json.dumps(raw, default=str)),
        consistency=tuple(
            Consistency(
                c["code"], tuple(map(conditions.parse, c["cannot_all_hold"])), c["explanation"]
            )
            for c in raw.get("consistency") or ()
        ),
    )


def segmentation(raw: Any) -> Segmentation:
    """How a checked definition finds its segment. A plain list of codes is how definitions
    stored before `segments:` said so read: derived, by the current version's rules."""
    if not isinstance(raw, Mapping):
        return Segmentation(ANSWERS, (), tuple(raw or ()))
    rules = tuple(
        SegmentRule(r["segment"], conditions.parse(r["if"]) if "if" in r else None)
        for r in raw.get("rules") or ()
    )
    offered = tuple(raw.get("offer") or (r.code for r in rules))
    return Segmentation(raw["from"], rules, offered)


def _question(raw: Mapping[str, Any], section: str) -> Question:
    options = {k: v for k, v in raw.items() if k not in checks.COMMON_KEYS and k != "choices"}
    return Question(
        code=raw["code"],
        type=raw["type"],
        text=raw["text"],
        section=section,
        hint=raw.get("hint"),
        required=bool(raw.get("required", False)),
        allow=tuple(SPECIAL_ANSWERS[name] for name in raw.get("allow") or ()),
        show_if=conditions.parse(raw["show_if"]) if "show_if" in raw else None,
        tags=dict(raw.get("tags") or {}),
        choices=tuple(
            Choice(
                value=c["value"],
                label=c["label"],
                code=int(c.get("code", position)),
                exclusive=bool(c.get("exclusive", False)),
            )
            for position, c in enumerate(raw.get("choices") or (), start=1)
        ),
        options=options,
    )


def read_segments(
    path: Path, questionnaires: Mapping[str, Mapping[str, Any]]
) -> tuple[list[Segment], list[Problem]]:
    """Parse segments.yaml, and check that every segment a questionnaire names is in it."""
    raw, problem = read_yaml(path)
    if raw is None:
        return [], [problem] if problem else []
    items = raw.get("segments")
    if not isinstance(items, list) or not items:
        return [], [Problem(path.name, "-", "segments", "segments must be a non-empty list")]
    problems: list[Problem] = []
    segments: list[Segment] = []
    codes = [item.get("code") for item in items if isinstance(item, Mapping)]
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("code"), str):
            problems.append(Problem(path.name, "-", "segments", "every segment needs a code"))
            continue
        code = item["code"]
        if codes.count(code) > 1:
            problems.append(
                Problem(path.name, code, "duplicate-code", f"segment {code} is used twice")
            )
        for lang in _languages(questionnaires):
            for key in ("label", "description"):
                text = item.get(key)
                missing = not isinstance(text, Mapping) or not str(text.get(lang) or "").strip()
                if missing and (key == "label" or text is not None):
                    problems.append(
                        Problem(path.name, code, "missing-translation", f"{key} has no {lang} text")
                    )
        display = item.get("default_display")
        if display is not None and not isinstance(display, Mapping):
            problems.append(
                Problem(path.name, code, "segments", "default_display must be a mapping")
            )
        if "derive_if" in item:
            problems.append(
                Problem(
                    path.name,
                    code,
                    "segments",
                    "derive_if moved into each questionnaire: list it under the "
                    "questionnaire's segments: rules",
                )
            )
        segments.append(
            Segment(
                code=code,
                label=item.get("label") or {},
                description=item.get("description"),
                default_display=dict(display) if isinstance(display, Mapping) else {},
            )
        )
    for qid, q in questionnaires.items():
        for code in checks.segment_codes(q):
            if code not in codes:
                problems.append(
                    Problem(path.name, code, "segments", f"{qid} names unknown segment {code}")
                )
    return segments, problems


def read_platforms(path: Path) -> tuple[Platforms, list[Problem]]:
    """Parse and check platforms.yaml: the platforms and the channels each offers."""
    raw, problem = read_yaml(path)
    if raw is None:
        return Platforms(), [problem] if problem else []
    found, problems = platforms_of(raw)
    return found, [Problem(path.name, where, code, msg) for where, code, msg in problems]


def _unknown_channels(name: str, raw: Mapping[str, Any], found: Platforms) -> list[Problem]:
    """A shadow definition's indicators may only name channels platforms.yaml lists."""
    if not found.channels:
        return []  # platforms.yaml has problems of its own, reported already
    known = {channel.code for channel in found.channels}
    return [
        Problem(
            name,
            where,
            "unknown-channel",
            f"indicator {where} names channel {code}, which platforms.yaml does not list",
        )
        for where, code in shadow.channel_codes(raw)
        if code not in known
    ]


def _languages(questionnaires: Mapping[str, Mapping[str, Any]]) -> list[str]:
    langs: dict[str, None] = {}
    for q in questionnaires.values():
        for lang in checks.items(q.get("languages")):
            if isinstance(lang, str):
                langs[lang] = None
    return list(langs)
