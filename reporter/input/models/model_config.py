"""Model config: the model shape from a Hugging Face ``config.json`` or a config object, as build options.

Hugging Face names the shape ``num_hidden_layers`` / ``num_attention_heads`` /
``num_key_value_heads`` (GPT-2: ``n_layer`` / ``n_head``); TransformerLens'
``HookedTransformerConfig`` names it ``n_layers`` / ``n_heads`` / ``n_key_value_heads``.
"""

from __future__ import annotations

import json
from pathlib import Path

from ...errors import InputError, UsageError, listed
from ...options import Options

LAYERS = ("num_hidden_layers", "n_layers", "n_layer", "num_layers")
HEADS = ("num_attention_heads", "n_heads", "n_head", "num_heads")
KV_HEADS = ("num_key_value_heads", "n_key_value_heads", "num_kv_heads", "multi_query_group_num")
NAMES = ("model_name", "_name_or_path", "name_or_path")


def options_of(**kwargs: object) -> Options:
    """Options from API keywords: ``n_layers``/``n_heads`` and ``cfg``/``model_config`` set the model shape."""
    for api, field in (("n_layers", "layers"), ("n_heads", "heads")):
        if api in kwargs:
            if kwargs.get(field) is not None:
                raise UsageError(f"{api}= and {field}= say the same thing; give one")
            kwargs[field] = kwargs.pop(api)
    cfg = kwargs.pop("cfg", None)
    if cfg is None and kwargs.get("model_config"):
        cfg = read_model_config(str(kwargs["model_config"]))
    if cfg is not None:
        found = shape_of_config(cfg)
        if kwargs.get("layers") is None and kwargs.get("heads") is None:  # flags win over the config
            kwargs.update(layers=found.pop("layers"), heads=found.pop("heads"), shape_from="model-config")
        kwargs.update({k: v for k, v in found.items() if k in ("kv_heads", "model") and kwargs.get(k) is None})
    return Options.from_kwargs(**kwargs)


def read_model_config(path: str) -> dict:
    """A ``config.json`` as a dict (text config of a multimodal model included)."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"--model-config {path}: no such file; give a Hugging Face config.json")
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except RecursionError:  # thousands of nested objects: no config is built like that
        raise InputError(f"--model-config {file.name}: nested too deeply to be a model config; "
                         "give a Hugging Face config.json") from None
    except ValueError as exc:
        raise InputError(f"--model-config {file.name}: not JSON ({exc}); give a Hugging Face config.json") from exc
    if not isinstance(document, dict):
        raise InputError(f"--model-config {file.name}: not a JSON object; give a Hugging Face config.json")
    text = document.get("text_config")
    return text if isinstance(text, dict) and not first(document, LAYERS) else document


def first(cfg: object, names: tuple[str, ...]) -> object:
    """The first of ``names`` the config has (a dict key or an attribute), else None."""
    for name in names:
        value = cfg.get(name) if isinstance(cfg, dict) else getattr(cfg, name, None)
        if value is not None:
            return value
    return None


def shape_of_config(cfg: object) -> dict:
    """layers, heads, and when the config says them kv_heads and model, read from a config."""
    layers, heads = first(cfg, LAYERS), first(cfg, HEADS)
    if not isinstance(layers, int) or not isinstance(heads, int) or isinstance(layers, bool) or isinstance(heads, bool):
        raise InputError("the model config has no whole-number num_hidden_layers and num_attention_heads "
                         f"(or n_layers and n_heads); it has {config_keys(cfg)}")
    out: dict = {"layers": layers, "heads": heads}
    kv = first(cfg, KV_HEADS)
    if isinstance(kv, int) and 0 < kv < heads:
        out["kv_heads"] = kv
    name = first(cfg, NAMES)
    if isinstance(name, str) and name.strip():
        out["model"] = name.strip()
    return out


def config_keys(cfg: object) -> str:
    """Up to ten of a config's keys, for a message."""
    if isinstance(cfg, dict):
        keys = sorted(map(str, cfg))
    else:  # an object (a TransformerLens config), or anything else given as cfg=
        keys = sorted(k for k in getattr(cfg, "__dict__", {}) if not k.startswith("_"))
    return listed(keys) or "no keys"
