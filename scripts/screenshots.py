"""Screenshots of the report for the docs: a desktop (1440 px) and a phone (390 px), light and dark, a 12x12
model, and the printed PDF's first page.

    python scripts/screenshots.py   # writes docs/screenshots/*.png (needs Chromium and the `docs` extra)

Builds the bundled 80x64 example with the grouped-query view (--kv-heads 8) and a made-up 12x12 model into a
temporary folder, opens them in Debian's headless Chromium with the network blocked, and renders the PDF page
with pypdfium2.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from reporter.cli import EXAMPLE, EXAMPLE_OPTIONS  # noqa: E402
from reporter.report import build  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
DESKTOP = (1440, 1400)
PHONE = (390, 844)
PHONE_LENGTH = 3200  # pixels of the phone's page shown: header, observations, controls, the heatmaps


def small_model() -> pd.DataFrame:
    """A made-up 12x12 model: three categories early, middle and late, a sparse fourth, a few heads in two."""
    rows = []
    for layer in range(12):
        for head in range(12):
            if (layer * 7 + head * 3) % 4 == 0:
                rows.append((layer, head, ("Algorithmic", "Knowledge", "Linguistic")[layer // 4]))
            if (layer + head) % 9 == 0:
                rows.append((layer, head, "Translation"))
    return pd.DataFrame(sorted(set(rows)), columns=["layer", "head", "category"])


def open_report(browser, url: str, scheme: str, viewport=DESKTOP):
    """A page showing the report, every figure drawn and the print images ready."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, color_scheme=scheme)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.goto(url)
    page.wait_for_function("document.body.dataset.printReady === 'true'", timeout=60000)
    return context, page


def pdf_first_page(pdf: bytes, path: Path) -> None:
    """Render page 1 of a PDF to PNG at 110 dpi."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    document[0].render(scale=110 / 72).to_pil().save(path, optimize=True)


def shoot(browser, url: str, name: str, scheme: str, viewport, length: int | None = None) -> str:
    """One screenshot: the viewport, or the page's first ``length`` pixels."""
    context, page = open_report(browser, url, scheme, viewport)
    path = OUT / name
    if length:
        height = min(length, page.evaluate("document.documentElement.scrollHeight"))
        page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": viewport[0], "height": height})
    else:
        page.screenshot(path=str(path))
    if name == "report-light.png":
        pdf_first_page(page.pdf(format="A4"), OUT / "report-print-page1.png")
    context.close()
    return name


def main() -> None:
    """Write the desktop and phone shots in light and dark, the 12x12 model, and the print page."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        build(EXAMPLE, formats=(), **EXAMPLE_OPTIONS).save(Path(tmp) / "site")
        build(small_model(), formats=(), layers=12, heads=12, model="a 12x12 model").save(Path(tmp) / "small")
        url = (Path(tmp) / "site" / "index.html").as_uri()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        names = [shoot(browser, url, f"report-{scheme}.png", scheme, DESKTOP) for scheme in ("light", "dark")]
        names += [shoot(browser, url, f"report-phone-{scheme}.png", scheme, PHONE, PHONE_LENGTH)
                  for scheme in ("light", "dark")]
        names.append(shoot(browser, (Path(tmp) / "small" / "index.html").as_uri(), "report-12x12.png", "light",
                           DESKTOP, 2000))
        browser.close()
    for name in names + ["report-print-page1.png"]:
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
