"""The export helper process: same bytes as drawing in-process, and a clean fallback when it fails."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
import time
from concurrent.futures import Future
from pathlib import Path

import pytest
import vl_convert as vlc

from reporter.vega import export_helper

from reporter.vega import exporter
from reporter.vega.exporter import Exporter
from reporter.report import build
from reporter.output.write import stable_pdf

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def running():
    """An exporter with its helper running, ended after the test whatever happened."""
    with Exporter.started() as started:
        assert started.running
        yield started


@pytest.fixture
def helper(running):
    """The running exporter's helper process."""
    return running._helper.process


@pytest.fixture
def specs(small_table) -> dict[str, str]:
    figures = build(small_table, layers=6, heads=4).figures
    return {slug: f.vl_json for slug, f in figures.items()}


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_helper_draws_the_same_bytes_as_this_process(running, helper, specs):
    formats = ("svg", "png", "pdf")
    drawn = dict(running.draw_all(specs, formats))
    assert list(drawn) == ["heatmaps", "layer-profile", "overlap"]
    for slug, spec in specs.items():
        here = exporter.draw(spec, formats)
        assert drawn[slug]["svg"] == here["svg"] == export_helper.stable_ids(vlc.vegalite_to_svg(json.loads(spec))).encode()
        assert drawn[slug]["png"] == here["png"]
        assert drawn[slug]["png"][:8] == b"\x89PNG\r\n\x1a\n"
        assert drawn[slug]["pdf"][:5] == here["pdf"][:5] == b"%PDF-"
    assert helper.poll() is None  # still there for the next site


def test_only_the_asked_formats_are_made(running, helper, specs):
    drawn = dict(running.draw_all(specs, ("png",)))
    assert {slug: sorted(d) for slug, d in drawn.items()} == {
        "heatmaps": ["png"], "layer-profile": ["png"], "overlap": ["png"]}
    assert dict(running.draw_all(specs, ())) == {"heatmaps": {}, "layer-profile": {}, "overlap": {}}


def test_a_spec_the_helper_cannot_draw_raises_vl_convert_own_error(running, helper, specs):
    bad = {"broken": json.dumps({"mark": "rect", "encoding": {"x": {"field": "a", "type": "nosuchtype"}}})}
    with pytest.raises(ValueError) as raised:
        dict(running.draw_all({**bad, **specs}, ("svg",)))
    with pytest.raises(ValueError) as here:
        exporter.draw(bad["broken"], ("svg",))
    assert str(raised.value) == str(here.value)
    assert not running.running and helper.poll() is not None  # given up and ended


def test_a_dead_helper_is_replaced_by_this_process(running, helper, specs):
    helper.kill()
    helper.wait()
    drawn = dict(running.draw_all(specs, ("svg", "png", "pdf")))
    for slug, spec in specs.items():
        here = exporter.draw(spec, ("svg", "png", "pdf"))
        assert drawn[slug]["svg"] == here["svg"] and drawn[slug]["png"] == here["png"]
        # vl-convert orders PDF resources by a hash map; write.stable_pdf makes the files equal.
        assert stable_pdf(drawn[slug]["pdf"]) == stable_pdf(here["pdf"])
    assert not running.running


def test_a_helper_that_dies_midway_still_gives_every_figure(running, helper, specs):
    progress = []
    results = {}
    for slug, drawn in running.draw_all(specs, ("svg", "png"), progress.append):
        results[slug] = drawn
        if slug == "heatmaps":
            helper.kill()  # the next answer may be in the pipe already, or drawn here: same bytes
            helper.wait()
    assert progress == ["heatmaps", "layer-profile", "overlap"]
    assert results["layer-profile"] == exporter.draw(specs["layer-profile"], ("svg", "png"))
    assert results["overlap"] == exporter.draw(specs["overlap"], ("svg", "png"))
    dict(running.draw_all(specs, ("svg",)))  # the next use notices the dead helper
    assert not running.running


