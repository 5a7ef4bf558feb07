"""The output folder: marker and manifest, refusal of a user's folder, --force keeping the user's files."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from reporter.output.write import MARKER

OURS = [
    ".nojekyll", "data/heads.csv", "data/summary.json",
    "figures/heatmaps.vl.json", "figures/layer-profile.vl.json", "figures/overlap.vl.json", "index.html",
]


@pytest.fixture
def table(tmp_path) -> Path:
    """A tiny long-shape CSV, one head in two categories (so every figure is drawn)."""
    path = tmp_path / "heads.csv"
    path.write_text("layer,head,category\n0,0,A\n1,1,B\n2,0,A\n2,0,B\n")
    return path


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (links as their target text) by relative path."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = b"-> " + os.readlink(p).encode()
        elif p.is_file():
            out[rel] = p.read_bytes()
    return out


def leftovers(out: Path) -> list[str]:
    """Staging folders of reporter beside ``out``."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.reporter-"))


def user_folder(path: Path) -> Path:
    """A working folder with the user's own files: nested, hidden, a link, an empty folder."""
    (path / "notes").mkdir(parents=True)
    (path / "notes" / "todo.md").write_text("- check layer 40\n")
    (path / ".hidden").write_text("secret\n")
    (path / "results.csv").write_text("a,b\n1,2\n")
    (path / "empty").mkdir()
    (path / "link").symlink_to("results.csv")
    return path


def test_new_folder_gets_marker_listing_our_files(cli, table, tmp_path):
    out = tmp_path / "site"
    r = cli("build", str(table), "-o", str(out), "--formats", "", "-q")
    assert (r.returncode, r.stderr) == (0, "")
    marker = json.loads((out / MARKER).read_text())
    assert sorted(marker["files"]) == OURS
    assert marker["files"]["index.html"] == hashlib.sha256((out / "index.html").read_bytes()).hexdigest()
    assert sorted(listing(out)) == sorted(OURS + [MARKER])
    assert leftovers(out) == []


def test_refuses_a_folder_it_did_not_write(cli, table, tmp_path):
    out = user_folder(tmp_path / "work")
    before = listing(out)
    r = cli("build", str(table), "-o", str(out), "--formats", "")
    assert r.returncode == 2
    assert r.stderr == (
        f"reporter: error: {out} already holds files that reporter did not write (e.g. .hidden); choose an empty "
        "or new folder with -o, or pass --force to add the report beside them (reporter never removes them)\n"
    )
    assert listing(out) == before and (out / "empty").is_dir()
    assert leftovers(out) == []


def test_refuses_a_file_as_output(cli, table, tmp_path):
    out = tmp_path / "site"
    out.write_text("not a folder")
    r = cli("build", str(table), "-o", str(out), "--formats", "")
    assert r.returncode == 2
    assert r.stderr == f"reporter: error: {out} is a file or a link, not a folder; choose another output folder with -o\n"
    assert out.read_text() == "not a folder"


def test_force_keeps_every_user_file(cli, table, tmp_path):
    out = user_folder(tmp_path / "work")
    before = listing(out)
    inode = (out / "results.csv").stat().st_ino
    r = cli("build", str(table), "-o", str(out), "--formats", "svg", "--force", "-q")
    assert (r.returncode, r.stderr) == (0, "")
    after = listing(out)
    assert {k: after[k] for k in before} == before  # every user file, byte for byte
    assert (out / "results.csv").stat().st_ino == inode  # the very same file, linked not copied
    assert (out / "empty").is_dir() and (out / "link").is_symlink()
    ours = sorted(OURS + ["figures/heatmaps.svg", "figures/layer-profile.svg", "figures/overlap.svg"])
    assert sorted(json.loads((out / MARKER).read_text())["files"]) == ours
    assert sorted(after) == sorted(list(before) + ours + [MARKER])

    # The marker makes it ours: the next build needs no --force, drops the SVGs it no longer
    # makes and still leaves the user's files alone.
    r = cli("build", str(table), "-o", str(out), "--formats", "", "-q")
    assert (r.returncode, r.stderr) == (0, "")
    after = listing(out)
    assert {k: after[k] for k in before} == before
    assert sorted(after) == sorted(list(before) + OURS + [MARKER])
    assert leftovers(out) == []


