"""Several models in one site: grouping, slugs, depth-normalized comparison, observations, pages and links."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from reporter.analysis.across_models import binomial_lower, binomial_upper, mann_whitney_p, two_proportion_p
from reporter.errors import UsageError
from reporter.input.models.multi import model_inputs
from reporter.slugs import digest, folder_slugs
from reporter.site import build_site


def designed() -> pd.DataFrame:
    """Two models with known differences.

    P is 31x8, Q is 16x6 (both inferred from the largest indexes). In both,
    Early = layers 0-2 x heads 0-3 and Late = the last three layers x heads 0-3.
    Deep2 avoids the first third: P layers 10, 15, 20, 25, 30 x heads 4-7 (20),
    Q layers 5-15 x heads 4-5 (22). Rare only in P: layer 15, heads 5-7, which
    are also Deep2 heads, so P has 3 multi-category heads.
    """
    rows = []
    for model, late in (("P", (28, 29, 30)), ("Q", (13, 14, 15))):
        rows += [(model, layer, h, "Early") for layer in (0, 1, 2) for h in range(4)]
        rows += [(model, layer, h, "Late") for layer in late for h in range(4)]
    rows += [("P", layer, h, "Deep2") for layer in (10, 15, 20, 25, 30) for h in range(4, 8)]
    rows += [("Q", layer, h, "Deep2") for layer in range(5, 16) for h in (4, 5)]
    rows += [("P", 15, h, "Rare") for h in (5, 6, 7)]
    return pd.DataFrame(rows, columns=["model", "layer", "head", "category"])


SHAPES = {"P": (31, 8), "Q": (16, 6)}


def with_shapes(root: Path, frame: pd.DataFrame) -> list[Path]:
    """One Parquet file per model of ``frame``, each carrying its model's shape as n_layers/n_heads metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = []
    for model, (n_layers, n_heads) in SHAPES.items():
        table = pa.Table.from_pandas(frame[frame["model"] == model], preserve_index=False)
        table = table.replace_schema_metadata({**table.schema.metadata, b"n_layers": str(n_layers).encode(),
                                               b"n_heads": str(n_heads).encode()})
        pq.write_table(table, root / f"{model}.parquet")
        paths.append(root / f"{model}.parquet")
    return paths


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(with_shapes(tmp_path_factory.mktemp("shapes"), designed()), formats=())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The designed table as a CSV, built into a site with SVG exports by the CLI."""
    from conftest import run_cli

    root = tmp_path_factory.mktemp("multi")
    designed().to_csv(root / "runs.csv", index=False)
    result = run_cli("build", str(root / "runs.csv"), "-o", str(root / "site"), "--formats", "svg")
    assert result.returncode == 0, result.stderr
    return root / "site"


# --- slugs and grouping ---------------------------------------------------------------------------------------

def test_folder_slugs_are_safe_ascii_unique_and_bounded():
    h = lambda name: digest(name)[:8]  # noqa: E731
    assert folder_slugs(["meta-llama/Meta-Llama-3.1-8B", "_private", ".hidden", "Ünïcödé β"]) == [
        "meta-llama-meta-llama-3-1-8b", "private", "hidden", "unicode"]
    assert folder_slugs(["∂∂", "data", "Figures", "con", "x" * 300]) == [
        f"item-{h('∂∂')}", f"data-{h('data')}", f"figures-{h('Figures')}", f"con-{h('con')}", f"{'x' * 40}-{h('x' * 300)}"]
    assert folder_slugs(["A b", "a-b", "a_b", "c"]) == ["a-b", f"a-b-{h('a-b')}", f"a-b-{h('a_b')}", "c"]


def test_models_come_from_the_model_column_in_order_of_appearance():
    table = pd.DataFrame({"model": ["zeta", "alpha", "zeta"], "layer": [0, 1, 2], "head": [0, 0, 0],
                          "category": ["A", "A", "B"]})
    assert [m.name for m in model_inputs([table])] == ["zeta", "alpha"]


def test_files_without_a_model_column_are_named_by_stem_and_repeats_by_file(tmp_path):
    plain = pd.DataFrame({"layer": [0, 1], "head": [0, 1], "category": ["A", "B"]})
    named = plain.assign(model="gpt2")
    plain.to_csv(tmp_path / "seed-1.csv", index=False)
    named.to_csv(tmp_path / "run-a.csv", index=False)
    named.to_csv(tmp_path / "run-b.csv", index=False)
    found = model_inputs([tmp_path / "seed-1.csv", tmp_path / "run-a.csv", tmp_path / "run-b.csv"])
    assert [m.name for m in found] == ["seed-1", "gpt2 (run-a)", "gpt2 (run-b)"]


def test_unknown_category_across_models_is_a_usage_error():
    with pytest.raises(UsageError, match="^categories= names 'Nope', which no model has"):
        build_site([designed()], categories="Early,Nope", formats=())


# --- comparison numbers -----------------------------------------------------------------------------------------

def test_every_model_gets_the_shared_category_order_and_colours(site):
    assert site.slugs == ("p", "q")
    assert [r.table.model for r in site.reports] == ["P", "Q"]
    for report in site.reports:
        assert report.table.categories == ("Early", "Late", "Deep2", "Rare")  # first appearance, in model order
    q = site.reports[1].summary
    rare = next(c for c in q["categories"] if c["name"] == "Rare")
    assert rare["heads"] == 0 and rare["core_layers"] is None
    assert [c["color"] for c in q["categories"]] == [c["color"] for c in site.reports[0].summary["categories"]]


def test_depth_statistics_line_up_models_of_different_depth(site):
    cmp = site.comparison
    assert [(m.name, m.n_layers, m.n_heads, m.classified, m.multi_category) for m in cmp.models] == [
        ("P", 31, 8, 44, 3), ("Q", 16, 6, 46, 0)]
    late_p, late_q = cmp.cell("p", "Late"), cmp.cell("q", "Late")
    assert late_p.core_layers == (28, 30) and late_p.core_depth == (0.9333, 1.0)
    assert late_q.core_layers == (13, 15) and late_q.core_depth == (0.8667, 1.0)
    assert late_p.median_depth == 0.9667 and late_q.median_depth == 0.9333
    assert cmp.cell("p", "Deep2").thirds == (0, 8, 12)
    assert cmp.cell("q", "Deep2").thirds == (0, 10, 12)
    assert cmp.cell("q", "Rare").heads == 0 and cmp.cell("q", "Rare").core_depth is None
    assert cmp.cell("p", "Early").third_layers == ((0, 9), (10, 19), (20, 30))
    assert cmp.cell("q", "Early").third_layers == ((0, 4), (5, 9), (10, 15))
    profile = cmp.profile
    row = profile[(profile["model"] == 1) & (profile["category"] == "Late") & (profile["layer"] == 14)].iloc[0]
    assert (row["heads"], round(row["depth"], 4), round(row["share_of_layer"], 4)) == (4, 0.9333, 0.6667)


def test_cross_model_observations_say_what_holds_and_what_differs(site):
    got = {o.id: o.text for o in site.observations}
    assert list(got) == [
        "early-same-third", "late-same-third", "deep2-few-in-first-third", "empty-layers",
        "early-before-late", "early-before-deep2", "deep2-before-late",
        "deep2-thirds-not-different", "rare-presence", "rare-too-few", "deep2-share",
        "unclassified-range", "multi-category-range",
    ]
    assert got["late-same-third"] == (
        "Late heads sit mostly in the last third of depth in both models: 100.0% of each model's heads, where an "
        "even spread would put 35.5%–37.5% there.")
    assert got["deep2-few-in-first-third"] == (
        "In both models, few Deep2 heads sit in the first third of depth: no Deep2 head in any model, where an "
        "even spread would put 31.3%–32.3% there.")  # 10 of 32 layers is 31.25%: half up, 31.3%
    # P has no head in layers 3-9 (7 of 31 layers), Q none in layers 3-4 (2 of 16): both too empty for chance.
    assert got["empty-layers"] == (
        "In both models, a large range of layers holds no classified head at all: layers 3–9 of 31 in P (22.6%) "
        "and layers 3–4 of 16 in Q (12.5%).")
    assert got["early-before-late"] == (
        "In both models, Early heads sit earlier than Late heads (median depth 0.03 vs 0.97 in P; 0.07 vs 0.93 in Q).")
    assert got["rare-presence"] == "Rare heads exist only in P (3 heads); Q has none."
    assert got["rare-too-few"] == (
        "Rare heads are too few to compare where they sit: P has 3 (at least 10 per model are needed).")
    assert got["deep2-share"] == (
        "Deep2 heads are a larger share of Q (22.9%, 22 of 96 heads) than of P (8.1%, 20 of 248): 2.84 times as large.")
    assert got["unclassified-range"] == (
        "The share of heads in no category ranges from 52.1% in Q (50 of 96) to 82.3% in P (204 of 248).")
    # Of the classified heads, the model pages' denominator: P has 44 (3 in two categories), Q 46 (none).
    assert got["multi-category-range"] == (
        "Few classified heads belong to two or more categories in any model: from 0 of 46 (0.0%) in Q to "
        "3 of 44 (6.8%) in P.")


def test_no_claim_without_support(site):
    """Late is 4.8% of P and 12.5% of Q (ratio 2.6) but the two-proportion test gives p = 0.012: no claim."""
    ids = {o.id for o in site.observations}
    assert "late-share" not in ids and "early-share" not in ids
    assert round(two_proportion_p(12, 248, 12, 96), 3) == 0.012
    # Deep2 puts 8 and 12 of its heads in the middle and last thirds of P, 10 and 12 in Q: no difference to claim.
    deep2 = next(o for o in site.observations if o.id == "deep2-thirds-not-different")
    assert deep2.text == ("Where Deep2 heads sit in the thirds of depth does not differ clearly between the 2 models "
                          "(permutation test, p = 0.78); the last third holds 54.5%–60.0% of each model's Deep2 heads.")
    assert "deep2-thirds-differ" not in ids


def test_a_category_sitting_in_different_thirds_is_reported_as_a_difference():
    rows = [("early", layer, h, "X") for layer in (0, 1, 2) for h in range(4)] + [("early", 20, 0, "Y")]
    rows += [("late", layer, h, "X") for layer in (18, 19, 20) for h in range(4)] + [("late", 0, 0, "Y")]
    site = build_site([pd.DataFrame(rows, columns=["model", "layer", "head", "category"])], formats=(),
                      layers=21, heads=4)
    text = {o.id: o.text for o in site.observations}["x-thirds-differ"]
    assert text == ("X heads sit in different parts of depth in different models (permutation test of the models' "
                    "thirds, p = 0.0005): the first third holds the most in early (100.0% of its heads); the last third "
                    "holds the most in late (100.0% of its heads).")


def test_stat_helpers_match_scipy():
    from scipy import stats
    assert binomial_upper(12, 20, 11 / 31) == pytest.approx(stats.binom.sf(11, 20, 11 / 31), rel=1e-9)
    assert binomial_lower(2, 22, 5 / 16) == pytest.approx(stats.binom.cdf(2, 22, 5 / 16), rel=1e-9)
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 12, 40), rng.integers(3, 15, 30)
    expected = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", use_continuity=True).pvalue
    assert mann_whitney_p(a, b) == pytest.approx(expected, rel=1e-9)


# --- the written site -------------------------------------------------------------------------------------------

def test_site_layout_and_comparison_json(built):
    assert sorted(p.relative_to(built).as_posix() for p in built.rglob("index.html")) == [
        "index.html", "p/index.html", "q/index.html"]
    assert (built / ".nojekyll").exists() and not (built / "p" / ".nojekyll").exists()
    for rel in ("figures/model-heatmaps.svg", "figures/core-windows.svg", "figures/depth-profiles.svg",
                "p/figures/heatmaps.svg", "q/data/heads.csv", "q/data/summary.json"):
        assert (built / rel).is_file(), rel
    doc = json.loads((built / "data" / "comparison.json").read_text())
    assert [(m["name"], m["slug"], m["href"], m["n_layers"]) for m in doc["models"]] == [
        ("P", "p", "p/index.html", 31), ("Q", "q", "q/index.html", 16)]
    late_q = next(c for c in doc["models"][1]["categories"] if c["name"] == "Late")
    assert late_q["core_depth"] == [0.8667, 1.0] and late_q["heads_by_third"] == [0, 0, 12]
    assert all(not p.name.startswith(("_", ".")) for p in built.rglob("*") if p.name not in (".nojekyll", ".reporter-site"))


def test_overview_tables_and_model_page_navigation(built):
    overview = BeautifulSoup((built / "index.html").read_text(), "html.parser")
    links = [(a.get_text(), a["href"]) for a in overview.select("#models tbody th a")]
    assert links == [("P", "p/index.html"), ("Q", "q/index.html")]
    first = overview.select("#core-windows-table tbody tr")[1]  # Late
    assert [td.get_text(" ", strip=True) for td in first.select("td")] == [
        "layers 28–30 depth 0.93–1.00 · 100% of 12 heads", "layers 13–15 depth 0.87–1.00 · 100% of 12 heads"]
    assert [fig["id"] for fig in overview.select("figure")] == [
        "fig-model-heatmaps", "fig-core-windows", "fig-depth-profiles"]
    page = BeautifulSoup((built / "q" / "index.html").read_text(), "html.parser")
    assert [(a.get_text(), a["href"]) for a in page.select("nav.site-nav a")] == [
        ("← Overview of 2 models", "../index.html"), ("P", "../p/index.html")]


def local_targets(root: Path):
    """Every (page, href) of every local link or anchor in the site."""
    for page in sorted(root.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for a in soup.find_all("a", href=True):
            yield page, a["href"]


def test_every_local_link_and_anchor_resolves(built):
    checked = 0
    ids = {}
    for page, href in local_targets(built):
        parts = urlsplit(href)
        assert not parts.scheme and not parts.netloc, f"{page}: {href} leaves the site"
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        assert target.is_file(), f"{page.relative_to(built)}: {href} points nowhere"
        assert built.resolve() in target.parents or target == built.resolve()
        if parts.fragment:
            if target not in ids:
                ids[target] = {e["id"] for e in BeautifulSoup(target.read_text(), "html.parser").find_all(id=True)}
            assert parts.fragment in ids[target], f"{page.relative_to(built)}: {href} has no such anchor"
        checked += 1
    assert checked > 40


def test_every_page_renders_offline_in_chromium(built, visit):
    for rel in ("index.html", "p/index.html", "q/index.html"):
        v = visit((built / rel).as_uri())
        states = v.wait_rendered()
        assert [s[1] for s in states] == ["true"] * len(states), (rel, states)
        assert all(s[2] > 0 for s in states), (rel, states)
        assert v.blocked == [] and v.errors == [], (rel, v.blocked, v.errors)
    assert [s[0] for s in visit((built / "index.html").as_uri()).wait_rendered()] == [
        "model-heatmaps", "core-windows", "depth-profiles"]


def test_several_files_make_one_site_and_the_build_is_byte_stable(tmp_path, cli):
    table = designed()
    for name in ("P", "Q"):
        table[table["model"] == name].drop(columns="model").to_csv(tmp_path / f"{name.lower()}-run.csv", index=False)
    args = ["build", str(tmp_path / "p-run.csv"), str(tmp_path / "q-run.csv"), "--formats", "svg"]
    first = cli(*args, "-o", str(tmp_path / "one"))
    second = cli(*args, "-o", str(tmp_path / "two"))
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    # 3 for P, 2 for Q (no head of Q is in two categories: its overlap is one sentence), 3 on the overview
    assert first.stdout.startswith(f"wrote {tmp_path / 'one' / 'index.html'} (8 figures)")
    assert not (tmp_path / "one" / "q-run" / "figures" / "overlap.svg").exists()
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    assert Path("p-run/index.html") in files and Path("q-run/data/summary.json") in files
    for rel in files:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel


def test_bad_second_input_leaves_nothing_behind(tmp_path, cli):
    designed().to_csv(tmp_path / "good.csv", index=False)
    (tmp_path / "bad.csv").write_text("layer,head,category\n0,x,A\n")
    result = cli("build", str(tmp_path / "good.csv"), str(tmp_path / "bad.csv"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == ("reporter: error: column 'head' holds 'x', not a whole number; "
                             "head indexes are 0-based integers\n")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_missing_model_name_is_an_input_error(tmp_path, cli):
    table = designed()
    table.loc[5, "model"] = None
    table.to_csv(tmp_path / "t.csv", index=False)
    result = cli("build", str(tmp_path / "t.csv"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == "reporter: error: column 'model' has a missing value (row 5); fill or drop that row\n"


def test_model_flag_picks_one_model_for_a_single_report(tmp_path, cli):
    designed().to_csv(tmp_path / "runs.csv", index=False)
    result = cli("build", str(tmp_path / "runs.csv"), "--model", "Q", "--formats", "", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".nojekyll", ".reporter-site", "data", "figures", "index.html"]
    summary = json.loads((tmp_path / "out" / "data" / "summary.json").read_text())
    assert summary["model"] == {"name": "Q", "n_layers": 16, "n_heads": 6, "shape_source": "inferred"}


def test_the_single_file_site_holds_every_model_page_and_links_only_inside_itself(site):
    soup = BeautifulSoup(site.to_html(), "html.parser")
    held = {t["data-page"]: t for t in soup.select("template[data-page]")}
    assert list(held) == ["p/index.html", "q/index.html"]
    assert [(a.get_text(), a["href"]) for a in soup.select("#models tbody th a")] == [
        ("P", "p/index.html"), ("Q", "q/index.html")]
    assert soup.select_one("#downloads") is None and soup.select(".figure-downloads") == []
    q = BeautifulSoup(held["q/index.html"].decode_contents(), "html.parser")
    assert q.select_one("h1").get_text() == "Attention-head categories: Q"
    assert [(a.get_text(), a["href"]) for a in q.select("nav.site-nav a")] == [
        ("← Overview of 2 models", "../index.html"), ("P", "../p/index.html")]
    assert q.select_one("#downloads") is None
    payload = json.loads(q.select_one("script[data-payload]").string)
    assert sorted(payload["specs"]) == ["heatmaps", "layer-profile"]
    # The Vega JavaScript once, every other link an in-page anchor or a page held in the file.
    assert len([s for s in soup.find_all("script") if len(s.get_text()) > 500_000]) == 1
    hrefs = [a["href"] for a in soup.find_all("a", href=True)] + [
        a["href"] for t in held.values() for a in BeautifulSoup(t.decode_contents(), "html.parser").find_all("a", href=True)]
    assert {h for h in hrefs if not h.startswith("#")} == {"p/index.html", "q/index.html", "../index.html",
                                                          "../p/index.html", "../q/index.html"}


def test_the_single_file_site_switches_models_in_place_in_chromium(site, tmp_path, visit):
    page_file = tmp_path / "one.html"
    page_file.write_text(site.to_html())
    v = visit(page_file.as_uri())
    assert [s[0] for s in v.wait_rendered()] == ["model-heatmaps", "core-windows", "depth-profiles"]
    v.page.evaluate("window.stillTheSameDocument = true")
    v.page.click("#models tbody th a >> text=Q")
    v.page.wait_for_function("document.querySelector('h1').textContent.includes(': Q')")
    states = v.wait_rendered()
    assert [(s[0], s[1]) for s in states] == [("heatmaps", "true"), ("layer-profile", "true")]
    assert all(s[2] > 0 for s in states)
    assert v.page.title() == "Attention-head categories: Q"
    v.page.click("nav.site-nav a >> text=P")
    v.page.wait_for_function("document.querySelector('h1').textContent.includes(': P')")
    assert [s[0] for s in v.wait_rendered()] == ["heatmaps", "layer-profile", "overlap"]
    assert sorted(v.page.evaluate("Object.keys(window.reporterViews)")) == ["heatmaps", "layer-profile", "overlap"]
    v.page.click("nav.site-nav a >> text=Overview")
    v.page.wait_for_function("document.documentElement.dataset.page === 'index.html'")
    assert [s[1] for s in v.wait_rendered()] == ["true"] * 3
    assert v.page.evaluate("window.stillTheSameDocument") is True and v.page.url == page_file.as_uri()
    assert v.blocked == [] and v.errors == []


def test_cli_single_file_of_several_models(tmp_path, cli):
    designed().to_csv(tmp_path / "runs.csv", index=False)
    result = cli("build", "runs.csv", "--single-file", "both.html", "--formats", "", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["both.html", "runs.csv"]
    soup = BeautifulSoup((tmp_path / "both.html").read_text(), "html.parser")
    assert [t["data-page"] for t in soup.select("template[data-page]")] == ["p/index.html", "q/index.html"]


def test_model_names_are_escaped_and_slugged(tmp_path):
    table = designed().replace({"model": {"P": "<b>P</b> & co", "Q": "Q</script>"}})
    out = build_site([table], formats=()).save(tmp_path / "site")
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["b-p-b-co", "data", "figures", "q-script"]
    overview = (out / "index.html").read_text()
    assert "<b>P</b>" not in overview and "&lt;b&gt;P&lt;/b&gt; &amp; co" in overview
    assert "Q</script>" not in overview and "Q\\u003c/script\\u003e" in overview
    page = (out / "q-script" / "index.html").read_text()
    assert "<title>Attention-head categories: Q&lt;/script&gt;</title>" in page


# --- export order ---------------------------------------------------------------------------------------------

def test_figures_reach_the_export_helper_in_the_order_the_site_is_staged():
    # The helper draws in the order it is asked; the writer collects in the order it stages. If the
    # overview (built last) were staged first, the writer would sit idle while every model was drawn.
    from reporter.vega.exporter import Exporter

    with Exporter.started() as handed:
        site = build_site([designed()], formats="svg,png", exporter=handed)
        sent = [spec for spec, formats in handed._ahead]
        assert {formats for _, formats in handed._ahead} == {("svg", "png")}
        assert site.exporter is handed and all(r.exporter is handed for r in site.reports)
    # Each model's figures in the order they were made: those drawn from the tests' results come last.
    models = [f.draw_json for report in site.reports for f in report.figure_sets()[""].values()]
    assert list(site.reports[0].figure_sets()[""]) == ["heatmaps", "overlap", "layer-profile"]
    assert sent == models + [f.draw_json for f in site.figures.values()]
    assert list(site.parts()) == ["p", "q", ""]


def test_every_page_of_a_site_inlines_the_vega_javascript_and_allows_only_its_own_scripts(built):
    from reporter.pages.csp import digest

    assert not (built / "assets").exists()
    for rel in ("index.html", "p/index.html", "q/index.html"):
        soup = BeautifulSoup((built / rel).read_text(), "html.parser")
        assert soup.find_all("script", src=True) == []
        scripts = [s.string for s in soup.find_all("script") if s.get("type") != "application/json"]
        assert len(scripts) == 2 and len(scripts[0]) > 500_000  # the bundle, then the page script
        csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
        assert f"script-src 'sha256-{digest(scripts[0])}' 'sha256-{digest(scripts[1])}';" in csp
        assert "'self'" not in csp


def test_a_model_page_copied_alone_draws_every_figure(built, tmp_path, visit):
    alone = tmp_path / "mailed" / "q.html"
    alone.parent.mkdir()
    alone.write_bytes((built / "q" / "index.html").read_bytes())
    v = visit(alone.as_uri())
    states = v.wait_rendered()
    assert [(s[0], s[1]) for s in states] == [("heatmaps", "true"), ("layer-profile", "true")]
    assert all(s[2] > 0 for s in states)
    assert v.blocked == [] and v.errors == []


def test_the_overview_fits_a_phone_and_a_wide_screen(built, visit):
    from test_browser import FIT_STATE, FITTED

    v = visit((built / "index.html").as_uri(), viewport=(390, 900))
    v.wait_rendered()
    for width in (390, 1920):
        v.page.set_viewport_size({"width": width, "height": 900})
        v.page.wait_for_function(FITTED, timeout=60000)
        state = v.page.evaluate(FIT_STATE)
        assert state["scroll"] <= 0 and state["outside"] == [], (width, state)
    assert v.errors == []
