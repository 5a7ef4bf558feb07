"""Names from the input are data: shown as text in the page, the JSON, the SVG exports and file names."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import re

import reporter
from reporter.output.write import exported_files



def long_table(rows):
    """A long-shape table from (layer, head, category) tuples."""
    return pd.DataFrame(rows, columns=["layer", "head", "category"])

LONG = ("long name-" * 26)[:256]  # the longest name allowed
HOSTILE = [
    "</script><script>alert(1)</script>",
    '" onmouseover="alert(2)" x="',
    "<img src=x onerror=alert(3)>",
    "{{ 7*7 }}",
    "javascript:alert(4)",
    # Right-to-left text with a right-to-left mark; an override (U+202E) is refused (test_untrusted_input.py).
    "\u200fright-to-left \u05e2\u05d1\u05e8\u05d9\u05ea",
    "emoji 🧠 & ümlaut",
    LONG,
]
TITLE = "<script>alert('title')</script> {{ 7*7 }}"
MODEL = "<b>model</b>\" onclick=\"alert(5)"


def hostile_table():
    """A 4x3 model where every head is in the first category and one head in each of the others."""
    rows = [(layer, head, HOSTILE[0]) for layer in range(4) for head in range(3)]
    rows += [(i % 4, i % 3, name) for i, name in enumerate(HOSTILE[1:], start=1)]
    return long_table(rows)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The hostile table built into a site, figures as SVG only."""
    out = tmp_path_factory.mktemp("hostile") / "site"
    report = reporter.build(hostile_table(), title=TITLE, model=MODEL, formats="svg")
    report.save(out)
    return out, report


def test_names_are_text_in_the_html(hostile_site):
    out, _ = hostile_site
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.h1.get_text() == TITLE
    assert soup.title.get_text() == TITLE
    assert [th.get_text() for th in soup.select("table.categories th[scope=row]")] == HOSTILE  # the table's order
    assert len(soup.find_all("script")) == 3
    assert [s.get("id") for s in soup.find_all("script")] == ["report-data", None, None]
    assert soup.find("img") is None and soup.find("b") is None
    assert not [a for tag in soup.find_all(True) for a in tag.attrs if a.startswith("on")]
    assert MODEL in soup.select_one("dl.facts").get_text()
    assert "49" not in soup.select_one("table.categories").get_text()  # {{ 7*7 }} was not evaluated
    hrefs = [a["href"] for a in soup.find_all(href=True)]
    assert hrefs and all(h.startswith(("#fig-", "#head-panel", "figures/", "data/")) for h in hrefs)  # no javascript: links


