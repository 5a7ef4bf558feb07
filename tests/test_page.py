"""Structure of index.html (BeautifulSoup) and its templates."""

from __future__ import annotations

import base64

import json
import re

import jinja2
import pandas as pd
import pytest
from bs4 import BeautifulSoup

import reporter
from reporter.pages.report import environment, templates_dir


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from conftest import long_table

    rows = [(1, 0, "A"), (1, 1, "A"), (2, 0, "A"), (2, 1, "A"), (3, 3, "A"), (2, 0, "B"), (4, 2, "B"), (5, 3, "B")]
    out = tmp_path_factory.mktemp("page") / "site"
    reporter.build(long_table(rows), layers=6, heads=4, formats="svg").save(out)
    return out


@pytest.fixture(scope="module")
def soup(site) -> BeautifulSoup:
    return BeautifulSoup((site / "index.html").read_text(), "html.parser")


def test_one_figure_element_per_figure(soup):
    figures = soup.select("figure.figure")
    assert [f["id"] for f in figures] == ["fig-heatmaps", "fig-layer-profile", "fig-overlap"]
    for f in figures:
        assert len(f.select("[data-figure]")) == 1


def test_highlight_buttons_cover_each_category_and_each_multi_label_some_head_has(small_table):
    # small_table: heads in 2 categories and in 3 categories; with three categories nothing else is possible.
    buttons = BeautifulSoup(reporter.build(small_table, layers=6, heads=4).to_html(), "html.parser")
    labels = [b["data-highlight"] for b in buttons.select("#controls button.pick")]
    assert labels == ["A", "B", "C", "2 categories", "3 categories", ""]  # panel order, as panels and tables
    two_only = small_table[~((small_table["layer"] == 2) & (small_table["category"] == "C"))]
    buttons = BeautifulSoup(reporter.build(two_only, layers=6, heads=4).to_html(), "html.parser")
    labels = [b["data-highlight"] for b in buttons.select("#controls button.pick")]
    assert labels == ["A", "B", "C", "2 categories", ""]  # no head is in 3 categories any more


def test_category_table(soup):
    table = soup.select_one("#categories table")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers == ["Category", "Heads", "Share of heads", "Median layer", "IQR (layers)", "Core window",
                       "In core", "Shared with other categories"]
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]
    # Below 10 heads no interquartile range: B's "3–4.5" of 3 heads was an interpolation between them.
    assert rows == [
        ["A", "5", "20.8%", "2", "–", "1–2", "80%", "1"],
        ["B", "3", "12.5%", "4", "–", "2–5", "100%", "1"],
    ]
    assert "The interquartile range is given for categories of at least 10 heads" in table.caption.get_text()


def test_observations_list_links_to_figures(soup):
    items = soup.select("#observations ol li")
    assert len(items) >= 3
    for li in items:
        target = li.select_one("a.see")["href"]
        assert soup.select_one(target) is not None


def test_header_names_model_shape_and_input(soup):
    facts = {dt.get_text(strip=True): dd.get_text(" ", strip=True) for dt, dd in zip(soup.select(".facts dt"), soup.select(".facts dd"))}
    assert facts["Shape"] == "6 layers × 4 heads (shape as given to the build)"  # no flag named: this is the API
    assert facts["Categories from"] == "categories as given in the table"
    assert soup.select_one("#shape-inferred") is None


def test_inferred_shape_is_noted(tmp_path):
    from conftest import long_table

    html = reporter.build(long_table([(3, 7, "A")]), formats=()).to_html()
    note = BeautifulSoup(html, "html.parser").select_one("#shape-inferred")
    assert note.get_text().startswith("Problem: the model's shape was not given. 4 layers × 8 heads is the largest "
                                      "layer and head index + 1")
    assert "4 layers × 8 heads" in html


def test_self_contained_single_bundle_and_data_once(site, soup):
    html = (site / "index.html").read_text()
    assert len(soup.find_all("script", src=True)) == 0
    assert len(soup.find_all("link", href=re.compile(r"^https?:"))) == 0
    assert html.count("window.vegaEmbed=") == 1
    payload = json.loads(soup.select_one("#report-data").string)
    assert sorted(payload["datasets"]) == [
        "background", "core", "heads", "intersection_members", "intersection_spans", "intersections",
        "overlap_matrix", "profile",
    ]
    assert "datasets" not in payload["specs"]["heatmaps"]
    assert "localStorage" not in html
    assert "editor: false" in html


def test_downloads_point_at_files_that_exist(site, soup):
    hrefs = [a["href"] for a in soup.select("a[download]")]
    assert "data/heads.csv" in hrefs and "figures/heatmaps.svg" in hrefs
    for href in hrefs:
        assert (site / href).is_file(), href


def test_site_layout(site):
    names = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert names == [
        ".nojekyll", ".reporter-site", "data/heads.csv", "data/summary.json",
        "figures/heatmaps.svg", "figures/heatmaps.vl.json",
        "figures/layer-profile.svg", "figures/layer-profile.vl.json",
        "figures/overlap.svg", "figures/overlap.vl.json", "index.html",
    ]