def test_files_dropped_into_a_site_survive_rebuilds(cli, table, tmp_path):
    out = tmp_path / "site"
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    (out / "figures" / "my-edit.svg").write_text("<svg/>")
    (out / "README.md").write_text("my notes\n")
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    assert (out / "figures" / "my-edit.svg").read_text() == "<svg/>"
    assert (out / "README.md").read_text() == "my notes\n"
    assert (out / "index.html").read_text().startswith("<!doctype html>")


def test_a_file_of_ours_edited_by_hand_becomes_the_users(cli, table, tmp_path):
    out = tmp_path / "site"
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    (out / "index.html").write_text("edited by hand")  # no longer what reporter wrote: never overwritten
    (out / "data" / "summary.json").unlink()
    (out / "data" / "summary.json").write_text("{}")
    r = cli("build", str(table), "-o", str(out), "--formats", "")
    assert r.returncode == 2
    assert "data/summary.json" in r.stderr and "never overwrites" in r.stderr
    assert (out / "index.html").read_text() == "edited by hand"


def test_a_file_of_ours_that_the_next_build_drops_is_removed_only_if_unchanged(cli, table, tmp_path):
    out = tmp_path / "site"
    assert cli("build", str(table), "-o", str(out), "--formats", "svg", "-q").returncode == 0
    (out / "figures" / "overlap.svg").write_text("my annotated copy")
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    assert (out / "figures" / "overlap.svg").read_text() == "my annotated copy"
    assert not (out / "figures" / "heatmaps.svg").exists()


MALFORMED_MARKERS = {
    "empty object": "{}",
    "conflict markers": '<<<<<<< HEAD\n{"files": {}, "note": ""}\n=======\n{}\n>>>>>>> other\n',
    "truncated": '{"files": {"index.html": "',
    "empty file": "",
    "null list": '{"files": null, "note": ""}',
    "top-level list": '["notes.txt"]',
    "not utf-8": b"\xff\xfe{}".decode("latin-1"),
    "extra key": '{"files": {}, "note": "", "claims": "all"}',
}


@pytest.mark.parametrize("text", MALFORMED_MARKERS.values(), ids=MALFORMED_MARKERS.keys())
def test_a_malformed_marker_makes_the_folder_foreign(cli, table, tmp_path, text):
    out = tmp_path / "site"
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    (out / "notes.txt").write_text("mine\n")
    (out / ".git" / "objects").mkdir(parents=True)
    (out / ".git" / "objects" / "ab").write_text("a git object\n")
    (out / MARKER).write_bytes(text.encode("latin-1"))
    users = {k: v for k, v in listing(out).items() if k != MARKER}
    r = cli("build", str(table), "-o", str(out), "--formats", "")
    assert r.returncode == 2 and "already holds files that reporter did not write" in r.stderr
    assert listing(out) == {**users, MARKER: text.encode("latin-1")}
    # With --force nothing is deleted: the old index.html is in the way of the new one.
    r = cli("build", str(table), "-o", str(out), "--formats", "", "--force")
    assert r.returncode == 2 and "never overwrites" in r.stderr
    assert {k: v for k, v in listing(out).items() if k != MARKER} == users
    assert leftovers(out) == []


def test_a_marker_listing_a_users_file_does_not_delete_it(cli, table, tmp_path):
    out = tmp_path / "site"
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    (out / "notes.txt").write_text("mine\n")
    marker = json.loads((out / MARKER).read_text())
    marker["files"]["notes.txt"] = hashlib.sha256(b"what reporter would have written").hexdigest()
    (out / MARKER).write_text(json.dumps(marker))
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    assert (out / "notes.txt").read_text() == "mine\n"
    assert "notes.txt" not in json.loads((out / MARKER).read_text())["files"]


