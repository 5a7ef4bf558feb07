"""Write the bundled synthetic example: 80 layers x 64 heads, fixed seed.

Shaped like the reference figure's description (MAPS, Llama-3.1-70B):
Algorithmic and Knowledge heads in the middle (~16-48, Knowledge more spread
out), Linguistic heads late (~48-80), Translation heads sparse with a lean to
~64-80, and a few heads in two or more categories by coincidence.

    python scripts/make_example.py  # rewrites reporter/examples/synthetic-80x64.csv
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

N_LAYERS, N_HEADS, SEED = 80, 64, 20241216
OUT = Path(__file__).resolve().parent.parent / "reporter" / "examples" / "synthetic-80x64.csv"


def sample(rng: np.random.Generator, n: int, layers: np.ndarray) -> set[tuple[int, int]]:
    """``n`` distinct heads whose layers are drawn from ``layers`` (a pool of layer indexes)."""
    picked: set[tuple[int, int]] = set()
    while len(picked) < n:
        picked.add((int(rng.choice(layers)), int(rng.integers(N_HEADS))))
    return picked


def layer_pool(rng: np.random.Generator, centre: float, sd: float, size: int = 20000) -> np.ndarray:
    """Layer indexes drawn from a normal distribution clipped to the model."""
    return np.clip(np.round(rng.normal(centre, sd, size)), 0, N_LAYERS - 1).astype(int)


def main() -> None:
    """Draw the memberships and write them as a long CSV (layer, head, category)."""
    rng = np.random.default_rng(SEED)
    late_lean = np.concatenate([rng.integers(0, N_LAYERS, 2000), rng.integers(64, N_LAYERS, 3000)])
    groups = {
        "Algorithmic": sample(rng, 210, layer_pool(rng, 31, 7)),
        "Knowledge": sample(rng, 260, layer_pool(rng, 33, 11)),
        "Linguistic": sample(rng, 230, layer_pool(rng, 64, 8)),
        "Translation": sample(rng, 36, late_lean),
    }
    rows = [(layer, head, name) for name, heads in groups.items() for layer, head in heads]
    frame = pd.DataFrame(rows, columns=["layer", "head", "category"]).sort_values(["layer", "head", "category"])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(OUT, index=False, lineterminator="\n")
    print(f"wrote {len(frame)} memberships to {OUT}")


if __name__ == "__main__":
    main()
