"""Slugs: safe ASCII, bounded, unique; observation ids use them."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import reporter
from reporter.slugs import MAX_LENGTH, digest, slug_map, slugify

SAFE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def test_readable_names_keep_readable_slugs():
    assert slug_map(["Algorithmic", "Knowledge", "Name Mover", "Über-Köpfe"]) == {
        "Algorithmic": "algorithmic", "Knowledge": "knowledge", "Name Mover": "name-mover", "Über-Köpfe": "uber-kopfe",
    }


def test_collisions_empty_long_and_reserved_names_get_a_hash():
    taken: set[str] = set()
    assert slugify("A b", taken) == "a-b"
    assert slugify("a-b", taken) == "a-b-" + digest("a-b")[:8]
    assert re.fullmatch(r"item-[0-9a-f]{8}", slugify("日本語", taken))
    assert re.fullmatch(r"con-[0-9a-f]{8}", slugify("CON", taken))
    assert re.fullmatch(r"[x]{40}-[0-9a-f]{8}", slugify("x" * 500, taken))
    assert slugify("_private", taken) == "private" and slugify(".hidden", taken) == "hidden"
    assert slug_map(["data"], reserved={"data", "figures"})["data"].startswith("data-")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=30))
def test_slugs_are_safe_bounded_and_unique(names):
    slugs = slug_map(names)
    assert len(set(slugs.values())) == len(slugs)
    for slug in slugs.values():
        assert SAFE.match(slug) and len(slug) <= MAX_LENGTH + 12


@given(st.lists(st.text(max_size=30), max_size=10))
def test_slugs_are_deterministic(names):
    assert slug_map(names) == slug_map(list(names))


def test_observation_ids_unique_for_names_that_read_alike():
    table = pd.DataFrame([(0, 0, "A b"), (1, 0, "a-b"), (2, 0, "A_B")], columns=["layer", "head", "category"])
    report = reporter.build(table, formats=())
    ids = [o.id for o in report.observations if o.id.endswith("-few")]
    first, *others = report.table.categories  # panel order; the first keeps the plain slug
    assert first == "A b" and ids == ["a-b-few", *[f"a-b-{digest(name)[:8]}-few" for name in others]]
    assert len(set(ids)) == len(ids)
