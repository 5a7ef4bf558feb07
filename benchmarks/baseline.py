"""The hand-written alternative to reporter, as a researcher would write it.

Five Altair heatmaps ("All Categories" and one per category) of a long
(layer, head, category) table, each saved on its own with ``chart.save(...html)``
and ``chart.save(...png)``. Every HTML file loads Vega from a CDN and repeats
the whole data; nothing is summarised or written about the data.

    python benchmarks/baseline.py TABLE.csv OUT_DIR [--layers N --heads N] [--categories A,B,...]

The first four categories in alphabetical order get panels unless
``--categories`` names them (the reference figure has four).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import altair as alt
import pandas as pd


def dense_grid(table: pd.DataFrame, n_layers: int, n_heads: int) -> pd.DataFrame:
    """One row per head of the model with its categories and legend label, the usual notebook way."""
    grouped = table.groupby(["layer", "head"])["category"].apply(lambda s: ", ".join(sorted(s)))
    grid = pd.MultiIndex.from_product([range(n_layers), range(n_heads)], names=["layer", "head"]).to_frame(index=False)
    grid = grid.merge(grouped.rename("categories").reset_index(), on=["layer", "head"], how="left")
    grid["categories"] = grid["categories"].fillna("")
    n = grid["categories"].str.count(",") + (grid["categories"] != "")
    grid["label"] = grid["categories"].where(n <= 1, n.astype(str) + " categories").replace("", "Unclassified")
    return grid


def heatmap(grid: pd.DataFrame, title: str, color: alt.Color) -> alt.Chart:
    """One layer x head heatmap."""
    return (
        alt.Chart(grid, title=title)
        .mark_rect()
        .encode(x=alt.X("layer:O"), y=alt.Y("head:O"), color=color, tooltip=["layer", "head", "categories"])
        .properties(width=320, height=256)
    )


def main(argv: list[str] | None = None) -> None:
    """Read the table, draw five heatmaps and save each as HTML and PNG."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("table")
    p.add_argument("out")
    p.add_argument("--layers", type=int)
    p.add_argument("--heads", type=int)
    p.add_argument("--categories")
    args = p.parse_args(argv)

    alt.data_transformers.disable_max_rows()  # 5,120 heads is over Altair's 5,000-row limit
    table = pd.read_csv(args.table)
    n_layers = args.layers or int(table["layer"].max()) + 1
    n_heads = args.heads or int(table["head"].max()) + 1
    categories = args.categories.split(",") if args.categories else sorted(table["category"].unique())[:4]
    grid = dense_grid(table, n_layers, n_heads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    charts = {"all-categories": heatmap(grid, "All Categories", alt.Color("label:N"))}
    for name in categories:
        member = grid["categories"].str.split(", ").map(lambda cs, name=name: name in cs)
        colored = grid.assign(member=member.map({True: name, False: "other"}))
        charts[name.lower()] = heatmap(
            colored, name, alt.Color("member:N", scale=alt.Scale(domain=[name, "other"], range=["#1f77b4", "#e0e0e0"]))
        )
    for slug, chart in charts.items():
        chart.save(out / f"{slug}.html")
        chart.save(out / f"{slug}.png")


if __name__ == "__main__":
    main()
