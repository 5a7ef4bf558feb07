"""Figure `score-distribution`: each relation's scores sorted from the highest, with the rule's cut drawn.

A line through the ranks (the top ranks and every rank near the cut, the rest thinned to EVEN_POINTS evenly
spaced ranks), coloured kept / tied at the cut / not kept, a dot on each tied head; a rule after the last kept head, labelled with
the number kept, and where a tie crossed a rank cut a dashed rule at the place the rule asked for.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..analysis.summarize import Summary
from .compose import concat, figure_spec, fit_grid, layer
from .figure import DataTable, Figure
from .score_maps import per_panel
from .theme import INK

WIDTH, HEIGHT = 220, 130
MAX_PANELS = 16
TOP_RANKS = 16  # the highest ranks are all drawn (a dominant head shows)
NEAR_CUT = 32  # and every rank this close to the cut (the ties at it show)
EVEN_POINTS = 120  # the rest: this many evenly spaced ranks
KEPT, TIED, LEFT = "kept", "tied at the cut", "not kept"
# Blue and orange part for every colour vision; the grey of the rest stays behind both on a light or dark page.
COLORS = {KEPT: "#1f77b4", TIED: "#e66100", LEFT: "#a6a6a6"}


def make(source) -> Figure | None:
    """The registry's entry point; None unless the input has scores by relation."""
    s = source.summary.table.scores
    if s is None or s.empty or "relation" not in s.columns:
        return None
    return score_distribution(source.summary)


def crossing(summary: Summary) -> dict[str, list[dict]]:
    """The ties that crossed a rank cut, by relation (summary.json rule.ties_at_cut)."""
    out: dict[str, list[dict]] = {}
    for tie in (summary.table.rule_spec or {}).get("ties_at_cut") or []:
        out.setdefault(tie["relation"], []).append(tie)
    return out


def chosen(summary: Summary, ties: dict[str, list[dict]]) -> tuple[list[str], int]:
    """The relations drawn (those with a crossing tie first, then by name), and how many are left out."""
    names = sorted(summary.table.scores["relation"].unique(), key=lambda r: (r not in ties, r))
    return names[:MAX_PANELS], max(0, len(names) - MAX_PANELS)


def drawn_ranks(n: int, kept: int) -> np.ndarray:
    """0-based ranks to draw: the top ones, every one near the cut, an even thinning of the rest."""
    even = np.linspace(0, n - 1, min(n, EVEN_POINTS)).round().astype(int)
    near = np.arange(max(0, kept - NEAR_CUT), min(n, kept + NEAR_CUT))
    return np.unique(np.concatenate([np.arange(min(n, TOP_RANKS)), near, even]))


def relation_records(index: int, rows: pd.DataFrame, ties: list[dict]) -> list[dict]:
    """The drawn points of one relation: p panel, r rank (1 is the highest), s score, c status."""
    ordered = rows.sort_values(["score", "layer", "head"], ascending=[False, True, True], kind="stable")
    score, kept = ordered["score"].to_numpy(), ordered["kept"].to_numpy(dtype=bool)
    tied_scores = {t["score"] for t in ties if "layer" not in t}
    out = []
    for r in drawn_ranks(len(ordered), int(kept.sum())):
        status = TIED if score[r] in tied_scores else KEPT if kept[r] else LEFT
        out.append({"p": index, "r": int(r) + 1, "s": float(f"{score[r]:.4g}"), "c": status})
    return out


def cut_records(index: int, rows: pd.DataFrame, ties: list[dict]) -> list[dict]:
    """The cut after the last kept head, and the places asked where a tie crossed it."""
    kept = int(rows["kept"].sum())
    out = [{"p": index, "x": kept + 0.5, "label": f"{kept:,} kept", "kind": "kept"}]
    out += [{"p": index, "x": t["asked"] + 0.5, "label": f"{t['asked']:,} asked", "kind": "asked"}
            for t in ties if "layer" not in t]
    return out


