"""Run parameters of a report, site or diff: the model, its shape and the rule, as short text a tracker keeps.

Trackers show parameters beside metrics to compare runs ("which threshold gave these heads?"), so each
value is one short line; the whole rule (relations and all) stays in summary.json.
"""

from __future__ import annotations

from .headline import metric_name, unique_key

RULES = ("threshold", "top_k", "top_percent", "top_mass")  # the rule options a scores table's categories come from


def table_params(table) -> dict[str, str]:
    """A HeadTable's model, shape, where the shape came from, the rule and, for scores, the score column."""
    spec = table.rule_spec or {"kind": "given"}
    params = {
        "model": table.model or (table.source.name if table.source else "model"),
        "shape": f"{table.n_layers}x{table.n_heads}",
        "shape_source": table.shape_source,
        "rule": rule_param(spec),
    }
    if spec.get("kind") == "scores":
        params["score_column"] = str(spec.get("score_column"))
        params["aggregate"] = str(spec.get("aggregate"))
    return params


def rule_param(spec: dict) -> str:
    """The rule as one line: "threshold 0.2", "top_k 3 and threshold 0.1", or "as given" for categories in the table."""
    if spec.get("kind") != "scores":
        return "as given"
    return " and ".join(f"{name} {spec[name]:g}" for name in RULES if spec.get(name) is not None) or "scores"


def site_params(slugs: list[str], tables: list) -> dict[str, str]:
    """The models' names in order, then each model's parameters under its slug ("gpt2-xl/rule")."""
    params = {"models": ", ".join(t.model or slug for slug, t in zip(slugs, tables))}
    used: set[str] = set()
    for slug, table in zip(slugs, tables):
        key = unique_key(metric_name(slug), used)
        params.update({f"{key}/{name}": value for name, value in table_params(table).items()})
    return params


def diff_params(a, b) -> dict[str, str]:
    """Both runs' parameters, under "run_a/" and "run_b/"; the shape once (a diff compares one shape)."""
    params = {"shape": f"{a.n_layers}x{a.n_heads}"}
    for prefix, table in (("run_a", a), ("run_b", b)):
        params.update({f"{prefix}/{name}": value for name, value in table_params(table).items() if name != "shape"})
    return params


def timeline_params(first, steps: tuple[int, ...], axis: str) -> dict[str, str]:
    """The first checkpoint's parameters (every checkpoint shares its shape), and the checkpoints' steps."""
    return {**table_params(first), "checkpoints": str(len(steps)), "steps": f"{axis} {steps[0]}–{steps[-1]}"}
