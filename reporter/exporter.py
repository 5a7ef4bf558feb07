"""Exporter: draw figures as SVG, PNG and PDF with vl-convert, helped by a second process.

vl-convert's first call boots a JavaScript runtime (about half a second of
CPU), and every call holds the GIL, so no thread can hide that cost. The CLI
therefore calls ``start()`` before it imports pandas and Altair: a helper
process (``python -m reporter.exporter``) boots the runtime on the other core
while this one loads the table and builds the charts. ``draw_all`` then sends
each Vega-Lite spec to the helper, which draws it once as SVG; PNG and PDF are
converted from that SVG here (resvg and svg2pdf, pure Rust, no runtime), while
the helper draws the next figure. Without a helper (the Python API, or when it
fails) everything runs in this process. The calls are the same, so the bytes
are the same.

Protocol: each message is an 8-byte big-endian length and a payload. Requests
are spec JSON text; answers are ``b"+"`` + SVG text, or ``b"-"`` + an error line.
"""

from __future__ import annotations

import logging
import os
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
_lock = threading.RLock()


def start() -> None:
    """Start the helper process now, so its JavaScript runtime boots while the caller works."""
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

    With a helper running, the SVG of the next figure is drawn there while this
    process converts the current one to PNG and PDF.
    """
    if not formats:
        for slug in specs:
            yield slug, {}
        return
    with _lock:
        slugs = list(specs)
        pending = _send(specs[slugs[0]]) if slugs else False
        try:
            for i, slug in enumerate(slugs):
                if progress:
                    progress(f"exporting {slug}")
                svg = _receive() if pending else None
                pending = i + 1 < len(slugs) and svg is not None and _send(specs[slugs[i + 1]])
                yield slug, convert(svg if svg is not None else draw_svg(specs[slug]), formats)
        finally:
            if pending:  # abandoned with an answer on its way: the helper is out of step
                _give_up("the export was interrupted")


def draw(spec: str, formats: tuple[str, ...]) -> dict[str, bytes]:
    """One figure in the given formats, drawn in this process."""
    return convert(draw_svg(spec), formats) if formats else {}


def draw_svg(spec: str) -> str:
    """The figure drawn as SVG by Vega, in vl-convert's JavaScript runtime."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec)


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


def _send(spec: str) -> bool:
    """Hand a spec to the helper; False (and the helper stopped) when there is none or it failed."""
    if _helper is None:
        return False
    try:
        write_message(_helper.stdin, spec.encode())
        return True
    except OSError as exc:
        _give_up(f"cannot reach the export helper ({exc})")
        return False


def _receive() -> str | None:
    """The helper's SVG for the spec sent last, or None (and the helper stopped) when it failed."""
    try:
        answer = read_message(_helper.stdout) if _helper is not None else None
    except OSError as exc:
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
    return answer[1:].decode()


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
    """The helper's loop: boot the runtime, then answer each spec with its SVG until end of input."""
    import vl_convert as vlc

    try:
        vlc.vegalite_to_svg(WARM_UP_SPEC)
    except Exception as exc:  # a broken runtime shows up again on the first real figure
        log.info("warm-up failed: %s", exc)
    while (spec := read_message(requests)) is not None:
        try:
            answer = b"+" + vlc.vegalite_to_svg(spec.decode()).encode()
        except Exception as exc:
            answer = b"-" + (str(exc).splitlines() or [type(exc).__name__])[0].encode()
        write_message(answers, answer)


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
