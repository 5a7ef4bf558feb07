"""Exporter: draw figures as SVG, PNG and PDF with vl-convert, helped by a second process.

vl-convert's first call boots a JavaScript runtime (about half a second of
CPU), and every call holds the GIL, so no thread can hide that cost. The CLI
therefore starts an ``Exporter`` before it imports pandas and Altair (the
Python API's ``build`` functions start one too, unless handed one): a helper
process (``python -m reporter.vega.export_helper``) boots the runtime on the other
core while this one loads the table and builds the charts. Each figure is sent
to the helper as soon as it is built (``send_ahead``), so the helper draws it
while the next one is made and while this process runs the statistical tests;
``draw_all`` then collects the drawings.

The helper draws each figure's SVG before anything else. Converting an SVG to
PNG (resvg) or PDF (svg2pdf) is pure Rust and either process can do it: this
one converts the figures in order, first to last, and the helper, whenever no
SVG is waiting, converts them from last to first; each takes the other's
result when it is there already or being made. So the process that is free
does the work, and the bytes are the same either way. Without a helper (never
started, or failed) everything runs here.

A thread of this process writes the requests and another reads the answers as
they come, so neither process waits on the other's pipe; the protocol is
described in export_helper.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import queue
import subprocess
import sys
import threading
import weakref
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout  # not the builtin before Python 3.11
from pathlib import Path
from typing import IO, Callable, Iterator

from .export_helper import BUNDLE, FIGURE, ID, KIND, WORKING, convert, draw_svg, read_message, write_message

try:
    import fcntl
except ImportError:  # Windows: pipes keep their default size
    fcntl = None

log = logging.getLogger(__name__)

PIPE_SIZE = 1 << 20


class HelperFailed(Exception):
    """The helper could not answer a request: it failed on it, or it is gone."""


class HelperGone(HelperFailed):
    """The helper exited or its pipe broke: no request gets an answer any more."""


class Helper:
    """The helper process and the two threads that talk to it."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        widen(process.stdin, process.stdout)
        self._outbox: queue.Queue[bytes | None] = queue.Queue()
        self._due: dict[tuple[bytes, bytes], Future] = {}  # (answer kind, id) -> its Future
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._gone: HelperGone | None = None
        threading.Thread(target=self._send, name="reporter-export-send", daemon=True).start()
        threading.Thread(target=self._read, name="reporter-export-read", daemon=True).start()

    def figure(self, spec: str, conversions: tuple[str, ...]) -> dict[str, Future]:
        """Ask for a figure's SVG and, when the helper is free, its ``conversions`` ("png", "pdf")."""
        return self._ask(FIGURE, " ".join(conversions).encode() + b"\n" + spec.encode(), ("svg", *conversions))

    def bundle(self) -> Future:
        """Ask for vl-convert's JavaScript bundle."""
        return self._ask(BUNDLE, b"", ("bundle",))["bundle"]

    def _ask(self, kind: bytes, body: bytes, answers: tuple[str, ...]) -> dict[str, Future]:
        """Send one request; one Future per answer it gets, by name."""
        due = {name: Future() for name in answers}
        with self._lock:
            if self._gone is not None:
                for answer in due.values():
                    answer.set_exception(self._gone)
                return due
            rid = ID.pack(next(self._ids))
            self._due.update({(KIND[name], rid): answer for name, answer in due.items()})
            self._outbox.put(kind + rid + body)
        return due

    def close(self) -> None:
        """End the process at once (it holds nothing worth a clean exit) and let the threads finish."""
        self._outbox.put(None)
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:  # a pipe whose reader is gone
                pass

    def _send(self) -> None:
        while (request := self._outbox.get()) is not None:
            try:
                write_message(self.process.stdin, request)
            except (OSError, ValueError):  # the helper is gone: the reader fails what is due
                return

    def _read(self) -> None:
        while True:
            try:
                message = read_message(self.process.stdout)
            except (OSError, ValueError) as exc:
                return self._fail_all(HelperGone(f"the export helper stopped ({exc})"))
            if message is None:
                return self._fail_all(HelperGone("the export helper stopped (it exited)"))
            ok, key, payload = message[:1] == b"+", (message[1:2], message[2:6]), message[6:]
            if key[0] == WORKING:  # the helper started a conversion: mark its Future as running
                with self._lock:
                    started = self._due.get((payload, key[1]))
                if started is not None:
                    started.set_running_or_notify_cancel()
                continue
            with self._lock:
                answer = self._due.pop(key, None)
            if answer is None:
                continue
            if ok:
                answer.set_result(payload)
            else:  # this request only; the helper goes on
                answer.set_exception(HelperFailed(f"the export helper failed: {payload.decode(errors='replace')}"))

    def _fail_all(self, exc: HelperGone) -> None:
        """The helper is gone: every answer still due fails, and so will every later request."""
        with self._lock:
            self._gone = exc
            due, self._due = self._due, {}
        for answer in due.values():
            answer.set_exception(exc)


