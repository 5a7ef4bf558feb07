"""What a build never touches: its own input files, system and home folders, and the owner of a user's folder."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from reporter.output.guard import check_output_folder, check_single_file
from reporter.errors import OutputError
from reporter.pages.assets import cache_dir

NO_FIGURES = ("--formats", "", "-q")


@pytest.fixture
def cats(tmp_path) -> Path:
    """A folder of one true/false matrix per category (2 layers x 2 heads), and a model config beside it."""
    folder = tmp_path / "cats"
    folder.mkdir()
    (folder / "A.csv").write_text("true,false\nfalse,true\n")
    (folder / "B.csv").write_text("false,true\ntrue,true\n")
    (tmp_path / "config.json").write_text('{"num_hidden_layers": 2, "num_attention_heads": 2}\n')
    return folder


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file under a folder by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_single_file_refuses_a_file_of_a_category_folder(cli, cats, tmp_path):
    before = files_under(tmp_path)
    r = cli("build", "cats", "--single-file", "cats/A.csv", "--force", *NO_FIGURES, cwd=tmp_path)
    assert (r.returncode, r.stderr) == (2, "reporter: error: cats/A.csv is a file this build reads; give "
                                           "--single-file another file name such as report.html\n")
    assert files_under(tmp_path) == before


def test_single_file_refuses_the_model_config(cli, cats, tmp_path):
    before = files_under(tmp_path)
    r = cli("build", "cats", "--model-config", "config.json", "--single-file", "config.json", "--force",
            *NO_FIGURES, cwd=tmp_path)
    assert (r.returncode, r.stderr) == (2, "reporter: error: config.json is a file this build reads; give "
                                           "--single-file another file name such as report.html\n")
    assert files_under(tmp_path) == before


def test_single_file_refuses_the_category_map(cli, tmp_path):
    (tmp_path / "scores.csv").write_text("layer,head,relation,score\n0,0,r1,0.9\n0,1,r1,0.1\n1,0,r2,0.8\n1,1,r2,0.2\n")
    (tmp_path / "map.csv").write_text("relation,category\nr1,A\nr2,B\n")
    before = files_under(tmp_path)
    r = cli("build", "scores.csv", "--threshold", "0.5", "--category-map", "map.csv", "--single-file", "map.csv",
            "--force", *NO_FIGURES, cwd=tmp_path)
    assert (r.returncode, r.stderr) == (2, "reporter: error: map.csv is a file this build reads; give "
                                           "--single-file another file name such as report.html\n")
    assert files_under(tmp_path) == before


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_single_file_refuses_a_part_of_a_parquet_dataset(cli, tmp_path, engine):
    if engine == "duckdb":
        pytest.importorskip("duckdb")  # the datasets extra
    (tmp_path / "data").mkdir()
    for part, rows in enumerate([[(0, 0, "A"), (1, 1, "B")], [(1, 0, "A"), (0, 1, "B")]]):
        pd.DataFrame(rows, columns=["layer", "head", "category"]).to_parquet(tmp_path / "data" / f"part-{part}.parquet")
    before = files_under(tmp_path)
    r = cli("build", "data", "--engine", engine, "--single-file", "data/part-1.parquet", "--force", *NO_FIGURES,
            cwd=tmp_path)
    assert (r.returncode, r.stderr) == (2, "reporter: error: data/part-1.parquet is a file this build reads; "
                                           "give --single-file another file name such as report.html\n")
    assert files_under(tmp_path) == before


def test_output_folder_refuses_to_hold_an_input(cli, cats, tmp_path):
    site = tmp_path / "site"
    assert cli("build", "cats", "-o", "site", *NO_FIGURES, cwd=tmp_path).returncode == 0
    before = files_under(tmp_path)
    # The site's own heads.csv read back as the input: the rebuild would replace the very file it reads.
    r = cli("build", "site/data/heads.csv", "--layers", "2", "--heads", "2", "-o", "site", *NO_FIGURES, cwd=tmp_path)
    assert (r.returncode, r.stderr) == (
        2, f"reporter: error: {site} holds data/heads.csv, which this build reads; choose an output folder "
           "outside the input with -o, so the input stays as it is\n")
    r = cli("build", "cats", "-o", "cats", "--force", *NO_FIGURES, cwd=tmp_path)
    assert (r.returncode, r.stderr) == (
        2, f"reporter: error: {cats} holds A.csv, which this build reads; choose an output folder "
           "outside the input with -o, so the input stays as it is\n")
    assert files_under(tmp_path) == before


def fake_root(tmp_path: Path) -> Path:
    """A file system root in miniature: system trees, a home, a web folder."""
    root = tmp_path / "root"
    for folder in ("etc/ssl/private", "usr/share/doc", "var/www", "srv", "home/alice/site", "tmp", "opt"):
        (root / folder).mkdir(parents=True)
    return root


@pytest.mark.parametrize("place, why", [
    ("", "the root of the file system"),
    ("etc", "inside the system folder {root}/etc"),
    ("etc/ssl/private", "inside the system folder {root}/etc"),
    ("usr/share/doc/site", "inside the system folder {root}/usr"),
    ("var", "a top-level system folder"),
    ("tmp", "a top-level system folder"),
    ("home", "a top-level system folder"),
    ("home/alice", "a home folder"),
    ("home/bob", "a home folder"),  # not made yet: still somebody's home to be
])
def test_system_and_home_folders_are_refused(tmp_path, place, why):
    root = fake_root(tmp_path)
    out = root / place if place else root
    with pytest.raises(OutputError) as caught:
        check_output_folder(out, root=root, homes=[root / "home" / "alice"])
    assert str(caught.value) == (f"{out} is {why.format(root=root)}; reporter never writes a site there, even with "
                                 "--force — choose a folder of its own with -o, such as ./site")


@pytest.mark.parametrize("place", ["var/www/site", "srv/site", "home/alice/site", "opt/reports", "tmp/site"])
def test_folders_of_ones_own_are_allowed(tmp_path, place):
    root = fake_root(tmp_path)
    check_output_folder(root / place, root=root, homes=[root / "home" / "alice"])  # raises nothing


def test_single_file_in_a_system_folder_is_refused(tmp_path):
    root = fake_root(tmp_path)
    for place in ("etc/passwd", "usr/share/doc/report.html", "report.html"):
        with pytest.raises(OutputError, match="is in a system folder; give --single-file a path of your own"):
            check_single_file(root / place, root=root)
    check_single_file(root / "tmp" / "report.html", root=root)
    check_single_file(root / "home" / "alice" / "report.html", root=root)


def test_home_folder_itself_is_refused_even_with_force(cli, cats, tmp_path):
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    (home / "notes" / "todo.md").write_text("- call Bob\n")
    before = files_under(tmp_path)
    env = {"HOME": str(home), "REPORTER_CACHE_DIR": str(cache_dir())}
    r = cli("build", "cats", "-o", str(home), "--force", *NO_FIGURES, cwd=tmp_path, env=env)
    assert (r.returncode, r.stderr) == (
        2, f"reporter: error: {home} is a home folder; reporter never writes a site there, even with --force — "
           "choose a folder of its own with -o, such as ./site\n")
    assert files_under(tmp_path) == before and sorted(p.name for p in home.iterdir()) == ["notes"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a folder to another user")
def test_folders_keep_their_owner_group_and_mode_when_root_builds(cli, cats, tmp_path):
    work = tmp_path / "work"
    (work / "notes").mkdir(parents=True)
    (work / "notes" / "todo.md").write_text("- check layer 1\n")
    os.chown(work, 4321, 4322)
    os.chown(work / "notes", 4321, 4323)
    os.chmod(work, 0o2770)
    os.chmod(work / "notes", 0o750)
    for _ in range(2):  # into the user's folder with --force, then a rebuild of the site it became
        r = cli("build", "cats", "-o", str(work), "--force", *NO_FIGURES, cwd=tmp_path)
        assert (r.returncode, r.stderr) == (0, "")
        for folder, owner, mode in ((work, (4321, 4322), 0o2770), (work / "notes", (4321, 4323), 0o750)):
            st = os.stat(folder)
            assert ((st.st_uid, st.st_gid), st.st_mode & 0o7777) == (owner, mode), folder
        # The report's own files and folders are the folder owner's, so the user can rebuild or delete them.
        for path in (work / "index.html", work / "data", work / "data" / "heads.csv", work / ".reporter-site"):
            assert (os.lstat(path).st_uid, os.lstat(path).st_gid) == (4321, 4322), path
    assert (work / "notes" / "todo.md").read_text() == "- check layer 1\n"


def two_models(*names: str) -> pd.DataFrame:
    """A tiny table of the named models, the same heads each."""
    rows = [(m, layer, head, cat) for m in names for layer, head, cat in ((0, 0, "A"), (1, 1, "B"), (1, 0, "A"))]
    return pd.DataFrame(rows, columns=["model", "layer", "head", "category"])


def test_a_removed_models_folder_goes_with_its_files_and_a_users_empty_folder_stays(tmp_path):
    import reporter

    out = tmp_path / "site"
    reporter.build_site([two_models("alpha", "beta")], formats=()).save(out)
    assert (out / "beta" / "index.html").is_file()
    (out / "empty").mkdir()
    reporter.build_site([two_models("alpha", "gamma")], formats=()).save(out)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["alpha", "data", "empty", "figures", "gamma"]


def test_a_model_named_assets_does_not_take_the_name_of_a_site_folder(tmp_path):
    import reporter

    site = reporter.build_site([two_models("assets", "other")], formats=())
    assert site.slugs[0].startswith("assets-") and site.slugs[1] == "other"
    out = site.save(tmp_path / "site")
    assert (out / site.slugs[0] / "index.html").is_file() and not (out / "assets").exists()
