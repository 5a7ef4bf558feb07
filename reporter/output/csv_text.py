"""CSV text: tables written as CSV that a spreadsheet opens as data, never as formulas.

A category named ``=HYPERLINK(…)`` or ``+1+1`` would run as a formula when
data/heads.csv is opened in Excel or LibreOffice. OWASP's rule: a text cell
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'``, which spreadsheets read as "this is text" and do not show.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralized(column: pd.Series) -> pd.Series:
    """A text column with every cell a spreadsheet would run as a formula prefixed with ``'``."""
    text = column.astype(str)
    risky = text.str.startswith(FORMULA_STARTS)
    return text.where(~risky, "'" + text)


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV (no index, ``\\n`` line ends), its text columns neutralized."""
    text_columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    safe = frame.assign(**{c: neutralized(frame[c]) for c in text_columns})
    return safe.to_csv(index=False, lineterminator="\n")