class Exporter:
    """Draws figures for one caller: in a helper process once ``start`` ran, else in this process.

    The caller that makes it (the CLI, or ``reporter.build`` and its siblings
    when none is handed to them) hands it to the pipelines and ends it with
    ``close``; a started exporter that is dropped or outlives the interpreter
    ends its helper by itself.
    """

    def __init__(self) -> None:
        self._helper: Helper | None = None
        self._bundle: Future | None = None  # a bundle asked for by start(bundle=True)
        self._ahead: dict[tuple[str, tuple[str, ...]], dict[str, Future]] = {}  # sent ahead, not yet collected
        self._lock = threading.RLock()
        self._ended: weakref.finalize | None = None

    @classmethod
    def started(cls, bundle: bool = False) -> "Exporter":
        """A new exporter whose helper is starting (see ``start``)."""
        made = cls()
        made.start(bundle)
        return made

    @property
    def running(self) -> bool:
        """Whether a helper process draws for this exporter."""
        return self._helper is not None

    def start(self, bundle: bool = False) -> None:
        """Start the helper process now, so its JavaScript runtime boots while the caller works.

        With ``bundle``, the helper first builds vl-convert's JavaScript bundle
        (over a second; see assets.vega_bundle) for ``bundle()`` to collect.
        """
        with self._lock:
            if self._helper is not None or not sys.executable:
                return
            helper = start_helper()
            if helper is None:
                return
            self._helper = helper
            self._ahead.clear()
            self._bundle = helper.bundle() if bundle else None
            # Ends the process when this exporter is collected, or at exit, whichever comes first.
            self._ended = weakref.finalize(self, helper.close)

    def bundle(self) -> str | None:
        """The JavaScript bundle built by the helper, or None when there is no helper or it failed."""
        with self._lock:
            asked, self._bundle = self._bundle, None
            if asked is None and self._helper is not None:
                asked = self._helper.bundle()
        if asked is None:
            return None
        try:
            return asked.result().decode()
        except HelperFailed as exc:
            self._give_up(str(exc))
            return None

    def send_ahead(self, spec: str, formats: tuple[str, ...]) -> None:
        """Start drawing a figure in the helper, if one runs; ``draw_all`` collects it when it reaches the same spec."""
        with self._lock:
            if self._helper is not None and (spec, formats) not in self._ahead:
                self._ahead[spec, formats] = self._helper.figure(spec, tuple(f for f in formats if f != "svg"))

    def sender(self, formats: tuple[str, ...]) -> Callable[[object], None] | None:
        """A callback that sends each figure (a charts.Figure) ahead as soon as it is made; None without formats."""
        return (lambda figure: self.send_ahead(figure.draw_json, formats)) if formats else None

    def close(self) -> None:
        """End the helper process, if one runs; later drawings are made in this process."""
        with self._lock:
            self._helper, ended, self._ended = None, self._ended, None
            self._ahead.clear()
            self._bundle = None
        if ended is not None:
            ended()

    def __enter__(self) -> "Exporter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def draw_all(self, specs: dict[str, str], formats: tuple[str, ...],
                 progress: Callable[[str], None] | None = None) -> Iterator[tuple[str, dict[str, bytes]]]:
        """Yield (slug, {format: bytes}) for each spec (JSON text), in order.

        With a helper running, every spec not sent ahead is sent at once; each
        figure's SVG comes from the helper, and each conversion from whichever
        process gets to it first. A figure the helper could not draw is drawn here.
        """
        answers = [self._request(spec, formats) for spec in specs.values()]
        for (slug, spec), answer in zip(specs.items(), answers):
            if progress:
                progress(slug)
            drawn = self._collect(answer, formats) if answer is not None else None
            yield slug, drawn if drawn is not None else draw(spec, formats)

    def _request(self, spec: str, formats: tuple[str, ...]) -> dict[str, Future] | None:
        """The helper's answers on their way for this figure (asked now if not sent ahead), or None without a helper."""
        if not formats:
            return None
        self.send_ahead(spec, formats)
        with self._lock:
            return self._ahead.pop((spec, formats), None)

    def _collect(self, answers: dict[str, Future], formats: tuple[str, ...]) -> dict[str, bytes] | None:
        """One figure: the helper's SVG, each conversion the helper's or made here; None if the helper could not draw it."""
        try:
            drawn = answers["svg"].result()
        except HelperFailed as exc:
            self._give_up(str(exc))
            return None
        svg, made = drawn.decode(), {"svg": drawn}
        left = [f for f in formats if f != "svg"]
        while left:
            # What the helper is making now is taken last: meanwhile this process makes the rest.
            fmt = next((f for f in left if not answers[f].running()), left[0])
            left.remove(fmt)
            made[fmt] = finished(answers[fmt]) or convert(svg, (fmt,))[fmt]
        return {fmt: made[fmt] for fmt in formats}

    def _give_up(self, reason: str) -> None:
        """Stop using the helper for the rest of this exporter's life; exports go on in this process."""
        log.info("%s; exporting in this process", reason)
        self.close()


