"""The report page in Chromium: linked highlighting, the layer brush, keyboard controls,
dark mode, print and an axe-core audit."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pypdf
import pytest

from reporter.cli import EXAMPLE, EXAMPLE_OPTIONS
from reporter.report import build

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SLUGS = ["heatmaps", "layer-profile", "overlap", "kv-groups"]

# Scene-graph helpers: absolute canvas positions of items, and the opacity of data marks.
SCENE_JS = """
window.sceneItems = function (slug, keep) {
  const view = window.reporterViews[slug];
  const [ox, oy] = view.origin();
  const out = [];
  (function walk(mark, x, y) {
    for (const item of mark.items || []) {
      if (mark.marktype === 'group') {
        for (const child of item.items || []) walk(child, x + (item.x || 0), y + (item.y || 0));
      } else if (keep(mark, item)) {
        const b = item.bounds;
        out.push({datum: item.datum, opacity: item.opacity === undefined ? 1 : item.opacity,
                  cx: ox + x + (b.x1 + b.x2) / 2, cy: oy + y + (b.y1 + b.y2) / 2, x: x, y: y});
      }
    }
  })(view.scenegraph().root, 0, 0);
  const box = view.container().querySelector('canvas').getBoundingClientRect();
  return out.map(o => Object.assign(o, {px: box.left + o.cx, py: box.top + o.cy}));
};
null;  // the script's value: not the function, which page.evaluate would call
"""
CELLS = "(m, i) => m.marktype === 'rect' && i.datum && i.datum.categories !== undefined && i.datum.head !== undefined"
BARS = "(m, i) => m.marktype === 'rect' && i.datum && i.datum.heads !== undefined && i.datum.category !== undefined"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The bundled 80x64 example with the grouped-query view, without image exports."""
    out = tmp_path_factory.mktemp("page") / "site"
    build(EXAMPLE, **{**EXAMPLE_OPTIONS, "formats": (), "kv_heads": 8}).save(out)
    return out / "index.html"


def open_page(visit, site, **kwargs):
    v = visit(site.as_uri(), **kwargs)
    assert [state for _, state, _ in v.wait_rendered()] == ["true"] * len(SLUGS)
    v.page.evaluate(SCENE_JS)
    return v


def centre(v, slug: str) -> None:
    """Scroll a figure to the middle of the viewport (clear of the sticky controls) before pointing at it."""
    v.page.eval_on_selector(f"[data-figure='{slug}']", "el => el.scrollIntoView({block: 'center'})")


def full(v, slug: str, keep: str) -> list[dict]:
    """Data marks drawn at full opacity."""
    return [i["datum"] for i in v.page.evaluate(f"window.sceneItems({slug!r}, {keep})") if i["opacity"] == 1]


def test_figures_render_offline_without_errors(visit, site):
    v = open_page(visit, site)
    assert v.errors == [] and v.blocked == []
    assert v.page.evaluate("Object.keys(window.reporterViews).sort()") == sorted(SLUGS)


def test_legend_click_highlights_the_category_in_every_figure(visit, site):
    v = open_page(visit, site)
    assert len(full(v, "heatmaps", CELLS)) == v.page.evaluate("window.sceneItems('heatmaps', " + CELLS + ").length")
    centre(v, "heatmaps")
    [label] = [i for i in v.page.evaluate(
        "window.sceneItems('heatmaps', (m, i) => m.role === 'legend-label' && i.datum && i.datum.value === 'Linguistic')")]
    v.page.mouse.click(label["px"], label["py"])
    v.page.wait_for_function("window.reporterState.highlight === 'Linguistic'")
    cells = full(v, "heatmaps", CELLS)
    assert cells and all("Linguistic" in c["categories"].split(", ") for c in cells)
    bars = full(v, "layer-profile", BARS)
    assert bars and {b["category"] for b in bars} == {"Linguistic"}
    pairs = [d for d in full(v, "overlap", "(m, i) => m.marktype === 'rect' && i.datum && i.datum.row")]
    assert pairs and all("Linguistic" in (d["row"], d["col"]) for d in pairs)
    pressed = v.page.eval_on_selector_all("button.pick[aria-pressed='true']", "els => els.map(e => e.dataset.highlight)")
    assert pressed == ["Linguistic", "Linguistic"]  # the controls and the category table


def test_brush_on_layer_profile_dims_heatmap_cells_outside_the_range(visit, site):
    v = open_page(visit, site)
    centre(v, "layer-profile")
    bars = v.page.evaluate("window.sceneItems('layer-profile', " + BARS + ")")
    row = [b for b in bars if b["datum"]["category"] == "Algorithmic"]
    # Bars are one layer wide: pixels per layer from two bars of the same row.
    a, b = min(row, key=lambda i: i["datum"]["layer"]), max(row, key=lambda i: i["datum"]["layer"])
    per_layer = (b["px"] - a["px"]) / (b["datum"]["layer"] - a["datum"]["layer"])
    at = lambda layer: a["px"] + (layer + 0.5 - a["datum"]["layer"] - 0.5) * per_layer  # noqa: E731
    y = max(i["py"] for i in row) - 5
    v.page.mouse.move(at(20), y)
    v.page.mouse.down()
    v.page.mouse.move(at(30), y, steps=5)
    v.page.mouse.move(at(40), y, steps=5)
    v.page.mouse.up()
    v.page.wait_for_function("window.reporterState.range.length === 2")
    lo, hi = v.page.evaluate("window.reporterViews.heatmaps.signal('layer_range')")
    assert lo == pytest.approx(20, abs=1) and hi == pytest.approx(40, abs=1)
    cells = full(v, "heatmaps", CELLS)
    assert cells and all(c["layer"] + 1 > lo and c["layer"] < hi for c in cells)
    assert {c["layer"] for c in cells} >= {22, 30, 38}
    kv = full(v, "kv-groups", CELLS)
    assert kv and all(c["layer"] + 1 > lo and c["layer"] < hi for c in kv)
    assert (v.page.input_value("#range-lo"), v.page.input_value("#range-hi")) == (str(math.ceil(lo)), str(math.ceil(hi) - 1))


