"""The package layout: one folder per stage, imports only pointing down the stack."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "reporter"
# Low to high: a module may import its own level and the levels below it, never above.
LEVELS = [
    {"errors", "rules", "options", "slugs", "palette", "digest"},  # shared basics
    {"input"}, {"analysis"}, {"observe"}, {"charts"}, {"vega"}, {"pages"}, {"output"}, {"product"},
    {"integrations"}, {"report", "site", "diff_report", "timeline_report"},
    {"cli", "__main__", "config", "serve", "completion"},
]
TOP_LEVEL = set().union(*LEVELS) | {"__init__"}


def unit(module: str) -> str:
    """The stage (sub-package) or top-level module a dotted module name under reporter belongs to."""
    name = module.split(".")[1] if module.count(".") else "__init__"
    return name if name in TOP_LEVEL else "__init__"  # reporter.__version__ and the like: the package itself


def level(name: str) -> int:
    """The index of a unit in LEVELS."""
    return next(i for i, names in enumerate(LEVELS) if name in names)


def imports(path: Path) -> set[str]:
    """Every reporter module a file imports, as absolute dotted names."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    here = list(rel.parts) if rel.name == "__init__" else list(rel.parts[:-1])
    here = [p for p in here if p != "__init__"]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            found |= {target} if node.module else {f"{target}.{a.name}" for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reporter"):
            found.add(node.module)
    return {f for f in found if f.startswith("reporter.") and f.count(".") >= 1}


def test_top_level_holds_only_pipelines_cli_and_basics():
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert modules <= TOP_LEVEL, modules - TOP_LEVEL
    assert folders == {"input", "analysis", "observe", "charts", "pages", "output", "integrations", "vega"}


def test_imports_point_down_the_stack():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        mine = unit("reporter." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        if mine == "__init__":
            continue  # the package's lazy attributes reach the pipelines on purpose
        for target in imports(path):
            theirs = unit(target)
            if theirs != "__init__" and level(theirs) > level(mine):
                upward.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert upward == []


def module_of(path: Path) -> str:
    """The dotted module name of a file under reporter (a package's __init__ named for the package)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_graph() -> dict[str, set[str]]:
    """Each module -> the modules of its own stage it imports, function-level imports included."""
    files = {module_of(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        found = {t if t in files else t.rpartition(".")[0] for t in imports(path)}
        graph[name] = {t for t in found if t in files and t != name and unit(t) == unit(name) != "__init__"}
    return graph


def circles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index, low, stack, found = {}, {}, [], set()

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while not group or group_top != v:
                group_top = stack.pop()
                group.add(group_top)
            if len(group) > 1:
                found.add(frozenset(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_circle_finder_finds_a_circle_and_only_it():
    graph = {"a": {"b"}, "b": {"a", "c"}, "c": set(), "d": {"c"}}
    assert circles(graph) == {frozenset({"a", "b"})}


# Circles inside a stage that are known and not yet broken (issue 26): the list may only shrink.
KNOWN_CIRCLES = {
    frozenset({"reporter.input.scores.scores", "reporter.input.scores.suggest"}),
    frozenset({"reporter.input.checks.validate", "reporter.input.load", "reporter.input.sources.dataset",
               "reporter.input.sources.engines", "reporter.input.sources.read"}),
    frozenset({"reporter.charts.timeline", "reporter.charts.timeline_counts", "reporter.charts.timeline_depth",
               "reporter.charts.timeline_heatmaps", "reporter.charts.timeline_jaccard", "reporter.charts.timeline_steps"}),
}
# Folders past 12 modules not yet split (issue 26): the list may only shrink.
KNOWN_CROWDED = {"charts": 20}


def test_no_import_circle_inside_a_stage():
    assert circles(stage_graph()) == KNOWN_CIRCLES


def test_no_folder_holds_more_than_12_modules():
    crowded = {}
    for folder in [PACKAGE, *(p.parent for p in PACKAGE.rglob("__init__.py"))]:
        count = len([p for p in folder.glob("*.py") if p.name != "__init__.py"])
        if count > 12 and folder != PACKAGE:
            crowded[str(folder.relative_to(PACKAGE))] = count
    assert crowded == KNOWN_CROWDED
