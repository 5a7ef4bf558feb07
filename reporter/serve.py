"""`reporter serve`: build, serve the site on 127.0.0.1, and rebuild when an input or the settings change.

One process keeps pandas, Altair and the pipeline imported and one export
helper running (its JavaScript runtime booted) from build to build, so a
rebuild skips the start-up a `reporter build` pays. Each served page gets a
small script (allowed by adding its hash to the page's Content-Security-Policy,
with ``connect-src 'self'`` for its one request) that long-polls the server:
when a newer good build exists the page reloads; when the last attempt failed
it shows that attempt's one-line error above the last good report, which stays
served until an edit builds again.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from .errors import ReporterError

STATUS = "/__reporter__/status"
WAIT_SECONDS = 20.0  # how long one status request is held open waiting for a change
POLL_SECONDS = 0.2  # how often the watched files' times and sizes are read
RELOAD_SCRIPT = """(function () {
  var shown = Number(document.querySelector('meta[name="reporter-serve"]').content);
  var seen = -1;
  function banner(text) {
    var box = document.getElementById('reporter-serve-error');
    if (!text) { if (box) { box.remove(); } return; }
    if (!box) {
      box = document.createElement('div');
      box.id = 'reporter-serve-error';
      box.setAttribute('role', 'alert');
      box.style.cssText = 'position:sticky;top:0;z-index:1000;padding:.6em 1em;font:14px/1.4 system-ui,sans-serif;' +
        'background:#fde8e8;color:#7a1010;border-bottom:2px solid #c22;white-space:pre-wrap';
      document.body.prepend(box);
    }
    box.textContent = text;
  }
  function poll() {
    fetch('/__reporter__/status?after=' + seen, {cache: 'no-store'}).then(function (r) { return r.json(); }).then(
      function (s) {
        if (s.good !== shown) { location.reload(); return; }
        seen = s.version;
        banner(s.error ? 'The last change did not build: ' + s.error + ' (still showing the last good report)' : '');
        poll();
      },
      function () { setTimeout(poll, 1000); });
  }
  poll();
})();"""


class Live:
    """The served folder, the count of good builds and of attempts, and the last attempt's error."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.version = 0  # attempts so far
        self.good = 0  # the attempt whose report is served (0: none yet)
        self.error: str | None = None
        self._changed = threading.Condition()

    def record(self, error: str | None) -> None:
        """One attempt ended: a good build (``error`` None) is served from now on; a failed one keeps the last."""
        with self._changed:
            self.version += 1
            if error is None:
                self.good = self.version
            self.error = error
            self._changed.notify_all()

    def state(self, after: int = -1, wait: float = 0.0) -> dict:
        """The state, once an attempt later than ``after`` ended or ``wait`` seconds passed."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > after, timeout=wait)
            return {"version": self.version, "good": self.good, "error": self.error}


def live_page(html: str, good: int) -> str:
    """A page of the site with the reload script added, its CSP allowing exactly that script and its request.

    Only the CSP meta tag is edited and the script goes before the last ``</body>``: the inlined
    Vega bundle holds such strings too, and its hash must stay the one the CSP names.
    """
    from .pages.csp import digest

    csp_start = html.index('<meta http-equiv="Content-Security-Policy"')
    csp_end = html.index(">", csp_start) + 1
    csp = html[csp_start:csp_end].replace("script-src ", f"script-src 'sha256-{digest(RELOAD_SCRIPT)}' ", 1)
    csp = csp.replace("connect-src 'none'", "connect-src 'self'", 1)
    marker = f'\n<meta name="reporter-serve" content="{good}">'
    before, body_end, after = html.rpartition("</body>")
    html = before + f"<script>{RELOAD_SCRIPT}</script>\n" + body_end + after
    return html[:csp_start] + csp + marker + html[csp_end:]


def waiting_page(error: str | None) -> str:
    """The page served before the first good build: building, or the first attempt's error."""
    import html

    said = f"The report did not build: {html.escape(error)}" if error else "Building the report…"
    return live_page(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" "
        "content=\"default-src 'none'; script-src ; style-src 'unsafe-inline'; connect-src 'none'\">"
        f"<title>reporter serve</title></head><body><p id=\"reporter-serve-waiting\">{said}</p></body></html>", 0)


