"""Settings files: reporter.toml and [tool.reporter], under the flags, with where each value came from."""

from __future__ import annotations

import json

import pandas as pd
import pytest


def scores_table(folder):
    """Eight heads of one relation with scores 0.1 .. 0.8, in a 2x4 model: a threshold picks a known count."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [(layer, head, "copy", (layer * 4 + head + 1) / 10) for layer in range(2) for head in range(4)]
    path = folder / "scores.csv"
    pd.DataFrame(rows, columns=["layer", "head", "relation", "score"]).to_csv(path, index=False)
    (folder / "map.csv").write_text("relation,category\ncopy,Copying\n")
    return path


def settings_lines(stdout: str) -> dict[str, str]:
    """inspect's settings block as {key: 'value  (source)'}."""
    block = stdout.split("settings (the command line wins over the file, the file over the default):\n", 1)[1]
    return dict(line.strip().split(None, 1) for line in block.splitlines())


def test_file_settings_apply_and_flags_win_over_them(cli, tmp_path):
    table = scores_table(tmp_path / "data")
    (tmp_path / "data" / "reporter.toml").write_text('threshold = 0.5\ncategory-map = "map.csv"\nformats = ["svg"]\n')
    by_file = cli("build", str(table), "-o", str(tmp_path / "a"), "-q")
    by_flag = cli("build", str(table), "-o", str(tmp_path / "b"), "-q", "--threshold", "0.75")
    assert (by_file.returncode, by_flag.returncode) == (0, 0), by_file.stderr + by_flag.stderr
    a = json.loads((tmp_path / "a" / "data" / "summary.json").read_text())
    b = json.loads((tmp_path / "b" / "data" / "summary.json").read_text())
    assert [(c["name"], c["heads"]) for c in a["categories"]] == [("Copying", 4)]  # 0.5, 0.6, 0.7, 0.8
    assert [(c["name"], c["heads"]) for c in b["categories"]] == [("Copying", 1)]  # 0.8
    assert sorted(p.name for p in (tmp_path / "a" / "figures").iterdir() if p.suffix != ".json") == \
        sorted(f"{p.stem}.svg" for p in (tmp_path / "a" / "figures").glob("*.svg"))  # formats = ["svg"]


def test_inspect_shows_where_each_setting_came_from(cli, tmp_path):
    table = scores_table(tmp_path / "data")
    settings = tmp_path / "data" / "reporter.toml"
    settings.write_text('threshold = 0.5\ncategory_map = "map.csv"\naggregate = "max"\n')
    result = cli("inspect", str(table), "--aggregate", "median")
    assert result.returncode == 0, result.stderr
    assert f"settings file: {settings}" in result.stdout.splitlines()
    lines = settings_lines(result.stdout)
    assert lines["threshold"] == f"0.5  ({settings})"
    assert lines["category-map"] == f'"{tmp_path / "data" / "map.csv"}"  ({settings})'  # relative to the file
    assert lines["aggregate"] == '"median"  (the command line)'
    assert lines["score-column"] == '"score"  (default)'
    assert lines["top-k"] == "unset  (default)"
    assert "  Copying  4 heads" in result.stdout.splitlines()  # the threshold of the file is in force


def test_pyproject_above_the_input_is_found_and_a_nearer_reporter_toml_wins(cli, tmp_path):
    table = scores_table(tmp_path / "project" / "data" / "run1")
    (tmp_path / "project" / ".git").mkdir()
    pyproject = tmp_path / "project" / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n\n[tool.reporter]\nthreshold = 0.3\ncategory-map = "data/run1/map.csv"\n')
    found = cli("inspect", str(table))
    assert settings_lines(found.stdout)["threshold"] == f"0.3  ([tool.reporter] in {pyproject})"
    near = table.parent / "reporter.toml"
    near.write_text("threshold = 0.7\ncategory-map = 'map.csv'\n")
    nearer = cli("inspect", str(table))
    assert settings_lines(nearer.stdout)["threshold"] == f"0.7  ({near})"


def test_the_search_stops_at_the_project_root(cli, tmp_path):
    table = scores_table(tmp_path / "outer" / "repo" / "data")
    (tmp_path / "outer" / "reporter.toml").write_text("threshold = 0.3\n")
    (tmp_path / "outer" / "repo" / ".git").mkdir()
    result = cli("inspect", str(table), "--threshold", "0.5", "--category-map", str(table.parent / "map.csv"))
    assert result.returncode == 0, result.stderr
    assert "settings file:" not in result.stdout  # outer/reporter.toml is outside the repository


def test_a_command_table_applies_to_its_command_only(cli, tmp_path):
    table = scores_table(tmp_path)
    (tmp_path / "reporter.toml").write_text('threshold = 0.5\ncategory-map = "map.csv"\n\n[inspect]\nthreshold = 0.2\n')
    assert settings_lines(cli("inspect", str(table)).stdout)["threshold"] == f"0.2  ({tmp_path / 'reporter.toml'})"
    built = cli("build", str(table), "-o", str(tmp_path / "out"), "--formats", "", "-q")
    assert built.returncode == 0, built.stderr
    summary = json.loads((tmp_path / "out" / "data" / "summary.json").read_text())
    assert summary["categories"][0]["heads"] == 4  # build took the top-level 0.5


@pytest.mark.parametrize("text, said", [
    ("treshold = 0.5\n", "reporter.toml: unknown setting 'treshold': did you mean 'threshold'? known: "),
    ("[biuld]\nthreshold = 0.5\n", "reporter.toml: unknown command table 'biuld': did you mean 'build'? known: "),
    ("[inspect]\nformats = 'svg'\n", "reporter.toml: unknown setting of inspect 'inspect.formats'"),
    ("top-k = 'many'\n", "reporter.toml: top-k = 'many': 'many' is not a whole number"),
    ("aggregate = 'mode'\n", "reporter.toml: aggregate must be one of mean, max, median, not 'mode'"),
    ("quiet = 'yes'\n", "reporter.toml: quiet must be true or false, not 'yes'"),
    ("threshold = \n", "reporter.toml is not valid TOML"),
])
def test_a_bad_settings_file_is_refused_in_one_line_naming_the_key(cli, tmp_path, text, said):
    table = scores_table(tmp_path)
    (tmp_path / "reporter.toml").write_text(text)
    result = cli("build", str(table), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.startswith("reporter: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert said in result.stderr
    assert not (tmp_path / "out").exists()


def test_no_config_and_an_explicit_config(cli, tmp_path):
    table = scores_table(tmp_path / "data")
    (tmp_path / "data" / "reporter.toml").write_text("treshold = 0.5\n")  # would be refused if read
    other = tmp_path / "other.toml"
    other.write_text(f'threshold = 0.5\ncategory-map = "{tmp_path / "data" / "map.csv"}"\n')
    ignored = cli("inspect", str(table), "--no-config", "--top-k", "2", "--category-map", str(tmp_path / "data" / "map.csv"))
    assert ignored.returncode == 0, ignored.stderr
    assert "settings file:" not in ignored.stdout
    given = cli("inspect", str(table), "--config", str(other))
    assert given.returncode == 0, given.stderr
    assert settings_lines(given.stdout)["threshold"] == f"0.5  ({other})"
    missing = cli("inspect", str(table), "--config", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2
    assert "--config" in missing.stderr and "no such file" in missing.stderr
