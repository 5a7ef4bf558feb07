"""Generated training series with known truth, for the timeline tests (and the benchmark's shape)."""

from __future__ import annotations

import numpy as np
import pandas as pd

STEPS = (0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 2000, 4000, 8000, 16000)
N_LAYERS, N_HEADS = 12, 12


def heads_in(layers: range, n: int, seed: int, n_heads: int = N_HEADS) -> list[tuple[int, int]]:
    """``n`` distinct heads spread over ``layers``, fixed by ``seed``."""
    rng = np.random.default_rng(seed)
    cells = [(layer, head) for layer in layers for head in range(n_heads)]
    return [cells[i] for i in sorted(rng.choice(len(cells), size=n, replace=False))]


def known_series(steps=STEPS) -> pd.DataFrame:
    """A long table with a step column holding four categories whose histories are known.

    Phase: 30 heads in layers 2-5, none up to step 256, every one from step 512 on (a phase change at 256 -> 512).
    Ramp: 24 heads in layers 6-9 (in random order) arriving two per checkpoint from step 1 on, all there from step 2000.
    Mover: 20 heads in layers 0-2 early, replaced by 20 heads in layers 9-11 from step 1000 on (moves later).
    Flicker: 12 heads in layers 4-8, each present at every other checkpoint, shifted by its index (never settles).
    """
    phase = heads_in(range(2, 6), 30, 1)
    ramp = [tuple(h) for h in np.random.default_rng(6).permutation(heads_in(range(6, 10), 24, 2))]
    early, late = heads_in(range(0, 3), 20, 3), heads_in(range(9, 12), 20, 4)
    flicker = heads_in(range(4, 9), 12, 5)
    rows = []
    for s, step in enumerate(steps):
        rows += [(step, layer, head, "Phase") for layer, head in phase if step >= 512]
        rows += [(step, layer, head, "Ramp") for layer, head in ramp[: 2 * s]]
        rows += [(step, layer, head, "Mover") for layer, head in (late if step >= 1000 else early)]
        rows += [(step, layer, head, "Flicker") for i, (layer, head) in enumerate(flicker) if (s + i) % 2 == 0]
    return pd.DataFrame(rows, columns=["step", "layer", "head", "category"])


def with_dropouts(table: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """``table`` with each membership dropped at its checkpoint with probability ``share`` (noise at a threshold)."""
    keep = np.random.default_rng(seed).random(len(table)) >= share
    return table[keep].reset_index(drop=True)
