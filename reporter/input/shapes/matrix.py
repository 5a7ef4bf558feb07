"""Matrix: dense per-head values (rows = layers, columns = heads) -> a tidy long or scores frame.

Boolean values (and whole numbers that are all 0 or 1) are memberships: the
long shape with a ``member`` column, so heads and categories without members
still count. Other numbers are scores for a rule: the scores shape, each name
its own relation and category (a category map may group them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ...errors import InputError
from ..checks.limits import check_shape

DENSE = "dense"  # frame.attrs key: (n_layers, n_heads) of the matrix a frame was made from
HEAD_LABEL = re.compile(r"^\s*(?:h|head)?\s*[_ ]?(\d+)\s*$", re.IGNORECASE)
INDEX_LABELS = {"", "layer", "layers", "layer/head", "l"}
BOOL_WORDS = {"true": True, "false": False}


def matrix_frame(values: object, names: Sequence[str], where: str) -> pd.DataFrame:
    """A ``[layers, heads]`` array (one name) or ``[layers, heads, k]`` (k names) as a tidy frame."""
    arr = np.asarray(values)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise InputError(f"{where}: a matrix has 2 dimensions (layers x heads) or 3 (layers x heads x relations); "
                         f"this one has {arr.ndim} {list(arr.shape)}")
    n_layers, n_heads, k = arr.shape
    if len(names) != k:
        raise InputError(f"{where}: the array has {k} relations along its last axis but {len(names)} names were "
                         "given; give one name per relation")
    check_shape(n_layers, n_heads)
    flags = as_flags(arr, where)
    layer, head = np.repeat(np.arange(n_layers), n_heads), np.tile(np.arange(n_heads), n_layers)
    parts = [pd.DataFrame({"layer": layer, "head": head, "name": str(name)}) for name in names]
    frame = pd.concat(parts, ignore_index=True)
    column = np.moveaxis(arr if flags is None else flags, 2, 0).reshape(-1)
    if flags is not None:
        frame = frame.rename(columns={"name": "category"}).assign(member=column)
    else:
        frame = frame.rename(columns={"name": "relation"}).assign(score=column.astype("float64"))
        frame.insert(3, "category", frame["relation"])
    frame.attrs[DENSE] = (n_layers, n_heads)
    return frame


def as_flags(arr: np.ndarray, where: str) -> np.ndarray | None:
    """The array as booleans when it holds memberships (bool, or whole numbers all 0/1); None for scores."""
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype.kind in "iu":
        return arr.astype(bool) if np.isin(arr, (0, 1)).all() else None
    if arr.dtype.kind == "f":
        return None
    raise InputError(f"{where}: the matrix holds {arr.dtype} values, not numbers or true/false; "
                     "give scores or memberships")


def combine(frames: Sequence[pd.DataFrame], where: str) -> pd.DataFrame:
    """Several single-name frames as one; all memberships or all scores, and one shape."""
    kinds = {"member" in f.columns for f in frames}
    if len(kinds) > 1:
        raise InputError(f"{where}: some parts are memberships (true/false) and some are scores; give one kind")
    dense = {f.attrs.get(DENSE) for f in frames}
    shapes = sorted(d for d in dense if d is not None)
    if len(shapes) > 1:  # combined, the smaller would sit in a corner of the larger, its heads misread
        raise InputError(f"{where}: the matrices have different shapes ({' and '.join(f'{a}x{b}' for a, b in shapes[:2])} "
                         "layers x heads); give every part the model's shape")
    frame = pd.concat(frames, ignore_index=True)
    if len(dense) == 1 and None not in dense:
        frame.attrs[DENSE] = dense.pop()
    return frame


# -- text ------------------------------------------------------------------------------------------

def text_matrix(path: Path, sep: str | None) -> np.ndarray | None:
    """A matrix from CSV/TSV/whitespace text, with or without a header row or index column; None for a table.

    A file is a matrix when its first row is numbers, or names heads (0, 1, … or
    h0, h1, …, after an optional blank/"layer" cell). Any other header is a table.
    """
    cells = pd.read_csv(path, sep=sep or r"\s+", header=None, dtype=str, keep_default_na=False,
                        skip_blank_lines=True, engine="python" if sep is None else "c")
    tokens = cells.to_numpy(dtype=str)
    if tokens.size == 0:
        return None
    header = None
    if not all_values(tokens[0]) or numbers_heads(tokens):
        header, tokens = tokens[0], tokens[1:]
        if not head_header(header):
            return None
        if len(tokens) == 0 or not all_values(tokens.reshape(-1)):
            raise InputError(f"{path.name}: the header names heads but some cells are not numbers; "
                             "a matrix holds one number (or true/false) per head")
    elif not all_values(tokens.reshape(-1)):
        return None
    if has_index_column(header, tokens):
        tokens = tokens[:, 1:]
    return values_of(tokens)


def all_values(tokens: np.ndarray) -> bool:
    """Whether every token is a number (``nan`` included) or every token is true/false."""
    lowered = np.char.lower(np.char.strip(tokens.astype(str))).reshape(-1)
    if np.isin(lowered, list(BOOL_WORDS)).all():
        return True
    numeric = pd.to_numeric(pd.Series(lowered), errors="coerce").notna().to_numpy() | (lowered == "nan")
    return bool(numeric.all())


def numbers_heads(tokens: np.ndarray) -> bool:
    """A first row of whole numbers 0..n-1 (or 1..n-1 after an index cell) above rows unlike it: a header.

    Unlike it: the body is not whole numbers (scores) or holds only 0/1 (memberships), while the row has 2+.
    """
    if len(tokens) < 2 or tokens.shape[1] < 3:
        return False
    first = pd.to_numeric(pd.Series(tokens[0]), errors="coerce").to_numpy()
    n = len(first)
    if not (np.array_equal(first, np.arange(n)) or np.array_equal(first[1:], np.arange(n - 1))):
        return False
    return unlike_counting(tokens[1:].reshape(-1))


def unlike_counting(tokens: np.ndarray) -> bool:
    """Values that are not a count 0, 1, 2, …: some not whole, or all of them 0/1 (true/false included)."""
    lowered = np.char.lower(np.char.strip(tokens.astype(str)))
    if np.isin(lowered, list(BOOL_WORDS)).all():
        return True
    values = pd.to_numeric(pd.Series(lowered), errors="coerce").to_numpy()
    return bool(not np.array_equal(values, np.round(values), equal_nan=True) or np.isin(values, (0, 1)).all())


def head_header(header: np.ndarray) -> bool:
    """A header that numbers the heads 0..n-1 (optionally after a blank or "layer" index cell)."""
    labels = [str(c).strip() for c in header]
    if labels and labels[0].lower() in INDEX_LABELS:
        labels = labels[1:]
    numbers = [HEAD_LABEL.match(c) for c in labels]
    return bool(labels) and all(numbers) and [int(m.group(1)) for m in numbers] == list(range(len(labels)))


def has_index_column(header: np.ndarray | None, tokens: np.ndarray) -> bool:
    """A first column of layer numbers: named by a blank/"layer" header cell, or 0..n-1 beside values unlike it."""
    if header is not None:
        first = str(header[0]).strip().lower()
        return first in INDEX_LABELS and not HEAD_LABEL.match(first)
    column = pd.to_numeric(pd.Series(tokens[:, 0]), errors="coerce").to_numpy()
    sequence = len(column) >= 3 and tokens.shape[1] > 1 and np.array_equal(column, np.arange(len(column)))
    return bool(sequence and unlike_counting(tokens[:, 1:].reshape(-1)))


def values_of(tokens: np.ndarray) -> np.ndarray:
    """Text cells as a bool, int or float array."""
    lowered = np.char.lower(np.char.strip(tokens.astype(str)))
    if np.isin(lowered, list(BOOL_WORDS)).all():
        return lowered == "true"
    numbers = pd.to_numeric(pd.Series(lowered.reshape(-1)), errors="coerce").to_numpy(dtype="float64")
    numbers = numbers.reshape(lowered.shape)
    whole = np.char.isdigit(np.char.lstrip(lowered, "-")).all()
    return numbers.astype("int64") if whole else numbers


def names_of(name: str, arr: np.ndarray) -> list[str]:
    """The names of an array's categories: one, or for a 3-D array one per relation, comma-separated."""
    if np.ndim(arr) != 3:
        return [name]
    names = [part.strip() for part in str(name).split(",") if part.strip()]
    if len(names) != np.shape(arr)[2]:
        raise InputError(f"a [layers, heads, relations] array of {np.shape(arr)[2]} relations needs as many names; "
                         "give them as --category A,B,... in the order of the last axis (or save an .npz)")
    return names


def read_npy(path: Path, name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """A ``.npy`` array as a tidy frame named ``name`` (a 3-D array: one comma-separated name per relation)."""
    arr = np.load(path, allow_pickle=False)
    return matrix_frame(arr, names_of(name, arr), path.name), {}


def read_npz(path: Path) -> pd.DataFrame:
    """A ``.npz`` archive: one [layers, heads] array per category or relation, the array name is the name."""
    with np.load(path, allow_pickle=False) as archive:
        names = sorted(archive.files)
        if not names:
            raise InputError(f"{path.name}: the archive holds no arrays; save one [layers, heads] array per category")
        return combine([matrix_frame(archive[n], [n], f"{path.name}[{n}]") for n in names], path.name)
