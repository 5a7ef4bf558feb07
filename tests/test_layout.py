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