def score_distribution(summary: Summary) -> Figure:
    """One small panel per relation: sorted scores, the cut and the ties at it."""
    s = summary.table.scores.drop_duplicates(["layer", "head", "relation"])
    s = s.assign(kept=s["kept"] if "kept" in s.columns else False)
    ties = crossing(summary)
    names, left_out = chosen(summary, ties)
    points, cuts = [], []
    for i, name in enumerate(names):
        rows = s[s["relation"] == name]
        points += relation_records(i, rows, ties.get(name, []))
        cuts += cut_records(i, rows, ties.get(name, []))
    body = concat(per_panel(panel(0, ""), names), columns=min(len(names), 4))
    spec = figure_spec(body, names=names, fit=fit_grid(WIDTH, len(names), list(COLORS)))
    return Figure(slug="score-distribution", title="Scores sorted, with the rule's cut", spec=spec,
                  datasets={"score_ranks": points, "score_cuts": cuts},
                  alt_text=alt_text(names, left_out, ties), tables=(cut_table(s, names, ties),))


def panel(index: int, name: str) -> dict:
    """One relation: its points, the cut rule and its label."""
    x = alt.X("r:Q", title="rank (1 = highest)", scale=alt.Scale(zero=False, nice=False, domainMin=0.5))
    y = alt.Y("s:Q", title="score")
    color = alt.Color("c:N", title=None, scale=alt.Scale(domain=list(COLORS), range=list(COLORS.values())),
                      legend=alt.Legend(orient="right", values=list(COLORS)))
    ranks = alt.Chart(alt.Data(name="score_ranks")).transform_filter(f"datum.p === {index}")
    tooltip = [alt.Tooltip("r:Q", title="rank"), alt.Tooltip("s:Q", title="score", format=".4g"),
               alt.Tooltip("c:N", title="status")]
    # One line per status (each a run of ranks) and a dot on each tied head: a path costs the exports far
    # less than a dot per rank.
    curve = ranks.mark_line(strokeWidth=2, aria=False).encode(x=x, y=y, color=color, tooltip=tooltip)
    tied = ranks.transform_filter(f"datum.c === '{TIED}'").mark_circle(size=22, opacity=1, aria=False).encode(
        x=x, y=y, color=color, tooltip=tooltip)
    cuts = alt.Chart(alt.Data(name="score_cuts")).transform_filter(f"datum.p === {index}")
    rules = cuts.mark_rule(color=INK).encode(
        x="x:Q", strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=["kept", "asked"], range=[[1, 0], [4, 3]]),
                                            legend=None),
        tooltip=alt.Tooltip("label:N", title="cut"))
    # "N kept" at the top, "N asked" at the foot of its rule, so the two never overlap when the cuts are close.
    kept = cuts.transform_filter("datum.kind === 'kept'").mark_text(
        align="left", baseline="top", dx=3, dy=2, color=INK, fontSize=10).encode(x="x:Q", y=alt.value(0), text="label:N")
    asked = cuts.transform_filter("datum.kind === 'asked'").mark_text(
        align="left", baseline="bottom", dx=3, dy=-2, color=INK, fontSize=10).encode(
        x="x:Q", y=alt.value(HEIGHT), text="label:N")
    return layer(curve, tied, rules, kept, asked, title=name, width=WIDTH, height=HEIGHT)


def alt_text(names: list[str], left_out: int, ties: dict[str, list[dict]]) -> str:
    """What the distributions draw, in one sentence."""
    tied = [n for n in names if n in ties]
    tie_part = (f"; a tie crossed the cut in {', '.join(tied)}, its heads drawn as tied at the cut" if tied else
                "; no tie crossed a cut")
    more = f"; {left_out:,} more relations are not drawn" if left_out else ""
    return (f"Sorted scores of {len(names):,} relation{'s' if len(names) != 1 else ''} ({', '.join(names)}), "
            f"with a rule after the last kept head{tie_part}{more}")


def cut_table(s: pd.DataFrame, names: list[str], ties: dict[str, list[dict]]) -> DataTable:
    """Per relation drawn: heads scored, kept, the lowest kept score and any tie at the cut."""
    rows = []
    for name in names:
        mine = s[s["relation"] == name]
        kept = mine[mine["kept"]]
        tie = "; ".join(f"{t['tied']:,} at {t['score']:.4g} ({t['kept']:,} kept for {t['asked']:,} asked)"
                        for t in ties.get(name, [])[:3]) or "–"
        lowest = f"{kept['score'].min():.4g}" if len(kept) else "–"
        rows.append((name, f"{len(mine):,}", f"{len(kept):,}", lowest, tie))
    return DataTable("Each relation: heads scored, heads kept, the lowest kept score, ties across the cut.",
                     ("relation", "heads scored", "kept", "lowest kept", "tie at the cut"), tuple(rows))
