"""Resource limits: absurd shapes and tables stop with a message before anything is allocated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bs4 import BeautifulSoup

import reporter
from reporter.errors import InputError
from reporter.charts.vega_safe import CUT
from reporter.input.checks.limits import MAX_CATEGORIES, MAX_HEADS_TOTAL, MAX_LAYERS, MAX_MODELS, MAX_NAME_LENGTH


def table(rows):
    return pd.DataFrame(rows, columns=["layer", "head", "category"])


def test_huge_layer_index_in_a_file(cli, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("layer,head,category\n0,0,A\n1000000000,3,A\n")
    out = tmp_path / "site"
    r = cli("build", str(path), "-o", str(out))
    assert r.returncode == 2
    assert r.stderr == (
        "reporter: error: the model shape has 1,000,000,001 layers, more than the 4,096 reporter handles; "
        "check the layer column or --layers (indexes are 0-based) (see docs/limits.md)\n"
    )
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_huge_head_index():
    with pytest.raises(InputError, match=r"^the model shape has 1,000,000,001 heads per layer, more than the 4,096"):
        reporter.build(table([(0, 10**9, "A")]), formats=())


def test_shape_from_flags_is_checked(cli, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("layer,head,category\n0,0,A\n")
    r = cli("build", str(path), "-o", str(tmp_path / "site"), "--layers", "4096", "--heads", "4096")
    assert r.returncode == 2
    assert r.stderr == (
        "reporter: error: the model shape 4,096x4,096 has 16,777,216 heads, more than the 65,536 reporter "
        "handles; check --layers/--heads or the indexes (see docs/limits.md)\n"
    )


def test_shape_from_metadata_is_checked(tmp_path):
    path = tmp_path / "t.parquet"
    arrow = pa.Table.from_pandas(table([(0, 0, "A")]), preserve_index=False)
    pq.write_table(arrow.replace_schema_metadata({"n_layers": "0", "n_heads": "8"}), path)
    # The metadata check names where the shape came from, so it speaks before the general limit.
    with pytest.raises(InputError, match=r"^the file's metadata says 0x8 heads; fix it or pass layers=/heads=$"):
        reporter.build(path, formats=())


def test_index_beyond_int64():
    with pytest.raises(InputError, match=r"^column 'layer' holds a number too large to be an index; fix that column$"):
        reporter.build(table([(1e20, 0, "A")]), formats=())
    head_ids = pd.DataFrame({"head_id": ["L99999999999999999999H0"], "category": ["A"]})
    with pytest.raises(InputError, match=r"^column 'head_id' holds a number too large to be an index; fix that column$"):
        reporter.build(head_ids, formats=())


def test_largest_shape_allowed_builds():
    n_layers, n_heads = MAX_LAYERS, MAX_HEADS_TOTAL // MAX_LAYERS
    report = reporter.build(table([(n_layers - 1, n_heads - 1, "A")]), formats=())
    assert (report.table.n_layers, report.table.n_heads) == (4096, 16)
    totals = report.summary["totals"]
    assert {k: totals[k] for k in ("heads", "classified", "unclassified", "multi_category")} == {"heads": 65_536, "classified": 1, "unclassified": 65_535, "multi_category": 0}


def test_too_many_categories_and_the_way_out():
    rows = [(i % 8, i % 4, f"c{i:03d}") for i in range(MAX_CATEGORIES + 1)]
    with pytest.raises(InputError, match=r"^the table has 65 categories, more than the 64 a report can show; merge"):
        reporter.build(table(rows), formats=())
    report = reporter.build(table(rows), categories="c000,c001", formats=())
    assert report.table.categories == ("c000", "c001")


def test_more_than_20_categories_build():
    rows = [(i % 8, i % 4, f"c{i:02d}") for i in range(40)]
    report = reporter.build(table(rows), formats=())
    assert len(report.summary["categories"]) == 40
    # One row per category in the category table (the data tables behind the figures have rows of their own).
    rows = BeautifulSoup(report.to_html(), "html.parser").select("#categories table th[scope=row]")
    assert [th.get_text(strip=True) for th in rows] == [f"c{i:02d}" for i in range(40)]


def test_name_length_limit():
    ok = "x" * MAX_NAME_LENGTH
    assert reporter.build(table([(0, 0, ok)]), formats=()).table.categories == (ok,)
    with pytest.raises(InputError, match=r"^a category name is 257 characters long, more than 256; shorten it"):
        reporter.build(table([(0, 0, ok + "y")]), formats=())


def test_categories_without_members_count_toward_the_limit(cli, tmp_path):
    # A dense matrix per category becomes one row per head with a true/false member column: 2,000
    # categories of which one has a member are 2,000 panels to draw, not one.
    rows = [(0, 0, "A", True)] + [(0, 1, f"c{i}", False) for i in range(2000)]
    path = tmp_path / "t.csv"
    pd.DataFrame(rows, columns=["layer", "head", "category", "member"]).to_csv(path, index=False)
    message = ("the table has 2,001 categories, more than the 64 a report can show; merge categories or pick "
               "some with --categories (see docs/limits.md)")
    r = cli("build", str(path), "-o", str(tmp_path / "site"), "--formats", "")
    assert (r.returncode, r.stderr) == (2, f"reporter: error: {message}\n")
    r = cli("inspect", str(path))
    assert (r.returncode, r.stdout.splitlines()[-1]) == (2, f"problem: {message}")


def test_categories_are_counted_after_the_union_across_models():
    # 5 models of 20 categories each: every model is within the limit, the site would draw 100.
    rows = [(f"m{m}", 0, 0, f"c{m}-{i}") for m in range(5) for i in range(20)]
    with pytest.raises(InputError) as caught:
        reporter.build_site([pd.DataFrame(rows, columns=["model", "layer", "head", "category"])], formats=())
    assert str(caught.value) == ("together, the 5 tables have 100 categories, more than the 64 a report can show; "
                                 "merge categories or pick some with categories= (see docs/limits.md)")


def test_models_per_site_are_limited():
    rows = [(f"m{m}", 0, 0, "A") for m in range(MAX_MODELS + 1)]
    with pytest.raises(InputError) as caught:
        reporter.build_site([pd.DataFrame(rows, columns=["model", "layer", "head", "category"])], formats=())
    assert str(caught.value) == ("the inputs hold 17 models, more than the 16 one site shows; build several sites, "
                                 "or pick one model with model= (see docs/limits.md)")


def test_memberships_are_limited_over_the_whole_site():
    # Two models of 256 x 256 heads, each head in three categories: 196,608 memberships each, within the
    # limit of one report, 393,216 for the site.
    layer, head = divmod(np.arange(256 * 256), 256)
    one = pd.DataFrame({"layer": np.repeat(layer, 3), "head": np.repeat(head, 3),
                        "category": np.tile(["A", "B", "C"], 256 * 256)})
    with pytest.raises(InputError) as caught:
        reporter.build_site([one.assign(model="a"), one.assign(model="b")], formats=())
    assert str(caught.value) == ("the models have 393,216 distinct (layer, head, category) rows in all, more than "
                                 "the 262,144 one site handles; build several sites with fewer models "
                                 "(see docs/limits.md)")


def test_model_names_are_limited_like_category_names():
    with pytest.raises(InputError) as caught:
        reporter.build(table([(0, 0, "A")]).assign(model="M" * 100_000), formats=())
    assert str(caught.value).startswith(f"a model name is 100,000 characters long, more than {MAX_NAME_LENGTH}; ")


def test_long_model_names_are_cut_on_every_axis_of_the_overview():
    long = "M" * MAX_NAME_LENGTH
    small = table([(0, 0, "A"), (1, 1, "B"), (2, 0, "A")])
    site = reporter.build_site([small.assign(model=long), small.assign(model="short")], formats=())
    cut = f"truncate(datum.label, {CUT})"
    guides = {slug: list(model_guides(figure.spec)) for slug, figure in site.figures.items()}
    assert sorted(slug for slug, found in guides.items() if found) == ["core-windows"]
    assert all(g.get("labelExpr") == cut for found in guides.values() for g in found), guides
    # The depth profiles and the heatmaps name each model over its own panel, a title with a limit.
    for slug in ("depth-profiles", "model-heatmaps"):
        titles = [panel["title"] for panel in site.figures[slug].spec["concat"]]
        assert [t["text"][0][:3] for t in titles] == ["MMM", "sho"] and {t["limit"] for t in titles} == {260}, slug


def model_guides(node):
    """Every axis or legend of a channel that shows the model names."""
    if isinstance(node, list):
        for item in node:
            yield from model_guides(item)
    elif isinstance(node, dict):
        for channel in (node.get("encoding") or {}).values():
            if isinstance(channel, dict) and channel.get("field") == "model":
                yield channel.get("axis", channel.get("legend")) or {}
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from model_guides(value)
