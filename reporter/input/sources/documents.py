"""Documents: the JSON and YAML structures the field publishes besides tables and head maps -> a tidy frame.

Each is recognised by its shape, and a piece that is missing is named with the structure seen:

- a list of layers, each ``{head: value}`` or ``{head: [values]}`` (MInference's best patterns):
  ``--field N`` picks which value is the category (text) or the score (a number);
- ``{layer: [head indices, best first]}`` (CompressKV): a ranking within each layer, read as a
  rank score (the first head of a layer listing n scores n, the last 1);
- a config whose fields hold head ids, as a list or as text (``attn_head_set: "13-1,14-22"``,
  QRHead): one such field is the input's one category, several are one category each;
- a bare list of head ids: one category.

Anything else returns None, for the next reader to try.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ...errors import InputError
from ..shapes.head_map import head_map_frame, heads_of_keys, is_head_key, is_head_list, named

MODEL_FIELDS = ("model_name_or_path", "model_name", "model")  # a config's name of the model its heads belong to
SEPARATORS = re.compile(r"[,;\s]+")


def document_frame(document: object, name: str | None, where: str, fields: tuple[int, ...] = ()) -> pd.DataFrame | None:
    """The tidy frame of any structure this module or head_map.py reads, or None for a table."""
    frame = head_map_frame(document, name, where)
    if frame is not None:
        return frame
    for reader in (layer_list_frame, ranking_frame, config_frame, bare_list_frame):
        frame = reader(document, name, where, fields)
        if frame is not None:
            return frame
    return None


# -- a list of layers of {head: values} --------------------------------------------------------------

def is_head_number(key: object) -> bool:
    """A head index written as a JSON key (``"12"``)."""
    return isinstance(key, str) and key.strip().isdigit()


def layer_list_frame(document: object, name: str | None, where: str, fields: tuple[int, ...]) -> pd.DataFrame | None:
    """A JSON list of layers, each ``{head: value or [values]}``, as a long or scores frame."""
    if not isinstance(document, list) or not document or not all(
            isinstance(layer, Mapping) and layer and all(is_head_number(k) for k in layer) for layer in document):
        return None
    rows = [(layer, int(head), value) for layer, heads in enumerate(document) for head, value in heads.items()]
    values = [value for _, _, value in rows]
    widths = {len(v) if isinstance(v, (list, tuple)) else None for v in values}
    seen = f"a JSON list of {len(document)} layers of {{head: {width_words(widths)}}}"
    if widths != {None}:
        if len(widths) > 1:
            raise InputError(f"{where}: {seen}, not one length; give every head the same values")
        values = picked(values, fields, seen, where)
    elif fields:
        raise InputError(f"{where}: {seen}: each head has one value, so drop --field")
    heads = pd.DataFrame({"layer": [r[0] for r in rows], "head": [r[1] for r in rows]}, dtype="int64")
    return valued(heads, values, name, where, seen)


def width_words(widths: set) -> str:
    """How many values each head has, as the structure shows them."""
    if widths == {None}:
        return "value"
    known = sorted(w for w in widths if w is not None)
    return f"[{known[0]} values]" if len(known) == 1 else f"[{known[0]} to {known[-1]} values]"


def picked(values: list, fields: tuple[int, ...], seen: str, where: str) -> list:
    """The values at the ``--field`` positions: one as it is, several joined as one label."""
    width = len(values[0])
    if not fields:
        raise InputError(f"{where}: {seen}: say which value {field_hint(values[0])}")
    outside = [f for f in fields if not 0 <= f < width]
    if outside:
        raise InputError(f"{where}: {seen}: --field {outside[0]} is not a position (0 to {width - 1}); "
                         f"say which value {field_hint(values[0])}")
    if len(fields) == 1:
        return [v[fields[0]] for v in values]
    return [" ".join(label(v[f]) for f in fields) for v in values]


def field_hint(example: Sequence) -> str:
    """``is the category (--field 0) or the score (--field 3)``, from the positions of one head's values."""
    text = [i for i, v in enumerate(example) if isinstance(v, str)]
    number = [i for i, v in enumerate(example) if is_number(v)]
    said = []
    if text:
        said.append(f"is the category (--field {text[0]}, or --field {','.join(map(str, text + number[:-1]))} "
                    "for a label of several)" if len(text) + len(number) > 2 else f"is the category (--field {text[0]})")
    if number:
        said.append(f"the score (--field {number[-1]})")
    return " or ".join(said) if said else "to read with --field N"


