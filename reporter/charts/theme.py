"""The report's Vega-Lite look, applied to every spec it makes."""

from __future__ import annotations

import string
from typing import Iterable

from ..palette import DARK_UNCLASSIFIED_COLOR, UNCLASSIFIED_COLOR

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
TEXT = "#222222"
MUTED = "#555555"
TITLE_LIMIT = 300
PAGE = "#ffffff"  # the background of exported figures
DIAGONAL = "#f0f0f0"  # a neutral cell (the overlap matrix's diagonal)
LIGHT_CELL_INK = "#1f1f1f"  # text on a light data colour: stays dark in dark mode
DARK_CELL_INK = "#fdfdfd"  # text on a dark data colour: stays white in dark mode
# The two ends of a count's shading (the overlap matrix), and their dark-mode twins: dark to light.
SHADING = ("#eef4fb", "#08519c")
DARK_SHADING = ("#16263d", "#8cc4f0")
INK = "#444444"  # rules and dots whose colour is not data
SEPARATOR = "#333333"  # lines drawn over data colours (KV-group boundaries)
GRID_SPACING = 18  # pixels between the panels of a concatenation

# Limits (pixels) cut long names short with an ellipsis, so a 10,000-character name cannot stretch a
# figure to tens of thousands of pixels; the tables and tooltips show it in full. 180 and 160 are
# Vega's own defaults for axis and legend labels, written out so that they can be turned off.
LIMITS = {
    "title": {"limit": TITLE_LIMIT},
    "axis": {"titleLimit": TITLE_LIMIT, "labelLimit": 180},
    "legend": {"titleLimit": 180, "labelLimit": 160},
}
NO_LIMITS = {part: dict.fromkeys(limits, 0) for part, limits in LIMITS.items()}
# The widest a name can be and still fit every limit, in ems of its font: the tightest limit for its
# font size is the legend labels', 160 px at 11 px (tests/test_text_limits.py checks it against config()).
ROOM_EM = 160 / 11
# The widest a character can be, in ems, in any usual sans-serif font (measured on Arial, DejaVu Sans
# and Verdana, a wide one): 0.7 for lowercase letters but m and w, digits, space and plain punctuation;
# 1.1 for the rest of Latin (W is 0.99, Verdana's % 1.08); 2 for other scripts (CJK is 1) and symbols.
NARROW = frozenset(string.ascii_lowercase + string.digits + " .,:;'\"!?()[]-_/") - {"m", "w"}
NARROW_EM, LATIN_EM, OTHER_EM = 0.7, 1.1, 2.0


def fits(name: str) -> bool:
    """Whether ``name`` is narrower than every limit in LIMITS in any usual font, counted from its characters."""
    return sum(NARROW_EM if c in NARROW else LATIN_EM if ord(c) < 0x250 else OTHER_EM for c in name) <= ROOM_EM


def config(names: Iterable[str] | None = None) -> dict:
    """The Vega-Lite ``config`` block shared by every figure, for a figure showing ``names`` (None: any name).

    The limits are set only when a name could reach them; the report's own
    words are all shorter. A limit that cannot cut anything still costs a
    measurement of every text it applies to, and vl-convert measures text
    slowly (0.7 ms a text, in Rust): limits doubled the time to draw a
    figure's words, which is most of the time to draw a figure.
    """
    limits = NO_LIMITS if names is not None and all(fits(n) for n in names) else LIMITS
    return {
        "font": FONT,
        "background": "white",
        "view": {"stroke": None},
        "title": {"fontSize": 13, "fontWeight": "normal", "color": TEXT, "anchor": "middle", **limits["title"]},
        "axis": {
            "labelFontSize": 11,
            "titleFontSize": 12,
            "titleFontWeight": "normal",
            "labelColor": MUTED,
            "titleColor": TEXT,
            "grid": False,
            **limits["axis"],
            "domainColor": "#888888",
            "tickColor": "#888888",
        },
        "legend": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "labelColor": TEXT,
                   "symbolType": "square", **limits["legend"]},
        "header": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal"},
        "concat": {"spacing": GRID_SPACING},
        # Marks whose colour is not data: dark mode swaps these (see dark_config).
        "rule": {"color": INK},
        "circle": {"color": INK},
        "tick": {"color": TEXT},
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


def dark_colors() -> dict[str, str]:
    """Colours (and colour schemes) written into the specs that dark mode swaps; the page swaps them all at once.

    The light gray of unclassified heads and every other neutral fill, the
    page white and the ink of marks whose colour is not data; the Jaccard
    shading turns dark-to-light, so the inks on its cells trade places. The
    category colours stay: palette.py keeps them ΔE >= 50 from both greys.
    """
    return {UNCLASSIFIED_COLOR: DARK_UNCLASSIFIED_COLOR, DIAGONAL: "#262c36", PAGE: "#0d1117", SEPARATOR: "#9198a1",
            TEXT: "#e6edf3", INK: "#c9d1d9", **dict(zip(SHADING, DARK_SHADING)),
            LIGHT_CELL_INK: DARK_CELL_INK, DARK_CELL_INK: LIGHT_CELL_INK}
