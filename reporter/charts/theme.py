"""The report's Vega-Lite look, applied to every spec it makes."""

from __future__ import annotations

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
TEXT = "#222222"
MUTED = "#555555"
TITLE_LIMIT = 300


def config() -> dict:
    """The Vega-Lite ``config`` block shared by every figure."""
    return {
        "font": FONT,
        "background": "white",
        "view": {"stroke": None},
        # Limits (pixels) cut long names short with an ellipsis, so a 10,000-character name cannot
        # stretch a figure to tens of thousands of pixels; the tables and tooltips show it in full.
        "title": {"fontSize": 13, "fontWeight": "normal", "color": TEXT, "anchor": "middle", "limit": TITLE_LIMIT},
        "axis": {
            "labelFontSize": 10,
            "titleFontSize": 11,
            "titleFontWeight": "normal",
            "labelColor": MUTED,
            "titleColor": TEXT,
            "grid": False,
            "titleLimit": TITLE_LIMIT,
            "domainColor": "#888888",
            "tickColor": "#888888",
        },
        "legend": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "labelColor": TEXT, "symbolType": "square"},
        "header": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal"},
        "concat": {"spacing": 18},
        # Marks whose colour is not data: dark mode swaps these (see dark_config).
        "rule": {"color": "#444444"},
        "circle": {"color": "#444444"},
        "tick": {"color": "#222222"},
    }


def dark_config() -> dict:
    """Overrides of ``config()`` for pages shown in dark mode; exports keep the light look.

    Data colours stay as they are: category10 is mandated and reads on dark too.
    """
    text, muted, line = "#e6edf3", "#9198a1", "#6e7681"
    return {
        "background": "#0d1117",
        "title": {"color": text},
        "axis": {"labelColor": muted, "titleColor": text, "domainColor": line, "tickColor": line},
        "legend": {"labelColor": text, "titleColor": text},
        "header": {"labelColor": text, "titleColor": text},
        "rule": {"color": "#c9d1d9"},
        "circle": {"color": "#c9d1d9"},
        "tick": {"color": "#e6edf3"},
    }
