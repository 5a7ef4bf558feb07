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
    """The frame has scrolled and ``selector`` is at its top, or as high as the page's end allows."""
    return frame.evaluate(
        f"""(() => {{
            const top = Math.round(document.querySelector('{selector}').getBoundingClientRect().top);
            const atEnd = Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight;
            return scrollY > 0 && (top === 0 || (atEnd && top > 0 && top < innerHeight));
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

    # In a srcdoc frame "#id" would resolve against the notebook's address; the click must stay in the report.
    frame.click("#observations a.see >> nth=-1")
    assert frame.url == "about:srcdoc"
    assert scrolled_to(frame, frame.get_attribute("#observations a.see >> nth=-1", "href"))
    assert frame.evaluate("document.getElementById('report-data') !== null")
    assert v.errors == []
    assert v.blocked == []
