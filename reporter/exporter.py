"""Exporter: draw figures as SVG, PNG and PDF with vl-convert, helped by a second process.

vl-convert's first call boots a JavaScript runtime (about half a second of
CPU), and every call holds the GIL, so no thread can hide that cost. The CLI
therefore calls ``start()`` before it imports pandas and Altair: a helper
process (``python -m reporter.exporter``) boots the runtime on the other core
while this one loads the table and builds the charts. ``draw_all`` then sends
each Vega-Lite spec to the helper, which draws it once as SVG and converts
that SVG to PDF (svg2pdf) while this process converts it to PNG (resvg); both
are pure Rust and need no runtime. Without a helper (the Python API, or when it
fails) everything runs in this process. The calls are the same, so the bytes
are the same.

Protocol: each message is an 8-byte big-endian length and a payload. A request
is ``b"S"`` (SVG only) or ``b"P"`` (SVG, then PDF) + the spec's JSON text, or
``b"B"`` for the JavaScript bundle; each answer is ``b"+"`` + the SVG text, PDF
bytes or bundle text, or ``b"-"`` + an error line.
"""

from __future__ import annotations

import logging
import os
import re
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Callable, Iterator

log = logging.getLogger(__name__)

HEADER = struct.Struct(">Q")
# Touches what a first real figure needs: Vega-Lite, Vega, axes and text layout.
WARM_UP_SPEC = (
    '{"data": {"values": [{"a": 1, "b": "x"}]}, "mark": "rect",'
    ' "encoding": {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "nominal"}}}'
)

_helper: subprocess.Popen | None = None
_bundle: dict[str, object] = {}  # "pending": a bundle answer is on its way; "text": the answer, once read
_lock = threading.RLock()


