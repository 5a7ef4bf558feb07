"""The `reporter` command: parse arguments and settings, call the library, map errors to exit codes."""

from __future__ import annotations

import argparse
import contextlib
import difflib
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
PIPE_CLOSED = 128 + 13  # what a shell reports for a command ended by SIGPIPE (`reporter inspect … | head`)
INTERRUPTED = 128 + 2  # Ctrl-C

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
SETTINGS_NOTE = (
    "settings: every flag can also be set in a reporter.toml beside the input, or under [tool.reporter] in a "
    "pyproject.toml there or in a folder above it (keys are the flag names without --; flags given here win; "
    "`reporter inspect` lists where each setting came from)."
)

# The option groups of every subcommand's --help, in the order they are shown.
GROUPS = {
    "input": "input: what is read, and how",
    "rule": "rule: how per-head scores become category memberships",
    "model shape": "model shape: which model, its layers, heads and KV heads",
    "output": "output: what is written, where, and what is printed",
    "publishing": "publishing: where the report goes besides the output folder",
}

COMMANDS = {  # name: (one-line help, examples)
    "build": ("build a report from a table of head categories or per-head scores", [
        ("reporter build heads.parquet -o site", "one model: site/index.html, figures/, data/"),
        ("reporter build scores.parquet --model meta-llama/Meta-Llama-3.1-8B --threshold 0.2",
         "scores: a head joins a category at score >= 0.2; the model's 32x32 shape from the known models"),
        ("reporter build gpt2-xl.parquet pythia-12b.parquet -o site",
         "several models: an overview plus one page per model"),
    ]),
    "inspect": ("print what a build would make of INPUT and every problem, writing nothing", [
        ("reporter inspect heads.csv", "format, shape, model shape and its source, categories, problems"),
        ("reporter inspect scores.parquet --top-k 20 --model gpt2-xl",
         "what the top-20 rule gives, and the settings in force with where each came from"),
    ]),
    "diff": ("compare two runs of one model: heads gained, lost and kept per category", [
        ("reporter diff run-a.parquet run-b.parquet -o diff", "diff/index.html with the changes per category"),
        ("reporter diff a.csv b.csv --layers 32 --heads 32 --mlflow", "also log the diff to the active MLflow run"),
    ]),
    "timeline": ("follow the categories of one model across training checkpoints", [
        ("reporter timeline step1000.parquet step2000.parquet step4000.parquet -o timeline",
         "one input per checkpoint, its step in the file name"),
        ("reporter timeline checkpoints.parquet --show-steps 0,1000,8000 --step-pages all",
         "one table with a step column; three steps drawn, every checkpoint its own page"),
    ]),
    "demo": ("build the bundled synthetic 80x64 example", [
        ("reporter demo -o site --open", "build the example into site/ and open it in the browser"),
        ("reporter demo --formats svg -q -o /tmp/demo", "figures as SVG only, printing nothing"),
    ]),
    "serve": ("build, serve on 127.0.0.1 and rebuild when an input or the settings change", [
        ("reporter serve heads.parquet --open", "http://127.0.0.1:8000/, opened in the browser"),
        ("reporter serve scores.parquet --threshold 0.2 --port 8001",
         "edit scores.parquet or reporter.toml: the page reloads with the new report"),
    ]),
    "completion": ("print a shell completion script (bash or zsh)", [
        ("reporter completion bash > ~/.local/share/bash-completion/completions/reporter",
         "bash: completes commands, flags, choices and file names"),
        ("echo 'eval \"$(reporter completion zsh)\"' >> ~/.zshrc", "zsh, through its bash completion layer"),
    ]),
}


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors suggest the nearest command."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print usage and the message, with the nearest command for a mistyped one; exit 2."""
        if "invalid choice" in message and "argument COMMAND" in message:
            typed = message.split("'")[1] if "'" in message else ""
            near = difflib.get_close_matches(typed, list(COMMANDS), n=1)
            message = f"unknown command {typed!r}" + (f"; did you mean {near[0]!r}?" if near else "") + \
                f" (commands: {', '.join(COMMANDS)})"
        super().error(message)

    def _print_message(self, message: str, file=None) -> None:
        """Write help or usage; unlike argparse, a closed pipe is raised, for main to end with status 141."""
        if message:
            (file or sys.stderr).write(message)


def parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    p = Parser(prog="reporter",
               description="Turn a table of attention-head categories into a static, self-contained HTML report.",
               epilog="run `reporter COMMAND --help` for a command's flags and examples")
    p.add_argument("--version", action="version", version=f"reporter {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    build = command(sub, "build")
    build.add_argument("input", metavar="INPUT", nargs="+", help=INPUT_HELP)
    add_shape_options(build)
    add_input_options(build)
    add_output_options(build)
    add_publish_options(build)

    inspect = command(sub, "inspect")
    inspect.add_argument("input", metavar="INPUT", nargs="+", help="the input(s), as for build")
    add_shape_options(inspect)
    add_input_options(inspect)

    diff = command(sub, "diff")
    diff.add_argument("run_a", metavar="A", help="the first run's table")
    diff.add_argument("run_b", metavar="B", help="the second run's table (same model shape)")
    add_shape_options(diff)
    add_output_options(diff, default_folder="diff")
    add_tracker_options(diff)
    add_input_options(diff)

    add_timeline_command(sub)

    demo = command(sub, "demo")
    add_output_options(demo, title=False)
    add_publish_options(demo)

    serve = command(sub, "serve")
    serve.add_argument("input", metavar="INPUT", nargs="+", help="input(s), as for build; watched for changes")
    add_shape_options(serve)
    add_input_options(serve)
    add_output_options(serve, default_folder="a temporary folder, removed when serving stops")
    add_serve_options(serve)

    completion = command(sub, "completion", settings=False)
    completion.add_argument("shell", choices=("bash", "zsh"), help="the shell to print the completion script for")
    return p


def command(sub, name: str, settings: bool = True) -> argparse.ArgumentParser:
    """A subcommand parser with its help line, its examples as the epilog and its option groups made in order."""
    summary, examples = COMMANDS[name]
    shown = "\n".join(f"  # {why}\n  {line}" for line, why in examples)
    epilog = f"examples:\n{shown}" + (f"\n\n{wrapped(SETTINGS_NOTE)}" if settings else "")
    p = sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".", epilog=epilog,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.reporter_groups = {key: p.add_argument_group(title) for key, title in GROUPS.items()}
    if settings:
        p.add_argument("--config", metavar="FILE",
                       help="read settings from this TOML file (a reporter.toml, or a pyproject.toml's "
                            "[tool.reporter]) instead of looking beside the input")
        p.add_argument("--no-config", action="store_true", help="read no settings file: flags and defaults only")
    return p


def wrapped(text: str, width: int = 100) -> str:
    """A paragraph wrapped for an epilog (which RawDescriptionHelpFormatter keeps as it is)."""
    import textwrap

    return textwrap.fill(text, width)


def group(p: argparse.ArgumentParser, name: str):
    """The option group ``name`` (a key of GROUPS) of a subcommand's parser."""
    return p.reporter_groups[name]


def add_timeline_command(sub) -> None:
    """`reporter timeline`: checkpoints of one model across training (its own command: its inputs are a series,
    its options say how to order and show the checkpoints, and a table's step column is never guessed at by build)."""
    p = command(sub, "timeline")
    p.add_argument("input", metavar="INPUT", nargs="+",
                   help="one table with a step, checkpoint, revision or tokens column, or one input per checkpoint "
                        "(any input build reads) with its step in the file name (step1000.parquet) or --steps")
    add_shape_options(p)
    group(p, "input").add_argument("--steps", type=step_list, metavar="STEPS",
                                   help="comma-separated steps of the inputs, in their order (default: from each "
                                        "file's name, or the table's step column)")
    add_input_options(p)
    add_output_options(p, default_folder="timeline")
    output = group(p, "output")
    output.add_argument("--show-steps", type=step_list, metavar="STEPS",
                        help="steps drawn as small multiples and given a model page (default: six spread over the "
                             "series)")
    output.add_argument("--step-pages", choices=("selected", "all", "none"), default="selected",
                        help="which checkpoints get their full model page: the shown steps (default), all or none")
    add_publish_options(p)


def timeline_product(args: argparse.Namespace, given: dict):
    """Build the timeline the parsed `reporter timeline` arguments ask for."""
    from .timeline_report import build_timeline

    pages = "none" if args.single_file else args.step_pages  # one file holds no checkpoint pages
    return build_timeline(args.input, steps=args.steps, show_steps=args.show_steps, step_pages=pages,
                          title=args.title, model=args.model, layers=args.layers, heads=args.heads,
                          categories=args.categories, category_order=args.category_order,
                          formats=exported_formats(args), force=args.force, **score_options(args), **given)


def step_list(text: str) -> list[int]:
    """argparse type: comma-separated whole numbers (steps)."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None


def add_shape_options(p: argparse.ArgumentParser) -> None:
    """--model, --layers, --heads and --categories: which model, its shape, which categories (build, inspect, diff, serve)."""
    shape = group(p, "model shape")
    shape.add_argument("--model", metavar="NAME",
                       help="the model, by name. When the table holds several (a model column), select that "
                            "model's rows; when --layers/--heads and --model-config do not give the shape, take "
                            "its layers, heads and KV heads from the built-in table of 41 known models (Hugging "
                            "Face or TransformerLens names, e.g. meta-llama/Meta-Llama-3.1-8B -> 32x32); and name "
                            "the report with it (heading, title, summary.json)")
    shape.add_argument("--layers", type=positive_int, metavar="N",
                       help="number of layers (with --heads); wins over --model-config, the file's metadata and "
                            "the known models; an index outside the shape is an error")
    shape.add_argument("--heads", type=positive_int, metavar="N", help="number of heads per layer (with --layers)")
    group(p, "input").add_argument(
        "--categories", metavar="A,B,...",
        help="comma-separated categories: show only these, panels and tables in this order (default: every "
             "category, in the input's order, the reference order for the MAPS names); naming one the input "
             "lacks is an error")
    group(p, "input").add_argument(
        "--category-order", metavar="A,B,...",
        help="comma-separated categories to put first, in this order; the others follow in the default order")


def add_publish_options(p: argparse.ArgumentParser) -> None:
    """Options that send the report somewhere besides the output folder."""
    group(p, "publishing").add_argument(
        "--single-file", metavar="FILE",
        help="write only this one self-contained HTML file instead of the output folder (no figures/ or data/; "
             "replaces an existing file only if reporter wrote it, or with --force; never an input)")
    add_tracker_options(p)


def add_tracker_options(p: argparse.ArgumentParser) -> None:
    """--mlflow and --wandb: also log the result to an experiment tracker."""
    publishing = group(p, "publishing")
    publishing.add_argument("--mlflow", action="store_true",
                            help="also log the report to MLflow (pip install 'attention-head-report[mlflow]'): "
                                 "the page, figures, data files, headline metrics and tags go to the active run "
                                 "or MLFLOW_RUN_ID, else a new run")
    publishing.add_argument("--wandb", action="store_true",
                            help="also log the report to Weights & Biases (pip install "
                                 "'attention-head-report[wandb]'): page, figures as wandb.Image, heads as a "
                                 "wandb.Table and metrics go to the current run, else a new wandb.init()")


def add_output_options(p: argparse.ArgumentParser, default_folder: str = "site", title: bool = True) -> None:
    """Options every writing subcommand shares (``title``: also --title; the demo has its own)."""
    output = group(p, "output")
    output.add_argument("-o", "--output", metavar="DIR",
                        help=f"output folder (default: {default_folder}); written atomically: an interrupted "
                             "or failed build leaves the previous contents as they were")
    if title:
        output.add_argument("--title", help="the page title and heading (default: from the model's name)")
    output.add_argument("--formats", default="svg,png,pdf", metavar="LIST",
                        help="comma-separated figure export formats written to figures/ beside each figure's "
                             "Vega-Lite spec, from svg, png (2x), pdf (default: svg,png,pdf; '' for none: "
                             "the page itself draws its figures either way)")
    output.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing but errors (no progress line, no closing 'wrote …' line)")
    output.add_argument("--open", action="store_true", help="open the written page in the web browser")
    output.add_argument("--force", action="store_true",
                        help="write into an existing folder that holds other files (they are left untouched), "
                             "or replace a --single-file that reporter did not write")


def add_input_options(p: argparse.ArgumentParser) -> None:
    """Options that say how to read the input and turn scores into categories (build, inspect and serve)."""
    given = group(p, "input")
    given.add_argument("--engine", choices=("auto", "pandas", "duckdb"), default="auto",
                       help="how files are read: auto (DuckDB scans Parquet datasets, globs, s3:// and files "
                            "over 64 MB out of core; pandas reads the rest), pandas or duckdb (default: auto)")
    given.add_argument("--category", metavar="NAME",
                       help="the name of the one category of a matrix, head-id map, head list or layer, head, score "
                            "table, or of every relation of a scores table without a category column (default: the "
                            "file's name without extension); with several inputs, A,B,... names one per input; for "
                            "a [layers, heads, relations] .npy, the relations' names as A,B,...")
    given.add_argument("--field", metavar="N[,N]",
                       help="for a list of layers of {head: [values]} (MInference): the position of the value that "
                            "is the category (text; several positions make one label) or the score (a number)")
    given.add_argument("--one-model-per-file", action="store_true",
                       help="several single-category inputs (matrices, head lists): one model each, instead of the "
                            "categories of one model")
    rule = group(p, "rule")
    rule.add_argument("--score-column", default="score", metavar="NAME",
                      help="the column holding the per-head scores of a scores table (default: score)")
    rule.add_argument("--threshold", type=float, metavar="T",
                      help="a head joins a relation's category when its (aggregated) score >= T")
    rule.add_argument("--top-k", type=positive_int, metavar="K",
                      help="the K highest-scoring heads of each relation join its category")
    rule.add_argument("--top-percent", type=float, metavar="P",
                      help="the top P%% of all heads of each relation join its category")
    rule.add_argument("--top-mass", type=float, metavar="P",
                      help="the fewest highest-scoring heads holding P%% of each relation's summed score join")
    rule.add_argument("--ties", choices=("keep", "drop", "first"), default="keep",
                      help="heads tied at a rank cut: keep them all (default), drop them all, or first in row order")
    rule.add_argument("--rank-within", choices=("relation", "layer", "kv-group"), default="relation",
                      help="a rank rule ranks within each relation (default), each layer or each KV group of it")
    rule.add_argument("--normalize", choices=("none", "max", "z", "rank"), default="none",
                      help="a threshold reads each relation's scores as given (default), as a share of its maximum, "
                           "as z-scores or as rank shares (1 for its top head)")
    rule.add_argument("--threshold-map", metavar="FILE",
                      help="a threshold per relation (.json {relation: T} or .csv relation,threshold); --threshold "
                           "for the rest")
    rule.add_argument("--aggregate", choices=("mean", "max", "median"), default="mean",
                      help="how repeated rows of one head and relation (prompts, templates) combine before the "
                           "rule (default: mean)")
    rule.add_argument("--category-map", metavar="FILE",
                      help="relation -> category map (.csv with relation,category columns, or .json); relations "
                           "it does not name are left out; without it a table's category column is used")
    shape = group(p, "model shape")
    shape.add_argument("--model-config", metavar="FILE",
                       help="a Hugging Face config.json: layers (num_hidden_layers), heads (num_attention_heads) "
                            "and KV heads (num_key_value_heads); --layers/--heads win over it")
    shape.add_argument("--kv-heads", type=positive_int, metavar="N",
                       help="key/value heads per layer (grouped-query attention): adds the grouped-query view "
                            "and its test, and a matrix with N columns is read as one column per KV head")


def add_serve_options(p: argparse.ArgumentParser) -> None:
    """--port: where `serve` listens (its --open is the output group's)."""
    group(p, "output").add_argument(
        "--port", type=port_number, default=8000, metavar="N",
        help="the port on 127.0.0.1 to serve on (default: 8000; 0: any free port, printed when serving starts)")


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


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def port_number(text: str) -> int:
    """argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0 to 65535)")
    return value


# -- parsing: flags over the settings file over the defaults ------------------------------------------

def subcommands(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser, by name."""
    action = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def take_defaults(p: argparse.ArgumentParser) -> dict[str, dict]:
    """Every subcommand's option defaults, by command then dest; the parser then records only flags given."""
    found = {}
    for name, command_parser in subcommands(p).items():
        found[name] = {a.dest: a.default for a in command_parser._actions if a.default is not argparse.SUPPRESS}
        for action in command_parser._actions:
            action.default = argparse.SUPPRESS
    return found


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, with each option the flag given, else the settings file's, else its default.

    ``args.settled`` keeps where each value came from (for `inspect`).
    """
    from . import config

    p = parser()
    defaults = take_defaults(p)
    given, extra = p.parse_known_args(argv)
    commands = subcommands(p)
    command_parser = commands[given.command]
    if extra:
        unknown_argument(command_parser, extra[0])
    explicit = vars(given)
    file = None
    reads_settings = any(a.dest == "config" for a in command_parser._actions)  # not `completion`
    if reads_settings and "no_config" not in explicit:
        file = config.given_file(explicit["config"]) if "config" in explicit else \
            config.find(config.start_folder(input_paths(explicit)))
        if file is not None:
            config.checked_table(file, commands)
    settled = config.settle(command_parser, given.command, explicit, file, defaults[given.command])
    positional = {k: v for k, v in explicit.items() if k not in settled.values}
    return argparse.Namespace(**positional, **settled.values, settled=settled)


def input_paths(explicit: dict) -> list[str]:
    """The inputs named on the command line (build, inspect, serve: INPUT; diff: A and B)."""
    given = explicit.get("input", [])
    inputs = [given] if isinstance(given, str) else list(given)
    return inputs + [explicit[k] for k in ("run_a", "run_b") if k in explicit]


def unknown_argument(command_parser: argparse.ArgumentParser, typed: str) -> None:
    """Exit 2 naming the subcommand and the nearest flag of a mistyped one (argparse would name neither)."""
    if not typed.startswith("-"):
        command_parser.error(f"unexpected argument {typed!r}")
    flag = typed.split("=", 1)[0]
    elsewhere = [name for name, other in subcommands(parser()).items() if flag in long_flags(other)]
    near = difflib.get_close_matches(flag, long_flags(command_parser), n=1, cutoff=0.7)
    hint = f"; it is a flag of {', '.join(elsewhere)}, not of {command_parser.prog}" if elsewhere else \
        f"; did you mean {near[0]}?" if near else ""
    command_parser.error(f"unknown flag {flag}{hint} (`{command_parser.prog} --help` lists every flag)")


def long_flags(command_parser: argparse.ArgumentParser) -> list[str]:
    """A subcommand's --flags."""
    return sorted({s for a in command_parser._actions for s in a.option_strings if s.startswith("--")})


# -- running ------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (141 when the reader of stdout went away, 130 on Ctrl-C)."""
    try:
        try:
            status = dispatch(argv)
        except SystemExit as exc:  # argparse's --help, --version and usage errors
            status = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
        sys.stdout.flush()  # inside the guard: a closed pipe shows here, not at interpreter exit
        return status
    except BrokenPipeError:
        return pipe_closed()
    except KeyboardInterrupt:
        quietly_say("reporter: interrupted")
        return INTERRUPTED


def pipe_closed() -> int:
    """The reader of stdout is gone (`| head`): point stdout at /dev/null so the exit flush is silent."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return PIPE_CLOSED


def quietly_say(message: str) -> None:
    """Print to stderr, unless stderr is gone too."""
    with contextlib.suppress(OSError, ValueError):
        print(message, file=sys.stderr, flush=True)


def dispatch(argv: list[str] | None) -> int:
    """Parse, then run one command, mapping every error to a message and an exit status."""
    started = time.perf_counter()
    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, terminated)
    logging.basicConfig(level=logging.WARNING, format="reporter: warning: %(message)s")
    args, exporter, shown = None, None, Progress(None)
    try:
        args = parse(argv)
        shown = Progress.for_args(args)
        check_arguments(args)
        if args.command == "completion":
            return print_completion(args.shell)
        if args.command == "serve":
            return run_serve(args, argv)
        exporter = start_exporter(args)
        with cli_words():
            return run(args, started, exporter, shown)
    except ReporterError as exc:
        print(f"reporter: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        writes = hasattr(args, "formats")  # inspect and a command line still being parsed write nothing
        quietly_say("reporter: interrupted" + ("; the output folder was left as it was" if writes else ""))
        return INTERRUPTED
    except BrokenPipeError:
        raise  # main makes it quiet
    except Exception as exc:  # an internal error: one line unless asked for the traceback
        if os.environ.get("REPORTER_DEBUG"):
            raise
        print(internal_error(exc), file=sys.stderr)
        return 1
    finally:
        shown.clear()
        if exporter is not None:
            exporter.close()


def internal_error(exc: Exception) -> str:
    """The one line an unexpected error gets (a JavaScript stack from vl-convert is many: its first says it)."""
    first = one_line(str(exc).strip().splitlines()[0] if str(exc).strip() else "", 300)
    return f"reporter: internal error: {type(exc).__name__}: {first} (set REPORTER_DEBUG=1 for the traceback)"


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


def run_inspect(args: argparse.Namespace) -> int:
    """Print what a build would make of the input and the settings in force; exit 2 when there are problems."""
    from .config import provenance_lines
    from .input.inspect import inspect
    from .input.models.model_config import options_of

    options = options_of(model=args.model, layers=args.layers, heads=args.heads,
                         categories=args.categories, category_order=args.category_order, **score_options(args))
    found = inspect(args.input, options)
    print("\n".join([*found.lines(), *provenance_lines(args.settled)]))
    return 0 if found.ok else 2


def run(args: argparse.Namespace, started: float, exporter, shown: "Progress") -> int:
    """Dispatch one parsed command; ``started`` is when the command began, for the closing line."""
    if args.command == "inspect":
        return run_inspect(args)
    shown("loading the libraries")
    import_pipeline()
    trackers = tracker_loggers(args)  # fail on a missing extra before building or writing anything
    report = made(args, exporter, shown)
    page = saved(args, report, shown)
    logged = []
    for log_report, run_location in trackers:
        shown(f"logging to {log_report.__module__.rsplit('.', 1)[-1]}")
        logged.append(run_location(log_report(report)))
    shown.clear()
    if not args.quiet:
        seconds = time.perf_counter() - started
        print("\n".join([f"wrote {page} ({report.figure_count()} figures) in {seconds:.1f} s", *logged]))
    if args.open:
        open_in_browser(page)
    return 0


def made(args: argparse.Namespace, exporter, shown: "Progress"):
    """The product a writing command asks for (demo, diff, build and serve), built in memory."""
    from .report import build
    from .site import build_any

    given = {"exporter": exporter, "progress": shown}
    if args.command == "demo":
        return build(EXAMPLE, formats=exported_formats(args), force=args.force, **given, **EXAMPLE_OPTIONS)
    if args.command == "timeline":
        return timeline_product(args, given)
    if args.command == "diff":
        from .diff_report import build_diff

        return build_diff(args.run_a, args.run_b, title=args.title, model=args.model, layers=args.layers,
                          heads=args.heads, categories=args.categories, category_order=args.category_order,
                          formats=exported_formats(args), **score_options(args), force=args.force, **given)
    return build_any(args.input, title=args.title, model=args.model, layers=args.layers, heads=args.heads,
                     categories=args.categories, category_order=args.category_order,
                     formats=exported_formats(args), **score_options(args), force=args.force, **given)


def saved(args: argparse.Namespace, report, shown: "Progress") -> Path:
    """Write the product: one --single-file page, or the output folder; the main page's path."""
    if getattr(args, "single_file", None):
        shown("writing the page")
        return report.save_html(args.single_file)
    return report.save(args.output or report.default_folder, progress=shown) / "index.html"


def run_serve(args: argparse.Namespace, argv: list[str] | None) -> int:
    """`reporter serve`: build, serve on 127.0.0.1, rebuild on every change until Ctrl-C."""
    from .serve import serve

    def rebuild(exporter) -> tuple[object, argparse.Namespace]:
        again = parse(argv)  # the settings file may have changed too
        with cli_words():
            return made(again, exporter, Progress(None)), again

    return serve(args, rebuild, open_in_browser=args.open)


def print_completion(shell: str) -> int:
    """`reporter completion SHELL`: print the completion script made from this parser."""
    from .completion import script

    print(script(parser(), shell), end="")
    return 0


def open_in_browser(page: Path | str) -> None:
    """Open the written page (a path or a URL) in the user's web browser; a machine without one only gets a warning."""
    import webbrowser

    target = page if isinstance(page, str) else Path(page).resolve().as_uri()
    if not webbrowser.open(target):
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
    """(log_report, run_location) of each tracker asked for with --mlflow/--wandb, their packages imported now."""
    from .integrations.extras import require

    loggers = []
    if getattr(args, "mlflow", False):
        require("mlflow", "mlflow", "MLflow")
        from .integrations import mlflow

        loggers.append((mlflow.log_report, mlflow.run_location))
    if getattr(args, "wandb", False):
        require("wandb", "wandb", "Weights & Biases (wandb)")
        from .integrations import wandb

        loggers.append((wandb.log_report, wandb.run_location))
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
        on = hasattr(args, "quiet") and not args.quiet and sys.stderr.isatty() and args.command != "serve"
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
