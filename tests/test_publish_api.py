"""The Python API (build -> Report) and the one-file output of --single-file."""

from __future__ import annotations

import json
import os

from bs4 import BeautifulSoup

import reporter
from reporter.output.single_file import write_single_file


def local_refs(html: str) -> list[str]:
    """Every href/src of the page that is not an in-page anchor."""
    soup = BeautifulSoup(html, "html.parser")
    refs = [el.get("href") or el.get("src") for el in soup.find_all(["a", "link", "script", "img", "iframe"])]
    return [r for r in refs if r and not r.startswith("#")]


def test_build_returns_report_with_summary_figures_and_html(small_table):
    report = reporter.build(small_table)
    assert isinstance(report, reporter.Report)
    totals = report.summary["totals"]
    assert {k: totals[k] for k in ("heads", "classified", "unclassified", "multi_category")} == {"heads": 24, "classified": 7, "unclassified": 17, "multi_category": 2}
    assert [(c["name"], c["heads"]) for c in report.summary["categories"]] == [("A", 5), ("B", 3), ("C", 2)]
    assert list(report.figures) == ["heatmaps", "layer-profile", "overlap"]
    page = report.to_html()
    assert page.startswith("<!doctype html>")
    assert local_refs(page) == []  # one file: nothing to fetch, no side files to link
    assert 'id="downloads"' not in page


def test_save_writes_the_same_summary_the_api_returns(small_table, tmp_path):
    report = reporter.build(small_table, formats="svg")
    out = report.save(tmp_path / "site")
    assert json.loads((out / "data" / "summary.json").read_text()) == report.summary
    assert sorted(p.name for p in (out / "figures").iterdir()) == [
        "heatmaps.svg", "heatmaps.vl.json", "layer-profile.svg", "layer-profile.vl.json",
        "overlap.svg", "overlap.vl.json"]


def test_repr_html_is_a_sandboxed_srcdoc_iframe_of_the_page(small_table):
    report = reporter.build(small_table)
    soup = BeautifulSoup(report._repr_html_(), "html.parser")
    frames = soup.find_all("iframe")
    assert len(frames) == 1
    assert frames[0]["sandbox"] == ["allow-scripts"]  # bs4 splits the token list; no allow-same-origin
    # Escaped into the attribute, unescaped by the parser; light unless the notebook says it is dark.
    assert frames[0]["srcdoc"] == report.to_html(theme="light")
    assert "src" not in frames[0].attrs


def test_cli_single_file_writes_only_that_file(cli, small_table, tmp_path):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    out = tmp_path / "out"
    result = cli("build", str(tmp_path / "heads.csv"), "--single-file", str(out / "report.html"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out / 'report.html'} (3 figures) in ")
    assert sorted(os.listdir(out)) == ["report.html"]
    assert not (tmp_path / "site").exists()
    page = (out / "report.html").read_text()
    assert page == reporter.build(tmp_path / "heads.csv").to_html()
    assert local_refs(page) == []


def test_cli_single_file_is_byte_stable(cli, small_table, tmp_path):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    for name in ("one.html", "two.html"):
        assert cli("build", "heads.csv", "--single-file", name, "--quiet", cwd=tmp_path).returncode == 0
    assert (tmp_path / "one.html").read_bytes() == (tmp_path / "two.html").read_bytes()


def test_single_file_replaces_an_old_file_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "report.html"
    target.write_text('<!doctype html>\n<meta name="generator" content="reporter 0.1.0">old')
    write_single_file(target, "<p>new</p>")
    assert target.read_text() == "<p>new</p>"
    assert os.listdir(tmp_path) == ["report.html"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~current_umask())


def test_single_file_onto_a_folder_is_a_usage_error(cli, small_table, tmp_path):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    (tmp_path / "taken").mkdir()
    result = cli("build", "heads.csv", "--single-file", "taken", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "reporter: error: taken is a folder; give --single-file a file name such as report.html\n"
    assert os.listdir(tmp_path / "taken") == []
    assert sorted(os.listdir(tmp_path)) == ["heads.csv", "taken"]


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_single_file_with_an_output_folder_is_a_usage_error(cli, small_table, tmp_path):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    result = cli("build", "heads.csv", "--single-file", "report.html", "-o", "site", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "reporter: error: --single-file writes one file and -o writes a site folder; give one of them\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["heads.csv"]


def test_single_file_refuses_a_file_it_did_not_write(cli, small_table, tmp_path):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    (tmp_path / "mine.html").write_text("<p>my page</p>")
    result = cli("build", "heads.csv", "--single-file", "mine.html", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("reporter: error: mine.html already exists and reporter did not write it; "
                             "choose a new file name, or pass --force to replace it\n")
    assert (tmp_path / "mine.html").read_text() == "<p>my page</p>"
    assert cli("build", "heads.csv", "--single-file", "mine.html", "--force", "-q", cwd=tmp_path).returncode == 0
    assert (tmp_path / "mine.html").read_text().startswith("<!doctype html>")
    # A page reporter wrote is replaced without --force.
    assert cli("build", "heads.csv", "--single-file", "mine.html", "-q", cwd=tmp_path).returncode == 0


def test_single_file_refuses_the_input_even_with_force(cli, small_table, tmp_path):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    before = (tmp_path / "heads.csv").read_bytes()
    result = cli("build", "heads.csv", "--single-file", "heads.csv", "--force", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("reporter: error: heads.csv is the input table; give --single-file another file name "
                             "such as report.html\n")
    assert (tmp_path / "heads.csv").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["heads.csv"]


def test_single_file_refuses_a_device_and_a_link(cli, small_table, tmp_path):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    (tmp_path / "target.html").write_text('<meta name="generator" content="reporter 0.1.0">')
    (tmp_path / "link.html").symlink_to("target.html")
    for name in ("/dev/null", "link.html"):
        result = cli("build", "heads.csv", "--single-file", name, "--force", cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr == (f"reporter: error: {name} is not a regular file (a link, device or pipe); "
                                 "give --single-file a new file name\n")
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")
    assert (tmp_path / "link.html").is_symlink()