def test_keyboard_controls_highlight_and_set_the_layer_range(visit, site):
    v = open_page(visit, site)
    for _ in range(60):  # Tab through the page until the Knowledge button has focus
        v.page.keyboard.press("Tab")
        if v.page.evaluate("document.activeElement.dataset.highlight") == "Knowledge":
            break
    else:
        pytest.fail("the Knowledge highlight button is not reachable with Tab")
    v.page.keyboard.press("Enter")
    v.page.wait_for_function("window.reporterState.highlight === 'Knowledge'")
    assert v.page.text_content("#controls-status") == "Highlighting Knowledge."
    v.page.fill("#range-lo", "10")
    v.page.fill("#range-hi", "20")
    v.page.press("#range-hi", "Enter")
    v.page.wait_for_function("window.reporterState.range.length === 2")
    assert v.page.evaluate("window.reporterViews['heatmaps'].signal('layer_range')") == [10, 21]
    cells = full(v, "heatmaps", CELLS)
    assert cells and all(10 <= c["layer"] <= 20 and "Knowledge" in c["categories"] for c in cells)
    v.page.click("#range-clear")
    v.page.wait_for_function("window.reporterState.range.length === 0")


def canvas_corner(v, slug: str) -> list[int]:
    return v.page.evaluate(
        f"Array.from(document.querySelector('[data-figure={slug}] canvas').getContext('2d').getImageData(1, 1, 1, 1).data)")


def test_dark_mode_uses_the_dark_theme(visit, site, tmp_path):
    v = open_page(visit, site, color_scheme="dark")
    assert v.page.eval_on_selector_all("[data-figure]", "els => els.map(e => e.dataset.theme)") == ["dark"] * 4
    assert canvas_corner(v, "heatmaps") == [13, 17, 23, 255]  # #0d1117
    assert v.page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"
    shot = tmp_path / "dark.png"
    v.page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    light = open_page(visit, site)
    assert canvas_corner(light, "heatmaps") == [255, 255, 255, 255]


def test_print_shows_every_figure_as_a_static_svg_that_fits(visit, site):
    v = open_page(visit, site, viewport=(794, 1123), color_scheme="dark")
    v.page.wait_for_function("document.body.dataset.printReady === 'true'")
    v.page.emulate_media(media="print")
    shown = v.page.evaluate("""Array.from(document.querySelectorAll('[data-print-for]')).map(h => {
        const img = h.querySelector('img'); const r = img.getBoundingClientRect();
        return [h.dataset.printFor, img.naturalWidth > 0, r.width > 0, r.right <= document.documentElement.clientWidth,
                img.src.startsWith('data:image/svg+xml'), getComputedStyle(h.previousElementSibling).display];
    })""")
    assert shown == [[slug, True, True, True, True, "none"] for slug in SLUGS]
    # Printed from the light theme even though the page is in dark mode.
    svgs = v.page.eval_on_selector_all("[data-print-for] img", "els => els.map(e => decodeURIComponent(e.src))")
    assert all('fill="white"' in svg and "#0d1117" not in svg for svg in svgs)
    pdf = pypdf.PdfReader(io.BytesIO(v.page.pdf(format="A4")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    # Every labelled axis of layers prints: 5 heatmap panels, the profile's bottom row, the grouped-query grid.
    assert len(re.findall(r"0 16 32 48 64 80", text)) == 7
    for title in ("All Categories", "Shared heads (Jaccard shading)", "Heads in exactly these categories",
                  "Heads by KV group", "Do categories share KV groups?"):
        assert title in text
    assert len(pdf.pages) >= 3


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation(visit, site, scheme):
    v = open_page(visit, site, color_scheme=scheme)
    # Evaluated through DevTools: the page's CSP allows only its own scripts (by hash), not a script tag.
    v.page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = v.page.evaluate(
        "axe.run(document).then(r => r.violations.map(x => [x.id, x.impact, x.nodes.map(n => n.target.join(' '))]))")
    assert [x for x in violations if x[1] in ("serious", "critical")] == []


def test_clicking_a_category_name_in_the_table_highlights_it_everywhere(visit, site):
    v = open_page(visit, site)
    v.page.click("#categories button[data-highlight='Translation']")
    v.page.wait_for_function("window.reporterState.highlight === 'Translation'")
    pairs = full(v, "overlap", "(m, i) => m.marktype === 'rect' && i.datum && i.datum.row")
    assert pairs and all("Translation" in (d["row"], d["col"]) for d in pairs)
    cells = full(v, "kv-groups", CELLS)
    assert cells and all("Translation" in c["categories"].split(", ") for c in cells)
    v.page.click("#categories button[data-highlight='Translation']")  # a second click clears it
    v.page.wait_for_function("window.reporterState.highlight === ''")
    assert len(full(v, "heatmaps", CELLS)) == v.page.evaluate("window.sceneItems('heatmaps', " + CELLS + ").length")
