"""The import rules of docs/architecture.md, checked by reading the source.

Every module under `fieldwork/` is parsed with `ast` (migration version files
aside: they are frozen history, not part of the layering) and every import is
read, at module level, inside functions and under `TYPE_CHECKING` alike. Nothing
is imported, so the check is fast and no import order can hide a dependency.
`test_pure_cores.py` adds a runtime probe for what reading cannot see: a
third-party library that loads Flask behind a core's back.

The tests at the end feed the same checks small packages that break each rule,
so a check that stopped finding anything would fail.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "fieldwork"
SOURCE = Path(__file__).resolve().parents[1] / PACKAGE
SKIPPED = ("migrations/versions",)

CORES = ("questionnaire", "answers", "quality", "modes")
"""Pure: definitions, answers, rules and modes as plain data and functions."""
CORES_MAY_IMPORT = (*CORES, "clock")
"""The parts of fieldwork a core may use: the other cores and the clock (a leaf)."""
SERVICES = (
    "accounts",
    "attempts",
    "audit",
    "definitions",
    "responses",
    "review",
    "exports",
    "paper",
    "shadow",
)
"""Tables and the operations on them; each takes a Session, none knows a request."""
WEB = ("web",)
CLI = ("cli", "cli_batches", "cli_paper", "cli_shadow")
"""`flask fieldwork …`: a new command module belongs here."""
GLUE = (PACKAGE, "catalog")
"""The app factory (`fieldwork/__init__.py`) and what web and CLI share to find definitions."""

FLASK = ("flask", "flask_*", "werkzeug")
DATABASE = ("sqlmodel", "sqlalchemy", "alembic")
FORMS = ("wtforms",)


@dataclass(frozen=True)
class Import:
    """One import statement's target, as a module name, and where it was written."""

    source: str
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}"


Graph = Mapping[str, Sequence[Import]]
"""Every module of the package by dotted name, with the imports written in it."""


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Dotted module names of every source file under `root`, skipped folders aside."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if any(relative.as_posix().startswith(f"{skip}/") for skip in SKIPPED):
            continue
        parts = [package, *relative.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def read_graph(root: Path = SOURCE, package: str = PACKAGE) -> dict[str, list[Import]]:
    modules = module_names(root, package)
    return {name: list(_imports(name, path, modules)) for name, path in sorted(modules.items())}


def _imports(name: str, path: Path, modules: Mapping[str, Path]) -> Iterator[Import]:
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, _known(alias.name, modules), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(name, is_package, node.level, node.module)
            for alias in node.names:
                # `from fieldwork import catalog` imports the module fieldwork.catalog.
                child = f"{base}.{alias.name}"
                yield Import(name, child if child in modules else base, node.lineno)


def _absolute(name: str, is_package: bool, level: int, module: str | None) -> str:
    if level == 0:
        return module or ""
    parts = name.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (level - 1)]
    return ".".join([*anchor, module] if module else anchor)


def _known(target: str, modules: Mapping[str, Path]) -> str:
    """The longest prefix of `import a.b.c` that is one of ours, or the name as written."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return target


def unit(module: str, package: str = PACKAGE) -> str:
    """The top-level part a module belongs to: `fieldwork.web.survey` → `web`;
    the package's own `__init__` is `fieldwork`; another library is its top name."""
    parts = module.split(".")
    if parts[0] != package:
        return parts[0]
    return parts[1] if len(parts) > 1 else package


def _matches(name: str, patterns: Iterable[str]) -> bool:
    return any(
        name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern
        for pattern in patterns
    )


def ours(target: str, package: str = PACKAGE) -> bool:
    return target == package or target.startswith(f"{package}.")


def forbidden_units(
    graph: Graph,
    sources: Iterable[str],
    *,
    allowed: Iterable[str] | None = None,
    refused: Iterable[str] = (),
    package: str = PACKAGE,
) -> list[str]:
    """Imports from modules of `sources` into other parts of the package that are outside
    `allowed` (when given) or inside `refused`."""
    chosen, refused_set = set(sources), set(refused)
    allowed_set = set(allowed) if allowed is not None else None
    found = []
    for imports in graph.values():
        for edge in imports:
            source = unit(edge.source, package)
            if source not in chosen or not ours(edge.target, package):
                continue
            target = unit(edge.target, package)
            if target == source:
                continue
            if target in refused_set or (allowed_set is not None and target not in allowed_set):
                found.append(str(edge))
    return found


def forbidden_libraries(
    graph: Graph, sources: Iterable[str], libraries: Iterable[str], *, package: str = PACKAGE
) -> list[str]:
    """Imports of `libraries` by modules of `sources`, directly or through a chain of the
    package's other modules (a service that imports `fieldwork.db` imports Flask).

    Every direct import is listed; through a chain, the shortest one per library. Chains
    do not pass through modules of `sources`: those are checked in their own right.
    """
    chosen, patterns = set(sources), tuple(libraries)
    found = []
    for start in sorted(graph):
        if unit(start, package) not in chosen:
            continue
        reached: set[str] = set()
        for chain, edge in _reachable_imports(graph, start, chosen, package):
            library = unit(edge.target, package)
            if ours(edge.target, package) or not _matches(library, patterns):
                continue
            if not chain:
                found.append(str(edge))
            elif library not in reached:
                reached.add(library)
                found.append(f"{' → '.join(chain)} → {edge}")
    return found


