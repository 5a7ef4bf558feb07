"""Known models: layers, heads and KV heads of widely used transformers, by Hugging Face or TransformerLens name."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownModel:
    """The attention shape of one model family member."""

    name: str
    n_layers: int
    n_heads: int
    n_kv_heads: int  # equals n_heads unless the model uses grouped-query attention


def _m(name: str, layers: int, heads: int, kv: int | None = None) -> KnownModel:
    return KnownModel(name, layers, heads, kv or heads)


# From each model's config.json (num_hidden_layers / n_layer, num_attention_heads / n_head,
# num_key_value_heads). Names are the canonical Hugging Face repository names.
MODELS = (
    _m("openai-community/gpt2", 12, 12),
    _m("openai-community/gpt2-medium", 24, 16),
    _m("openai-community/gpt2-large", 36, 20),
    _m("openai-community/gpt2-xl", 48, 25),
    _m("distilbert/distilgpt2", 6, 12),
    _m("EleutherAI/pythia-70m", 6, 8),
    _m("EleutherAI/pythia-160m", 12, 12),
    _m("EleutherAI/pythia-410m", 24, 16),
    _m("EleutherAI/pythia-1b", 16, 8),
    _m("EleutherAI/pythia-1.4b", 24, 16),
    _m("EleutherAI/pythia-2.8b", 32, 32),
    _m("EleutherAI/pythia-6.9b", 32, 32),
    _m("EleutherAI/pythia-12b", 36, 40),
    _m("EleutherAI/gpt-j-6b", 28, 16),
    _m("EleutherAI/gpt-neox-20b", 44, 64),
    _m("meta-llama/Llama-2-7b", 32, 32),
    _m("meta-llama/Llama-2-13b", 40, 40),
    _m("meta-llama/Llama-2-70b", 80, 64, 8),
    _m("meta-llama/Meta-Llama-3-8B", 32, 32, 8),
    _m("meta-llama/Meta-Llama-3-70B", 80, 64, 8),
    _m("meta-llama/Llama-3.1-8B", 32, 32, 8),
    _m("meta-llama/Llama-3.1-70B", 80, 64, 8),
    _m("meta-llama/Llama-3.1-405B", 126, 128, 8),
    _m("meta-llama/Llama-3.2-1B", 16, 32, 8),
    _m("meta-llama/Llama-3.2-3B", 28, 24, 8),
    _m("meta-llama/Llama-3.3-70B", 80, 64, 8),
    _m("mistralai/Mistral-7B", 32, 32, 8),
    _m("mistralai/Mixtral-8x7B", 32, 32, 8),
    _m("Qwen/Qwen2.5-0.5B", 24, 14, 2),
    _m("Qwen/Qwen2.5-1.5B", 28, 12, 2),
    _m("Qwen/Qwen2.5-3B", 36, 16, 2),
    _m("Qwen/Qwen2.5-7B", 28, 28, 4),
    _m("Qwen/Qwen2.5-14B", 48, 40, 8),
    _m("Qwen/Qwen2.5-32B", 64, 40, 8),
    _m("Qwen/Qwen2.5-72B", 80, 64, 8),
    _m("google/gemma-2b", 18, 8, 1),
    _m("google/gemma-7b", 28, 16, 16),
    _m("google/gemma-2-2b", 26, 8, 4),
    _m("google/gemma-2-9b", 42, 16, 8),
    _m("google/gemma-2-27b", 46, 32, 16),
    _m("microsoft/phi-2", 32, 32),
    _m("facebook/opt-125m", 12, 12),
    _m("facebook/opt-350m", 24, 16),
    _m("facebook/opt-1.3b", 24, 32),
    _m("facebook/opt-2.7b", 32, 32),
    _m("facebook/opt-6.7b", 32, 32),
    _m("facebook/opt-13b", 40, 40),
    _m("EleutherAI/gpt-neo-125M", 12, 12),
    _m("EleutherAI/gpt-neo-1.3B", 24, 16),
    _m("EleutherAI/gpt-neo-2.7B", 32, 20),
)

# TransformerLens' own names (HookedTransformer.from_pretrained) for models above.
ALIASES = {
    "gpt2-small": "openai-community/gpt2",
    "distillgpt2": "distilbert/distilgpt2",
    "llama-7b": "meta-llama/Llama-2-7b",
    "llama-13b": "meta-llama/Llama-2-13b",
    "llama-70b": "meta-llama/Llama-2-70b",
    "mistral-7b": "mistralai/Mistral-7B",
    "mixtral": "mistralai/Mixtral-8x7B",
    "phi-2": "microsoft/phi-2",
}

# Suffixes that name a fine-tune or a packaging of the same architecture.
_VARIANT = re.compile(r"(-(hf|instruct|chat|it|base|deduped|v-?\d+(\.\d+)*))+$")


def key(name: str) -> str:
    """The lookup key of a model name: no org, lower case, one separator ("-"), a hyphen where letters meet a
    number ("llama2" as "llama-2"), no variant suffix, "meta-llama-" as "llama-"."""
    base = name.strip().rsplit("/", 1)[-1].lower()
    base = re.sub(r"[\s_]+", "-", base)
    base = re.sub(r"(?<=[a-z])(?=\d)", "-", base)
    base = re.sub(r"-+", "-", base)
    base = re.sub(r"^meta-llama-", "llama-", base)
    return _VARIANT.sub("", base)


_BY_KEY = {key(m.name): m for m in MODELS}
_BY_KEY.update({key(alias): _BY_KEY[key(name)] for alias, name in ALIASES.items()})


@dataclass(frozen=True)
class Match:
    """A known model found for a name, and how: "exact" (the same name up to case, org and variant suffix),
    "longer name" (the known name followed by more, e.g. "llama-2-7b-80k") or "family" (the one known model
    of the family the name gives, e.g. "gpt-neox")."""

    known: KnownModel
    how: str


def match(name: str | None) -> Match | None:
    """The known model a name as people write it refers to, or None when none or several could be meant."""
    if not name:
        return None
    k = key(name)
    if k in _BY_KEY:
        return Match(_BY_KEY[k], "exact")
    longer = [known for known in _BY_KEY if k.startswith(known + "-")]
    if longer:
        return Match(_BY_KEY[max(longer, key=len)], "longer name")
    family = {_BY_KEY[known].name for known in _BY_KEY if known.startswith(k + "-")}
    if len(family) == 1:
        return Match(next(m for m in MODELS if m.name in family), "family")
    return None


def lookup(name: str | None) -> KnownModel | None:
    """The known model a name refers to (e.g. ``meta-llama/Meta-Llama-3.1-8B``, ``gpt-neox``), or None."""
    found = match(name)
    return found.known if found is not None else None


def matched_text(name: str | None) -> str | None:
    """How the shape was found, for the header and inspect: "EleutherAI/gpt-neox-20b, matched from 'gpt-neox'"."""
    found = match(name)
    if found is None:
        return None
    if found.known.name.lower() == (name or "").strip().lower():
        return found.known.name
    return f"{found.known.name}, matched from '{name}'"
