"""The `reporter` command: parse arguments, call the library, map errors to exit codes."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import signal
import sys
import time
from pathlib import Path

from . import __version__
from .errors import ReporterError, UsageError, cli_words, one_line

EXAMPLE = Path(__file__).resolve().parent / "examples" / "synthetic-80x64.csv"
EXAMPLE_OPTIONS = {
    "layers": 80,
    "heads": 64,
    "model": "synthetic example (Llama-3.1-70B shape)",
    "title": "Attention-head categories: synthetic example",
    "example": True,
    "kv_heads": 8,  # Llama-3.1-70B's grouped-query attention: 8 KV heads of 8 query heads each
}


INPUT_HELP = (
    "input(s): a table (.parquet, .csv, .tsv, .json, .jsonl, .feather, .arrow, a folder of .parquet files) of "
    "layer, head, category (long), one true/false column per category (wide) or relation, score (scores); "
    "a matrix of per-head values, rows = layers, columns = heads (.csv/.tsv/.txt with or without a header row "
    "or index column, .npy, .npz with one array per category or relation): true/false are memberships, numbers "
    "are scores for a rule; a JSON map of head ids {\"L-H\": score, [scores] or true/false}, "
    "{category: {head_id: value}} or {category: [head ids]}; a JSON list of layers {head: [values]} (--field N), "
    "{layer: [head indices, best first]} (a rank score per layer), a bare JSON list of head ids, a YAML config "
    "with a field of head ids (attn_head_set: \"13-1,14-22\"); a layer, head, score table (one relation, named by "
    "--category or the file); or a folder of one such file per category, each file's name (without extension) its "
    "category. Several single-category files are the categories of one model; several models (a model column or "
    "several tables) make an overview plus one page per model"
)


def parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    p = argparse.ArgumentParser(
        prog="reporter",
        description="Turn a table of attention-head categories into a static, self-contained HTML report.",
    )
    p.add_argument("--version", action="version", version=f"reporter {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser("build", help="build a report from a table of head categories")
    build.add_argument("input", metavar="INPUT", nargs="+", help=INPUT_HELP)
    add_output_options(build)
    build.add_argument("--title", help="page title")
    build.add_argument("--model", help="model name shown in the report")
    build.add_argument("--layers", type=positive_int, help="number of layers (with --heads)")
    build.add_argument("--heads", type=positive_int, help="number of heads per layer (with --layers)")
    build.add_argument("--categories", help="comma-separated categories to show, in panel order")
    add_publish_options(build)
    add_input_options(build)

    inspect = sub.add_parser("inspect", help="print what a build would make of INPUT and every problem, writing nothing")
    inspect.add_argument("input", metavar="INPUT", nargs="+", help="the input(s), as for build")
    inspect.add_argument("--model", help="the model to inspect when the table holds several")
    inspect.add_argument("--layers", type=positive_int, help="number of layers (with --heads)")
    inspect.add_argument("--heads", type=positive_int, help="number of heads per layer (with --layers)")
    inspect.add_argument("--categories", help="comma-separated categories to show, in panel order")
    add_input_options(inspect)

    diff = sub.add_parser("diff", help="compare two runs of one model: heads gained, lost and kept per category")
    diff.add_argument("run_a", metavar="A", help="the first run's table")
    diff.add_argument("run_b", metavar="B", help="the second run's table (same model shape)")
    add_output_options(diff)
    diff.set_defaults(output="diff")
    diff.add_argument("--title", help="page title")
    diff.add_argument("--model", help="the model to compare when the tables hold several")
    diff.add_argument("--layers", type=positive_int, help="number of layers (with --heads)")
    diff.add_argument("--heads", type=positive_int, help="number of heads per layer (with --layers)")
    diff.add_argument("--categories", help="comma-separated categories to show, in panel order")
    add_tracker_options(diff)
    add_input_options(diff)

    add_timeline_command(sub)

    demo = sub.add_parser("demo", help="build the bundled synthetic 80x64 example")
    add_output_options(demo)
    add_publish_options(demo)
    return p


def add_timeline_command(sub) -> None:
    """`reporter timeline`: checkpoints of one model across training (its own command: its inputs are a series,
    its options say how to order and show the checkpoints, and a table's step column is never guessed at by build)."""
    p = sub.add_parser("timeline", help="follow the categories of one model across training checkpoints")
    p.add_argument("input", metavar="INPUT", nargs="+",
                   help="one table with a step, checkpoint, revision or tokens column, or one input per checkpoint "
                        "(any input build reads) with its step in the file name (step1000.parquet) or --steps")
    add_output_options(p)  # the folder defaults to timeline/ (TimelineReport.default_folder)
    for flag, text in (("--title", "page title"), ("--model", "the model to follow when the tables hold several"),
                       ("--categories", "comma-separated categories to show, in panel order")):
        p.add_argument(flag, help=text)
    p.add_argument("--layers", type=positive_int, help="number of layers (with --heads)")
    p.add_argument("--heads", type=positive_int, help="number of heads per layer (with --layers)")
    p.add_argument("--steps", type=step_list, help="comma-separated steps of the inputs, in their order")
    p.add_argument("--show-steps", type=step_list, metavar="STEPS",
                   help="steps drawn as small multiples and given a model page (default: six spread over the series)")
    p.add_argument("--step-pages", choices=("selected", "all", "none"), default="selected",
                   help="which checkpoints get their full model page (default: the shown steps)")
    add_publish_options(p)
    add_input_options(p)


def timeline_product(args: argparse.Namespace, given: dict):
    """Build the timeline the parsed `reporter timeline` arguments ask for."""
    from .timeline_report import build_timeline

    pages = "none" if args.single_file else args.step_pages  # one file holds no checkpoint pages
    return build_timeline(args.input, steps=args.steps, show_steps=args.show_steps, step_pages=pages,
                          title=args.title, model=args.model, layers=args.layers, heads=args.heads,
                          categories=args.categories, formats=exported_formats(args), force=args.force,
                          **score_options(args), **given)


def step_list(text: str) -> list[int]:
    """argparse type: comma-separated whole numbers (steps)."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None


def add_publish_options(p: argparse.ArgumentParser) -> None:
    """Options that send the report somewhere besides the output folder."""
    p.add_argument("--single-file", metavar="FILE",
                   help="write only this one self-contained HTML file instead of the output folder "
                        "(an existing file only if reporter wrote it, or with --force; never the input)")
    add_tracker_options(p)


def add_tracker_options(p: argparse.ArgumentParser) -> None:
    """--mlflow and --wandb: also log the result to an experiment tracker."""
    p.add_argument("--mlflow", action="store_true",
                   help="also log the report to MLflow: the active run or MLFLOW_RUN_ID, else a new run")
    p.add_argument("--wandb", action="store_true",
                   help="also log the report to Weights & Biases: the current run, else a new wandb.init()")


def add_output_options(p: argparse.ArgumentParser) -> None:
    """Options every writing subcommand shares."""
    p.add_argument("-o", "--output", metavar="DIR", help="output folder (default: site/)")
    p.add_argument("--formats", default="svg,png,pdf", help="figure export formats (default: svg,png,pdf)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--open", action="store_true", help="open the written page in the web browser")
    p.add_argument("--force", action="store_true",
                   help="write into an existing folder that holds other files (they are left untouched), "
                        "or replace a --single-file that reporter did not write")


def add_input_options(p: argparse.ArgumentParser) -> None:
    """Options that say how to read the input and its scores (build, inspect and diff share them)."""
    p.add_argument("--score-column", default="score", metavar="NAME", help="column holding the scores (default: score)")
    p.add_argument("--threshold", type=float, metavar="T", help="a head joins a relation's category when its score >= T")
    p.add_argument("--top-k", type=positive_int, metavar="K", help="the K highest-scoring heads of each relation join")
    p.add_argument("--top-percent", type=float, metavar="P", help="the top P%% of heads of each relation join")
    p.add_argument("--top-mass", type=float, metavar="P",
                   help="the fewest highest-scoring heads holding P%% of each relation's summed score join")
    p.add_argument("--ties", choices=("keep", "drop", "first"), default="keep",
                   help="heads tied at a rank cut: keep them all (default), drop them all, or first in row order")
    p.add_argument("--rank-within", choices=("relation", "layer", "kv-group"), default="relation",
                   help="a rank rule ranks within each relation (default), each layer or each KV group of it")
    p.add_argument("--normalize", choices=("none", "max", "z", "rank"), default="none",
                   help="a threshold reads each relation's scores as given (default), as a share of its maximum, "
                        "as z-scores or as rank shares (1 for its top head)")
    p.add_argument("--threshold-map", metavar="FILE",
                   help="a threshold per relation (.json {relation: T} or .csv relation,threshold); --threshold for the rest")
    p.add_argument("--aggregate", choices=("mean", "max", "median"), default="mean",
                   help="how repeated rows (prompts, templates) combine (default: mean)")
    p.add_argument("--category-map", metavar="FILE", help="relation -> category map (.csv with relation,category or .json)")
    p.add_argument("--engine", choices=("auto", "pandas", "duckdb"), default="auto",
                   help="how files are read: auto (DuckDB scans Parquet datasets, globs, s3:// and files over 64 MB "
                        "out of core), pandas or duckdb")
    p.add_argument("--category", metavar="NAME",
                   help="the name of the one category of a matrix, head-id map, head list or layer, head, score table, "
                        "or of every relation of a scores table without a category column (default: the file's name "
                        "without extension); with several inputs, A,B,... names one per input; for a "
                        "[layers, heads, relations] .npy, the relations' names as A,B,...")
    p.add_argument("--field", metavar="N[,N]",
                   help="for a list of layers of {head: [values]} (MInference): the position of the value that is the "
                        "category (text; several positions make one label) or the score (a number)")
    p.add_argument("--one-model-per-file", action="store_true",
                   help="several single-category inputs (matrices, head lists): one model each, instead of the "
                        "categories of one model")
    p.add_argument("--model-config", metavar="FILE",
                   help="a Hugging Face config.json: layers (num_hidden_layers), heads (num_attention_heads) and "
                        "KV heads (num_key_value_heads)")
    p.add_argument("--kv-heads", type=positive_int, metavar="N",
                   help="key/value heads per layer (grouped-query attention): adds the grouped-query view, and a "
                        "matrix with N columns is read as one column per KV head")


def score_options(args: argparse.Namespace) -> dict:
    """The options that turn scores into categories, as keyword arguments."""
    return {
        "score_column": args.score_column, "threshold": args.threshold, "top_k": args.top_k,
        "top_percent": args.top_percent, "aggregate": args.aggregate, "category_map": args.category_map,
        "category": args.category, "model_config": args.model_config, "kv_heads": args.kv_heads,
        "engine": args.engine, "top_mass": args.top_mass, "ties": args.ties, "rank_within": args.rank_within,
        "normalize": args.normalize, "threshold_map": args.threshold_map,
        "field": args.field, "one_model_per_file": args.one_model_per_file,
    }


def run_inspect(args: argparse.Namespace) -> int:
    """Print what a build would make of the input; exit 2 when there are problems."""
    from .input.inspect import inspect
    from .input.model_config import options_of

    options = options_of(model=args.model, layers=args.layers, heads=args.heads,
                                  categories=args.categories, **score_options(args))
    found = inspect(args.input, options)
    print("\n".join(found.lines()))
    return 0 if found.ok else 2


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
    started = time.perf_counter()
    args = parser().parse_args(argv)
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, terminated)
    logging.basicConfig(level=logging.WARNING, format="reporter: warning: %(message)s")
    exporter, shown = None, Progress.for_args(args)
    try:
        check_arguments(args)
        exporter = start_exporter(args)
        with cli_words():
            return run(args, started, exporter, shown)
    except ReporterError as exc:
        print(f"reporter: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("reporter: interrupted; the output folder was left as it was", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal error: one line unless asked for the traceback
        if os.environ.get("REPORTER_DEBUG"):
            raise
        # A JavaScript stack from vl-convert is many lines: its first says what went wrong.
        first = one_line(str(exc).strip().splitlines()[0] if str(exc).strip() else "", 300)
        print(f"reporter: internal error: {type(exc).__name__}: {first} (set REPORTER_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 1
    finally:
        shown.clear()
        if exporter is not None:
            exporter.close()


def terminated(*_: object) -> None:
    """SIGTERM (``kill``, a CI cancellation): say so, then unwind like Ctrl-C so the staging folder is removed."""
    print("reporter: terminated; the output folder was left as it was", file=sys.stderr)
    sys.exit(143)


def start_exporter(args: argparse.Namespace):
    """Boot vl-convert in a helper process before the heavy imports, when figures or the bundle will be made."""
    if not hasattr(args, "formats"):
        return None
    from .pages.assets import exporter_for

    return exporter_for(exported_formats(args))


def exported_formats(args: argparse.Namespace) -> str:
    """--formats, or none when --single-file writes the page alone and no tracker gets the figure files."""
    trackers = getattr(args, "mlflow", False) or getattr(args, "wandb", False)
    return "" if getattr(args, "single_file", None) and not trackers else args.formats.strip(", ")


def check_arguments(args: argparse.Namespace) -> None:
    """Refuse option combinations that cannot work, before anything is imported or read."""
    if getattr(args, "single_file", None) and getattr(args, "output", None):
        raise UsageError("--single-file writes one file and -o writes a site folder; give one of them")


def run(args: argparse.Namespace, started: float, exporter, shown: "Progress") -> int:
    """Dispatch one parsed command; ``started`` is when the command began, for the closing line."""
    if args.command == "inspect":
        return run_inspect(args)
    shown("loading the libraries")
    import_pipeline()
    from .report import build
    from .site import SiteReport, build_any

    trackers = tracker_loggers(args)  # fail on a missing extra before building or writing anything
    given = {"exporter": exporter, "progress": shown}
    if args.command == "demo":
        report = build(EXAMPLE, formats=exported_formats(args), force=args.force, **given, **EXAMPLE_OPTIONS)
    elif args.command == "timeline":
        report = timeline_product(args, given)
    elif args.command == "diff":
        from .diff_report import build_diff

        report = build_diff(args.run_a, args.run_b, title=args.title, model=args.model, layers=args.layers,
                            heads=args.heads, categories=args.categories, formats=exported_formats(args),
                            **score_options(args), force=args.force, **given)
    else:
        report = build_any(
            args.input,
            title=args.title,
            model=args.model,
            layers=args.layers,
            heads=args.heads,
            categories=args.categories,
            formats=exported_formats(args),
            **score_options(args),
            force=args.force,
            **given,
        )
    if getattr(args, "single_file", None):
        if isinstance(report, SiteReport):  # several pages, not one
            raise UsageError(f"--single-file writes one page, but the input holds {len(report.reports)} models; "
                             "build the site with -o, or choose one model with --model")
        shown("writing the page")
        page = report.save_html(args.single_file)
    else:
        page = report.save(args.output or report.default_folder, progress=shown) / "index.html"
    for log_report in trackers:
        shown(f"logging to {log_report.__module__.rsplit('.', 1)[-1]}")
        log_report(report)
    shown.clear()
    if not args.quiet:
        seconds = time.perf_counter() - started
        print(f"wrote {page} ({report.figure_count()} figures) in {seconds:.1f} s")
    if args.open:
        open_in_browser(page)
    return 0


def open_in_browser(page: Path) -> None:
    """Open the written page in the user's web browser; a machine without one only gets a warning."""
    import webbrowser

    if not webbrowser.open(Path(page).resolve().as_uri()):
        logging.getLogger("reporter").warning("no web browser could be opened; open %s yourself", page)


def import_pipeline() -> None:
    """Import pandas, Altair and the pipeline with the cyclic garbage collector paused, then freeze them.

    Collections triggered while hundreds of modules are created find nothing to
    free (7% of the import time), and frozen objects are skipped by later
    collections, including the one at exit, which otherwise takes 0.1 s.
    """
    gc.disable()
    try:
        from . import report, site  # noqa: F401
    finally:
        gc.enable()
    gc.freeze()


def tracker_loggers(args: argparse.Namespace) -> list:
    """The log_report functions asked for with --mlflow/--wandb, their packages imported now."""
    from .integrations.extras import require

    loggers = []
    if getattr(args, "mlflow", False):
        require("mlflow", "mlflow", "MLflow")
        from .integrations.mlflow import log_report

        loggers.append(log_report)
    if getattr(args, "wandb", False):
        require("wandb", "wandb", "Weights & Biases (wandb)")
        from .integrations.wandb import log_report as log_wandb

        loggers.append(log_wandb)
    return loggers


class Progress:
    """A one-line progress display on a terminal's stderr: each step replaces the last, ``clear`` erases it.

    Off (every call does nothing) with --quiet or when stderr is not a terminal,
    so logs and pipes never get carriage returns.
    """

    def __init__(self, stream=None) -> None:
        self.stream = stream
        self.shown = False

    @classmethod
    def for_args(cls, args: argparse.Namespace) -> "Progress":
        """On for a writing command on a terminal without --quiet; off otherwise."""
        on = hasattr(args, "quiet") and not args.quiet and sys.stderr.isatty()
        return cls(sys.stderr if on else None)

    def __call__(self, message: str) -> None:
        if self.stream is not None:
            print(f"\r\033[Kreporter: {message}…", end="", file=self.stream, flush=True)
            self.shown = True

    def clear(self) -> None:
        """Erase the line, so what is printed next starts on a clean line."""
        if self.shown:
            print("\r\033[K", end="", file=self.stream, flush=True)
            self.shown = False