def _reachable_imports(
    graph: Graph, start: str, skipped: set[str], package: str
) -> Iterator[tuple[list[str], Import]]:
    """Each import of `start` and of every module of ours it reaches outside the `skipped`
    parts, nearest first, with the chain of modules that leads from `start` to the
    importing one (empty for `start` itself)."""
    seen, queue = {start}, [(start, list[str]())]
    while queue:
        module, chain = queue.pop(0)
        for edge in graph.get(module, ()):
            yield chain, edge
            target = edge.target
            if not ours(target, package) or target in seen or target not in graph:
                continue
            if unit(target, package) not in skipped:
                seen.add(target)
                queue.append((target, [*chain, module]))


def package_cycles(graph: Graph, package: str = PACKAGE) -> list[list[str]]:
    """Groups of the package's top-level parts that import one another, each as a cycle."""
    edges: dict[str, set[str]] = {}
    for imports in graph.values():
        for edge in imports:
            source, target = unit(edge.source, package), unit(edge.target, package)
            edges.setdefault(source, set())
            if ours(edge.target, package) and source != target:
                edges[source].add(target)
    return [_cycle_in(group, edges) for group in _strongly_connected(edges) if len(group) > 1]


def _strongly_connected(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: every group of nodes that reach one another."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for following in sorted(edges.get(node, ())):
            if following not in index:
                visit(following)
                low[node] = min(low[node], low[following])
            elif following in stack:
                low[node] = min(low[node], index[following])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def _cycle_in(group: list[str], edges: Mapping[str, set[str]]) -> list[str]:
    """One cycle through the first part of a group, to show in a failure: a → b → a."""
    members, start = set(group), group[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for following in sorted(edges.get(node, set()) & members):
            if following == start:
                return [*paths[node], start]
            if following not in paths:
                paths[following] = [*paths[node], following]
                queue.append(following)
    return group


# The rules, each a function of a graph so the same code checks the package and the
# broken examples below.

Rule = Callable[[Graph], list[str]]


def core_libraries(graph: Graph, package: str = PACKAGE) -> list[str]:
    return forbidden_libraries(graph, CORES, (*FLASK, *DATABASE, *FORMS), package=package)


def core_parts(graph: Graph, package: str = PACKAGE) -> list[str]:
    return forbidden_units(graph, CORES, allowed=CORES_MAY_IMPORT, package=package)


def service_libraries(graph: Graph, package: str = PACKAGE) -> list[str]:
    return forbidden_libraries(graph, SERVICES, (*FLASK, *FORMS), package=package)


def service_parts(graph: Graph, package: str = PACKAGE) -> list[str]:
    return forbidden_units(graph, SERVICES, refused=(*WEB, *CLI, *GLUE), package=package)


def cli_imports_web(graph: Graph, package: str = PACKAGE) -> list[str]:
    return forbidden_units(graph, CLI, refused=WEB, package=package)


def web_imports_cli(graph: Graph, package: str = PACKAGE) -> list[str]:
    return forbidden_units(graph, WEB, refused=CLI, package=package)


def assert_none(found: list[str]) -> None:
    """Fail listing every violation, one per line."""
    assert not found, "\n".join(["", *found])


@pytest.fixture(scope="module")
def graph() -> dict[str, list[Import]]:
    return read_graph()


def test_the_reader_sees_every_module_and_imports_inside_functions(graph: Graph) -> None:
    assert {"fieldwork.web.survey", "fieldwork.questionnaire.loader", "fieldwork.cli"} <= set(graph)
    assert not [name for name in graph if ".migrations.versions" in name]
    # create_app imports the web and the CLI inside the function, and only there.
    assert {"fieldwork.web", "fieldwork.cli"} <= {edge.target for edge in graph["fieldwork"]}


def test_pure_cores_import_no_flask_database_or_forms(graph: Graph) -> None:
    assert_none(core_libraries(graph))


def test_pure_cores_import_only_other_cores_and_the_clock(graph: Graph) -> None:
    assert_none(core_parts(graph))


def test_services_import_no_flask_or_forms(graph: Graph) -> None:
    assert_none(service_libraries(graph))


def test_services_import_no_entry_point_or_glue(graph: Graph) -> None:
    assert_none(service_parts(graph))


def test_no_import_cycles_between_packages(graph: Graph) -> None:
    assert_none([" → ".join(cycle) for cycle in package_cycles(graph)])


def test_web_imports_nothing_of_the_cli(graph: Graph) -> None:
    assert_none(web_imports_cli(graph))


def _cli_imports_web_from(graph: Graph, part: str) -> list[str]:
    module = f"{PACKAGE}.{part}"
    found = cli_imports_web(graph)
    return [line for line in found if line.startswith((f"{module}:", f"{module}."))]


@pytest.mark.parametrize("part", CLI)
def test_cli_imports_nothing_of_the_web(graph: Graph, part: str) -> None:
    assert_none(_cli_imports_web_from(graph, part))


# Each rule, fed a small package that breaks it, must say so.


def _package(root: Path, files: Mapping[str, str]) -> dict[str, list[Import]]:
    """A package `fieldwork` under `root` with the given modules (every folder a package)."""
    source = root / PACKAGE
    for name, text in {"__init__.py": "", **files}.items():
        path = source / name
        for folder in [path.parent, *path.parent.parents]:
            if folder == root:
                break
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
    return read_graph(source)


BROKEN = [
    pytest.param(
        core_libraries,
        {"questionnaire/loader.py": "def f():\n    import flask\n"},
        "fieldwork.questionnaire.loader:2 imports flask",
        id="core-imports-flask-inside-a-function",
    ),
    pytest.param(
        core_libraries,
        {
            "answers/__init__.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from sqlmodel import Session\n"
        },
        "fieldwork.answers:3 imports sqlmodel",
        id="core-imports-sqlmodel-for-typing",
    ),
    pytest.param(
        core_libraries,
        {"modes.py": "import flask_babel\n"},
        "fieldwork.modes:1 imports flask_babel",
        id="core-imports-a-flask-extension",
    ),
    pytest.param(
        core_libraries,
        {"quality/rules/base.py": "from ...clock import now\n", "clock.py": "import wtforms\n"},
        "fieldwork.quality.rules.base → fieldwork.clock:1 imports wtforms",
        id="core-reaches-forms-through-an-allowed-module",
    ),
    pytest.param(
        core_parts,
        {"quality/flags.py": "from fieldwork.responses import models\n", "responses/models.py": ""},
        "fieldwork.quality.flags:1 imports fieldwork.responses.models",
        id="core-imports-a-service",
    ),
    pytest.param(
        core_parts,
        {"questionnaire/model.py": "from .. import catalog\n", "catalog.py": ""},
        "fieldwork.questionnaire.model:1 imports fieldwork.catalog",
        id="core-imports-glue-relatively",
    ),
    pytest.param(
        service_libraries,
        {"exports/service.py": "from flask import current_app\n"},
        "fieldwork.exports.service:1 imports flask",
        id="service-imports-flask",
    ),
    pytest.param(
        service_libraries,
        {"paper/service.py": "from fieldwork import db\n", "db.py": "from flask import g\n"},
        "fieldwork.paper.service → fieldwork.db:1 imports flask",
        id="service-reaches-flask-through-db",
    ),
    pytest.param(
        service_parts,
        {
            "review/service.py": "def f():\n    from fieldwork.web import dates\n",
            "web/dates.py": "",
        },
        "fieldwork.review.service:2 imports fieldwork.web.dates",
        id="service-imports-the-web",
    ),
    pytest.param(
        service_parts,
        {"shadow/service.py": "import fieldwork.catalog\n", "catalog.py": ""},
        "fieldwork.shadow.service:1 imports fieldwork.catalog",
        id="service-imports-the-catalog",
    ),
    pytest.param(
        service_parts,
        {"responses/service.py": "from fieldwork import cli_batches\n", "cli_batches.py": ""},
        "fieldwork.responses.service:1 imports fieldwork.cli_batches",
        id="service-imports-the-cli",
    ),
    pytest.param(
        cli_imports_web,
        {"cli_batches.py": "from fieldwork.web.dates import day\n", "web/dates.py": ""},
        "fieldwork.cli_batches:1 imports fieldwork.web.dates",
        id="cli-imports-the-web",
    ),
    pytest.param(
        web_imports_cli,
        {"web/batches.py": "from fieldwork import cli\n", "cli.py": ""},
        "fieldwork.web.batches:1 imports fieldwork.cli",
        id="web-imports-the-cli",
    ),
]


@pytest.mark.parametrize(("rule", "files", "expected"), BROKEN)
def test_each_rule_catches_a_package_that_breaks_it(
    tmp_path: Path, rule: Rule, files: Mapping[str, str], expected: str
) -> None:
    assert rule(_package(tmp_path, files)) == [expected]


def test_a_cycle_between_packages_is_caught_even_through_a_function(tmp_path: Path) -> None:
    graph = _package(
        tmp_path,
        {
            "review/service.py": "from fieldwork.exports import service\n",
            "exports/service.py": "from fieldwork.responses import models\n",
            "responses/models.py": "def f():\n    import fieldwork.review.service\n",
        },
    )
    assert package_cycles(graph) == [["exports", "responses", "review", "exports"]]


def test_imports_within_one_package_are_no_cycle(tmp_path: Path) -> None:
    graph = _package(
        tmp_path,
        {
            "web/__init__.py": "from fieldwork.web import survey\n",
            "web/survey.py": "from . import fields\n",
            "web/fields.py": "",
        },
    )
    assert package_cycles(graph) == []


def test_migration_versions_are_not_read(tmp_path: Path) -> None:
    graph = _package(tmp_path, {"migrations/versions/0001_initial.py": "import flask\n"})
    assert "fieldwork.migrations.versions.0001_initial" not in graph
