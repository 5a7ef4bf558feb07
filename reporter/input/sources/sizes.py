"""Sizes: how large an input file will be once loaded, read from its headers before it is loaded.

A 175 KB ``.csv.gz`` can expand to gigabytes, and a 2 MB ``.npz`` can declare
an array of 16,384 layers that ``np.load`` allocates before any limit looks at
it. These checks read only what they must: the header of each array, and the
compressed text up to its bound.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile
from pathlib import Path
from typing import IO

import numpy as np

from ...errors import InputError
from ..checks.limits import HINT, MAX_CATEGORIES, check_shape

MAX_EXPANDED = 256 << 20  # bytes of text a compressed file may expand to (plain files over 64 MB go to DuckDB)
MAX_ARRAYS = 4 * MAX_CATEGORIES  # arrays in one .npz, or relations of one 3-D .npy: each a category or relation
OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def check_size(path: Path, fmt: str) -> None:
    """Refuse a file whose content, once expanded or loaded, exceeds the limits (see docs/limits.md)."""
    suffix = path.suffix.lower()
    if fmt == "npy":
        with open(path, "rb") as fh:
            check_array(header_shape(fh), path.name)
    elif fmt == "npz":
        check_archive(path)
    elif suffix in OPENERS or suffix == ".zst":
        check_expanded(path, suffix)


def check_expanded(path: Path, suffix: str) -> None:
    """Decompress ``path`` without keeping it, and refuse it once it passes MAX_EXPANDED bytes."""
    total = 0
    with open_compressed(path, suffix) as fh:
        while chunk := fh.read(1 << 20):
            total += len(chunk)
            if total > MAX_EXPANDED:
                raise InputError(f"{path.name} expands to more than {MAX_EXPANDED >> 20} MB of text; decompress it "
                                 f"and give the plain file, or write it as Parquet ({HINT})")


def open_compressed(path: Path, suffix: str) -> IO[bytes]:
    """A binary reader of the decompressed bytes (zstandard, as pandas, needs its package)."""
    if suffix == ".zst":
        import zstandard

        return zstandard.open(path, "rb")
    return OPENERS[suffix](path, "rb")


def header_shape(fh: IO[bytes]) -> tuple[int, ...]:
    """The shape an ``.npy`` header declares, read without loading the array."""
    version = np.lib.format.read_magic(fh)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(fh)[0]
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(fh)[0]
    return np.lib.format._read_array_header(fh, version)[0]  # format 3.0 has no public reader


def check_array(shape: tuple[int, ...], name: str) -> None:
    """A [layers, heads] or [layers, heads, relations] array within the shape limits, before it is allocated."""
    if len(shape) < 2:
        return  # not a matrix: the reader says so
    try:
        check_shape(int(shape[0]), int(shape[1]))
    except InputError as exc:
        raise InputError(f"{name} holds a {' x '.join(map(str, shape))} array: {exc}") from None
    if len(shape) == 3 and shape[2] > MAX_ARRAYS:
        raise InputError(f"{name} holds {shape[2]:,} relations, more than the {MAX_ARRAYS} reporter reads; "
                         f"keep the relations you report on ({HINT})")


def check_archive(path: Path) -> None:
    """Every array of an ``.npz`` archive within the limits, from the headers of its members."""
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if m.filename.endswith(".npy")]
        if len(members) > MAX_ARRAYS:
            raise InputError(f"{path.name} holds {len(members):,} arrays, more than the {MAX_ARRAYS} reporter reads; "
                             f"keep the categories or relations you report on ({HINT})")
        for member in members:
            with archive.open(member) as fh:
                check_array(header_shape(fh), f"{path.name}[{member.filename[:-4]}]")
