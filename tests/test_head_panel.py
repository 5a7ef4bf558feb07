"""The per-head panel in Chromium: opened by a click in a heatmap or score map, by the Head box and by #L12H5."""

from __future__ import annotations

from pathlib import Path

import pytest

import reporter
from test_page_interaction import SCENE_JS, centre
from test_score_figures import detector

SLUGS = ["heatmaps", "score-maps", "score-distribution", "layer-profile", "overlap", "kv-groups"]
ROWS_JS = ("Array.from(document.querySelectorAll('#head-panel tbody tr'))"
           ".map(r => Array.from(r.children).map(c => c.textContent))")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("panel") / "site"
    reporter.build(detector(), formats="", top_k=2, kv_heads=2).save(out)
    return out / "index.html"


def opened(visit, url: str):
    v = visit(url)
    assert [state for _, state, _ in v.wait_rendered()] == ["true"] * len(SLUGS)
    v.page.evaluate(SCENE_JS)
    return v


def panel(v) -> tuple[str, list[list[str]], str]:
    """The panel's title, its relation rows and its text."""
    v.page.wait_for_selector("#head-panel:not([hidden])")
    return (v.page.text_content("#head-panel-title"), v.page.evaluate(ROWS_JS), v.page.text_content("#head-panel-body"))


# L2H1 of the detector table: duplicate 0.27 and induction 0.25 (each the highest), previous_token 0.4 + 0.09
# (head index 9: L1H3 at 0.92 and the heads numbered 10-15 score higher, so rank 8).
L2H1_ROWS = [["duplicate", "Induction", "0.27", "1 of 16", "yes"],
             ["induction", "Induction", "0.25", "1 of 16", "yes"],
             ["previous_token", "Positional", "0.49", "8 of 16", "no"]]  # below 0.92 and heads 10-15


IMAGE_WIDTH_JS = """(p) => { let w = 0; (function walk(m) { for (const i of m.items || []) {
    if (m.marktype === 'image' && i.datum.p === p) w = i.width; (i.items || []).forEach(walk); } })(
    window.reporterViews['score-maps'].scenegraph().root); return w; }"""


def click_cell(v, panel_index: int, layer: int, head: int, n: int = 4) -> None:
    """Click the middle of cell (layer, head) of a score map panel of n x n heads."""
    [image] = v.page.evaluate("window.sceneItems('score-maps', (m, i) => m.marktype === 'image' && "
                              f"i.datum.p === {panel_index} && i.mark.role !== 'legend').slice(0, 1)")
    side = v.page.evaluate(f"({IMAGE_WIDTH_JS})({panel_index})")
    # sceneItems gives the image's centre; cells count from its top-left corner.
    v.page.mouse.click(image["px"] - side / 2 + (layer + 0.5) * side / n, image["py"] - side / 2 + (head + 0.5) * side / n)


def test_a_click_on_a_score_map_cell_opens_the_head_and_sets_the_hash(visit, site):
    v = opened(visit, site.as_uri())
    centre(v, "score-maps")
    click_cell(v, 0, 2, 1)
    title, rows, text = panel(v)
    assert title == "Head L2H1 (layer 2, head 1)"
    assert rows == L2H1_ROWS
    assert "Categories: Induction." in text and "Key/value group 0 of layer 2 (heads 0–1 share it)." in text
    assert v.page.evaluate("window.location.hash") == "#L2H1"
    assert v.errors == [] and v.blocked == []


GROUND_JS = """(() => {
  const view = window.reporterViews.heatmaps;
  const [ox, oy] = view.origin();
  const box = view.container().querySelector('canvas').getBoundingClientRect();
  let found = null;
  (function walk(mark, x, y) {
    for (const item of mark.items || []) {
      if (mark.marktype === 'group') {
        for (const child of item.items || []) walk(child, x + (item.x || 0), y + (item.y || 0));
      } else if (!found && item.datum && item.datum.label === 'Unclassified' && item.datum.layer_end === 4) {
        found = {left: box.left + ox + x + item.bounds.x1, top: box.top + oy + y + item.bounds.y1,
                 width: item.bounds.x2 - item.bounds.x1, height: item.bounds.y2 - item.bounds.y1};
      }
    }
  })(view.scenegraph().root, 0, 0);
  return found;
})()"""


def test_a_click_on_an_unclassified_cell_of_the_heatmaps_opens_that_head(visit, site):
    v = opened(visit, site.as_uri())
    centre(v, "heatmaps")
    ground = v.page.evaluate(GROUND_JS)  # the first panel's background: the whole 4 x 4 grid
    # The middle of layer 0, head 0 (unclassified under top-2: every relation's top two lie elsewhere).
    v.page.mouse.click(ground["left"] + ground["width"] / 8, ground["top"] + ground["height"] / 8)
    title, rows, text = panel(v)
    assert title == "Head L0H0 (layer 0, head 0)"
    assert "Categories: none (unclassified)." in text
    assert rows[0] == ["duplicate", "Induction", "0", "16 of 16", "no"]


def test_a_click_on_another_panel_opens_the_head_under_it(visit, site):
    v = opened(visit, site.as_uri())
    centre(v, "score-maps")
    click_cell(v, 1, 1, 1)
    title, rows, _ = panel(v)
    assert title == "Head L1H1 (layer 1, head 1)"
    assert rows[2][:3] == ["previous_token", "Positional", "0.45"]


def test_the_hash_opens_the_head_on_load(visit, site):
    v = opened(visit, site.as_uri() + "#L2H1")
    title, rows, _ = panel(v)
    assert title == "Head L2H1 (layer 2, head 1)" and rows == L2H1_ROWS
    v.page.evaluate("window.location.hash = '#L1H3'")
    v.page.wait_for_function("document.getElementById('head-panel').dataset.head === 'L1H3'")
    title, rows, text = panel(v)
    assert title == "Head L1H3 (layer 1, head 3)"
    assert rows[2] == ["previous_token", "Positional", "0.92", "1 of 16", "yes"]
    assert "Categories: Positional." in text


def test_the_head_box_opens_a_head_from_the_keyboard(visit, site):
    v = opened(visit, site.as_uri())
    v.page.focus("#head-pick-id")
    v.page.keyboard.type("L0H0")
    v.page.keyboard.press("Enter")
    title, rows, text = panel(v)
    assert title == "Head L0H0 (layer 0, head 0)"
    assert [r[0] for r in rows] == ["duplicate", "induction", "previous_token"]
    assert "Categories: none (unclassified)." in text
    assert v.page.evaluate("document.activeElement.id") == "head-panel-title"
    v.page.click("#head-panel-close")
    assert v.page.is_hidden("#head-panel")
