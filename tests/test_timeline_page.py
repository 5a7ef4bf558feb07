"""The timeline page in Chromium: every figure drawn offline, the slider picks the checkpoint, links resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import reporter

from timeline_data import STEPS, known_series

SLUGS = ["timeline-counts", "timeline-jaccard", "timeline-depth", "timeline-heatmaps", "timeline-steps"]
CELLS_AT = """(slug) => {
  const out = [];
  (function walk(mark) {
    for (const item of mark.items || []) {
      if (mark.marktype === 'group') { for (const child of item.items || []) walk(child); }
      else if (mark.marktype === 'rect' && item.datum && item.datum.categories !== undefined) out.push(item.datum);
    }
  })(window.reporterViews[slug].scenegraph().root);
  return out;
}"""


TEXTS = """(slug) => {
  const out = [];
  (function walk(mark) {
    for (const item of mark.items || []) {
      if (mark.marktype === 'text' && typeof item.text === 'string') out.push(item.text);
      for (const child of item.items || []) walk(child);
    }
  })(window.reporterViews[slug].scenegraph().root);
  return out;
}"""


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """The known series' timeline with its checkpoint pages, without image exports."""
    out = tmp_path_factory.mktemp("timeline") / "site"
    with reporter.build_timeline(known_series(), layers=12, heads=12, formats=()) as t:
        t.save(out)
    return out / "index.html"


def test_every_figure_renders_offline_without_errors(visit, page):
    v = visit(page.as_uri())
    assert [state for _, state, _ in v.wait_rendered()] == ["true"] * len(SLUGS)
    assert v.errors == [] and v.blocked == []
    assert v.page.evaluate("Object.keys(window.reporterViews).sort()") == sorted(SLUGS)


def test_the_slider_shows_the_checkpoint_it_picks(visit, page):
    v = visit(page.as_uri())
    v.wait_rendered()
    drawn = v.page.evaluate(f"({CELLS_AT})('timeline-heatmaps')")
    last = known_series().query("step == 16000").groupby(["layer", "head"])["category"].apply(", ".join)
    only_phase = int((last == "Phase").sum())
    assert only_phase > 20 and sum(d["categories"] == "Phase" for d in drawn) == 2 * only_phase  # All + its panel
    assert "All Categories · step 16,000" in v.page.evaluate(f"({TEXTS})('timeline-heatmaps')")
    v.page.eval_on_selector("input[type=range]", "el => { el.value = '5'; el.dispatchEvent(new Event('input')); }")
    v.page.wait_for_function("window.reporterViews['timeline-heatmaps'].signal('checkpoint') === 5")
    v.page.evaluate("window.reporterViews['timeline-heatmaps'].runAsync().then(() => null)")
    at_16 = v.page.evaluate(f"({CELLS_AT})('timeline-heatmaps')")
    assert at_16 and not any("Phase" in d["categories"] for d in at_16)  # Phase has no heads before step 512
    ramp = {(d["layer"], d["head"]) for d in at_16 if d["categories"] == "Ramp"}
    assert len(ramp) == 10  # two per checkpoint from step 1: ten at the sixth checkpoint (step 16)
    assert STEPS[5] == 16 and "All Categories · step 16" in v.page.evaluate(f"({TEXTS})('timeline-heatmaps')")


def test_checkpoint_pages_are_one_click_away(page):
    soup = BeautifulSoup(page.read_text(), "html.parser")
    links = [a["href"] for a in soup.select("#checkpoints a")]
    assert links == [f"steps/step-{s}/index.html" for s in (0, 4, 32, 256, 2000, 16000)]
    for href in links:
        target = page.parent / href
        back = BeautifulSoup(target.read_text(), "html.parser").select_one("nav.site-nav a")
        assert back.text == "← Timeline" and (target.parent / back["href"]).resolve() == page.resolve()
    rows = [tr.find("th").text.strip() for tr in soup.select("#timeline-categories tbody tr")]
    assert rows == ["Mover", "Flicker", "Ramp", "Phase"]  # the input's order (first appearance)
    cells = [td.text for td in soup.select("#timeline-categories tbody tr")[3].find_all("td")]
    assert cells[:6] == ["30", "512", "512", "512", "0 → 30 (256 → 512)", "jump (p = 1.5e-14)"]


def test_single_file_page_has_no_links_to_side_files(tmp_path):
    with reporter.build_timeline(known_series(), layers=12, heads=12, formats=(), step_pages="none") as t:
        html = t.to_html()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select("#checkpoints a") == [] and soup.select("#downloads") == []
    assert soup.find("script", src=True) is None  # the Vega JavaScript is inline