# A helper that draws one figure's SVG, says it has started on the PNG, and sends it 0.3 s later.
SLOW_PNG_HELPER = textwrap.dedent("""
    import sys, time
    from reporter.vega.export_helper import KIND, WORKING, read_message, write_message
    rid = read_message(sys.stdin.buffer)[1:5]
    write_message(sys.stdout.buffer, b"+" + KIND["svg"] + rid + b"<svg/>")
    write_message(sys.stdout.buffer, b"+" + WORKING + rid + KIND["png"])
    time.sleep(0.3)
    write_message(sys.stdout.buffer, b"+" + KIND["png"] + rid + b"the helper's PNG")
    sys.stdin.buffer.read()
""")


def test_a_conversion_the_helper_has_started_is_awaited_not_made_again():
    process = subprocess.Popen([sys.executable, "-c", SLOW_PNG_HELPER], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, cwd=ROOT)
    helper = exporter.Helper(process)
    try:
        answers = helper.figure("{}", ("png", "pdf"))
        assert answers["svg"].result(timeout=30) == b"<svg/>"
        deadline = time.monotonic() + 30
        while not answers["png"].running() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert answers["png"].running() and not answers["pdf"].running()
        assert exporter.finished(answers["png"]) == b"the helper's PNG"  # waited for, past the 5 ms grace
        assert exporter.finished(answers["pdf"]) is None  # never started there: this process makes it
    finally:
        helper.close()


def test_an_answer_not_started_by_the_helper_is_not_waited_for():
    start = time.monotonic()
    assert exporter.finished(Future()) is None
    assert time.monotonic() - start < 5


def test_close_ends_the_helper_and_a_closed_exporter_draws_here(specs):
    ended = Exporter.started()
    process = ended._helper.process
    ended.close()
    assert process.poll() is not None and not ended.running
    drawn = dict(ended.draw_all(specs, ("svg",)))
    assert drawn["heatmaps"]["svg"].startswith(b"<svg")


def test_cli_build_with_the_helper_equals_report_save_without_it(cli, small_table, tmp_path):
    table = tmp_path / "table.csv"
    small_table.to_csv(table, index=False)
    done = cli("build", str(table), "--layers", "6", "--heads", "4", "-o", str(tmp_path / "cli"), "--quiet")
    assert done.returncode == 0, done.stderr
    build(table, layers=6, heads=4).save(tmp_path / "api")
    cli_files, api_files = files_of(tmp_path / "cli"), files_of(tmp_path / "api")
    assert sorted(cli_files) == sorted(api_files)
    assert "figures/heatmaps.png" in cli_files and "figures/layer-profile.pdf" in cli_files
    assert cli_files == api_files


