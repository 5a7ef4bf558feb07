"""Figure `overlap`: category x category shared heads and Jaccard, and UpSet-style intersection sizes."""

from __future__ import annotations

import altair as alt

from ..palette import multi_label
from ..analysis.summarize import Summary
from .figure import DataTable, Figure
from .compose import concat, figure_spec, fit_grid, independent_colors, layer, vconcat
from .interaction import emphasis, highlight_param, picked
from .theme import DARK_CELL_INK, DIAGONAL, LIGHT_CELL_INK, PAGE, SHADING, TEXT

CELL = 52  # pixels per matrix cell
COLUMN = 30  # pixels per intersection column


def matrix_records(summary: Summary) -> list[dict]:
    """Every ordered pair of categories: shared heads and Jaccard; the diagonal holds each category's size."""
    pairs = {}
    for o in summary.overlaps:
        a, b = o.categories
        pairs[(a, b)] = pairs[(b, a)] = (o.heads, round(o.jaccard, 4))
    records = []
    for c in summary.categories:
        for d in summary.categories:
            heads, jaccard = (c.heads, 1.0) if c.name == d.name else pairs[(c.name, d.name)]
            records.append({"row": c.name, "col": d.name, "heads": heads, "jaccard": jaccard, "diagonal": c.name == d.name})
    return records


def intersection_records(summary: Summary) -> list[dict]:
    """One record per exact combination of 2+ categories, in UpSet order (largest first)."""
    return [
        {
            "k": k,
            "combination": " + ".join(i.categories),
            "categories": ", ".join(i.categories),
            "n_categories": len(i.categories),
            "label": multi_label(len(i.categories)),
            "heads": i.heads,
        }
        for k, i in enumerate(summary.intersections)
    ]


def member_records(summary: Summary) -> list[dict]:
    """The UpSet dot grid: one record per (combination, category), member or not."""
    return [
        {"k": k, "category": c, "member": c in i.categories, "categories": ", ".join(i.categories)}
        for k, i in enumerate(summary.intersections)
        for c in summary.table.categories
    ]


def span_records(summary: Summary) -> list[dict]:
    """The line joining each combination's dots: its first and last category in panel order."""
    return [
        {"k": k, "first": i.categories[0], "last": i.categories[-1], "categories": ", ".join(i.categories)}
        for k, i in enumerate(summary.intersections)
    ]


def make(source) -> Figure:
    """The registry's entry point (charts.REPORT_FIGURES)."""
    return overlap(source.summary)


def overlap(summary: Summary) -> Figure:
    """The pair matrix beside the intersection sizes, sharing the ``highlight`` signal; a sentence when no head is shared."""
    panels = [matrix_panel(summary)]
    if summary.intersections:
        panels.append(upset_panel(summary))
    # A grid of two columns, so the page can put the intersections under the matrix when they do not fit beside it.
    body = independent_colors(concat(panels, columns=len(panels), spacing=40))
    # Validated against the schema by tests/test_chart_specs.py, not at every build.
    n = max(1, len(summary.table.categories))
    spec = figure_spec(body, params=[highlight_param()], names=summary.table.categories,
                       fit=fit_grid(max(CELL * n, COLUMN * len(summary.intersections)), len(panels), axis=140, grow=1.5))
    datasets = {
        "overlap_matrix": matrix_records(summary),
        "intersections": intersection_records(summary),
        "intersection_members": member_records(summary),
        "intersection_spans": span_records(summary),
    }
    stand_in = None if summary.intersections else alt_text(summary)
    return Figure(slug="overlap", title="Heads shared between categories", spec=spec, datasets=datasets,
                  alt_text=alt_text(summary), stand_in=stand_in,
                  tables=(pair_table(summary), intersection_table(summary)) if summary.intersections else ())


def matrix_panel(summary: Summary) -> dict:
    """Shared heads per pair (text) over Jaccard (shade); the diagonal is each category's size."""
    order = list(summary.table.categories)
    x = alt.X("col:N", sort=order, title=None, axis=alt.Axis(orient="top", labelAngle=-30, labelAlign="left"))
    y = alt.Y("row:N", sort=order, title=None)
    top = max([o.jaccard for o in summary.overlaps] + [0.05])
    base = alt.Chart(alt.Data(name="overlap_matrix")).encode(
        x=x,
        y=y,
        opacity=emphasis(picked("row", "col")),
        tooltip=[
            alt.Tooltip("row:N", title="category"),
            alt.Tooltip("col:N", title="with"),
            alt.Tooltip("heads:Q", title="shared heads"),
            alt.Tooltip("jaccard:Q", title="Jaccard", format=".3f"),
        ],
    )
    # Dark mode swaps these colours (theme.dark_colors): the shading runs dark to light there and the
    # inks on its cells trade places, so a number stays dark on a light cell and white on a dark one.
    cells = base.transform_filter("!datum.diagonal").mark_rect(stroke=PAGE).encode(
        color=alt.Color("jaccard:Q", title="Jaccard", scale=alt.Scale(range=list(SHADING), domain=[0, top]),
                        legend=alt.Legend(orient="bottom", format=".2f", gradientLength=120)),
    )
    diagonal = base.transform_filter("datum.diagonal").mark_rect(color=DIAGONAL, stroke=PAGE)
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text("heads:Q", format="d"),
        color=alt.ColorValue(condition=[{"test": "datum.diagonal", "value": TEXT},
                                        {"test": f"datum.jaccard > {top / 2}", "value": DARK_CELL_INK}],
                             value=LIGHT_CELL_INK),
    )
    n = max(1, len(order))
    return layer(cells, diagonal, text, title="Shared heads (Jaccard shading)", width=CELL * n, height=CELL * n)


