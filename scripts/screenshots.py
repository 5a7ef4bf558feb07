"""Screenshots of the report for the docs: the page in light and dark mode, and the printed PDF's first page.

    python scripts/screenshots.py   # writes docs/screenshots/*.png (needs Chromium and the `docs` extra)

Builds the bundled 80x64 example with the grouped-query view (--kv-heads 8) into a
temporary folder, opens it in Debian's headless Chromium with the network blocked,
and renders the PDF page with pypdfium2.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reporter.cli import EXAMPLE, EXAMPLE_OPTIONS  # noqa: E402
from reporter.report import build  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def open_report(browser, url: str, scheme: str, viewport=(1400, 1400)):
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


def main() -> None:
    """Write report-light.png, report-dark.png and report-print-page1.png."""
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        build(EXAMPLE, formats=(), **EXAMPLE_OPTIONS).save(Path(tmp) / "site")
        url = (Path(tmp) / "site" / "index.html").as_uri()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for scheme in ("light", "dark"):
            context, page = open_report(browser, url, scheme)
            page.screenshot(path=str(OUT / f"report-{scheme}.png"))
            if scheme == "light":
                pdf_first_page(page.pdf(format="A4"), OUT / "report-print-page1.png")
            context.close()
        browser.close()
    for name in ("report-light.png", "report-dark.png", "report-print-page1.png"):
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
