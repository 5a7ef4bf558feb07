"""The `reporter` command: parse arguments, call the library, map errors to exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from . import __version__
from .errors import ReporterError

EXAMPLE = Path(__file__).resolve().parent / "examples" / "synthetic-80x64.csv"
EXAMPLE_OPTIONS = {
    "layers": 80,
    "heads": 64,
    "model": "synthetic example (Llama-3.1-70B shape)",
    "title": "Attention-head categories: synthetic example",
    "example": True,
}


def parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    p = argparse.ArgumentParser(
        prog="reporter",
        description="Turn a table of attention-head categories into a static, self-contained HTML report.",
    )
    p.add_argument("--version", action="version", version=f"reporter {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser("build", help="build a report from a table of head categories")
    build.add_argument("input", metavar="INPUT", help="table: .parquet or .csv with layer, head, category columns")
    add_output_options(build)
    build.add_argument("--title", help="page title")
    build.add_argument("--model", help="model name shown in the report")
    build.add_argument("--layers", type=positive_int, help="number of layers (with --heads)")
    build.add_argument("--heads", type=positive_int, help="number of heads per layer (with --layers)")
    build.add_argument("--categories", help="comma-separated categories to show, in panel order")

    demo = sub.add_parser("demo", help="build the bundled synthetic 80x64 example")
    add_output_options(demo)
    return p


def add_output_options(p: argparse.ArgumentParser) -> None:
    """Options every writing subcommand shares."""
    p.add_argument("-o", "--output", default="site", metavar="DIR", help="output folder (default: site/)")
    p.add_argument("--formats", default="svg,png,pdf", help="figure export formats (default: svg,png,pdf)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="reporter: warning: %(message)s")
    try:
        start_exporter(args)
        return run(args)
    except ReporterError as exc:
        print(f"reporter: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("reporter: interrupted; the output folder was left as it was", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal error: one line unless asked for the traceback
        if os.environ.get("REPORTER_DEBUG"):
            raise
        print(f"reporter: internal error: {type(exc).__name__}: {exc} (set REPORTER_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 1
    finally:
        from . import exporter

        exporter.stop()


def start_exporter(args: argparse.Namespace) -> None:
    """Boot vl-convert in a helper process before the heavy imports, when figures or the bundle will be made."""
    if not hasattr(args, "formats"):
        return
    from . import assets, exporter

    cold = not assets.bundle_path().exists()
    if cold or args.formats.strip(", "):
        exporter.start(bundle=cold)


def run(args: argparse.Namespace) -> int:
    """Dispatch one parsed command."""
    from .report import build

    started = time.perf_counter()
    if args.command == "demo":
        report = build(EXAMPLE, formats=args.formats, **EXAMPLE_OPTIONS)
    else:
        report = build(
            args.input,
            title=args.title,
            model=args.model,
            layers=args.layers,
            heads=args.heads,
            categories=args.categories,
            formats=args.formats,
        )
    say = (lambda _msg: None) if args.quiet or not sys.stderr.isatty() else progress_printer()
    out = report.save(args.output, progress=say)
    if not args.quiet:
        seconds = time.perf_counter() - started
        print(f"wrote {out / 'index.html'} ({len(report.figures)} figures) in {seconds:.1f} s")
    return 0


def progress_printer():
    """A one-line progress display for terminals."""

    def say(message: str) -> None:
        print(f"\r\033[Kreporter: {message}…", end="", file=sys.stderr, flush=True)

    return say
