"""The one-file page inside sandboxed iframes: MLflow's artifact view and a notebook's srcdoc frame."""

from __future__ import annotations

import reporter

RENDERED = "Array.from(document.querySelectorAll('[data-figure]')).every(e => e.dataset.rendered)"
STATES = ("Array.from(document.querySelectorAll('[data-figure]'))"
          ".map(e => [e.dataset.figure, e.dataset.rendered, e.querySelectorAll('canvas, svg.marks').length])")


def frame_figures(frame) -> list[list]:
    """Wait until every figure in ``frame`` has tried to render; [slug, state, canvas/svg count] per figure."""
    frame.wait_for_function(RENDERED, timeout=30000)
    return frame.evaluate(STATES)


def scrolled_to(frame, selector: str) -> bool:
    """The frame has scrolled and ``selector`` sits just below the sticky controls (8 px under them), or as high
    as the page's end allows, and never under the controls."""
    return frame.evaluate(
        f"""(() => {{
            const top = Math.round(document.querySelector('{selector}').getBoundingClientRect().top);
            const controls = document.getElementById('controls');
            const below = controls ? Math.round(controls.getBoundingClientRect().bottom) : 0;
            const atEnd = Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight;
            return scrollY > 0 && top >= below && (top === below + 8 || (atEnd && top < innerHeight));
        }})()"""
    )


def host_page(tmp_path, frame_attrs: str) -> str:
    """A host page holding one iframe, as a file:// URL."""
    host = tmp_path / "host.html"
    host.write_text(f'<!doctype html><html><body><iframe {frame_attrs} style="width:1500px;height:900px">'
                    "</iframe></body></html>")
    return host.as_uri()


def test_page_uses_no_storage_cookies_or_parent_frames(small_table):
    page = reporter.build(small_table).to_html()
    # The page only posts its height to a host's frame and hears the host's theme (embed.js tellHost).
    allowed = ("window.parent === window", "window.parent.postMessage({ reporterHeight:", "event.source !== window.parent")
    assert all(page.count(form) == 1 for form in allowed)
    for form in allowed:
        page = page.replace(form, "")
    for token in ("localStorage", "sessionStorage", "document.cookie", "window.parent", "window.top", "indexedDB"):
        assert token not in page


def test_error_capture_reaches_into_sandboxed_frames(visit, tmp_path):
    # The control for the tests below: an error inside such a frame is seen by the page's listeners.
    v = visit(host_page(tmp_path, 'sandbox="allow-scripts" srcdoc="<script>console.error(&quot;boom&quot;)</script>"'))
    v.page.wait_for_function("true")
    v.page.wait_for_timeout(200)  # let the frame's script run; not an assertion on time
    assert v.errors == ["boom"]


def test_single_file_renders_in_a_sandboxed_iframe_without_same_origin(visit, small_table, tmp_path):
    report = reporter.build(small_table)
    report.save_html(tmp_path / "report.html")
    v = visit(host_page(tmp_path, 'id="report" sandbox="allow-scripts" src="report.html"'))
    frame = v.page.query_selector("#report").content_frame()
    assert frame_figures(frame) == [["heatmaps", "true", 1], ["layer-profile", "true", 1], ["overlap", "true", 1]]
    assert frame.evaluate("self.origin") == "null"  # opaque origin: no storage, no cookies, no parent access
    url = frame.url

    # "see figure" scrolls inside the frame instead of navigating it away.
    frame.click("#observations a.see >> nth=0")
    target = frame.get_attribute("#observations a.see >> nth=0", "href")
    assert frame.url == url
    assert scrolled_to(frame, target)

    # The export menu works or is quietly refused by the sandbox; either way nothing throws.
    for label in ("PNG", "SVG"):
        frame.evaluate("document.querySelector('#fig-heatmaps details').open = true")  # the "…" menu
        frame.click(f"#fig-heatmaps .vega-actions a:has-text('Save as {label}')")
    assert frame.evaluate("document.querySelectorAll('[data-figure][data-rendered=true]').length") == 3
    assert v.errors == []
    assert v.blocked == []


def test_notebook_repr_renders_every_figure(visit, small_table):
    report = reporter.build(small_table)
    v = visit("about:blank")
    v.page.set_content(f"<!doctype html><html><body><div class='output'>{report._repr_html_()}</div></body></html>")
    frame = v.page.query_selector("iframe.reporter-report").content_frame()
    assert frame_figures(frame) == [[slug, "true", 1] for slug in report.figures]
    assert frame.url == "about:srcdoc"
    assert frame.inner_text("h1") == "Attention-head categories: model"

    # The frame takes the page's height (posted by the page), so the notebook scrolls, not the frame;
    # the page is light (the host shows no dark theme).
    v.page.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height > 700")
    assert v.page.evaluate("document.querySelector('iframe').getBoundingClientRect().height") == frame.evaluate(
        "Math.ceil(document.documentElement.getBoundingClientRect().height)")
    assert frame.evaluate("document.documentElement.dataset.theme") == "light"

    # In a srcdoc frame "#id" would resolve against the notebook's address; the click must stay in the report.
    target = frame.get_attribute("#observations a.see >> nth=-1", "href")
    frame.click("#observations a.see >> nth=-1")
    assert frame.url == "about:srcdoc"
    v.page.wait_for_function("scrollY > 0")
    top = v.page.evaluate("document.querySelector('iframe').getBoundingClientRect().top") + frame.evaluate(
        f"document.querySelector('{target}').getBoundingClientRect().top")
    assert abs(top) <= 1
    assert frame.evaluate("document.getElementById('report-data') !== null")
    assert v.errors == []
    assert v.blocked == []


def test_notebook_frame_takes_a_dark_notebooks_theme_and_a_theme_it_is_told(visit, small_table):
    report = reporter.build(small_table)
    # JupyterLab marks its dark themes on <body data-jp-theme-light="false">.
    v = visit("about:blank")
    v.page.set_content("<!doctype html><html><body data-jp-theme-light='false'><div class='output'>"
                       f"{report._repr_html_()}</div></body></html>")
    frame = v.page.query_selector("iframe.reporter-report").content_frame()
    frame.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    frame.wait_for_function("Array.from(document.querySelectorAll('[data-figure]')).every(e => e.dataset.theme === 'dark')")
    assert frame.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"
    # Told light, it stays light even in a dark notebook on a dark system.
    told = visit("about:blank", color_scheme="dark")
    told.page.set_content("<!doctype html><html><body data-jp-theme-light='false'><div class='output'>"
                          f"{report.notebook(theme='light')._repr_html_()}</div></body></html>")
    frame = told.page.query_selector("iframe.reporter-report").content_frame()
    assert [f[1] for f in frame_figures(frame)] == ["true"] * 3
    assert frame.evaluate("[document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]") \
        == ["light", "rgb(255, 255, 255)"]
    assert frame.evaluate("Array.from(document.querySelectorAll('[data-figure]')).map(e => e.dataset.theme)") == ["light"] * 3
    assert v.errors == [] and told.errors == []
