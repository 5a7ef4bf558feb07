"""Input sizes read from headers before loading: compressed text with a bound, arrays by their declared shape."""

from __future__ import annotations

import gzip
import lzma

import numpy as np
import pytest

import reporter
from reporter.errors import InputError
from reporter.input.sources import sizes


def refused(path) -> str:
    with pytest.raises(InputError) as caught:
        reporter.build(path, formats=())
    return str(caught.value)


@pytest.mark.parametrize("suffix, opener", [(".gz", gzip.open), (".xz", lzma.open)])
def test_compressed_text_is_read_with_a_bound(tmp_path, monkeypatch, suffix, opener):
    monkeypatch.setattr(sizes, "MAX_EXPANDED", 1 << 20)  # the same check as at 256 MB, on a small file
    path = tmp_path / f"heads.csv{suffix}"
    with opener(path, "wb") as fh:
        fh.write(b"layer,head,category\n" + b"0,0,A\n" * 200_000)  # 1.2 MB of text in a few KB
    assert path.stat().st_size < 20_000
    assert refused(path) == (f"heads.csv{suffix} expands to more than 1 MB of text; decompress it and give the "
                             "plain file, or write it as Parquet (see docs/limits.md)")


def test_compressed_text_within_the_bound_builds(tmp_path):
    path = tmp_path / "heads.csv.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(b"layer,head,category\n0,0,A\n1,1,B\n")
    assert reporter.build(path, formats=()).table.n_layers == 2


def test_npy_shape_is_read_from_its_header(tmp_path, monkeypatch):
    path = tmp_path / "deep.npy"
    np.save(path, np.zeros((16_384, 4), dtype=bool))
    monkeypatch.setattr(np, "load", lambda *a, **k: pytest.fail("the array was loaded"))
    assert refused(path) == ("deep.npy holds a 16384 x 4 array: the model shape has 16,384 layers, more than the "
                             "4,096 reporter handles; check the layer column or layers= (indexes are 0-based) "
                             "(see docs/limits.md)")


def test_npz_shapes_are_read_from_the_headers_of_its_members(tmp_path, monkeypatch):
    path = tmp_path / "deep.npz"
    np.savez_compressed(path, A=np.zeros((4, 4), dtype=bool), B=np.zeros((16_384, 64), dtype=bool))
    assert path.stat().st_size < 10_000  # 1 MB of booleans when loaded, 2.2 GB as a long table
    monkeypatch.setattr(np, "load", lambda *a, **k: pytest.fail("the archive was loaded"))
    assert refused(path).startswith("deep.npz[B] holds a 16384 x 64 array: the model shape has 16,384 layers")


def test_npz_with_too_many_arrays(tmp_path):
    path = tmp_path / "many.npz"
    np.savez(path, **{f"r{i}": np.zeros((2, 2), dtype=bool) for i in range(sizes.MAX_ARRAYS + 1)})
    assert refused(path) == (f"many.npz holds {sizes.MAX_ARRAYS + 1} arrays, more than the {sizes.MAX_ARRAYS} "
                             "reporter reads; keep the categories or relations you report on (see docs/limits.md)")


def test_duplicate_json_keys_are_refused(cli, tmp_path):
    path = tmp_path / "heads.json"
    path.write_text('{"A": ["0.0", "1.1"], "B": ["0.1"], "A": ["1.0"]}')
    message = ("heads.json: the key 'A' appears twice in one JSON object, so one of its values would be dropped; "
               "keep one")
    r = cli("build", str(path), "-o", str(tmp_path / "site"), "--formats", "")
    assert (r.returncode, r.stderr) == (2, f"reporter: error: {message}\n")
    r = cli("inspect", str(path))
    assert (r.returncode, r.stdout.splitlines()[-1]) == (2, f"problem: {message}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["heads.json"]
