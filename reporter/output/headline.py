"""Headline numbers of a report, site or diff, named so every tracker accepts them as metric keys."""

from __future__ import annotations

import re

# MLflow accepts letters, digits, "_", "-", ".", " ", ":" and "/" but rejects names that change
# under path normalisation ("a/../b", "."), and W&B splits on "/" into sections; plain ASCII
# words are safe everywhere.
UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
MAX_KEY = 200


def headline_metrics(summary: dict) -> dict[str, float]:
    """Totals, classified share and heads per category from a summary.json dict, in a stable order."""
    totals = summary["totals"]
    metrics: dict[str, float] = {
        "heads_total": totals["heads"],
        "heads_classified": totals["classified"],
        "heads_unclassified": totals["unclassified"],
        "heads_multi_category": totals["multi_category"],
        "classified_share": totals["classified"] / totals["heads"] if totals["heads"] else 0.0,
    }
    used: set[str] = set()
    for category in summary["categories"]:
        key = unique_key(metric_name(category["name"]), used)
        metrics[f"category_heads/{key}"] = category["heads"]
    return metrics


def site_metrics(slugs: list[str], summaries: list[dict]) -> dict[str, float]:
    """Each model's headline numbers under its own key ("gpt2-xl/heads_total"), and how many models."""
    metrics: dict[str, float] = {"models": len(slugs)}
    used: set[str] = set()
    for slug, summary in zip(slugs, summaries):
        key = unique_key(metric_name(slug), used)
        metrics.update({f"{key}/{name}": value for name, value in headline_metrics(summary).items()})
    return metrics


def diff_metrics(doc: dict) -> dict[str, float]:
    """Memberships kept, gained and lost over all categories and per category, from a diff.json dict."""
    totals = doc["totals"]
    metrics: dict[str, float] = {f"memberships_{k}": totals[k] for k in ("kept", "gained", "lost")}
    if totals["jaccard"] is not None:
        metrics["jaccard"] = totals["jaccard"]
    used: set[str] = set()
    for category in doc["categories"]:
        key = unique_key(metric_name(category["name"]), used)
        metrics.update({f"category_{k}/{key}": category[k] for k in ("kept", "gained", "lost")})
    return metrics


def metric_name(text: str) -> str:
    """A category name as a metric key part: runs of other characters become "_"."""
    name = UNSAFE.sub("_", text).strip("_")
    return name[:MAX_KEY] or "category"


def unique_key(key: str, used: set[str]) -> str:
    """``key``, or ``key_2``, ``key_3``… when two names sanitize alike (case-insensitively)."""
    candidate, n = key, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{key}_{n}"
    used.add(candidate.lower())
    return candidate
