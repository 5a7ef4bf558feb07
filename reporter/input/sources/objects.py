"""Objects: what the Python API accepts besides a path -> RawInput.

pandas, polars and pyarrow tables; numpy arrays and anything with ``__array__``
(torch tensors, without importing torch); the dicts of head_map.py.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...errors import InputError
from .documents import document_frame
from ..shapes.matrix import DENSE, matrix_frame, names_of

ACCEPTED = ("a path, a pandas, polars or pyarrow table, a [layers, heads] array (numpy, or anything with "
            "__array__), a dict {head_id: value}, {category: [head ids]}, {category: array} or {layer: [head "
            "indices, best first]}, or a list of head ids or of layers {head: value}")


def frame_of_object(obj: object, category: str | None,
                    fields: tuple[int, ...] = ()) -> tuple[pd.DataFrame, str, dict[str, str]] | None:
    """(frame, format, metadata) of an in-memory input; None for a path (str or os.PathLike)."""
    if isinstance(obj, (str, os.PathLike)):
        return None
    if isinstance(obj, pd.DataFrame):
        return obj.copy(), "dataframe", {}
    arrow = arrow_table(obj)
    if arrow is not None:
        frame, metadata = arrow_to_pandas(arrow)
        return frame, type(obj).__module__.split(".")[0], metadata
    if isinstance(obj, (Mapping, list)):
        kind = "dict" if isinstance(obj, Mapping) else "list"
        frame = document_frame(obj, category, f"the {kind}", fields)
        if frame is None:
            raise InputError(f"the {kind} is not a head map or a structure of head ids; give {ACCEPTED}")
        return frame, kind, {}
    if hasattr(obj, "__array__"):
        if category is None:
            raise InputError(f"a {type(obj).__name__} of per-head values is one category; name it with category=NAME")
        arr = as_array(obj)
        return matrix_frame(arr, names_of(category, arr), f"the {type(obj).__name__}"), "array", {}
    raise InputError(f"cannot read a {type(obj).__module__}.{type(obj).__name__}; give {ACCEPTED}")


def arrow_table(obj: object):
    """A pyarrow Table of a pyarrow or polars table, else None (polars is never imported here)."""
    import pyarrow as pa

    if isinstance(obj, pa.Table):
        return obj
    if type(obj).__module__.split(".")[0] == "polars" and hasattr(obj, "to_arrow"):
        return obj.to_arrow()
    return None


def as_array(obj: object) -> np.ndarray:
    """A numpy array of ``obj``; a tensor that needs it is detached and moved to the CPU first."""
    try:
        return np.asarray(obj)
    except (RuntimeError, TypeError):  # torch: a tensor that requires grad or lives on a GPU
        if hasattr(obj, "detach"):
            return np.asarray(obj.detach().cpu())
        raise


def dense_shape(frame: pd.DataFrame) -> tuple[int, int] | None:
    """The (layers, heads) of the matrix a frame was made from, removed from the frame's attrs."""
    return frame.attrs.pop(DENSE, None)


def arrow_to_pandas(arrow) -> tuple[pd.DataFrame, dict[str, str]]:
    """A pyarrow Table as pandas plus its schema metadata decoded to text."""
    raw = arrow.schema.metadata or {}
    metadata = {k.decode(errors="replace"): v.decode(errors="replace") for k, v in raw.items()}
    return arrow.to_pandas(), metadata
