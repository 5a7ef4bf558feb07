"""The report in a real Chromium, from file://, with the network blocked."""

from __future__ import annotations

import pandas as pd
import pytest

import reporter
from conftest import long_table


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    rows = [(layer, head, cat) for layer in range(0, 32, 3) for head in range(0, 32, 5) for cat in ("A", "B")[: 1 + layer % 2]]
    out = tmp_path_factory.mktemp("browser") / "site"
    reporter.build(long_table(rows), layers=32, heads=32, formats=()).save(out)
    return out


def test_opens_offline_with_every_figure_rendered(site, visit, tmp_path):
    page = visit((site / "index.html").as_uri())
    states = page.wait_rendered()
    assert states == [["heatmaps", "true", 1], ["layer-profile", "true", 1], ["overlap", "true", 1]]
    assert page.blocked == []
    assert page.errors == []
    shot = tmp_path / "report.png"
    page.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


FIND_HEAD = """([layer, head]) => {
  // Walk the scenegraph, adding up group offsets, to the rect of one classified head.
  const walk = (node, dx, dy) => {
    for (const item of node.items || []) {
      const x = dx + (item.x || 0), y = dy + (item.y || 0);
      if (item.datum && item.datum.layer === layer && item.datum.head === head && item.datum.categories)
        return [dx + item.x + item.width / 2, dy + item.y + item.height / 2];
      const found = walk(item, node.marktype === 'group' ? x : dx, node.marktype === 'group' ? y : dy);
      if (found) return found;
    }
    return null;
  };
  const view = window.reporterViews.heatmaps;
  const [ox, oy] = view.origin();  // excludes the view's padding, so add it
  const pad = view.padding();
  const at = walk(view.scenegraph().root, 0, 0);
  return at && [at[0] + ox + pad.left, at[1] + oy + pad.top];
}"""


def tooltip_of_head(visit, page_path, layer: int, head: int) -> str:
    """Open a report, hover one classified head in the heatmaps and return the tooltip's text."""
    page = visit(page_path.as_uri())
    page.wait_rendered()
    x, y = page.page.evaluate(FIND_HEAD, [layer, head])
    box = page.page.locator("[data-figure=heatmaps] canvas").bounding_box()
    page.page.mouse.move(box["x"] + x, box["y"] + y)
    tooltip = page.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    return tooltip.inner_text()


def test_tooltip_shows_layer_head_and_categories(site, visit):
    text = tooltip_of_head(visit, site / "index.html", 3, 5)
    assert "layer" in text and "3" in text
    assert "A, B" in text


def test_tooltip_shows_the_best_score_and_relation_when_the_input_has_scores(visit, tmp_path):
    rows = [(relation, category, layer, head, 0.9 if (layer + head) % 4 == 0 else 0.1)
            for relation, category in (("capital_of", "Knowledge"), ("plural", "Linguistic"))
            for layer in range(8) for head in range(8)]
    rows.append(("plural", "Linguistic", 3, 4, 0.8))  # head (3, 4): Linguistic only, best 0.8
    scores = pd.DataFrame(rows, columns=["relation", "category", "layer", "head", "score"])
    scores = scores.groupby(["relation", "category", "layer", "head"], as_index=False)["score"].max()
    reporter.build(scores, layers=8, heads=8, threshold=0.5, formats=()).save(tmp_path / "site")
    text = tooltip_of_head(visit, tmp_path / "site" / "index.html", 3, 4)
    assert "best score" in text and "0.800" in text
    assert "best relation" in text and "plural" in text


def test_no_storage_or_cookies_touched(site, browser):
    context = browser.new_context()
    context.add_init_script(
        "window.__touched = [];"
        "for (const m of ['getItem', 'setItem', 'removeItem', 'clear']) {"
        "  const f = Storage.prototype[m];"
        "  Storage.prototype[m] = function () { window.__touched.push(m); return f.apply(this, arguments); };"
        "}"
    )
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    page.wait_for_function("document.querySelectorAll('[data-rendered=true]').length === 3")
    assert page.evaluate("window.__touched") == []
    assert page.evaluate("document.cookie") == ""
    context.close()