def upset_panel(summary: Summary) -> dict:
    """Bars of heads per exact combination over a dot grid naming the combination."""
    n = len(summary.intersections)
    order = list(summary.table.categories)
    x = alt.X("k:O", title=None, axis=None)
    labels = [multi_label(k) for k in range(2, len(order) + 1) if multi_label(k) in summary.colors]
    color = alt.Color("label:N", title=None, scale=alt.Scale(domain=labels, range=[summary.colors[l] for l in labels]),
                      legend=None)
    bars = alt.Chart(alt.Data(name="intersections")).encode(
        x=x, y=alt.Y("heads:Q", title="heads", axis=alt.Axis(format="d", tickMinStep=1)), color=color,
        opacity=emphasis(picked(label="label", lists=("categories",))),
        tooltip=[alt.Tooltip("combination:N", title="categories"), alt.Tooltip("heads:Q", title="heads")],
    )
    labels_on_bars = bars.mark_text(dy=-6, fontSize=11).encode(text=alt.Text("heads:Q", format="d"))
    sizes = layer(bars.mark_bar(), labels_on_bars, title="Heads in exactly these categories", width=COLUMN * n, height=140)
    y = alt.Y("category:N", sort=order, title=None)
    spans = alt.Chart(alt.Data(name="intersection_spans")).mark_rule(strokeWidth=2).encode(
        x=x, y=alt.Y("first:N", sort=order, title=None), y2=alt.Y2("last"),
        opacity=emphasis(picked(lists=("categories",))),
    )
    # Colours come from the theme's circle/rule config so dark mode can swap them.
    dots = alt.Chart(alt.Data(name="intersection_members")).mark_circle(size=90).encode(
        x=x, y=y, tooltip=[alt.Tooltip("categories:N", title="combination")]
    )
    members = dots.transform_filter("datum.member").encode(opacity=emphasis(picked(lists=("categories",))))
    others = dots.transform_filter("!datum.member").encode(opacity=alt.OpacityValue(0.18))
    grid = layer(others, spans, members, width=COLUMN * n, height=22 * len(order))
    return vconcat(sizes, grid, spacing=4)


def alt_text(summary: Summary) -> str:
    """A sentence or two saying what the figure shows, from the same numbers."""
    if not summary.intersections:
        return "Overlap of categories: no head belongs to two or more categories."
    top = max(summary.overlaps, key=lambda o: (o.heads, o.jaccard))
    combos = "; ".join(f"{' + '.join(i.categories)}: {i.heads}" for i in summary.intersections[:5])
    more = f" and {len(summary.intersections) - 5} more" if len(summary.intersections) > 5 else ""
    return (
        f"Overlap of categories. The pair sharing the most heads is {top.categories[0]} and {top.categories[1]} "
        f"({top.heads} heads, Jaccard {top.jaccard:.3f}). Heads in two or more categories, by exact combination: "
        f"{combos}{more}."
    )


def pair_table(summary: Summary) -> DataTable:
    """Shared heads and Jaccard index for every pair; the diagonal is the category's size."""
    pairs = {}
    for o in summary.overlaps:
        pairs[o.categories] = pairs[o.categories[::-1]] = f"{o.heads} (J = {o.jaccard:.3f})"
    names = summary.table.categories
    rows = tuple(
        (a,) + tuple(f"{summary.category(a).heads} heads" if a == b else pairs[(a, b)] for b in names) for a in names
    )
    return DataTable("Heads shared by each pair of categories, with the Jaccard index J.", ("category",) + names, rows)


def intersection_table(summary: Summary) -> DataTable:
    """Heads per exact combination of two or more categories."""
    rows = tuple((" + ".join(i.categories), str(i.heads)) for i in summary.intersections)
    return DataTable("Heads in exactly these categories (combinations of two or more).", ("categories", "heads"), rows)
