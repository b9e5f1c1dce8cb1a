"""The house rules, pinned: one room per stage, data flowing one way, SQL in one place.

Read from the source with `ast`, so a rule broken in any module fails here first, with
the module and the line that broke it.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import ROOT

MAX_LINES = 400
# What each room may import from `crawler` (besides itself and the shared leaves).
# Data flows one way: schedule → fetch → parse → stories → events → store → report/alerts;
# the poll's decisions (refresh, ingest) sit above the stages they drive.
LEAVES = {
    "crawler",
    "clock",
    "config",
    "errors",
    "model",
    "untrusted",
    "urls",
    "dates",
    "text",
    "schedule",
    "files",
    "orphans",
}
ALLOWED = {
    "store": set(),
    "parse": set(),
    "stories": {"store"},
    "events": {"store", "stories"},
    "report": {"store"},
    "alerts": {"store", "report", "lock"},
    "fetch": {"refresh", "robots", "parse", "progress"},
}
SQL = re.compile(
    r"\b(?:SELECT\s.+\sFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(?:TABLE|INDEX|VIRTUAL)|PRAGMA\s+\w+|BEGIN\b|COMMIT\b)",
    re.IGNORECASE | re.DOTALL,
)


@cache
def modules() -> dict[str, Path]:
    """Every module of crawler/ and monitors/, by dotted name."""
    found = {}
    for package in ("crawler", "monitors"):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(path: Path, *, top_level_only: bool = False) -> list[tuple[int, str]]:
    """(line, module) of every `crawler`/`monitors` import; with `top_level_only`, only
    those that run when the module is imported (not inside functions or TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found += [(node.lineno, n) for n in [node.module, *names]]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] in ("crawler", "monitors")]


def resolve(name: str) -> str | None:
    """The module an imported name lives in (`crawler.store.feeds.X` → crawler.store.feeds)."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_monitors_import_nothing_from_crawler() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for module, path in modules().items()
        if module.startswith("monitors")
        for line, name in imports(path)
        if name.startswith("crawler")
    ]
    assert offences == []


# What every monitor builds on; none of it may know any one monitor.
GENERAL = ("monitors.base", "monitors.lexicon", "monitors.language")


def test_the_general_modules_of_monitors_import_no_monitors_modules() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for module, path in modules().items()
        if module.startswith(GENERAL)
        for line, name in imports(path)
        if (target := resolve(name)) and not target.startswith(GENERAL) and target != "monitors"
    ]
    assert offences == []


def test_monitor_types_are_the_modules_with_from_config() -> None:
    """No hand list: a helper module (no `from_config`) or a subpackage is no type."""
    import monitors

    types = monitors.available()
    assert {"missile_launch", "keywords"} <= set(types)
    assert not {"base", "lexicon", "launchrules", "language"} & set(types)
    for helper in ("launchrules", "language", "language.timeexpr"):
        with pytest.raises(ValueError, match="unknown monitor type"):
            monitors.build(monitors.base.MonitorConfig("m", helper, {}))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_room_imports_only_what_is_upstream(package: str) -> None:
    allowed = LEAVES | ALLOWED[package] | {package}
    offences = []
    for module, path in modules().items():
        if not module.startswith(f"crawler.{package}"):
            continue
        for line, name in imports(path):
            target = resolve(name)
            if target and target.startswith("crawler") and room(target) not in allowed:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert offences == [], f"crawler/{package}/ may use only {sorted(allowed)}"


def test_no_import_cycles() -> None:
    graph = {
        module: {
            target
            for _, name in imports(path, top_level_only=True)
            if (target := resolve(name)) and target != module
        }
        for module, path in modules().items()
    }
    # a package's __init__ importing its own submodules is how it presents them
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not (t.startswith(module + ".") and module in graph)}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append(" → ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_sql_lives_only_in_the_store() -> None:
    offences = []
    for module, path in modules().items():
        if module.startswith("crawler.store"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL.search(node.value)
            ):
                offences.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    # docstrings may mention SQL words in prose; real statements start with them
    offences = [o for o in offences if not _is_docstring(o)]
    assert offences == []


def _is_docstring(location: str) -> bool:
    path, line = location.rsplit(":", 1)
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and value.lineno == int(line):
                return True
    return False


@pytest.mark.parametrize("module", sorted(modules()))
def test_every_module_is_small_and_says_why_it_exists(module: str) -> None:
    path = modules()[module]
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{module}: over {MAX_LINES} lines"
    assert ast.get_docstring(ast.parse(text)), f"{module}: no docstring saying why it exists"


def test_the_plugin_surface_is_pinned() -> None:
    """What a monitor written outside newsmon may rely on: changing it breaks plugins."""
    import monitors
    import monitors.base

    assert sorted(monitors.__all__) == ["available", "build"]
    assert sorted(monitors.base.__all__) == [
        "ACCOUNTS",
        "Agreement",
        "ArticleView",
        "DEFAULT_IDENTITY",
        "EventTime",
        "Identity",
        "Match",
        "Monitor",
        "MonitorConfig",
        "MonitorError",
        "Parent",
        "identity_of",
    ]


def test_reading_commands_do_not_load_the_crawler() -> None:
    """`digest` runs from cron and feed readers: Scrapy, Twisted and trafilatura cost
    about 0.6 s of CPU that it must not pay."""
    probe = (
        "import sys, crawler.cli; "
        "print(sorted(m for m in ('scrapy', 'twisted', 'trafilatura', 'apprise') "
        "if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# The facts the built-in monitors produce. The engine learns what they mean from each
# monitor's `Identity` (which must agree, how each merges), so no module of crawler/
# may name one: a new monitor must never need a change outside monitors/.
MONITOR_FACTS = {
    "actor",
    "count_text",
    "missile_types",
    "launch_area",
    "landing_area",
    "distance_km",
    "altitude_km",
    "flight_seconds",
    "magnitude",
    "depth_km",
    "deaths",
    "agency",
    "aftershock",
}


def test_the_engine_names_no_monitors_fact() -> None:
    broken = []
    for name, path in modules().items():
        if not name.startswith("crawler") or ".demo" in name:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and node.value in MONITOR_FACTS
                and id(node) not in docstrings
            ):
                broken.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert not broken, "the engine names a monitor's fact:\n" + "\n".join(broken)
