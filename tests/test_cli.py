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
    assert "reporter build: error: unknown flag --nope" in result.stderr


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


# --- progress on a terminal, --open ------------------------------------------------------------------------

def on_a_terminal(*args: str, cwd) -> tuple[int, str, str]:
    """Run the CLI with its stderr on a pseudo-terminal; (exit status, stdout, what the terminal got)."""
    import os
    import pty
    import subprocess
    import sys

    from conftest import ROOT

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "reporter", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=follower, env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    out = proc.stdout.read().decode()
    proc.wait()
    os.close(leader)
    return proc.returncode, out, shown.decode()


def steps(shown: str) -> list[str]:
    """The progress messages a terminal was shown, in order."""
    return [part.removeprefix("reporter: ").removesuffix("…") for part in shown.split("\r\x1b[K") if part]


def test_progress_covers_every_stage_names_the_model_and_clears_its_line(tmp_path):
    write_csv(tmp_path / "heads.csv", [(0, 0, "A"), (1, 2, "B")])
    status, out, shown = on_a_terminal("build", "heads.csv", "--model", "gpt2", "--layers", "4", "--heads", "4",
                                       "-o", "out", "--formats", "svg", cwd=tmp_path)
    made = sorted(p.name.removesuffix(".vl.json") for p in (tmp_path / "out" / "figures").glob("*.vl.json"))
    assert status == 0 and out.startswith(f"wrote {tmp_path / 'out' / 'index.html'} ({len(made)} figures) in "), shown
    shown_steps = steps(shown)
    assert shown_steps[:6] == [
        "loading the libraries", "loading heads.csv", "summarizing gpt2", "making the figures of gpt2",
        "testing the statistics of gpt2", "rendering the pages",
    ]
    assert shown_steps[6] == "writing figures/heatmaps" and "heatmaps" in made and "layer-profile" in made
    assert sorted(shown_steps[6:]) == [f"writing figures/{slug}" for slug in made]  # one step per figure
    assert shown.endswith("\r\x1b[K")  # the line is erased before "wrote …" is printed


def test_progress_names_each_model_of_a_site(tmp_path):
    write_csv(tmp_path / "a.csv", [(0, 0, "A"), (1, 2, "B")])
    write_csv(tmp_path / "b.csv", [(0, 1, "A"), (1, 3, "B")])
    status, out, shown = on_a_terminal("build", "a.csv", "b.csv", "-o", "out", "--formats", "svg", cwd=tmp_path)
    assert status == 0, shown
    shown_steps = steps(shown)
    assert shown_steps[:2] == ["loading the libraries", "loading a.csv, b.csv"]
    for model in ("a", "b"):
        assert f"making the figures of {model}" in shown_steps and f"writing {model}/figures/heatmaps" in shown_steps
    assert "comparing 2 models" in shown_steps and shown.endswith("\r\x1b[K")
    assert out.startswith(f"wrote {tmp_path / 'out' / 'index.html'} (") and " figures) in " in out


def test_progress_is_off_with_quiet_and_when_stderr_is_not_a_terminal(cli, tmp_path):
    write_csv(tmp_path / "heads.csv", [(0, 0, "A")])
    assert on_a_terminal("build", "heads.csv", "-o", "q", "--formats", "", "--quiet", cwd=tmp_path) == (0, "", "")
    piped = cli("build", "heads.csv", "-o", "p", "--formats", "", cwd=tmp_path)
    assert (piped.returncode, piped.stderr) == (0, "")


def test_open_opens_the_written_page_in_the_browser(cli, tmp_path):
    import sys

    write_csv(tmp_path / "heads.csv", [(0, 0, "A")])
    # webbrowser honours $BROWSER: a command whose %s is the URL; this one writes it down.
    recorder = tmp_path / "browser.py"
    recorder.write_text("import pathlib, sys\npathlib.Path(sys.argv[2]).write_text(sys.argv[1])\n")
    opened = tmp_path / "opened.txt"
    result = cli("build", "heads.csv", "-o", "out", "--formats", "", "--quiet", "--open", cwd=tmp_path,
                 env={"BROWSER": f"{sys.executable} {recorder} %s {opened}"})
    assert (result.returncode, result.stderr) == (0, "")
    assert opened.read_text() == (tmp_path / "out" / "index.html").as_uri()