WIDTHS = (390, 715, 1280, 1440, 1920)
FIT_STATE = """() => {
  const width = window.innerWidth;
  const boxes = Array.from(document.querySelectorAll('figure, section, table, .chart, canvas, header, .controls'));
  const outside = boxes.map(b => [b.id || b.tagName, b.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && (r.left < 0 || r.right > width + 0.5))
    .map(([name, r]) => name + ' ' + Math.round(r.left) + '-' + Math.round(r.right));
  const figures = Array.from(document.querySelectorAll('[data-figure]')).map(e => [
    e.dataset.figure, e.dataset.rendered, e.querySelectorAll('canvas').length,
    e.querySelector('canvas') ? e.querySelector('canvas').getBoundingClientRect().width > 100 : false]);
  // The export menu ("...") sits beside the drawing, never over it (a legend or a panel ran under it).
  const menus = Array.from(document.querySelectorAll('.vega-embed')).filter(e => {
    const menu = e.querySelector('details > summary'), drawing = e.querySelector('canvas');
    return menu && drawing && menu.getBoundingClientRect().left < drawing.getBoundingClientRect().right;
  }).map(e => e.dataset.figure);
  return {scroll: document.documentElement.scrollWidth - width, outside, figures, menus};
}"""
FITTED = ("() => Array.from(document.querySelectorAll('[data-figure]')).every(e => e.dataset.rendered === 'true'"
          " && e.dataset.fitWidth === String(e.parentElement.clientWidth))")


def shaped_table(n_layers: int, n_heads: int) -> pd.DataFrame:
    """Four categories spread over the model (A early, B middle, C late, D sparse) and a few heads in two or three."""
    rows = []
    for layer in range(n_layers):
        for head in range(n_heads):
            third = 3 * layer // n_layers
            if (layer * 7 + head * 3) % 5 == 0:
                rows.append((layer, head, "ABC"[third]))
            if (layer + head) % 11 == 0:
                rows.append((layer, head, "D"))
            if (layer * 5 + head) % 17 == 0:
                rows += [(layer, head, c) for c in "ABC"[: 2 + layer % 2] if c != "ABC"[third]]
    return long_table(sorted(set(rows)))


@pytest.mark.parametrize("shape", [(12, 12), (32, 32), (80, 64), (126, 128)])
def test_every_figure_fits_every_screen_without_sideways_scroll(shape, visit, tmp_path):
    n_layers, n_heads = shape
    out = tmp_path / "site"
    reporter.build(shaped_table(n_layers, n_heads), layers=n_layers, heads=n_heads, kv_heads=4, formats=()).save(out)
    # One page per shape, resized: each new width refits the figures (embed.js), which the wait sees.
    page = visit((out / "index.html").as_uri(), viewport=(WIDTHS[0], 900))
    page.wait_rendered(timeout=120000)
    for width in WIDTHS:
        page.page.set_viewport_size({"width": width, "height": 900})
        page.page.wait_for_function(FITTED, timeout=120000)
        state = page.page.evaluate(FIT_STATE)
        assert state["scroll"] <= 0, (width, state)
        assert state["outside"] == [], (width, state)
        assert state["menus"] == [], (width, state)
        assert state["figures"] == [[slug, "true", 1, True] for slug in ("heatmaps", "layer-profile", "overlap", "kv-groups")], width
    assert page.errors == [] and page.blocked == []


FILLS = """(slug) => {
  // Every distinct fill of the rects drawn in one figure, from its scenegraph.
  const fills = new Set();
  const walk = (node) => {
    for (const item of node.items || []) {
      if (node.marktype === 'rect' && item.fill) fills.add(item.fill);
      walk(item);
    }
  };
  walk(window.reporterViews[slug].scenegraph().root);
  return Array.from(fills).sort();
}"""


def test_dark_mode_darkens_every_neutral_fill_and_exports_stay_light(site, visit):
    dark = visit((site / "index.html").as_uri(), color_scheme="dark")
    dark.wait_rendered()
    fills = dark.page.evaluate(FILLS, "heatmaps")
    assert "#161b22" in fills and "#e0e0e0" not in fills  # the unclassified background (palette.DARK_UNCLASSIFIED_COLOR)
    overlap = dark.page.evaluate(FILLS, "overlap")
    assert "#262c36" in overlap and "#f0f0f0" not in overlap  # the matrix's diagonal
    light = visit((site / "index.html").as_uri())
    light.wait_rendered()
    assert "#e0e0e0" in light.page.evaluate(FILLS, "heatmaps")
    assert dark.errors == [] and light.errors == []