def handler_for(live: Live) -> type[http.server.SimpleHTTPRequestHandler]:
    """A request handler serving ``live``'s folder, its pages made live, and the status requests."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(live.folder), **kwargs)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            """A status request, a page (made live) or any other file of the site."""
            url = urlsplit(self.path)
            if url.path == STATUS:
                after = int(parse_qs(url.query).get("after", ["-1"])[0] or -1)
                return self.send_text(json.dumps(live.state(after, WAIT_SECONDS)), "application/json")
            state = live.state()
            if url.path.endswith((".html", "/")) and not state["good"]:
                return self.send_text(waiting_page(state["error"]), "text/html; charset=utf-8")
            page = Path(self.translate_path(url.path))
            page = page / "index.html" if page.is_dir() else page
            if page.suffix == ".html" and page.is_file():
                return self.send_text(live_page(page.read_text(encoding="utf-8"), state["good"]),
                                      "text/html; charset=utf-8")
            return super().do_GET()

        def send_text(self, text: str, kind: str) -> None:
            """Answer 200 with ``text``, never cached (each reload must get the new build)."""
            body = text.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def log_message(self, *args: object) -> None:
            """Requests are not logged: the terminal shows builds."""

        def handle(self) -> None:
            with contextlib.suppress(ConnectionError):  # a tab closed mid-answer
                super().handle()

    return Handler


class Watch:
    """The modification times and sizes of files (and of every file under a folder), to notice a change."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.seen = self.snapshot()

    def snapshot(self) -> dict[Path, tuple[int, int] | None]:
        """Each watched file's (mtime in ns, size), None for a missing one."""
        found: dict[Path, tuple[int, int] | None] = {}
        for path in self.paths:
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for file in files:
                with contextlib.suppress(OSError):
                    stat = file.stat()
                    found[file] = (stat.st_mtime_ns, stat.st_size)
                found.setdefault(file, None)
        return found

    def retarget(self, paths: list[Path]) -> None:
        """Watch ``paths`` from now on: files watched already keep the state last seen, new ones start as they are."""
        self.paths = paths
        now = self.snapshot()
        self.seen = {**now, **{p: state for p, state in self.seen.items() if p in now}}

    def changed(self) -> list[Path]:
        """The files changed since the last call (empty when none did)."""
        now = self.snapshot()
        moved = [p for p in sorted(set(now) | set(self.seen)) if now.get(p) != self.seen.get(p)]
        self.seen = now
        return moved

    def wait(self) -> list[Path]:
        """Block until a watched file changes and then holds still for one poll (an editor's save can take two writes)."""
        while not (moved := self.changed()):
            time.sleep(POLL_SECONDS)
        while more := self.changed():
            moved += more
            time.sleep(POLL_SECONDS)
        return moved


def watched(args: argparse.Namespace) -> list[Path]:
    """What a rebuild reads: the inputs, the files named by options, and every place a settings file may be."""
    from .config import candidates, start_folder

    named = [*args.input, args.category_map, args.model_config, getattr(args, "config", None)]
    local = [Path(p).expanduser().resolve() for p in named if p and "://" not in str(p)]
    return local + candidates(start_folder(list(args.input)))


def serve(args: argparse.Namespace, rebuild: Callable[[object], tuple[object, argparse.Namespace]],
          open_in_browser: Callable[[str], None] | None = None) -> int:
    """Serve the report of ``args`` until Ctrl-C; ``rebuild(exporter)`` builds it afresh (settings read again)."""
    from .pages.assets import exporter_for

    temporary = None if args.output else Path(tempfile.mkdtemp(prefix="reporter-serve-"))
    folder = Path(args.output).resolve() if args.output else temporary / "site"
    live, exporter = Live(folder), exporter_for(("svg",))  # the helper stays up, warm, for every rebuild
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(live))
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, name="reporter-serve", daemon=True).start()
    print(f"serving {url} (Ctrl-C to stop)", flush=True)
    try:
        watch = Watch(watched(args))  # before the build: an edit made while it runs is a change
        args = attempt(live, rebuild, exporter, args, "built")
        watch.retarget(watched(args))
        if args.open and open_in_browser:
            open_in_browser(url)
        while True:
            moved = watch.wait()
            args = attempt(live, rebuild, exporter, args, f"rebuilt after a change to {moved[0].name}")
            watch.retarget(watched(args))  # the settings may name other files now
    except KeyboardInterrupt:
        print("reporter: stopped serving", file=sys.stderr, flush=True)
        return 0
    finally:
        server.shutdown()
        server.server_close()
        exporter.close()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def attempt(live: Live, rebuild, exporter, args: argparse.Namespace, done: str) -> argparse.Namespace:
    """Build and save once; record the result on ``live``. The options now in force (the old ones on failure)."""
    started = time.perf_counter()
    try:
        product, args = rebuild(exporter)
        product.save(live.folder)
    except ReporterError as exc:
        live.record(str(exc))
        print(f"reporter: error: {exc} (still serving the last good report)", file=sys.stderr, flush=True)
        return args
    except Exception as exc:  # noqa: BLE001 (an internal error must not end the server)
        from .cli import internal_error

        live.record(internal_error(exc).removeprefix("reporter: "))
        print(internal_error(exc), file=sys.stderr, flush=True)
        return args
    live.record(None)
    if not args.quiet:
        print(f"{done} in {time.perf_counter() - started:.2f} s", flush=True)
    return args