def test_every_template_renders_under_strict_undefined(small_table, tmp_path):
    """Datasette-style: every template renders, under StrictUndefined, from the context its page documents.

    Rendering the single-model page, the notebook view, the multi-model overview and the diff page
    must load every template in templates/ (Jinja caches each template it loads).
    """
    from reporter.diff_report import build_diff
    from reporter.site import build_site

    env = environment()
    assert env.undefined is jinja2.StrictUndefined and env.autoescape
    env.cache.clear()
    report = reporter.build(small_table, layers=6, heads=4, formats=())
    report.to_html()
    report._repr_html_()
    build_site([small_table.assign(model="one"), small_table.assign(model="two")], layers=6, heads=4,
               formats=()).to_html()
    small_table.to_csv(tmp_path / "a.csv", index=False)
    small_table.iloc[:-1].to_csv(tmp_path / "b.csv", index=False)
    build_diff(tmp_path / "a.csv", tmp_path / "b.csv", layers=6, heads=4, formats=()).to_html()
    from reporter.timeline_report import build_timeline

    series = pd.concat([small_table.assign(step=0), small_table.assign(step=1)])
    build_timeline(series, layers=6, heads=4, formats=(), step_pages="none").to_html()
    loaded = {name for (_, name) in env.cache.keys()}
    on_disk = {p.relative_to(templates_dir()).as_posix() for p in templates_dir().rglob("*.html")}
    assert on_disk <= loaded, f"templates never rendered: {sorted(on_disk - loaded)}"


@pytest.fixture
def fresh_environment(monkeypatch):
    """environment() made again for this test (its cache folder comes from the environment variables)."""
    environment.cache_clear()
    yield environment
    monkeypatch.undo()
    environment.cache_clear()


def test_compiled_templates_are_kept_in_the_cache_folder_and_read_back(fresh_environment, tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTER_CACHE_DIR", str(tmp_path / "cache"))
    page = fresh_environment().get_template("report.html")
    kept = sorted(p.name for p in (tmp_path / "cache" / "templates").iterdir())
    assert len(kept) == 1 and kept[0].startswith("__jinja2_") and kept[0].endswith(".cache")
    environment.cache_clear()
    again = fresh_environment()

    def compile_again(*args, **kwargs):
        raise AssertionError("report.html was compiled again instead of read from the cache")

    monkeypatch.setattr(again, "compile", compile_again)
    assert again.get_template("report.html").root_render_func.__code__.co_code == page.root_render_func.__code__.co_code


def test_a_cache_folder_that_cannot_be_written_only_costs_time(fresh_environment, small_table, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go\n")
    monkeypatch.setenv("REPORTER_CACHE_DIR", str(blocked))
    html = reporter.build(small_table, layers=6, heads=4, formats=()).to_html()
    assert html.startswith("<!doctype html>") and blocked.read_text() == "a file where the cache folder would go\n"


def test_reprs_are_one_line_and_a_figure_shows_as_a_chart_in_a_notebook(small_table):
    report = reporter.build(small_table, layers=6, heads=4, formats=())
    assert repr(report) == ("<Report 'model': 6 layers × 4 heads, 7 of 24 heads classified in 3 categories, "
                            f"{len(report.observations)} observations, figures heatmaps, layer-profile, overlap>")
    figure = report.figures["heatmaps"]
    assert repr(figure) == f"<Figure 'heatmaps': Categories over layer × head ({len(figure.datasets['heads']) + 1} data rows)>"
    bundle = figure._repr_mimebundle_()
    assert set(bundle) == {"application/vnd.vegalite.v6+json", "text/html", "text/plain"}
    assert bundle["application/vnd.vegalite.v6+json"] == figure.full_spec()
    # The HTML fallback (JupyterLab 4, nbconvert): the figure drawn as SVG, in one <img> with the alt text.
    img = BeautifulSoup(bundle["text/html"], "html.parser").find_all("img")
    assert len(img) == 1 and img[0]["alt"] == figure.alt_text
    svg = base64.b64decode(img[0]["src"].removeprefix("data:image/svg+xml;base64,")).decode()
    assert svg.startswith("<svg") and "All Categories" in svg
    with pytest.raises(reporter.errors.UsageError, match='theme must be "light", "dark" or None'):
        report.notebook(theme="blue")


def test_downloads_list_no_figure_without_files(small_table, tmp_path):
    # No head in two categories: the overlap figure is a sentence, so it has no files to offer.
    single = small_table.drop_duplicates(["layer", "head"])
    reporter.build(single, layers=6, heads=4, formats=("svg",)).save(tmp_path / "site")
    soup = BeautifulSoup((tmp_path / "site" / "index.html").read_text(), "html.parser")
    entries = [li.get_text(" ", strip=True) for li in soup.select("#downloads li")]
    assert entries == ["heads.csv", "summary.json", "Categories over layer × head: SVG · Vega-Lite spec",
                       "Heads per layer, by category: SVG · Vega-Lite spec"]
