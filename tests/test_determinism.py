"""Same input, same bytes; and the committed site/ is what `reporter demo` writes."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_give_identical_bytes(cli, tmp_path, small_table):
    table = tmp_path / "heads.csv"
    small_table.to_csv(table, index=False)
    for name in ("a", "b"):
        result = cli("build", str(table), "-o", str(tmp_path / name), "--quiet")
        assert result.returncode == 0, result.stderr
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert sorted(a) == sorted(b)
    assert "figures/heatmaps.pdf" in a and "figures/heatmaps.png" in a
    for name in a:
        assert a[name] == b[name], name


def test_source_date_epoch_is_shown_only_when_set(cli, tmp_path, small_table):
    table = tmp_path / "heads.csv"
    small_table.to_csv(table, index=False)
    cli("build", str(table), "-o", str(tmp_path / "plain"), "--formats", "svg", "--quiet")
    cli("build", str(table), "-o", str(tmp_path / "dated"), "--formats", "svg", "--quiet",
        env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert " on 20" not in (tmp_path / "plain" / "index.html").read_text()
    assert "on 2023-11-14 22:13 UTC" in (tmp_path / "dated" / "index.html").read_text()


def test_demo_reproduces_committed_site_byte_for_byte(cli, tmp_path):
    """site/ in the repository is `reporter demo`'s output; rebuild it with `reporter demo -o site`."""
    result = cli("demo", "-o", str(tmp_path / "site"), "--quiet", env={"SOURCE_DATE_EPOCH": ""})
    assert result.returncode == 0, result.stderr
    fresh, committed = tree(tmp_path / "site"), tree(ROOT / "site")
    assert sorted(fresh) == sorted(committed)
    for name in fresh:
        assert fresh[name] == committed[name], f"site/{name} differs: rebuild with `reporter demo -o site`"
