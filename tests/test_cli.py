"""The command line: exit codes, messages and what lands on disk."""

from __future__ import annotations

from conftest import long_table


def write_csv(path, rows):
    long_table(rows).to_csv(path, index=False)
    return path


def test_build_writes_site_and_exits_0(cli, tmp_path):
    table = write_csv(tmp_path / "heads.csv", [(0, 0, "A"), (1, 2, "B")])
    result = cli("build", str(table), "-o", str(tmp_path / "out"), "--formats", "svg")
    assert result.returncode == 0, result.stderr
    # No head is in two categories: the overlap figure is one sentence on the page, not drawn or exported.
    assert result.stdout.startswith(f"wrote {tmp_path / 'out' / 'index.html'} (2 figures) in ")
    assert (tmp_path / "out" / "figures" / "heatmaps.svg").is_file()
    assert not (tmp_path / "out" / "figures" / "overlap.svg").exists()


def test_default_output_folder_is_site(cli, tmp_path):
    table = write_csv(tmp_path / "heads.csv", [(0, 0, "A")])
    result = cli("build", str(table), "--formats", "svg", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "site" / "index.html").is_file()


def test_parquet_input_and_shape_flags(cli, tmp_path):
    table = tmp_path / "heads.parquet"
    long_table([(0, 0, "A"), (1, 2, "B")]).to_parquet(table)
    result = cli("build", str(table), "-o", str(tmp_path / "out"), "--layers", "4", "--heads", "4", "--formats", "svg")
    assert result.returncode == 0, result.stderr
    assert '"shape_source": "flag"' in (tmp_path / "out" / "data" / "summary.json").read_text()


def test_missing_column_exits_2_with_one_line(cli, tmp_path):
    table = tmp_path / "bad.csv"
    table.write_text("layer,heads,category\n0,0,A\n")
    result = cli("build", str(table), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == (
        "reporter: error: missing column 'head' (found: layer, heads, category); did you mean 'heads'?; "
        "give layer, head, category columns (long), one true/false column per category (wide), "
        "or relation and score columns (scores)\n"
    )
    assert not (tmp_path / "out").exists()


def test_missing_file_exits_2(cli, tmp_path):
    result = cli("build", str(tmp_path / "nope.parquet"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == f"reporter: error: {tmp_path / 'nope.parquet'}: no such file; check the path\n"


def test_index_outside_declared_shape_exits_2(cli, tmp_path):
    table = write_csv(tmp_path / "heads.csv", [(9, 0, "A")])
    result = cli("build", str(table), "--layers", "8", "--heads", "4", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "layer index 9 is outside the model shape 8x4" in result.stderr
    assert result.stderr.count("\n") == 1


def test_layers_without_heads_is_a_usage_error(cli, tmp_path):
    table = write_csv(tmp_path / "heads.csv", [(0, 0, "A")])
    result = cli("build", str(table), "--layers", "8", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == "reporter: error: --layers and --heads go together: give both or neither\n"


def test_unknown_flag_exits_2(cli):
    result = cli("build", "x.csv", "--nope")
    assert result.returncode == 2
    assert "unrecognized arguments: --nope" in result.stderr


def test_categories_flag_orders_panels(cli, tmp_path):
    import json

    table = write_csv(tmp_path / "heads.csv", [(0, 0, "A"), (1, 2, "B"), (2, 1, "C")])
    result = cli("build", str(table), "--categories", "C,A", "-o", str(tmp_path / "out"), "--formats", "svg")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "out" / "data" / "summary.json").read_text())
    assert [c["name"] for c in summary["categories"]] == ["C", "A"]
    assert summary["totals"]["classified"] == 2


def test_python_dash_m_and_version(cli):
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"reporter {__import__('reporter').__version__}"