class SharedExporter(Exporter):
    """The one exporter of a notebook kernel: every build there that is handed none draws with it.

    A report's ``close`` (or its being dropped) leaves it running for the next
    report; it ends with the kernel. Four reports in a notebook: one helper, not four.
    """

    _one: "SharedExporter | None" = None

    @classmethod
    def get(cls) -> "SharedExporter":
        """The kernel's shared exporter, made on first use."""
        if cls._one is None:
            cls._one = cls()
        return cls._one

    def close(self) -> None:
        """Nothing: other reports share this helper (it ends at exit)."""

    def _give_up(self, reason: str) -> None:
        """A helper that failed is ended for every report sharing it; exports go on in this process."""
        log.info("%s; exporting in this process", reason)
        Exporter.close(self)


def start_helper() -> Helper | None:
    """Start ``python -m reporter.vega.export_helper``, or None when it cannot start (that only costs time)."""
    try:
        # `-m` looks in the working folder first: run from the folder this package is in,
        # so that a `reporter` folder where the user happens to be is not imported instead.
        process = subprocess.Popen(
            [sys.executable, "-m", "reporter.vega.export_helper"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=None if os.environ.get("REPORTER_DEBUG") else subprocess.DEVNULL,
            cwd=Path(__file__).resolve().parents[2],
        )
    except OSError as exc:
        log.info("cannot start the export helper (%s); exporting in this process", exc)
        return None
    return Helper(process)


def finished(answer: Future) -> bytes | None:
    """The helper's answer if it is made or being made, else None: rather than wait, this process does the work.

    The short wait lets the reader thread take in an answer (or the notice
    that the helper started on it) that arrived while this process held the
    GIL in a conversion.
    """
    with contextlib.suppress(HelperFailed):
        with contextlib.suppress(FutureTimeout):
            return answer.result(timeout=0.005)
        if answer.running():  # the helper is on it: waiting is shorter than starting again
            return answer.result()
    return None


def draw(spec: str, formats: tuple[str, ...]) -> dict[str, bytes]:
    """One figure in the given formats, drawn in this process."""
    return convert(draw_svg(spec), formats) if formats else {}


def widen(*pipes: IO[bytes]) -> None:
    """Give each pipe a 1 MiB buffer (Linux), so a spec or a drawing mostly goes in one write.

    With the default 64 KiB, a large answer needs many reads by this process's
    reader thread, each waiting for the GIL, which a conversion holds for up to
    half a second: the helper would sit blocked on its write instead of working.
    """
    size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    for pipe in pipes:
        if size is not None:
            with contextlib.suppress(OSError):  # capped by /proc/sys/fs/pipe-max-size; the default still works
                fcntl.fcntl(pipe.fileno(), size, PIPE_SIZE)