def test_embedded_json_escapes_and_round_trips(hostile_site):
    out, _ = hostile_site
    html = (out / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    raw = soup.find("script", id="report-data").string
    assert "<" not in raw and ">" not in raw
    payload = json.loads(raw)
    labels = {row["categories"] for row in payload["datasets"]["heads"]}
    assert HOSTILE[0] in labels and f"{HOSTILE[0]}, {HOSTILE[1]}" in labels  # panel order: the table's
    assert {row["category"] for row in payload["datasets"]["profile"]} == set(HOSTILE)
    assert html.count("</script>") == 3


def test_names_never_enter_vega_expressions(hostile_site):
    import vl_convert as vlc

    from reporter.charts.vega_safe import cut

    _, report = hostile_site
    expressions = []

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                if k != "data":  # datasets hold the names as values, which is fine
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("expr", "update", "test", "signal", "filter"):
            expressions.append(node)

    for figure in report.figures.values():
        walk(vlc.vegalite_to_vega(figure.full_spec()))
    assert len(expressions) > 10
    # Vega-Lite quotes axis titles (a name) into its aria descriptions as JSON string literals;
    # with those literals taken out, nothing of any name is left in an expression.
    for e in expressions:
        for name in sorted(HOSTILE + [cut(n) for n in HOSTILE], key=len, reverse=True):  # figures cut names
            e = e.replace(json.dumps(name, ensure_ascii=False)[1:-1], "")
        for piece in ("alert", "onmouseover", "7*7", "javascript", "long name", "script"):
            assert piece not in e


def test_svg_exports_hold_names_as_text(hostile_site):
    out, _ = hostile_site
    svg = ET.parse(out / "figures" / "heatmaps.svg").getroot()
    tags = {el.tag.rsplit("}", 1)[-1] for el in svg.iter()}
    assert "script" not in tags and "foreignObject" not in tags and "image" not in tags
    assert not [a for el in svg.iter() for a in el.attrib if a.lower().startswith("on")]
    assert float(svg.get("width")) < 2000  # the 10,000-character name is cut short (title limit)
    texts = {"".join(el.itertext()) for el in svg.iter() if el.tag.endswith("text")}
    assert HOSTILE[0] in texts and "{{ 7*7 }}" in texts and "javascript:alert(4)" in texts


def test_file_names_stay_fixed_and_ids_are_safe(hostile_site):
    out, report = hostile_site
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [
        ".nojekyll", ".reporter-site", "data/heads.csv", "data/summary.json",
        "figures/heatmaps.svg", "figures/heatmaps.vl.json", "figures/layer-profile.svg",
        "figures/layer-profile.vl.json", "figures/overlap.svg", "figures/overlap.vl.json", "index.html",
    ]
    ids = [o.id for o in report.observations]
    assert len(ids) == len(set(ids))
    assert all(i.isascii() and i[0].isalnum() and len(i) < 70 for i in ids)
    assert "script-script-alert-1-script-per-layer" in ids  # "</script><script>alert(1)</script>" read as words
    assert any(re.fullmatch(r"long-name-long-name-long-name-long-name-[0-9a-f]{8}-few", i) for i in ids)  # cut, hashed


def test_browser_runs_no_injected_script(hostile_site, visit):
    out, _ = hostile_site
    v = visit("about:blank")
    dialogs = []  # listening before the report loads, so an alert while parsing is caught too
    v.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    v.page.goto(out.joinpath("index.html").as_uri())
    states = v.wait_rendered()
    assert [s[:2] for s in states] == [["heatmaps", "true"], ["layer-profile", "true"], ["overlap", "true"]]
    assert v.page.evaluate("document.scripts.length") == 3
    assert v.page.inner_text("h1") == TITLE
    rows = v.page.eval_on_selector_all("table.categories th[scope=row]", "els => els.map(e => e.textContent)")
    assert rows == HOSTILE
    # Hover the "All Categories" panel, where every head is in the first (script) category.
    canvas = v.page.locator("[data-figure=heatmaps] canvas").first
    assert canvas.bounding_box()["width"] < 2000  # long names are cut short in the figure
    shown = None
    for dx in range(20, 200, 8):
        for dy in range(20, 140, 8):
            canvas.hover(position={"x": dx, "y": dy})
            if v.page.evaluate("!!document.querySelector('#vg-tooltip-element.visible')"):
                shown = v.page.evaluate("document.querySelector('#vg-tooltip-element').textContent")
                break
        if shown:
            break
    assert shown is not None and HOSTILE[0] in shown
    assert v.page.evaluate("document.querySelectorAll('#vg-tooltip-element script, #vg-tooltip-element img').length") == 0
    assert v.page.evaluate("document.scripts.length") == 3
    assert dialogs == []
    assert v.errors == [] and v.blocked == []


def test_csp_forbids_network_and_eval(hostile_site):
    out, _ = hostile_site
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    meta = soup.head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    policy = dict(part.strip().split(" ", 1) for part in meta["content"].split(";"))
    assert policy["default-src"] == "'none'" and policy["connect-src"] == "'none'"
    # The page's two scripts by hash, no 'unsafe-inline' and no 'unsafe-eval' (vega-embed's interpreter, ast: true).
    assert [s[:8] for s in policy["script-src"].split()] == ["'sha256-", "'sha256-"]
    assert soup.head.find_all("meta")[1] is meta  # before any script or style


NAME = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
).filter(lambda s: s.strip() == s and s)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(NAME, min_size=1, max_size=4, unique=True), title=NAME)
def test_any_name_appears_exactly_as_given(names, title):
    """Control characters (NUL, CR, ...) and surrogates are left out: HTML parsing normalises them."""
    table = long_table([(i, 0, name) for i, name in enumerate(names)])
    html = reporter.build(table, title=title, formats=()).to_html()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text() == title
    # The table's order, but for reference names only, which take the reference order (input/order.py).
    reference = ("Algorithmic", "Knowledge", "Linguistic", "Translation")
    expected = [n for n in reference if n in names] if set(names) <= set(reference) else names
    assert [th.get_text() for th in soup.select("table.categories th[scope=row]")] == expected
    payload = json.loads(soup.find("script", id="report-data").string)
    assert {row["category"] for row in payload["datasets"]["profile"]} == set(names)
    assert len(soup.find_all("script")) == 3


def test_pdf_export_has_no_actions(hostile_site):
    _, report = hostile_site
    pdf = dict(exported_files(report.figures, ("pdf",)))["layer-profile.pdf"]
    assert pdf.startswith(b"%PDF-")
    for action in (b"/JavaScript", b"/JS", b"/URI", b"/Launch", b"/OpenAction", b"/AA"):
        assert action not in pdf