def test_cli_leaves_no_helper_behind_after_bad_input(cli, tmp_path):
    table = tmp_path / "bad.csv"
    table.write_text("layer,head\n1,2\n")
    before = helper_pids()
    done = cli("build", str(table), "-o", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "missing column 'category'" in done.stderr
    assert helper_pids() - before == set()


def helper_pids() -> set[int]:
    """Process ids of running export helpers of this checkout (Linux /proc; other checkouts may run theirs)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                folder = (entry / "cwd").resolve(strict=True)
            except OSError:
                continue
            if b"reporter.vega.export_helper" in cmdline and folder == ROOT:
                pids.add(int(entry.name))
    return pids


def test_the_helper_ignores_a_reporter_folder_where_the_user_works(specs, tmp_path, monkeypatch):
    # `python -m` imports from the working folder first; a user's own `reporter/` there must not be run.
    decoy = tmp_path / "reporter"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    (decoy / "export_helper.py").write_text("raise SystemExit(3)\n")
    monkeypatch.chdir(tmp_path)
    with Exporter.started() as started:
        drawn = dict(started.draw_all(specs, ("svg",)))
        assert started.running and started._helper.process.poll() is None
    assert drawn["overlap"]["svg"] == exporter.draw(specs["overlap"], ("svg",))["svg"]



@pytest.fixture(scope="module")
def javascript_bundle() -> str:
    return vlc.javascript_bundle()


def test_helper_builds_the_bundle_and_keeps_figure_answers_in_step(specs, javascript_bundle):
    with Exporter.started(bundle=True) as started:
        # Figures first: the bundle answer already on its way is read and kept aside, not taken for an SVG.
        drawn = dict(started.draw_all(specs, ("svg",)))
        assert drawn["heatmaps"]["svg"] == exporter.draw(specs["heatmaps"], ("svg",))["svg"]
        assert started.bundle() == javascript_bundle
        assert started.bundle() == javascript_bundle  # asked again: built again by the helper
        assert started.running
    assert started.bundle() is None  # no helper: the caller builds it


def test_cli_with_a_cold_cache_gets_the_same_site_and_caches_the_bundle(cli, small_table, tmp_path, javascript_bundle):
    table = tmp_path / "table.csv"
    small_table.to_csv(table, index=False)
    warm = cli("build", str(table), "-o", str(tmp_path / "warm"), "--quiet")
    cold = cli("build", str(table), "-o", str(tmp_path / "cold"), "--quiet",
               env={"REPORTER_CACHE_DIR": str(tmp_path / "cache")})
    assert warm.returncode == cold.returncode == 0, cold.stderr
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")
    cached = list((tmp_path / "cache").glob("vega-bundle-*.js"))
    assert len(cached) == 1
    assert cached[0].read_text(encoding="utf-8") == javascript_bundle.replace("</script", "<\\/script")
    assert cached[0].read_text(encoding="utf-8") in (tmp_path / "cold" / "index.html").read_text(encoding="utf-8")


def test_svg_ids_do_not_depend_on_what_was_drawn_before(specs):
    # Vega's clip and gradient counters outlive a drawing: raw ids grow, ours start again each time.
    first, again = vlc.vegalite_to_svg(specs["layer-profile"]), vlc.vegalite_to_svg(specs["layer-profile"])
    assert first != again
    assert export_helper.stable_ids(first) == export_helper.stable_ids(again) == export_helper.draw_svg(specs["layer-profile"])
    svg = export_helper.draw_svg(specs["overlap"])
    assert 'id="gradient_0"' in svg and 'fill="url(#gradient_0)"' in svg
    assert export_helper.stable_ids('<clipPath id="clip9"/><g clip-path="url(#clip9)"/><clipPath id="clip4"/>') == (
        '<clipPath id="clip1"/><g clip-path="url(#clip1)"/><clipPath id="clip2"/>')


def test_the_api_starts_one_helper_reuses_it_for_every_save_and_ends_it(small_table, tmp_path):
    report = build(small_table, layers=6, heads=4)
    process = report.exporter._helper.process
    assert process.poll() is None
    report.save(tmp_path / "a")
    report.save(tmp_path / "b")
    assert report.exporter._helper.process is process and process.poll() is None  # one helper drew both saves
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    report.close()
    assert process.poll() is not None and not report.exporter.running
    report.save(tmp_path / "c")  # a closed report still saves, drawing in this process
    assert files_of(tmp_path / "c") == files_of(tmp_path / "a")


def test_a_dropped_report_ends_its_helper_and_a_handed_exporter_is_the_callers(small_table):
    report = build(small_table, layers=6, heads=4)
    process = report.exporter._helper.process
    del report
    gc.collect()
    assert process.poll() is not None
    with Exporter.started() as handed:
        first, second = build(small_table, exporter=handed), build(small_table, exporter=handed)
        assert first.exporter is second.exporter is handed and handed._helper.process.poll() is None
        process = handed._helper.process
    assert process.poll() is not None


def test_an_api_build_without_formats_on_a_warm_cache_starts_no_helper(small_table):
    build(small_table, formats="svg").close()  # the bundle is cached now
    assert not build(small_table, formats="").exporter.running
