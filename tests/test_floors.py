"""The floors job of .ci/run installs exactly the lowest versions pyproject.toml declares."""

from __future__ import annotations

import re

from conftest import ROOT

REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)\s*(>=|==)\s*([0-9][^;\s]*)\s*(;.*)?$")


def requirements(lines) -> dict[str, tuple[str, str, str]]:
    """{name: (operator, version, marker)} of requirement lines, comments and blanks left out."""
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            name, op, version, marker = REQUIREMENT.match(line).groups()
            found[name.lower()] = (op, same_release(version), " ".join((marker or "").replace("'", '"').split()))
    return found


def same_release(version: str) -> str:
    """A version without trailing .0 parts: 2.1.0 and 2.1 are the same release."""
    return re.sub(r"(\.0)+$", "", version)


def declared() -> dict[str, tuple[str, str, str]]:
    """pyproject.toml's core dependencies."""
    text = (ROOT / "pyproject.toml").read_text()
    block = text.split("\ndependencies = [", 1)[1].split("\n]", 1)[0]
    return requirements(re.findall(r'^\s*"([^"]+)",', block, flags=re.M))


def test_floors_pin_every_core_dependency_at_its_declared_lowest_version():
    floors = requirements((ROOT / "constraints" / "floors.txt").read_text().splitlines())
    assert {name: (">=", v, m) for name, (_, v, m) in floors.items()} == declared()
    assert all(op == "==" for op, _, _ in floors.values())


def test_vl_convert_floor_has_the_function_the_bundle_cache_needs():
    # 1.6 has no get_vega_embed_version (reporter/pages/assets.py names the cached bundle with it).
    assert declared()["vl-convert-python"][1] == "1.7"
