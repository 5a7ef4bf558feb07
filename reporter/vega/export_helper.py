"""Export helper: the second process that draws figures for the exporter, and what both sides share.

``python -m reporter.vega.export_helper`` boots vl-convert's JavaScript runtime and
then answers requests read from standard input until it ends. It draws each
figure's SVG first, the one step that needs the runtime; whenever no SVG is
waiting it converts the drawings to PNG and PDF, last figure first, while the
exporter in the main process converts them first to last.

This module imports nothing but the standard library's basics and vl-convert,
because the helper's start is on the critical path of every build: the
exporter's imports (logging, subprocess, futures) would cost it 0.04 s.

Protocol: each message is an 8-byte big-endian length and a payload. A request
is a kind, a 4-byte id and a body: ``b"F"`` (a figure) with the formats to
convert to, a newline and the spec's JSON text, or ``b"B"`` (the JavaScript
bundle) with none. An answer is ``b"+"`` or ``b"-"``, a kind (``S`` for the
SVG, ``N`` PNG, ``D`` PDF, ``B`` bundle), the id, and the answer or an error
line. Before each conversion the helper sends ``b"+W"``, the id and the kind
it starts on, so that the exporter waits for it instead of doing it twice.
"""

from __future__ import annotations

import queue
import re
import struct
import sys
import threading
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Callable

HEADER = struct.Struct(">Q")
ID = struct.Struct(">I")
FIGURE, BUNDLE, WORKING = b"F", b"B", b"W"
KIND = {"svg": b"S", "png": b"N", "pdf": b"D", "bundle": BUNDLE}  # answer kinds
# Touches what a first real figure needs: Vega-Lite, Vega, axes and text layout.
WARM_UP_SPEC = (
    '{"data": {"values": [{"a": 1, "b": "x"}]}, "mark": "rect",'
    ' "encoding": {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "nominal"}}}'
)


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
    """The helper's loop: boot the runtime, then answer until end of input, SVGs first, conversions when idle."""
    import vl_convert as vlc

    try:
        vlc.vegalite_to_svg(WARM_UP_SPEC)
    except Exception:  # a broken runtime shows up again, and is reported, on the first real figure
        pass
    inbox: queue.Queue[bytes | None] = queue.Queue()
    threading.Thread(target=read_all, args=(requests, inbox), daemon=True).start()
    conversions: list[tuple[bytes, str, str]] = []  # (id, SVG, format), taken from the end
    while True:
        try:
            # With conversions waiting, still wait a moment: the reading thread needs the GIL, which the
            # drawing just made held, to take in a figure that came meanwhile, and figures go first.
            request = inbox.get(timeout=0.002) if conversions else inbox.get()
        except queue.Empty:  # nothing asked: convert, last figure first (the other side goes first to last)
            rid, svg, fmt = conversions.pop()
            write_message(answers, b"+" + WORKING + rid + KIND[fmt])
            answer(answers, KIND[fmt], rid, lambda: convert(svg, (fmt,))[fmt])
            continue
        if request is None:
            return
        kind, rid, body = request[:1], request[1:5], request[5:]
        if kind == BUNDLE:
            answer(answers, BUNDLE, rid, lambda: vlc.javascript_bundle().encode())
            continue
        wanted, spec = body.split(b"\n", 1)
        svg = answer(answers, KIND["svg"], rid, lambda: draw_svg(spec.decode()).encode())
        if svg is not None:  # the first format asked is popped first: PNG, the longest to make
            conversions += [(rid, svg.decode(), fmt) for fmt in reversed(wanted.decode().split())]


def read_all(requests: IO[bytes], inbox: queue.Queue) -> None:
    """Move every request into ``inbox`` as it arrives, then None at end of input."""
    while (request := read_message(requests)) is not None:
        inbox.put(request)
    inbox.put(None)


def answer(answers: IO[bytes], kind: bytes, rid: bytes, make: Callable[[], bytes]) -> bytes | None:
    """Make one answer and send it; an error goes back as its first line (the asking side draws it again)."""
    try:
        payload = make()
    except Exception as exc:
        write_message(answers, b"-" + kind + rid + error_line(exc))
        return None
    write_message(answers, b"+" + kind + rid + payload)
    return payload


def error_line(exc: Exception) -> bytes:
    """The first line of an error, for the answer that reports it."""
    return (str(exc).splitlines() or [type(exc).__name__])[0].encode()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
