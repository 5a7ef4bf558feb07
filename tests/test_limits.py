"""Resource limits: absurd shapes and tables stop with a message before anything is allocated."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bs4 import BeautifulSoup

import reporter
from reporter.errors import InputError
from reporter.input.limits import MAX_CATEGORIES, MAX_HEADS_TOTAL, MAX_LAYERS, MAX_NAME_LENGTH


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
        "reporter: error: the model shape 4,096x4,096 has 16,777,216 heads, more than the 1,048,576 reporter "
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
    assert (report.table.n_layers, report.table.n_heads) == (4096, 256)
    totals = report.summary["totals"]
    assert {k: totals[k] for k in ("heads", "classified", "unclassified", "multi_category")} == {"heads": 1_048_576, "classified": 1, "unclassified": 1_048_575, "multi_category": 0}


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
    with pytest.raises(InputError, match=r"^a category name is 10,001 characters long, more than 10,000; shorten it"):
        reporter.build(table([(0, 0, ok + "y")]), formats=())