def label(value: object) -> str:
    """A value as a part of a category label (1000 not 1000.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_number(value: object) -> bool:
    """A score: a real number, not a boolean."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def valued(heads: pd.DataFrame, values: list, name: str | None, where: str, seen: str) -> pd.DataFrame:
    """Heads with one value each: true/false are memberships, numbers scores, text the category."""
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return heads.assign(category=named(name, where, seen), member=np.array(values, dtype=bool))
    if all(is_number(v) or v is None for v in values):
        score = np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
        category = named(name, where, seen + " with one score per head")
        return heads.assign(relation=category, category=category, score=score)
    if all(isinstance(v, str) and v.strip() for v in values):
        return heads.assign(category=[v.strip() for v in values])
    bad = next(v for v in values if not isinstance(v, str))
    raise InputError(f"{where}: {seen}: the value {bad!r} is not text, a number or true/false like the others; "
                     "pick a value that is one kind for every head (--field N)")


# -- {layer: [head indices, best first]} --------------------------------------------------------------

def ranking_frame(document: object, name: str | None, where: str, fields: tuple[int, ...]) -> pd.DataFrame | None:
    """``{layer: [head indices, best first]}`` as rank scores: a layer listing n heads gives n, n-1, ..., 1."""
    if not isinstance(document, Mapping) or not document or not all(is_head_number(k) for k in document):
        return None
    lists = list(document.values())
    if not all(is_ranking(v) for v in lists):
        return None
    if fields:
        raise InputError(f"{where}: {ranking_words(document)}: it has no values to pick, so drop --field")
    layer = np.concatenate([np.full(len(v), int(k)) for k, v in document.items()])
    head = np.concatenate([np.asarray(v, dtype="int64") for v in lists])
    score = np.concatenate([np.arange(len(v), 0, -1, dtype="float64") for v in lists])
    category = named(name, where, ranking_words(document))
    return pd.DataFrame({"layer": layer, "head": head, "relation": category, "category": category, "score": score})


def is_ranking(value: object) -> bool:
    """A list of distinct head indices (whole numbers >= 0)."""
    if not isinstance(value, list) or not value:
        return False
    whole = all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0 for v in value)
    return whole and len(set(value)) == len(value)


def ranking_words(document: Mapping) -> str:
    """The ranking structure in words, for messages and inspect."""
    sizes = sorted({len(v) for v in document.values()})
    listed = f"{sizes[0]}" if len(sizes) == 1 else f"{sizes[0]} to {sizes[-1]}"
    return f"a JSON map of {len(document)} layers to {listed} head indices each, best first"


def structure_of(document: object) -> str | None:
    """What a document reader saw, for ``inspect``, when its reading is not plain from the frame (a ranking)."""
    if not (isinstance(document, Mapping) and document and all(is_head_number(k) for k in document)
            and all(is_ranking(v) for v in document.values())):
        return None
    return (ranking_words(document) + ", read as a rank score within each layer (the first scores the layer's count, "
            "the last 1); --top-k K --rank-within layer keeps the first K of each layer")


# -- configs with head-id fields, bare lists ----------------------------------------------------------

def head_ids_in(value: object) -> list | None:
    """The head ids a config field holds: a list of them, or text of them separated by commas or spaces."""
    if isinstance(value, str):
        tokens = [t for t in SEPARATORS.split(value.strip()) if t]
        return tokens if tokens and all(is_head_key(t) for t in tokens) else None
    if isinstance(value, list) and value and is_head_list(value):
        return [tuple(v) if isinstance(v, list) else v for v in value]
    return None


def config_frame(document: object, name: str | None, where: str, fields: tuple[int, ...]) -> pd.DataFrame | None:
    """A config (YAML or JSON) whose fields hold head ids beside other settings; its model name becomes a column."""
    if not isinstance(document, Mapping):
        return None
    lists = {str(k): ids for k, v in document.items() if (ids := head_ids_in(v)) is not None}
    if not lists or not all(is_setting(v) for k, v in document.items() if str(k) not in lists):
        return None
    if len(lists) == 1:
        lists = {named(name, where, f"a config with one field of head ids ({next(iter(lists))})"): next(iter(lists.values()))}
    frame = pd.concat([heads_of_keys(ids).assign(category=c) for c, ids in lists.items()], ignore_index=True)
    model = next((document[k] for k in MODEL_FIELDS if isinstance(document.get(k), str) and document[k].strip()), None)
    return frame if model is None else frame.assign(model=model.strip())


def is_setting(value: object) -> bool:
    """A config value beside the head lists: text, a number, true/false or nothing."""
    return value is None or isinstance(value, (str, numbers.Number))


def bare_list_frame(document: object, name: str | None, where: str, fields: tuple[int, ...]) -> pd.DataFrame | None:
    """A bare list of head ids (or [layer, head] pairs): the input's one category."""
    if not isinstance(document, list) or not document or not is_head_list(document):
        return None
    keys = [tuple(v) if isinstance(v, list) else v for v in document]
    return heads_of_keys(keys).assign(category=named(name, where, f"a list of {len(keys)} head ids"))