def start(bundle: bool = False) -> None:
    """Start the helper process now, so its JavaScript runtime boots while the caller works.

    With ``bundle``, the helper first builds vl-convert's JavaScript bundle
    (over a second; see assets.vega_bundle) for ``bundle()`` to collect.
    """
    global _helper
    with _lock:
        if _helper is not None or not sys.executable:
            return
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))}
        try:
            _helper = subprocess.Popen(
                [sys.executable, "-m", "reporter.exporter"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=None if os.environ.get("REPORTER_DEBUG") else subprocess.DEVNULL, env=env,
            )
        except OSError as exc:  # no helper only costs time
            log.info("cannot start the export helper (%s); exporting in this process", exc)
            return
        _bundle.clear()
        if bundle:
            try:
                write_message(_helper.stdin, b"B")
                _bundle["pending"] = True
            except OSError as exc:
                _give_up(f"cannot reach the export helper ({exc})")


def bundle() -> str | None:
    """The JavaScript bundle built by the helper, or None when there is no helper or it failed."""
    with _lock:
        if _helper is not None and not _bundle:
            try:
                write_message(_helper.stdin, b"B")
                _bundle["pending"] = True
            except OSError as exc:
                _give_up(f"cannot reach the export helper ({exc})")
        _collect_bundle()
        text = _bundle.pop("text", None)
        return text.decode() if isinstance(text, bytes) else None


def _collect_bundle() -> None:
    """Read a bundle answer on its way, so that figure answers are read in step."""
    if _bundle.pop("pending", False) and _helper is not None:
        _bundle["text"] = _receive()


def stop() -> None:
    """End the helper process, if one runs."""
    global _helper
    with _lock:
        helper, _helper = _helper, None
    if helper is not None:
        _end(helper)


def draw_all(specs: dict[str, str], formats: tuple[str, ...],
             progress: Callable[[str], None] | None = None) -> Iterator[tuple[str, dict[str, bytes]]]:
    """Yield (slug, {format: bytes}) for each spec (JSON text), in order.

    With a helper running, every spec is sent at once; the helper draws each
    SVG and then its PDF, while this process turns the SVG it has into a PNG.
    """
    if not formats:
        for slug in specs:
            yield slug, {}
        return
    with _lock:
        _collect_bundle()
        helper = _helper
        sender = _send_all(helper, specs, pdf="pdf" in formats) if helper is not None else None
        finished = False
        try:
            for slug, spec in specs.items():
                if progress:
                    progress(f"exporting {slug}")
                drawn = _from_helper(formats) if _helper is not None else None
                yield slug, drawn if drawn is not None else draw(spec, formats)
            finished = True
        finally:
            if not finished and _helper is not None:  # abandoned with answers on their way
                _give_up("the export was interrupted")
            if sender is not None:
                sender.join()


def draw(spec: str, formats: tuple[str, ...]) -> dict[str, bytes]:
    """One figure in the given formats, drawn in this process."""
    return convert(draw_svg(spec), formats) if formats else {}


def draw_svg(spec: str) -> str:
    """The figure drawn as SVG by Vega, in vl-convert's JavaScript runtime."""
    import vl_convert as vlc

    return stable_ids(vlc.vegalite_to_svg(spec))


# Vega numbers clip paths and gradients with counters that live as long as the
# JavaScript runtime, so the same spec drawn second in a process gets other ids.
_SVG_ID = re.compile(r'(?<=id=")(clip|gradient_)(\d+)(?=")|(?<=="url\(#)(clip|gradient_)(\d+)(?=\)")')
_FIRST_ID = {"clip": 1, "gradient_": 0}  # where Vega's counters start in a fresh runtime


def stable_ids(svg: str) -> str:
    """The SVG with its clip and gradient ids renumbered in order of appearance, whatever was drawn before."""
    names: dict[str, str] = {}

    def renumber(match: re.Match) -> str:
        prefix = match.group(1) or match.group(3)
        old = prefix + (match.group(2) or match.group(4))
        if old not in names:
            taken = sum(name.startswith(prefix) for name in names)
            names[old] = f"{prefix}{_FIRST_ID[prefix] + taken}"
        return names[old]

    return _SVG_ID.sub(renumber, svg)


def convert(svg: str, formats: tuple[str, ...]) -> dict[str, bytes]:
    """SVG, PNG (2x) and PDF bytes from one SVG drawing, as vega_to_png/vega_to_pdf would make them."""
    import vl_convert as vlc

    out = {}
    if "svg" in formats:
        out["svg"] = svg.encode()
    if "png" in formats:
        out["png"] = vlc.svg_to_png(svg, scale=2)
    if "pdf" in formats:
        out["pdf"] = vlc.svg_to_pdf(svg)
    return out


def _send_all(helper: subprocess.Popen, specs: dict[str, str], pdf: bool) -> threading.Thread:
    """Send every spec from a thread, so that a helper writing a large answer never waits on us writing."""
    flag = b"P" if pdf else b"S"

    def send() -> None:
        try:
            for spec in specs.values():
                write_message(helper.stdin, flag + spec.encode())
        except (OSError, ValueError):  # the helper is gone or given up: the answers say so
            pass

    thread = threading.Thread(target=send, name="reporter-export-send", daemon=True)
    thread.start()
    return thread


def _from_helper(formats: tuple[str, ...]) -> dict[str, bytes] | None:
    """One figure from the helper (its SVG converted to PNG here, its PDF drawn there), or None if it failed."""
    svg = _receive()
    if svg is None:
        return None
    out = convert(svg.decode(), tuple(f for f in formats if f != "pdf"))
    if "pdf" in formats:
        pdf = _receive()
        if pdf is None:
            return None
        out["pdf"] = pdf
    return out


def _receive() -> bytes | None:
    """The helper's next answer, or None (and the helper given up) when it failed."""
    try:
        answer = read_message(_helper.stdout)
    except (OSError, ValueError) as exc:
        answer, reason = None, str(exc)
    else:
        reason = "it exited"
    if answer is None:
        _give_up(f"the export helper stopped ({reason})")
        return None
    if answer[:1] != b"+":
        # Drawing it here again raises vl-convert's own error with its own message.
        _give_up(f"the export helper failed: {answer[1:].decode(errors='replace')}")
        return None
    return answer[1:]


def _give_up(reason: str) -> None:
    """Stop using the helper for the rest of this process; exports go on in this process."""
    global _helper
    log.info("%s; exporting in this process", reason)
    helper, _helper = _helper, None
    if helper is not None:
        _end(helper)


def _end(helper: subprocess.Popen) -> None:
    """End a helper at once: it holds nothing worth a clean exit (it may still be booting after an error)."""
    helper.kill()
    helper.wait()
    for stream in (helper.stdin, helper.stdout):
        try:
            stream.close()
        except OSError:  # a pipe whose reader is gone
            pass


def write_message(stream: IO[bytes], payload: bytes) -> None:
    """Write one length-prefixed message and flush it."""
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def read_message(stream: IO[bytes]) -> bytes | None:
    """Read one length-prefixed message; None at end of stream."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    size = HEADER.unpack(head)[0]
    payload = stream.read(size)
    return payload if len(payload) == size else None


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The helper's loop: boot the runtime, then answer each spec with its SVG (and PDF) until end of input."""
    import vl_convert as vlc

    try:
        vlc.vegalite_to_svg(WARM_UP_SPEC)
    except Exception as exc:  # a broken runtime shows up again on the first real figure
        log.info("warm-up failed: %s", exc)
    while (request := read_message(requests)) is not None:
        flag, spec = request[:1], request[1:].decode()
        if flag == b"B":
            try:
                write_message(answers, b"+" + vlc.javascript_bundle().encode())
            except Exception as exc:
                write_message(answers, b"-" + error_line(exc))
            continue
        try:
            svg = draw_svg(spec)
        except Exception as exc:
            write_message(answers, b"-" + error_line(exc))
            continue
        write_message(answers, b"+" + svg.encode())
        if flag == b"P":
            try:
                write_message(answers, b"+" + vlc.svg_to_pdf(svg))
            except Exception as exc:
                write_message(answers, b"-" + error_line(exc))


def error_line(exc: Exception) -> bytes:
    """The first line of an error, for the answer that reports it."""
    return (str(exc).splitlines() or [type(exc).__name__])[0].encode()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
