"""`reporter diff A B`: memberships gained, lost and kept between two runs of one model shape."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from reporter.diff_report import build_diff


def runs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two runs of a 12x4 model with known changes.

    K: A has layers 0-7 x heads 0-2, B layers 4-11 x heads 0-2: 12 kept (4-7),
    12 lost (0-3), 12 gained (8-11). L: (11, 3) in both, (9, 3) gained.
    M: (5, 3) and (9, 3) lost, (6, 3) gained; so head (9, 3) is M in A and L in B.
    """
    a = [(layer, h, "K") for layer in range(0, 8) for h in range(3)] + [(11, 3, "L"), (5, 3, "M"), (9, 3, "M")]
    b = [(layer, h, "K") for layer in range(4, 12) for h in range(3)] + [(11, 3, "L"), (9, 3, "L"), (6, 3, "M")]
    cols = ["layer", "head", "category"]
    return pd.DataFrame(a, columns=cols), pd.DataFrame(b, columns=cols)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("diff")
    a, b = runs()
    a.to_csv(root / "run-a.csv", index=False)
    b.to_csv(root / "run-b.csv", index=False)
    return root


@pytest.fixture(scope="module")
def report(files):
    return build_diff(files / "run-a.csv", files / "run-b.csv", formats=())


def test_counts_and_jaccard_per_category(report):
    d = report.diff
    assert [(c.name, c.heads_a, c.heads_b, c.kept, c.gained, c.lost, round(c.jaccard, 4)) for c in d.categories] == [
        ("K", 24, 24, 12, 12, 12, 0.3333), ("L", 1, 2, 1, 1, 0, 0.5), ("M", 2, 1, 0, 1, 2, 0.0)]
    t = d.totals
    assert (t.memberships_a, t.memberships_b, t.kept, t.gained, t.lost, round(t.jaccard, 4)) == (27, 27, 13, 14, 14, 0.3171)
    assert t.heads == {"gained": 13, "lost": 13, "changed": 1, "kept": 13}
    changed = d.heads[d.heads["status"] == "changed"]
    assert changed[["layer", "head", "categories_a", "categories_b"]].values.tolist() == [[9, 3, "M", "L"]]
    assert d.category("K").changed_window == (0, 10) and d.category("K").changed_window_share == 21 / 24


def test_observations_say_how_much_and_where(report):
    from scipy import stats

    got = {o.id: o.text for o in report.observations}
    assert list(got) == ["agreement", "k-agreement", "l-agreement", "m-agreement", "changes-where",
                         "k-changes-where", "l-changes-where", "m-changes-where", "k-shift"]
    assert got["agreement"] == ("run-b.csv keeps 13 of the 27 memberships of run-a.csv, gains 14 and loses 14 "
                                "(Jaccard 0.32 over all memberships).")
    assert got["k-agreement"] == "K: 12 heads in both runs, 12 gained and 12 lost (24 → 24 heads; Jaccard 0.33)."
    assert got["l-agreement"] == "L: 1 head in both runs, 1 gained and 0 lost (1 → 2 heads; Jaccard 0.50)."
    assert got["changes-where"] == ("89.3% of the 28 changed memberships are in layers 0–10 (11 of 12 layers); "
                                    "layer 9 changes most (4 gained, 1 lost).")
    assert got["k-changes-where"] == ("87.5% of the 24 changed K memberships are in layers 0–10 (11 of 12 layers); "
                                      "layer 0 changes most (0 gained, 3 lost).")
    assert got["l-changes-where"] == "The 1 changed L membership is too few to find a window; it is in layer 9."
    assert got["m-changes-where"] == ("The 3 changed M memberships are too few to find a window; "
                                      "they are in layers 5, 6 and 9.")
    gained, lost = [8, 9, 10, 11] * 3, [0, 1, 2, 3] * 3
    p = stats.mannwhitneyu(gained, lost, alternative="two-sided", method="asymptotic", use_continuity=True).pvalue
    assert got["k-shift"] == (f"Gained K heads sit later than lost ones: median layer 9.5 for the 12 gained vs 1.5 "
                              f"for the 12 lost (Mann–Whitney p = {p:.2g}).")


def test_identical_runs_say_nothing_changed():
    a, _ = runs()
    d = build_diff(a, a.copy(), formats=())
    assert [o.text for o in d.observations] == [
        "A and B have the same 27 memberships: nothing changed.",
        "K heads are the same in both runs (24 heads).",
        "L heads are the same in both runs (1 head).",
        "M heads are the same in both runs (2 heads).",
    ]


def test_cli_writes_the_diff_site(files, cli, visit):
    out = files / "out"
    result = cli("diff", str(files / "run-a.csv"), str(files / "run-b.csv"), "-o", str(out), "--formats", "svg")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out / 'index.html'} (2 figures)")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".nojekyll", ".reporter-site", "data/changes.csv", "data/diff.json", "figures/change-profile.svg",
        "figures/change-profile.vl.json", "figures/changes.svg", "figures/changes.vl.json", "index.html"]
    csv = (out / "data" / "changes.csv").read_text().splitlines()
    assert csv[0] == "layer,head,category,status"
    assert "0,0,K,lost" in csv and "9,3,L,gained" in csv and "4,0,K,kept" in csv and len(csv) == 1 + 41
    doc = json.loads((out / "data" / "diff.json").read_text())
    assert [r["label"] for r in doc["runs"]] == ["run-a.csv", "run-b.csv"]
    assert doc["categories"][0] == {"name": "K", "color": "#1f77b4", "heads_a": 24, "heads_b": 24, "kept": 12,
                                    "gained": 12, "lost": 12, "jaccard": 0.3333, "changed_layers": [0, 10],
                                    "changed_layers_share": 0.875}
    soup = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    row = [td.get_text() for td in soup.select("#diff-categories tbody tr")[2].select("td")]
    assert row == ["2", "1", "0", "1", "2", "0.00", "5–9 (100%)"]
    for a in soup.select("a[href^='#']"):
        assert soup.find(id=a["href"][1:]) is not None, a["href"]
    v = visit((out / "index.html").as_uri())
    states = v.wait_rendered()
    assert [(s[0], s[1]) for s in states] == [("changes", "true"), ("change-profile", "true")]
    assert v.blocked == [] and v.errors == []


def test_different_shapes_exit_2_and_write_nothing(files, tmp_path, cli):
    small = pd.DataFrame({"layer": [0, 9], "head": [0, 3], "category": ["K", "K"]})
    small.to_csv(tmp_path / "small.csv", index=False)
    result = cli("diff", str(files / "run-a.csv"), str(tmp_path / "small.csv"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == ("reporter: error: run-a.csv is 12x4 but small.csv is 10x4; diff compares two runs of "
                             "the same model shape (pass --layers/--heads if a shape was inferred)\n")
    assert not (tmp_path / "out").exists()


def test_a_table_of_several_models_needs_model(files, tmp_path, cli):
    a, b = runs()
    pd.concat([a.assign(model="x"), b.assign(model="y")]).to_csv(tmp_path / "both.csv", index=False)
    result = cli("diff", str(tmp_path / "both.csv"), str(files / "run-b.csv"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == "reporter: error: both.csv holds 2 models (x, y); pick one with --model NAME\n"
    chosen = cli("diff", str(tmp_path / "both.csv"), str(files / "run-b.csv"), "--model", "x", "--formats", "",
                 "-o", str(tmp_path / "out"))
    assert chosen.returncode == 0, chosen.stderr
    assert json.loads((tmp_path / "out" / "data" / "diff.json").read_text())["totals"]["kept"] == 13