def test_a_marker_cannot_reach_outside_the_folder(cli, table, tmp_path):
    out = tmp_path / "site"
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    (tmp_path / "outside.txt").write_text("mine\n")
    (out / "linked").symlink_to(tmp_path)
    marker = json.loads((out / MARKER).read_text())
    digest = hashlib.sha256(b"mine\n").hexdigest()
    marker["files"].update({"../outside.txt": digest, "linked/outside.txt": digest})
    (out / MARKER).write_text(json.dumps(marker))
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    assert (tmp_path / "outside.txt").read_text() == "mine\n"
    assert (out / "linked").is_symlink()


def test_a_list_marker_of_reporter_0_1_is_rebuilt_but_removes_nothing(cli, table, tmp_path):
    out = tmp_path / "site"
    assert cli("build", str(table), "-o", str(out), "--formats", "svg", "-q").returncode == 0
    (out / "notes.txt").write_text("mine\n")
    listed = sorted(json.loads((out / MARKER).read_text())["files"]) + ["notes.txt"]
    (out / MARKER).write_text(json.dumps({"files": listed, "note": "old"}))
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    assert (out / "notes.txt").read_text() == "mine\n"
    assert (out / "figures" / "heatmaps.svg").is_file()  # listed, not rewritten: kept, no hash vouches for it
    assert sorted(json.loads((out / MARKER).read_text())["files"]) == OURS


def test_force_never_overwrites_a_user_file(cli, table, tmp_path):
    out = user_folder(tmp_path / "work")
    (out / "index.html").write_text("the user's own page\n")
    before = listing(out)
    r = cli("build", str(table), "-o", str(out), "--formats", "", "--force")
    assert r.returncode == 2
    assert r.stderr == (
        f"reporter: error: {out / 'index.html'} was not written by reporter but the report needs that name "
        "(index.html); move it away or choose another folder with -o (reporter never overwrites files it did "
        "not write)\n"
    )
    assert listing(out) == before
    assert leftovers(out) == []


def test_user_file_at_a_path_a_previous_build_did_not_write(cli, table, tmp_path):
    out = tmp_path / "site"
    assert cli("build", str(table), "-o", str(out), "--formats", "", "-q").returncode == 0
    (out / "figures" / "heatmaps.svg").write_text("mine")  # the next build wants to write this name
    r = cli("build", str(table), "-o", str(out), "--formats", "svg")
    assert r.returncode == 2
    assert "figures/heatmaps.svg" in r.stderr and "never overwrites" in r.stderr
    assert (out / "figures" / "heatmaps.svg").read_text() == "mine"


def test_marker_without_file_list_no_longer_claims_the_folder(cli, table, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / MARKER).write_text("This folder was written by reporter; it may replace the folder's contents.\n")
    (out / "old-page.html").write_text("from an earlier version")
    r = cli("build", str(table), "-o", str(out), "--formats", "", "-q", "--force")
    assert r.returncode == 0
    assert sorted(listing(out)) == sorted(OURS + [MARKER, "old-page.html"])


def test_demo_accepts_force(cli, tmp_path):
    out = user_folder(tmp_path / "work")
    before = listing(out)
    r = cli("demo", "-o", str(out), "--formats", "", "--force", "-q")
    assert (r.returncode, r.stderr) == (0, "")
    assert {k: listing(out)[k] for k in before} == before
    assert "synthetic example" in (out / "index.html").read_text()


def test_python_api_force_option(table, tmp_path):
    import reporter
    from reporter.errors import OutputError

    out = user_folder(tmp_path / "work")
    with pytest.raises(OutputError, match="already holds files"):
        reporter.build(table, formats=()).save(out)
    reporter.build(table, formats=(), force=True).save(out)
    assert (out / "notes" / "todo.md").read_text() == "- check layer 40\n"
    assert (out / "index.html").is_file()
