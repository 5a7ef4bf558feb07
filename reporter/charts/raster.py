"""Raster: a layer x head grid of values as one small PNG, for figures that colour every head.

A score map colours all n_layers x n_heads cells; as one rect per cell it costs the page and
every export a mark per head (20,480 for four relations of an 80x64 model), as one image
one mark. The colours come from SCALE_STOPS interpolated in RGB, as the legend's scale
(``interpolate: rgb`` over the same stops) draws them.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

# Viridis at ten even steps: perceptually even, light at the top, legible in greyscale print and on a dark page.
SCALE_STOPS = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b",
               "#fde725")


def stop_rgb() -> np.ndarray:
    """SCALE_STOPS as an (n, 3) array of 0-255 values."""
    return np.array([[int(s[i:i + 2], 16) for i in (1, 3, 5)] for s in SCALE_STOPS], dtype="float64")


def colours(t: np.ndarray) -> np.ndarray:
    """RGB (0-255, uint8) of each value in [0, 1], linear between the stops."""
    stops = stop_rgb()
    pos = np.clip(t, 0, 1) * (len(stops) - 1)
    lo = np.minimum(np.floor(pos).astype(int), len(stops) - 2)
    frac = (pos - lo)[..., None]
    return np.round(stops[lo] * (1 - frac) + stops[lo + 1] * frac).astype(np.uint8)


def grid_image(values: np.ndarray, lo: float, hi: float) -> str:
    """A PNG data URL of a (heads, layers) grid: each value's colour on [lo, hi], NaN transparent."""
    t = np.zeros(values.shape) if hi <= lo else (values - lo) / (hi - lo)
    rgba = np.zeros(values.shape + (4,), dtype=np.uint8)
    present = ~np.isnan(values)
    rgba[present, :3] = colours(t[present])
    rgba[present, 3] = 255
    return "data:image/png;base64," + base64.b64encode(png(rgba)).decode("ascii")


def png(rgba: np.ndarray) -> bytes:
    """An 8-bit RGBA PNG of an (height, width, 4) array (standard library only; fixed bytes for fixed input)."""
    height, width = rgba.shape[:2]
    raw = b"".join(b"\x00" + rgba[row].tobytes() for row in range(height))  # filter 0 on every row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def outline_image(kept: np.ndarray, sub: int, rgb: tuple[int, int, int]) -> str:
    """A PNG data URL, ``sub`` pixels per cell, of a one-pixel ring around each True cell of a (heads, layers) grid.

    Drawn over the scores as one image, the outlines cost the page and every export one mark, not one per head.
    """
    big = np.kron(kept.astype(np.uint8), np.ones((sub, sub), dtype=np.uint8)).astype(bool)
    edge = np.zeros((sub, sub), dtype=bool)
    edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
    ring = big & np.tile(edge, kept.shape)
    rgba = np.zeros(ring.shape + (4,), dtype=np.uint8)
    rgba[ring] = (*rgb, 255)
    return "data:image/png;base64," + base64.b64encode(png(rgba)).decode("ascii")
